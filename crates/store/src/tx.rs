//! Write transactions on whichever database the store runs on.
//!
//! A write of several statements is a plain `async fn` over a [`Tx`]; each statement in it
//! runs through [`on_tx!`], the one `match` on the database per statement (the twin of
//! `on_pool!` for single statements), so the SQL text is written once for both.

use std::ops::{Deref, DerefMut};

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnection, SqliteTransactionManager};
use sqlx::{Postgres, Sqlite, Transaction};
use sqlx_core::transaction::TransactionManager;

use crate::Result;
use crate::db::{Pools, SqlStore};

/// An open write transaction. Dropping it without [`Tx::commit`] rolls it back.
pub(crate) enum Tx {
    /// On SQLite's one writer connection.
    Sqlite(SqliteTx),
    /// On a PostgreSQL connection.
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$c` bound to the transaction's connection, once per database.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::tx::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::tx::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl SqlStore {
    /// Begins a write transaction (on SQLite, it waits for the one writer connection).
    pub(crate) async fn begin_write(&self) -> Result<Tx> {
        Ok(match &self.pools {
            Pools::Sqlite { write, .. } => Tx::Sqlite(SqliteTx::Pooled(write.wanted().begin().await?)),
            Pools::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Begins a read-only transaction that sees one snapshot throughout (the recounts of
    /// `stats verify`: concurrent writes must not look like drift). SQLite's read
    /// transaction is one already; PostgreSQL's default sees each statement's own.
    pub(crate) async fn begin_snapshot(&self) -> Result<Tx> {
        Ok(match &self.pools {
            Pools::Sqlite { read, .. } => Tx::Sqlite(SqliteTx::Pooled(read.begin().await?)),
            Pools::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        })
    }
}

impl Tx {
    /// Makes the transaction's writes durable and visible.
    pub(crate) async fn commit(self) -> Result<()> {
        self.commit_keeping().await.map(drop)
    }

    /// Commits, and gives back SQLite's write connection when the transaction was made on
    /// it by [`SqlStore::begin_kept`], for the group-commit writer's next batch.
    pub(crate) async fn commit_keeping(self) -> Result<Option<KeptConnection>> {
        Ok(match self {
            Tx::Sqlite(SqliteTx::Pooled(t)) => {
                t.commit().await?;
                None
            }
            Tx::Sqlite(SqliteTx::Kept(mut kept)) => {
                SqliteTransactionManager::commit(&mut kept.conn).await?;
                kept.open = false;
                Some(kept)
            }
            Tx::Postgres(t) => {
                t.commit().await?;
                None
            }
        })
    }
}

impl SqlStore {
    /// Begins the group-commit writer's transaction: on SQLite on the write connection the
    /// writer `kept` from its last batch (taken from the pool when it has none), otherwise
    /// as [`SqlStore::begin_write`].
    ///
    /// Why: a transaction of sqlx's pool gives its connection back when it ends — a ping
    /// to the connection's thread, and another when the next one takes it — so a batch
    /// began with three calls to SQLite's worker thread, a tenth of the writer's time
    /// under the J load (BENCHMARKS.md, "J on SQLite — the joins' values bound, the write
    /// connection kept"). Kept, a batch begins with one.
    pub(crate) async fn begin_kept(&self, kept: Option<KeptConnection>) -> Result<Tx> {
        let Pools::Sqlite { write, .. } = &self.pools else {
            return self.begin_write().await;
        };
        let mut kept = match kept {
            Some(kept) => kept,
            None => KeptConnection { conn: write.uncounted().acquire().await?, open: false },
        };
        SqliteTransactionManager::begin(&mut kept.conn, None).await?;
        kept.open = true;
        Ok(Tx::Sqlite(SqliteTx::Kept(kept)))
    }
}

/// A transaction on SQLite: sqlx's own, or the group-commit writer's on the write
/// connection it keeps between batches. Either is the connection to run statements on.
pub(crate) enum SqliteTx {
    /// Ends by giving its connection back to the pool.
    Pooled(Transaction<'static, Sqlite>),
    /// Ends by giving its connection back to the writer ([`Tx::commit_keeping`]).
    Kept(KeptConnection),
}

impl Deref for SqliteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        match self {
            SqliteTx::Pooled(t) => t,
            SqliteTx::Kept(kept) => &kept.conn,
        }
    }
}

impl DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            SqliteTx::Pooled(t) => t,
            SqliteTx::Kept(kept) => &mut kept.conn,
        }
    }
}

/// SQLite's write connection as the group-commit writer keeps it between batches, and
/// with the batch's transaction open during one. Dropped with its transaction open (a
/// batch that failed or panicked), the transaction is rolled back as sqlx's own are: the
/// rollback is queued on the connection before the connection goes back to the pool.
pub(crate) struct KeptConnection {
    conn: PoolConnection<Sqlite>,
    open: bool,
}

impl Drop for KeptConnection {
    fn drop(&mut self) {
        if self.open {
            SqliteTransactionManager::start_rollback(&mut self.conn);
        }
    }
}
