//! The two database adapters behind one [`SqlStore`]: connecting, pools and migrations.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::checkpoint::{Checkpointer, WRITER_BACKSTOP_PAGES};
use crate::{Result, Store, StoreError};

/// The database behind a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (WAL, one writer).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Backend {
    /// The backend a database URL names.
    pub fn of_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// A short name for logs and `/healthz`.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The connection pools of one database.
#[derive(Clone, Debug)]
pub(crate) enum Pools {
    /// SQLite allows one writer at a time: a single-connection write pool serialises
    /// writers in the application instead of letting them collide on the database lock,
    /// while readers use their own pool concurrently (WAL).
    Sqlite { read: SqlitePool, write: WritePool },
    /// PostgreSQL handles concurrent writers itself.
    Postgres(PgPool),
}

/// SQLite's write pool (one connection), which knows whether anyone besides the
/// group-commit writer waits for its connection.
///
/// Why: the writer keeps the connection from one batch to the next while joins wait (a
/// batch then begins with one call to SQLite's thread, not three), and must give it back
/// as soon as anyone else — an officer's write, the audit, a webhook claim, the SMS
/// outbox, an import — wants it, but not otherwise: giving it back every few batches
/// regardless cost ~10 % of the joins/s (BENCHMARKS.md, "J on SQLite — the write
/// connection given back when wanted"). sqlx's pool does not say who waits, so every
/// use outside the writer is counted here; the pool itself is reachable only through
/// [`WritePool::wanted`] or, for the writer, [`WritePool::uncounted`].
#[derive(Clone, Debug)]
pub(crate) struct WritePool {
    pool: SqlitePool,
    wanting: Arc<AtomicUsize>,
}

impl WritePool {
    fn new(pool: SqlitePool) -> WritePool {
        WritePool { pool, wanting: Arc::default() }
    }

    /// The pool, counted as wanted until the guard drops (the writer gives its kept
    /// connection back after its batch).
    pub(crate) fn wanted(&self) -> WantedPool<'_> {
        self.wanting.fetch_add(1, Ordering::SeqCst);
        WantedPool { pool: &self.pool, wanting: &self.wanting }
    }

    /// The pool not counted as wanted: the group-commit writer's own use, and closing,
    /// once the writer has stopped.
    pub(crate) fn uncounted(&self) -> &SqlitePool {
        &self.pool
    }

    /// Whether a use outside the writer waits for the connection or holds it.
    pub(crate) fn is_wanted(&self) -> bool {
        self.wanting.load(Ordering::SeqCst) > 0
    }
}

/// SQLite's write pool while one use outside the writer wants it ([`WritePool::wanted`]).
pub(crate) struct WantedPool<'a> {
    pool: &'a SqlitePool,
    wanting: &'a AtomicUsize,
}

impl std::ops::Deref for WantedPool<'_> {
    type Target = SqlitePool;

    fn deref(&self) -> &SqlitePool {
        self.pool
    }
}

