//! SQLite's WAL checkpoints on a connection of their own.
//!
//! By default SQLite checkpoints inside the commit that takes the WAL past 1,000 pages:
//! on the one write connection, so every writer waits while ~4 MB are copied into the
//! database file and both files are synced. Under a bulk write (a roster import) that was
//! an eighth of the writer's time (`perf`, BENCHMARKS.md "R … checkpoints beside the
//! writer"). Here a task checkpoints PASSIVE-ly on its own connection — beside the writer,
//! never blocking it — and the writer's own automatic checkpoint stays as a backstop at a
//! larger WAL ([`WRITER_BACKSTOP_PAGES`]): if this task falls behind (or cannot run, e.g.
//! a reader holds an old snapshot), the WAL still stops growing there, as before. A
//! checkpoint writes the same pages with the same syncs whichever connection runs it, so
//! durability is unchanged.

use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use tokio::task::JoinHandle;

use crate::Result;

/// The writer's automatic checkpoint, in WAL pages (SQLite's default is 1,000; 64 MB
/// here). Why this large: under a steady write load the WAL is never fully checkpointed
/// at the moment the writer begins (its next batch follows its commit at once), so it
/// never restarts by itself and grows until this backstop, where the writer checkpoints
/// and syncs inside its commits. At 4,000 pages that was 6 % of the write connection's
/// time under J (`fsync`); at 16,000, 2 %, and the storage ceiling ×1.15 (BENCHMARKS.md,
/// "J on SQLite — the joins waiting written together").
pub(crate) const WRITER_BACKSTOP_PAGES: u32 = 16_000;

/// How soon the task looks again after a checkpoint that copied pages: at once, in
/// effect (a pass takes a few milliseconds of its own: two `fsync`s). Why not later: under
/// a steady write load the WAL restarts only in the writer's backstop checkpoint
/// ([`WRITER_BACKSTOP_PAGES`]), inside a commit, and that checkpoint copies and syncs what
/// this task has not copied yet. At 50 ms between passes that commit took 44–55 ms
/// (median; 2–3 a second under the J load) and SQLite's J p99 was 63–77 ms over 45 s;
/// with passes back to back it finds a batch or two left and the p99 is 26–36 ms
/// (BENCHMARKS.md, "J on SQLite — the checkpoints back to back").
const BUSY_INTERVAL: Duration = Duration::from_millis(1);

/// … and at most, after checkpoints that found nothing new (an idle database: a wake-up
/// a second, not twenty).
const IDLE_INTERVAL: Duration = Duration::from_secs(1);

/// The checkpointing task of one SQLite store; stopped when the store's last handle goes.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    pool: SqlitePool,
    task: JoinHandle<()>,
}

impl Checkpointer {
    /// Opens the task's connection (read-write, beside the writer's) and starts it.
    pub(crate) async fn start(options: &SqliteConnectOptions) -> Result<Checkpointer> {
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        let task = tokio::spawn(run(pool.clone()));
        Ok(Checkpointer { pool, task })
    }

    /// Stops the task and closes its connection.
    pub(crate) async fn close(&self) {
        self.task.abort();
        self.pool.close().await;
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Checkpoints again and again: soon after one that copied pages, backing off to
/// [`IDLE_INTERVAL`] while none are copied. Why the pages copied and not the WAL's size:
/// while a reader holds an old snapshot the WAL grows but nothing can be copied, and a
/// pass a millisecond would only ask again.
async fn run(pool: SqlitePool) {
    let mut wait = BUSY_INTERVAL;
    let mut last_copied: Option<i64> = None;
    let mut failing = false;
    loop {
        tokio::time::sleep(wait).await;
        // (busy, pages in the WAL, pages of it now in the database file)
        let outcome: std::result::Result<(i64, i64, i64), sqlx::Error> =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&pool).await;
        match outcome {
            Ok((_, _, copied)) => {
                failing = false;
                // Changed also when the WAL restarted (its count begins again).
                let copied_more = last_copied != Some(copied);
                last_copied = Some(copied);
                wait = next_wait(wait, copied_more);
            }
            Err(error) => {
                // Said once, not twenty times a second; the writer's backstop checkpoints.
                if !failing {
                    tracing::warn!(%error, "SQLite WAL checkpoint failed; the writer checkpoints instead");
                }
                failing = true;
                wait = IDLE_INTERVAL;
            }
        }
    }
}

/// The wait before the next pass, after one that `copied_more` pages or not: back to
/// [`BUSY_INTERVAL`] while there are pages to copy, doubling up to [`IDLE_INTERVAL`] once
/// there are none.
fn next_wait(wait: Duration, copied_more: bool) -> Duration {
    if copied_more { BUSY_INTERVAL } else { (wait * 2).min(IDLE_INTERVAL) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_follow_each_other_while_pages_are_copied_and_back_off_when_none_are() {
        // While writes come, every pass is followed at once by the next: the writer's
        // backstop checkpoint must find (nearly) everything copied already.
        let mut wait = IDLE_INTERVAL;
        for _ in 0..3 {
            wait = next_wait(wait, true);
            assert!(wait <= Duration::from_millis(5), "{wait:?} between passes while pages are copied");
        }
        // Once they stop, the task backs off to one wake-up a second, and stays there.
        let mut waits = Vec::new();
        for _ in 0..20 {
            wait = next_wait(wait, false);
            waits.push(wait);
        }
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
        assert_eq!(waits.last(), Some(&IDLE_INTERVAL));
        assert!(waits.iter().filter(|w| **w < Duration::from_millis(100)).count() <= 8, "{waits:?}");
        // A write after the quiet: at once again.
        assert_eq!(next_wait(wait, true), BUSY_INTERVAL);
    }
}
