//! Canned write jobs for the group-commit tests (feature `testing`): the tests outside the
//! crate cannot hold a `Tx`, so they name what a job does and this runs it through the
//! writer like any store write.

use tokio::sync::oneshot;

use crate::db::{SqlStore, on_pool};
use crate::tx::{Tx, on_tx};
use crate::{Backend, Result, Store};

/// What a probe job does inside its batch.
#[derive(Debug)]
pub enum Probe {
    /// Inserts a row with this tag; answers its id.
    Insert(String),
    /// Inserts a row with this tag, then the same tag again: a unique violation, so the job
    /// fails and its first row must be rolled back with it.
    InsertThenFail(String),
    /// Inserts a row whose deferred reference is broken: every statement succeeds and the
    /// batch's COMMIT fails.
    BreakCommit(String),
    /// Tells `started` it runs, then holds its batch until `release` fires (or is dropped),
    /// so the jobs sent meanwhile wait together for the next batch.
    Hold {
        /// Told when the job runs.
        started: oneshot::Sender<()>,
        /// Waited for before the job ends.
        release: oneshot::Receiver<()>,
    },
}

const INSERT: &str = "INSERT INTO batch_probe (tag, parent_id) VALUES ($1, $2) RETURNING id";

async fn insert(tx: &mut Tx, tag: &str, parent: Option<i64>) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(INSERT).bind(tag).bind(parent).fetch_one(c).await?))
}

impl SqlStore {
    /// Connects like [`SqlStore::connect`] with `writers` group-commit writers whatever the
    /// backend's default, so the writer is tested on both databases.
    ///
    /// # Errors
    /// Like [`SqlStore::connect`].
    pub async fn connect_group_committed(url: &str, writers: usize) -> Result<SqlStore> {
        let mut store = SqlStore::connect(url).await?;
        if let Some(writer) = store.writer.take() {
            writer.drain().await;
        }
        store.writer = super::Writer::start_with(&store, store.backend(), writers);
        Ok(store)
    }

    /// Creates the probe tables (a test database's own; no migration has them).
    ///
    /// # Errors
    /// When the database refuses.
    pub async fn probe_setup(&self) -> Result<()> {
        let id = match self.backend() {
            Backend::Sqlite => "INTEGER PRIMARY KEY",
            Backend::Postgres => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        };
        let tables = [
            format!("CREATE TABLE batch_probe_parent (id {id})"),
            format!(
                "CREATE TABLE batch_probe (id {id}, tag TEXT NOT NULL UNIQUE, parent_id BIGINT \
                 REFERENCES batch_probe_parent (id) DEFERRABLE INITIALLY DEFERRED)"
            ),
        ];
        for sql in tables {
            on_pool!(&self.pools, write, |p| {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(p).await?;
            });
        }
        Ok(())
    }

    /// Runs one probe job through the group-commit writer; answers the inserted row's id
    /// (0 for a hold) once its batch has committed.
    ///
    /// # Errors
    /// The job's own failure, or [`crate::StoreError::Uncommitted`] when its batch did not commit.
    pub async fn probe_write(&self, probe: Probe) -> Result<i64> {
        self.write(move |tx| {
            Box::pin(async move {
                match probe {
                    Probe::Insert(tag) => insert(tx, &tag, None).await,
                    Probe::InsertThenFail(tag) => {
                        insert(tx, &tag, None).await?;
                        insert(tx, &tag, None).await
                    }
                    Probe::BreakCommit(tag) => insert(tx, &tag, Some(-1)).await,
                    Probe::Hold { started, release } => {
                        let _ = started.send(());
                        let _ = release.await;
                        Ok(0)
                    }
                }
            })
        })
        .await
    }

    /// How many probe rows with this tag a fresh read (the read pool) sees.
    ///
    /// # Errors
    /// When the database refuses.
    pub async fn probe_count(&self, tag: &str) -> Result<i64> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM batch_probe WHERE tag = $1"
        )
        .bind(tag)
        .fetch_one(p)
        .await?))
    }
}
