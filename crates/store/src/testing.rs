//! A fresh, migrated database per test, on SQLite or PostgreSQL (feature `testing`).
//!
//! PostgreSQL tests need a server; the admin URL comes from `HUIJI_TEST_POSTGRES_URL`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`). Where it cannot be reached
//! the tests say so loudly and skip, except under `CI=true`, where that is a failure:
//! CI must never pass by testing one database only.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::{SqlStore, Store};

/// The text of SQLite's `join_tail` trigger as the join's statements make it today (see
/// `joining::tail`): a migration must have created exactly this.
pub const JOIN_TAIL_TRIGGER: &str = crate::joining::JOIN_TAIL_TRIGGER;

/// The names and texts of SQLite's triggers on `join_rows` as the join's statements make
/// them today (see `joining::join_rows`): the migrations must have created exactly these.
pub const JOIN_ROW_TRIGGERS: [(&str, &str); 3] = crate::joining::JOIN_ROW_TRIGGERS;

/// The admin database tests create their databases from.
pub fn postgres_admin_url() -> String {
    std::env::var("HUIJI_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A migrated database that disappears when dropped.
#[derive(Debug)]
pub struct TestDb {
    /// The store over it.
    pub store: Arc<SqlStore>,
    /// Its URL, for code under test that connects by itself (the binary's commands).
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    SqliteFile(std::path::PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name no other test (of this or a concurrent process) uses.
fn unique_name() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("huiji_test_{}_{n}_{nanos}", std::process::id())
}

impl TestDb {
    /// A new SQLite database in a temporary file.
    ///
    /// # Panics
    /// When the database cannot be created (a test setup failure).
    pub async fn sqlite() -> TestDb {
        TestDb::sqlite_migrated(None).await
    }

    /// A new SQLite database migrated up to `version` only (see [`SqlStore::migrate_to`]).
    ///
    /// # Panics
    /// When the database cannot be created (a test setup failure).
    pub async fn sqlite_at(version: i64) -> TestDb {
        TestDb::sqlite_migrated(Some(version)).await
    }

    #[allow(clippy::expect_used)]
    async fn sqlite_migrated(version: Option<i64>) -> TestDb {
        let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
        let url = format!("sqlite:{}", path.display());
        let store = SqlStore::connect(&url).await.expect("open SQLite test database");
        match version {
            Some(version) => store.migrate_to(version).await,
            None => store.migrate().await,
        }
        .expect("migrate SQLite test database");
        TestDb { store: Arc::new(store), url, cleanup: Cleanup::SqliteFile(path) }
    }

    /// A new PostgreSQL database, or `None` (after saying so on stderr) when no server
    /// answers and this is not CI.
    ///
    /// # Panics
    /// Under `CI=true` when PostgreSQL is unreachable, and on setup failures.
    pub async fn postgres() -> Option<TestDb> {
        TestDb::postgres_migrated(None).await
    }

    /// A new PostgreSQL database migrated up to `version` only, or `None` like
    /// [`TestDb::postgres`].
    ///
    /// # Panics
    /// Like [`TestDb::postgres`].
    pub async fn postgres_at(version: i64) -> Option<TestDb> {
        TestDb::postgres_migrated(Some(version)).await
    }

    #[allow(clippy::expect_used, clippy::panic)]
    async fn postgres_migrated(version: Option<i64>) -> Option<TestDb> {
        let admin_url = postgres_admin_url();
        let mut admin = match PgConnection::connect(&admin_url).await {
            Ok(conn) => conn,
            Err(error) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("PostgreSQL at {admin_url} is unreachable under CI=true: {error}");
                }
                eprintln!(
                    "\n*** SKIPPING a PostgreSQL test: {admin_url} is unreachable ({error}). \
                     Start PostgreSQL or set HUIJI_TEST_POSTGRES_URL. ***\n"
                );
                return None;
            }
        };
        let name = unique_name();
        // A database name cannot be a bind parameter; `name` is our own [a-z0-9_] text.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create PostgreSQL test database");
        let _ = admin.close().await;
        let url = match admin_url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("admin URL {admin_url} names no database"),
        };
        let store = SqlStore::connect(&url).await.expect("open PostgreSQL test database");
        match version {
            Some(version) => store.migrate_to(version).await,
            None => store.migrate().await,
        }
        .expect("migrate PostgreSQL test database");
        Some(TestDb { store: Arc::new(store), url, cleanup: Cleanup::PostgresDatabase { admin_url, name } })
    }

    /// The store as the trait object the application uses.
    pub fn dyn_store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// The opcodes SQLite compiles `statement` to on the store's own write connection —
    /// the one that ran the migrations, so a schema it did not read again shows here.
    /// Empty on PostgreSQL.
    ///
    /// # Panics
    /// When the statement does not compile (a test setup failure).
    #[allow(clippy::expect_used)]
    pub async fn writer_opcodes(&self, statement: &str) -> Vec<String> {
        let crate::db::Pools::Sqlite { write, .. } = &self.store.pools else {
            return Vec::new();
        };
        // Test code: the statement is the test's own text.
        let explain = sqlx::AssertSqlSafe(format!("EXPLAIN {statement}"));
        let rows: Vec<(i64, String)> =
            sqlx::query_as(explain).fetch_all(&*write.wanted()).await.expect("EXPLAIN on the writer");
        rows.into_iter().map(|(_, opcode)| opcode).collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                // Drop runs inside the test's runtime, which cannot block on async work:
                // a short-lived thread with its own runtime drops the database.
                let admin_url = admin_url.clone();
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let _ = std::thread::spawn(move || {
                    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build()
                    else {
                        return;
                    };
                    runtime.block_on(async {
                        if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Declares one test per database for an async test body `async fn(TestDb)`:
/// `both_databases!(creates_an_org, |db| async move { ... });`
#[macro_export]
macro_rules! both_databases {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite().await;
                ($body)(db).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(db) = $crate::testing::TestDb::postgres().await {
                    ($body)(db).await;
                }
            }
        }
    };
}
