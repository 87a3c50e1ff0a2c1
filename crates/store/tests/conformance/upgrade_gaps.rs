//! A database made by the version before this branch (migrations up to 0063) takes the
//! migrations numbered below it — 0052 (roster import jobs), 0053 (SMS signatures) — and
//! 0064, 0065 in the same run, losing nothing: on SQLite 0052 rebuilds `roster_imports`, which roster entries
//! point at, and 0064 rebuilds `notices`.

use huiji_core::Timestamp;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{Backend, NoticeAbout, RosterImportStatus, SqlStore, both_databases};

use crate::upgrade::older_database;

/// Migrations this branch adds.
const NEW: [i64; 4] = [52, 53, 64, 65];

/// A union, a roster import with one entry, and a pending decision notice, as the older
/// schema has them.
const OLD_ROWS: [&str; 5] = [
    "INSERT INTO orgs (id, kind, level, name, region_code, path, created_at, join_code, auto_approval) \
     VALUES (1, 'federation', 'province', '安徽省总工会', '34', '/1/', 0, 'AH', 'all_verified')",
    "INSERT INTO roster_imports (id, org_id, org_path, source, file_name, actor, status, started_at) \
     VALUES (7, 1, '/1/', '交通运输局', 'a.csv', 'operator', 'running', 1000)",
    "INSERT INTO roster_entries (source, import_id, last_import_id, org_id, org_path, id_number_ct, \
     id_number_bidx, occupation, state, created_at, last_seen_at) \
     VALUES ('交通运输局', 7, 7, 1, '/1/', $1, 'bidx:id-old', 'truck_driver', 'not_member', 1000, 1000)",
    "INSERT INTO applications (id, status, channel, receiving_org_id, name, id_number_ct, id_number_bidx, \
     mobile_ct, mobile_bidx, sex, occupation, region_code, consent_version, consent_at, mobile_verified, \
     holds_membership, review_deadline, created_at, reviewer_org_id, reviewer_path) \
     VALUES (3, 'pending_review', 'qr', 1, '王晓明', $1, 'bidx:id-old', $1, 'bidx:m-old', 'male', 'truck_driver', \
     '340104', '1', 0, TRUE, FALSE, 86400000, 0, 1, '/1/')",
    "INSERT INTO notices (kind, application_id, org_id, created_at, next_attempt_at) \
     VALUES ('escalated', 3, 1, 5, 5)",
];

both_databases!(
    a_database_from_before_this_branch_upgrades_keeping_imports_and_notices,
    |db: TestDb| async move {
        // The older version had nothing after 0063 (later branches' migrations run in the upgrade).
        let url =
            older_database(&db, "gaps", |version| version <= 63 && !NEW.contains(&version), &OLD_ROWS).await;
        let store = SqlStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();

        let import = store.roster_import(7).await.unwrap().expect("the import is kept");
        assert_eq!(
            (import.status, import.source.as_str(), import.message),
            (RosterImportStatus::Running, "交通运输局", None)
        );
        assert_eq!(
            store.roster_matches("bidx:id-old").await.unwrap().len(),
            1,
            "its entry still points at it"
        );
        // Its heartbeat is its start: a sweep after the stale window marks it interrupted.
        let marked =
            store.interrupt_stale_roster_imports(Timestamp(2000), "stopped", Timestamp(3000)).await.unwrap();
        assert_eq!(marked, 1);
        assert_eq!(store.roster_import(7).await.unwrap().unwrap().status, RosterImportStatus::Interrupted);

        let notices = store
            .notices_about(NoticeAbout { application: Some(3), ..NoticeAbout::default() })
            .await
            .unwrap();
        assert_eq!(notices.len(), 1, "the pending notice is kept");
        assert_eq!((notices[0].kind.code(), notices[0].case_id), ("escalated", None));
        if Store::backend(&store) == Backend::Sqlite {
            let violations: Vec<(String,)> =
                on_sqlite(&url, "SELECT \"table\" FROM pragma_foreign_key_check").await;
            assert!(violations.is_empty(), "{violations:?}");
        }
        store.close().await;
        if url != db.url {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", url.trim_start_matches("sqlite:")));
            }
        }
    }
);

async fn on_sqlite(url: &str, sql: &'static str) -> Vec<(String,)> {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let rows = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
    pool.close().await;
    rows
}