impl Drop for WantedPool<'_> {
    fn drop(&mut self) {
        self.wanting.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `$body` with `$p` bound to the pool for reading (`read`) or writing (`write`),
/// once per database; the body's SQL text is shared, so each query is written once.
macro_rules! on_pool {
    ($pools:expr, read, |$p:ident| $body:expr) => {
        match $pools {
            $crate::db::Pools::Sqlite { read: $p, .. } => $body,
            $crate::db::Pools::Postgres($p) => $body,
        }
    };
    ($pools:expr, write, |$p:ident| $body:expr) => {
        match $pools {
            $crate::db::Pools::Sqlite { write, .. } => {
                let wanted = write.wanted();
                let $p: &sqlx::SqlitePool = &wanted;
                $body
            }
            $crate::db::Pools::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Ids as a JSON array (`[3,17,240]`): one bound value for SQLite's
/// `IN (SELECT value FROM json_each($1))`, where PostgreSQL binds the array itself.
pub(crate) fn json_ids(ids: &[i64]) -> String {
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    format!("[{list}]")
}

/// The store over SQLite or PostgreSQL, chosen once from the database URL at start.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub(crate) pools: Pools,
    /// The group-commit writer (`None` when switched off, and in the writer's own copy).
    pub(crate) writer: Option<std::sync::Arc<crate::batch::Writer>>,
    /// Ids taken ahead from PostgreSQL's sequences for one-statement joins.
    pub(crate) ids_ahead: std::sync::Arc<crate::joining::IdsAhead>,
    /// PostgreSQL's writers of keyed instant joins in batches (`None` on SQLite, or off).
    pub(crate) join_batches: Option<std::sync::Arc<crate::joining::JoinBatches>>,
    /// SQLite's keyed instant joins waiting to be written together by the writer.
    pub(crate) sqlite_joins: std::sync::Arc<crate::joining::SqliteJoins>,
    /// SQLite's WAL checkpoints beside the writer (`None` on PostgreSQL).
    checkpointer: Option<Arc<Checkpointer>>,
}

/// How many connections a PostgreSQL pool opens at most, unless
/// `HUIJI_POSTGRES_CONNECTIONS` says (a tuning and benchmark knob): each is a backend
/// process of the server, so more than the cores can run at once only queue there.
fn postgres_connections() -> u32 {
    std::env::var("HUIJI_POSTGRES_CONNECTIONS")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(16)
}

/// The write connection's page cache on SQLite, as `PRAGMA cache_size` (negative: KiB):
/// 16 MiB. Why: every join adds entries on random leaf pages of the blind-index indexes,
/// and after a few 100,000 joins those leaves outgrow the default 2 MiB, so the writer
/// read most of them back from the files (~17 `pread`s a join) before changing them.
/// J on SQLite 4,040 vs 3,797 joins/s on average (BENCHMARKS.md, "J on SQLite — the
/// writer's page cache, one index fewer"); M 66 → 80 MB. 32 MiB did no better.
const WRITER_CACHE: &str = "-16384";

impl SqlStore {
    /// Connects to `sqlite:PATH` (created if missing) or `postgres://...`. Does not
    /// migrate: call [`crate::Store::migrate`].
    pub async fn connect(url: &str) -> Result<SqlStore> {
        let mut checkpointer = None;
        let pools = match Backend::of_url(url)? {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // With WAL, NORMAL loses no committed transaction when the process
                    // dies; only a power cut can lose the last ones.
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
                    // A backstop only: the checkpoints are made beside the writer.
                    .pragma("wal_autocheckpoint", WRITER_BACKSTOP_PAGES.to_string());
                // The writer's statement journal in memory: a batch's savepoints journal
                // every page a job changes again, and past 64 KiB the bundled SQLite
                // (built with SQLITE_TEMP_STORE=1) moved that journal into a temporary file
                // a batch — 59 of a join's 82 pwrites (BENCHMARKS.md, "J — the join's tail
                // as one trigger"). It lives only as long as a transaction.
                //
                // Its statement cache holds more than the default 100: the joins written
                // together have a statement text for each number of rows (up to 64,
                // `joining::sqlite`), beside every other write's.
                //
                // Its page cache is larger than the readers' 2 MiB default
                // ([`WRITER_CACHE`]).
                let writer_options = options
                    .clone()
                    .pragma("temp_store", "memory")
                    .pragma("cache_size", WRITER_CACHE)
                    .statement_cache_capacity(256);
                let write = SqlitePoolOptions::new().max_connections(1).connect_with(writer_options).await?;
                checkpointer = Some(Arc::new(Checkpointer::start(&options).await?));
                let read =
                    SqlitePoolOptions::new().max_connections(8).connect_with(options.read_only(true)).await?;
                Pools::Sqlite { read, write: WritePool::new(write) }
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(postgres_connections())
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await?;
                Pools::Postgres(pool)
            }
        };
        let join_batches = match &pools {
            Pools::Postgres(pool) => crate::joining::JoinBatches::start(pool),
            Pools::Sqlite { .. } => None,
        };
        let mut store = SqlStore {
            pools,
            writer: None,
            ids_ahead: Default::default(),
            join_batches,
            sqlite_joins: Default::default(),
            checkpointer,
        };
        store.writer = crate::batch::Writer::start(&store, store.backend());
        Ok(store)
    }

    /// Applies the embedded migrations up to `version` only: a database as an earlier
    /// release left it, for tests that an upgrade keeps everything.
    #[cfg(feature = "testing")]
    pub async fn migrate_to(&self, version: i64) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { write, .. } => {
                sqlx::migrate!("./migrations/sqlite").run_to(version, &*write.wanted()).await?
            }
            Pools::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run_to(version, pool).await?,
        }
        Ok(())
    }

    /// Closes every connection, waiting for queries in flight; queued writes are run and
    /// answered first.
    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.drain().await;
        }
        match &self.pools {
            Pools::Sqlite { read, write } => {
                if let Some(checkpointer) = &self.checkpointer {
                    checkpointer.close().await;
                }
                read.close().await;
                write.uncounted().close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    async fn migrate(&self) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { write, .. } => {
                sqlx::migrate!("./migrations/sqlite").run(&*write.wanted()).await?
            }
            Pools::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    fn write_batches(&self) -> crate::WriteBatches {
        self.batches_seen()
    }

    async fn ping(&self) -> Result<()> {
        on_pool!(&self.pools, read, |p| {
            sqlx::query("SELECT 1").execute(p).await?;
        });
        Ok(())
    }
}
