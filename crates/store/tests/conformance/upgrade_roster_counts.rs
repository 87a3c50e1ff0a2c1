//! A database from before migration 0080 (the roster coverage rollup) keeps its roster
//! figures: the migration counts the entries already listed, and the triggers follow a
//! state change from then on.

use huiji_core::OrgPath;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{SqlStore, both_databases};

use crate::upgrade::older_database;

/// A union, an import, and three entries: two truck drivers (one a member), one courier.
const OLD_ROWS: [&str; 5] = [
    "INSERT INTO orgs (id, kind, level, name, region_code, path, created_at, join_code, auto_approval) \
     VALUES (1, 'federation', 'province', '安徽省总工会', '34', '/1/', 0, 'AH', 'all_verified')",
    "INSERT INTO roster_imports (id, org_id, org_path, source, file_name, actor, status, started_at) \
     VALUES (7, 1, '/1/', '交通运输局', 'a.csv', 'operator', 'done', 1000)",
    "INSERT INTO roster_entries (source, import_id, last_import_id, org_id, org_path, id_number_ct, \
     id_number_bidx, occupation, state, created_at, last_seen_at) \
     VALUES ('交通运输局', 7, 7, 1, '/1/', $1, 'bidx:a', 'truck_driver', 'not_member', 1000, 1000)",
    "INSERT INTO roster_entries (source, import_id, last_import_id, org_id, org_path, id_number_ct, \
     id_number_bidx, occupation, state, created_at, last_seen_at) \
     VALUES ('交通运输局', 7, 7, 1, '/1/', $1, 'bidx:b', 'truck_driver', 'member', 1000, 1000)",
    "INSERT INTO roster_entries (source, import_id, last_import_id, org_id, org_path, id_number_ct, \
     id_number_bidx, occupation, state, created_at, last_seen_at) \
     VALUES ('交通运输局', 7, 7, 1, '/1/', $1, 'bidx:c', 'courier', 'pending', 1000, 1000)",
];

both_databases!(a_roster_from_before_the_rollup_keeps_its_coverage, |db: TestDb| async move {
    let url = older_database(&db, "rcounts", |version| version < 80, &OLD_ROWS).await;
    let store = SqlStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let root = OrgPath::parse("/1/").unwrap();
    let cover = store.roster_coverage(&root).await.unwrap();
    assert_eq!((cover.entries, cover.members, cover.pending), (3, 1, 1));
    let trucks: Vec<_> = cover.by_occupation.iter().map(|r| (r.key.code(), r.entries, r.members)).collect();
    assert_eq!(trucks, [("truck_driver", 2, 1), ("courier", 1, 0)]);
    // The purge after the upgrade is followed by the trigger.
    store.purge_roster(huiji_core::Timestamp(2000)).await.unwrap();
    let after = store.roster_coverage(&root).await.unwrap();
    assert_eq!((after.entries, after.members, after.pending), (2, 1, 1), "the not_member entry was purged");
    store.close().await;
    if url != db.url {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", url.trim_start_matches("sqlite:")));
        }
    }
});
