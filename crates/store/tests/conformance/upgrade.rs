//! A database made by an earlier version migrates and serves, losing nothing: here, one
//! made before migration 0012 (identity checks, open applications per submitter).

use std::borrow::Cow;

use huiji_core::joining::Landing;
use huiji_core::{Decision, OrgId};
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{Backend, NewApplication, SqlStore, SubmitOutcome, both_databases};

use crate::fixtures::{AT, application};

/// The last migration before the one under test.
const BEFORE: i64 = 11;

/// One receiving union and one pending application, written as the older schema has them.
const OLD_ROWS: [&str; 2] = [
    "INSERT INTO orgs (id, kind, level, name, region_code, path, created_at, join_code, auto_approval) \
     VALUES (1, 'federation', 'province', '安徽省总工会', '34', '/1/', 0, 'AH', 'all_verified')",
    "INSERT INTO applications (status, channel, receiving_org_id, name, id_number_ct, id_number_bidx, \
     mobile_ct, mobile_bidx, sex, occupation, region_code, consent_version, consent_at, mobile_verified, \
     holds_membership, review_deadline, created_at, reviewer_org_id, reviewer_path) \
     VALUES ('pending_review', 'qr', 1, '王晓明', $1, 'bidx:id-old', $1, 'bidx:m-old', 'male', 'truck_driver', \
     '340104', '1', 0, TRUE, FALSE, 86400000, 0, 1, '/1/')",
];

/// Empties the test database and migrates it with the migrations `kept` picks (an older
/// version's), then writes `rows` (each may bind `$1`, a ciphertext). SQLite gets a file of
/// its own, named with `suffix`; PostgreSQL a fresh schema in the test's database. Returns
/// the URL. Shared by every upgrade test.
pub(crate) async fn older_database(
    db: &TestDb,
    suffix: &str,
    kept: fn(i64) -> bool,
    rows: &[&'static str],
) -> String {
    let ct = b"ct".to_vec();
    let older = |all: sqlx::migrate::Migrator| {
        let migrations = all.migrations.iter().filter(|m| kept(m.version)).cloned().collect();
        sqlx::migrate::Migrator { migrations: Cow::Owned(migrations), ..all }
    };
    match Store::backend(db.store.as_ref()) {
        Backend::Sqlite => {
            let url = format!("{}-{suffix}", db.url);
            let options = url
                .parse::<sqlx::sqlite::SqliteConnectOptions>()
                .unwrap()
                .create_if_missing(true)
                .foreign_keys(true);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            older(sqlx::migrate!("./migrations/sqlite")).run(&pool).await.unwrap();
            for &sql in rows {
                sqlx::query(sql).bind(&ct).execute(&pool).await.unwrap();
            }
            pool.close().await;
            url
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public").execute(&pool).await.unwrap();
            older(sqlx::migrate!("./migrations/postgres")).run(&pool).await.unwrap();
            for &sql in rows {
                sqlx::query(sql).bind(&ct).execute(&pool).await.unwrap();
            }
            pool.close().await;
            db.url.clone()
        }
    }
}

/// The names of `table`'s indexes, sorted (SQLite's own for a table constraint included):
/// what the upgrade tests check a migration left. Shared by every upgrade test.
pub(crate) async fn index_names(url: &str, table: &str) -> Vec<String> {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let names = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 ORDER BY name",
        )
        .bind(table)
        .fetch_all(&pool)
        .await
        .unwrap();
        pool.close().await;
        names
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let names = sqlx::query_scalar(
            "SELECT indexname::text FROM pg_indexes WHERE tablename = $1 ORDER BY indexname",
        )
        .bind(table)
        .fetch_all(&pool)
        .await
        .unwrap();
        pool.close().await;
        names
    }
}

both_databases!(a_database_from_before_identity_checks_upgrades, |db: TestDb| async move {
    let url = older_database(&db, "old", |version| version <= BEFORE, &OLD_ROWS).await;
    let store = SqlStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();

    let detail = store.application_detail(1).await.unwrap().expect("the old application is kept");
    assert_eq!(detail.item.application.status.code(), "pending_review");
    assert_eq!((detail.item.mobile_bound_elsewhere, detail.item.real_name_check.code()), (false, None));
    assert!(!detail.item.flagged());
    // It is found again by its own mobile, as before; another mobile gets its own.
    let again = application("id-old", "m-old", 1, Landing::Union(OrgId(1)), Decision::Review);
    let outcome = store.submit_application(&again, AT).await.unwrap();
    assert_eq!(outcome, SubmitOutcome::Pending { application_id: 1, existing: true });
    let other = NewApplication { mobile: crate::fixtures::sealed("m-new"), ..again };
    let outcome = store.submit_application(&other, AT).await.unwrap();
    assert!(matches!(outcome, SubmitOutcome::Pending { existing: false, .. }), "{outcome:?}");
    assert!(store.mobile_bound_elsewhere("bidx:m-old", "bidx:id-other").await.unwrap());
    store.close().await;
    if url != db.url {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", url.trim_start_matches("sqlite:")));
        }
    }
});
