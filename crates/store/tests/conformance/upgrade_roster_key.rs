//! A database from before migration 0081 (one unique key, `(id_number_bidx, source)`, for
//! roster entries) keeps its entries, their ids and the coverage triggers; the new key
//! refuses a second entry of a person for one source, takes one for another source, and
//! is the only index of the entries keyed by the blind index.

use huiji_core::roster::RosterState::NotMember;
use huiji_core::{Occupation, OrgPath, Timestamp};
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{EntryOutcome, NewRosterEntry, NewRosterImport, SqlStore, both_databases};

use crate::fixtures::{AT, sealed};
use crate::upgrade::{index_names, older_database};

/// A union, an import, three entries (one person listed by two sources) and their
/// coverage counts as 0080 keeps them.
const OLD_ROWS: [&str; 7] = [
    "INSERT INTO orgs (id, kind, level, name, region_code, path, created_at, join_code, auto_approval) \
     VALUES (1, 'federation', 'province', '安徽省总工会', '34', '/1/', 0, 'AH', 'all_verified')",
    "INSERT INTO roster_imports (id, org_id, org_path, source, file_name, actor, status, started_at) \
     VALUES (7, 1, '/1/', '交通运输局', 'a.csv', 'operator', 'done', 1000)",
    "INSERT INTO roster_entries (id, source, import_id, last_import_id, org_id, org_path, id_number_ct, \
     id_number_bidx, mobile_bidx, occupation, state, created_at, last_seen_at) \
     VALUES (40, '交通运输局', 7, 7, 1, '/1/', $1, 'bidx:id-a', 'bidx:m-a', 'truck_driver', 'not_member', 1000, 1000)",
    "INSERT INTO roster_entries (id, source, import_id, last_import_id, org_id, org_path, id_number_ct, \
     id_number_bidx, occupation, state, created_at, last_seen_at) \
     VALUES (41, '美团', 7, 7, 1, '/1/', $1, 'bidx:id-a', 'courier', 'not_member', 1000, 1000)",
    "INSERT INTO roster_entries (id, source, import_id, last_import_id, org_id, org_path, id_number_ct, \
     id_number_bidx, occupation, state, created_at, last_seen_at) \
     VALUES (42, '交通运输局', 7, 7, 1, '/1/', $1, 'bidx:id-b', 'truck_driver', 'member', 1000, 1000)",
    "INSERT INTO roster_counts (org_id, org_path, occupation, state, entries) \
     VALUES (1, '/1/', 'truck_driver', 'not_member', 1), (1, '/1/', 'truck_driver', 'member', 1)",
    "INSERT INTO roster_counts (org_id, org_path, occupation, state, entries) \
     VALUES (1, '/1/', 'courier', 'not_member', 1)",
];

fn entry(id: &str, mobile: Option<&str>) -> NewRosterEntry {
    NewRosterEntry {
        name: None,
        id_number: sealed(id),
        mobile: mobile.map(sealed),
        occupation: Occupation::TruckDriver,
        region: None,
        employer_name: None,
        employer_credit_code: None,
    }
}

both_databases!(a_roster_from_before_the_one_key_keeps_its_entries, |db: TestDb| async move {
    let url = older_database(&db, "rkey", |version| version <= 80, &OLD_ROWS).await;
    let store = SqlStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();

    // Every entry kept, with its id (matches come in id order) and its source.
    let matches = store.roster_matches("bidx:id-a").await.unwrap();
    let sources: Vec<_> = matches.iter().map(|m| (m.source.as_str(), m.org_path.as_str())).collect();
    assert_eq!(sources, [("交通运输局", "/1/"), ("美团", "/1/")]);
    assert_eq!(store.roster_matches("bidx:id-b").await.unwrap().len(), 1);
    let root = OrgPath::parse("/1/").unwrap();
    let cover = store.roster_coverage(&root).await.unwrap();
    assert_eq!((cover.entries, cover.members), (3, 1));

    // The one key: a person a source lists already is not added again (the stored mobile
    // is kept when the row gives the same one), a new person is.
    let new = NewRosterImport {
        org: huiji_core::OrgId(1),
        source: "交通运输局".to_owned(),
        file_name: "b.csv".to_owned(),
        actor: "operator".to_owned(),
    };
    let again = store.start_roster_import(&new, AT).await.unwrap();
    let outcomes = store
        .add_roster_entries(again, &[entry("id-a", Some("m-a")), entry("id-c", None)], AT)
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        [
            EntryOutcome::Existing { state: NotMember, mobile: false, employer: false },
            EntryOutcome::New(NotMember)
        ]
    );
    assert_eq!(store.roster_matches("bidx:id-a").await.unwrap().len(), 2, "not listed twice by one source");
    assert_eq!(store.roster_coverage(&root).await.unwrap().entries, 4);

    // The coverage triggers were made again with the table: the purge is followed.
    store.purge_roster(Timestamp(2000)).await.unwrap();
    let after = store.roster_coverage(&root).await.unwrap();
    // Only 美团's entry is purged: the import above listed 交通运输局's id-a again.
    assert_eq!((after.entries, after.members), (3, 1), "the entry last seen at 1000 is purged");
    store.close().await;

    let names = index_names(&url, "roster_entries").await;
    let expected: &[&str] = if url.starts_with("sqlite:") {
        &["roster_entries_last_seen_idx", "roster_entries_org_path_idx", "sqlite_autoindex_roster_entries_1"]
    } else {
        &[
            "roster_entries_bidx_source_key",
            "roster_entries_last_seen_idx",
            "roster_entries_org_path_idx",
            "roster_entries_pkey",
        ]
    };
    assert_eq!(names, expected, "one index keyed by the blind index, no longer two");
    if url != db.url {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", url.trim_start_matches("sqlite:")));
        }
    }
});
