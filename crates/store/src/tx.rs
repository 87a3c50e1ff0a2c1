//! Write transactions on whichever database the store runs on.
//!
//! A write of several statements is a plain `async fn` over a [`Tx`]; each statement in it
//! runs through [`on_tx!`], the one `match` on the database per statement (the twin of
//! `on_pool!` for single statements), so the SQL text is written once for both.

use sqlx::{Postgres, Sqlite, Transaction};

use crate::Result;
use crate::db::{Pools, SqlStore};

/// An open write transaction. Dropping it without [`Tx::commit`] rolls it back.
pub(crate) enum Tx {
    /// On SQLite's one writer connection.
    Sqlite(Transaction<'static, Sqlite>),
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
            Pools::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Pools::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Begins a read-only transaction that sees one snapshot throughout (the recounts of
    /// `stats verify`: concurrent writes must not look like drift). SQLite's read
    /// transaction is one already; PostgreSQL's default sees each statement's own.
    pub(crate) async fn begin_snapshot(&self) -> Result<Tx> {
        Ok(match &self.pools {
            Pools::Sqlite { read, .. } => Tx::Sqlite(read.begin().await?),
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
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}
