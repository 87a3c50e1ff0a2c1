//! Backups of the embedded SQLite database. PostgreSQL has its own tools (`pg_dump`);
//! the binary says so instead of pretending.

use std::str::FromStr;

use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use crate::db::{Pools, SqlStore};
use crate::{Result, StoreError};

/// Tables every huiji database has; a file without them is not one.
const HUIJI_TABLES: &str = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' \
    AND name IN ('_sqlx_migrations', 'orgs', 'applications', 'memberships')";

impl SqlStore {
    /// Writes a consistent copy of a SQLite database to `path` (`VACUUM INTO`: an online
    /// backup taken in one read transaction, while the server keeps writing). The copy
    /// holds what the database holds: identifiers only as ciphertext and blind indexes.
    pub async fn backup_into(&self, path: &str) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { write, .. } => {
                sqlx::query("VACUUM INTO $1").bind(path).execute(&*write.wanted()).await?;
                Ok(())
            }
            Pools::Postgres(_) => Err(StoreError::Unsupported("backups of PostgreSQL are made with pg_dump")),
        }
    }
}

/// Whether the SQLite file at `path` is a huiji database (opened read-only).
pub async fn is_huiji_sqlite(path: &str) -> Result<bool> {
    let options = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))?.read_only(true);
    let Ok(mut conn) = SqliteConnection::connect_with(&options).await else { return Ok(false) };
    let found: std::result::Result<i64, sqlx::Error> =
        sqlx::query_scalar(HUIJI_TABLES).fetch_one(&mut conn).await;
    let _ = conn.close().await;
    Ok(found.is_ok_and(|n| n == 4))
}
