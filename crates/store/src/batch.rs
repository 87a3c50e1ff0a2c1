//! Group commit: the write jobs waiting are run in one transaction, each in its own
//! savepoint, and their callers are answered after that one COMMIT.
//!
//! A commit costs a WAL sync on SQLite (and the one write connection meanwhile) and an
//! fsync plus a round trip on PostgreSQL; answering several hundred small writes a
//! second with one commit each spends most of the time there. A writer task takes the
//! jobs that arrived while the previous batch ran (at most [`MAX_JOBS`]), so batches grow
//! with the load on their own and a lone write waits for nobody: there is no linger
//! timer, which would only add its delay at low load.
//!
//! What a caller is promised is what its own transaction promised before:
//! - its job sees the rows of the jobs before it in the batch (one transaction), so the
//!   checks that read before they write (one member per ID, one answer per position) hold
//!   within a batch as they hold between transactions;
//! - a job that fails (a conflict, a constraint, a database error) is rolled back to its
//!   savepoint alone, and its caller gets its error — after the commit like everyone;
//! - an answer means durable: results are handed over only after the COMMIT; if the
//!   batch cannot begin or commit, every caller in it gets [`StoreError::Uncommitted`]
//!   and none of its writes is visible.

#[cfg(feature = "testing")]
mod probe;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::db::SqlStore;
use crate::tx::{KeptConnection, Tx};
use crate::{Backend, Result, StoreError};

#[cfg(feature = "testing")]
pub use probe::Probe;

/// The most jobs one transaction takes. Past a few dozen the commit is a small part of a
/// batch and a bigger one only holds its early callers longer (64 joins of ~20 statements
/// are ~10 ms on SQLite), and a job's failure costs only its own savepoint anyway.
pub(crate) const MAX_JOBS: usize = 64;

/// How many writer tasks take batches, unless `HUIJI_GROUP_COMMIT_WRITERS` says (0: no
/// group commit, every write its own transaction as before). SQLite has one write
/// connection, so one writer: measured, 1.5 × the contest answers of a transaction each.
/// PostgreSQL: off. One writer runs every statement of a batch one round trip after
/// another on one connection, which lost to the pool's 16 connections in parallel (half
/// the answers/s), and several writers deadlock on the shared counter rows (the day's
/// review statistics, a union's contest totals) that one transaction per write only
/// holds briefly — see BENCHMARKS.md "Group commit".
const fn default_writers(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => 0,
    }
}

/// A job's future, borrowing the batch's transaction.
pub(crate) type TxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// What a job left once it ran: whether to keep its savepoint, how to hand its result to
/// its caller once the batch has committed, and what it counts as.
struct Ran {
    keep: bool,
    deliver: Box<dyn FnOnce() + Send>,
    tally: Tally,
}

/// What one job counts as in [`WriteBatches`]: a job that writes the joins waiting
/// together (`joining::sqlite`) counts as those joins, and the ones it left out (each
/// then runs as a job of its own) as rolled back, as PostgreSQL's batches count theirs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Writes the job made or tried.
    pub(crate) jobs: u64,
    /// Of them, left out (not written).
    pub(crate) left_out: u64,
}

impl Tally {
    /// An ordinary job: one write.
    pub(crate) const ONE: Tally = Tally { jobs: 1, left_out: 0 };
}

/// A caller's job with its result type erased, given its [`Opening`] to run first.
/// Dropping it unrun (or dropping its [`Ran`] undelivered) answers the caller with
/// [`StoreError::Uncommitted`].
type Job = Box<
    dyn for<'a> FnOnce(&'a mut Tx, &'a mut Option<Opening>) -> Pin<Box<dyn Future<Output = Ran> + Send + 'a>>
        + Send,
>;

/// Batch sizes seen since start, in powers-of-two buckets (1, 2–3, 4–7, … 32–63, 64).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    buckets: [AtomicU64; BUCKETS],
    jobs: AtomicU64,
    pub(crate) rolled_back: AtomicU64,
    pub(crate) uncommitted: AtomicU64,
    kept: AtomicU64,
}

const BUCKETS: usize = 7;

/// What the group-commit writer has done since start, for `/metrics` and the benchmark:
/// on PostgreSQL (where that writer is off) what its batches of keyed instant joins did
/// (`joining::batched`: a job is a join, a batch one statement).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteBatches {
    /// Whether writes go through the group-commit writer at all.
    pub enabled: bool,
    /// Writer tasks.
    pub writers: usize,
    /// Batches by size: `(smallest size of the bucket, batches)`, sizes 1, 2, 4 … 64.
    pub sizes: Vec<(usize, u64)>,
    /// Writes run: a job each, but a job writing joins together counts as its joins.
    pub jobs: u64,
    /// Jobs that failed and were rolled back to their savepoint (joins the statement left
    /// out, which then ran on their own).
    pub rolled_back: u64,
    /// Jobs whose batch did not commit: their callers got an error (joins: they ran on
    /// their own).
    pub uncommitted: u64,
    /// Batches begun on SQLite's write connection as the writer kept it from the batch
    /// before; the others took it from the pool, because no job waited or because
    /// another use wanted it (`db::WritePool`).
    pub kept: u64,
}

impl Counters {
    fn bucket(size: usize) -> usize {
        (usize::BITS - size.max(1).leading_zeros()) as usize - 1
    }

    /// What was counted, for `writers` writer tasks.
    pub(crate) fn seen(&self, writers: usize) -> WriteBatches {
        WriteBatches {
            enabled: true,
            writers,
            sizes: self
                .buckets
                .iter()
                .enumerate()
                .map(|(i, n)| (1 << i, n.load(Ordering::Relaxed)))
                .collect(),
            jobs: self.jobs.load(Ordering::Relaxed),
            rolled_back: self.rolled_back.load(Ordering::Relaxed),
            uncommitted: self.uncommitted.load(Ordering::Relaxed),
            kept: self.kept.load(Ordering::Relaxed),
        }
    }

    /// A batch of `size` jobs taken.
    pub(crate) fn batch(&self, size: usize) {
        if let Some(bucket) = self.buckets.get(Self::bucket(size).min(BUCKETS - 1)) {
            bucket.fetch_add(1, Ordering::Relaxed);
        }
        self.jobs.fetch_add(size as u64, Ordering::Relaxed);
    }
}

/// The group-commit writer of one store: the queue and its tasks.
pub(crate) struct Writer {
    /// `None` once the store is closing: new writes are refused, queued ones still run.
    queue: Mutex<Option<mpsc::UnboundedSender<Job>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    counters: Arc<Counters>,
    writers: usize,
}

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer").field("writers", &self.writers).finish_non_exhaustive()
    }
}

impl Writer {
    /// Starts the writer tasks for `store` (whose own writer is `None`: the tasks write
    /// directly), as many as configured, or `None` when group commit is off.
    pub(crate) fn start(store: &SqlStore, backend: Backend) -> Option<Arc<Writer>> {
        let writers = std::env::var("HUIJI_GROUP_COMMIT_WRITERS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(default_writers(backend));
        Writer::start_with(store, backend, writers)
    }

    /// Starts `writers` writer tasks (`None` for 0).
    pub(crate) fn start_with(store: &SqlStore, backend: Backend, writers: usize) -> Option<Arc<Writer>> {
        // SQLite's one write connection makes a second writer pointless.
        let writers = if backend == Backend::Sqlite { writers.min(1) } else { writers.min(16) };
        if writers == 0 {
            return None;
        }
        let (send, receive) = mpsc::unbounded_channel();
        let receive = Arc::new(tokio::sync::Mutex::new(receive));
        let counters = Arc::new(Counters::default());
        let tasks = (0..writers)
            .map(|_| {
                let batches = take_batches(store.clone(), receive.clone(), counters.clone());
                match backend {
                    Backend::Sqlite => on_own_thread(batches),
                    Backend::Postgres => tokio::spawn(batches),
                }
            })
            .collect();
        Some(Arc::new(Writer { queue: Mutex::new(Some(send)), tasks: Mutex::new(tasks), counters, writers }))
    }

    /// Refuses new jobs and waits until every queued one has been run and answered.
    pub(crate) async fn drain(&self) {
        if let Ok(mut queue) = self.queue.lock() {
            queue.take();
        }
        let tasks = self.tasks.lock().map(|mut t| std::mem::take(&mut *t)).unwrap_or_default();
        for task in tasks {
            let _ = task.await;
        }
    }

    /// The batch sizes seen so far.
    pub(crate) fn batches(&self) -> WriteBatches {
        self.counters.seen(self.writers)
    }
}

/// Runs SQLite's writer on a thread and runtime of its own; the handle ends with it.
///
/// Why: every statement's answer from sqlx's SQLite worker thread wakes the writer task
/// from outside the runtime, and on the shared runtime such a wake waits in the injection
/// queue behind the HTTP requests' tasks (the workers look there only every few tasks) —
/// once per call of every job of the batch, while the one write connection idles (it was
/// busy ~60 % of the time under the J load: BENCHMARKS.md, "J — a join in two calls").
/// Measured: 1.07–1.26 × the joins/s of the shared runtime. PostgreSQL's
/// connections belong to the runtime that opened them (their sockets), so its writer
/// stays on the shared runtime.
fn on_own_thread(batches: impl Future<Output = ()> + Send + 'static) -> JoinHandle<()> {
    let (done, finished) = oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let spawned = runtime.map_err(|e| e.to_string()).and_then(|runtime| {
        std::thread::Builder::new()
            .name("huiji-writer".to_owned())
            .spawn(move || {
                runtime.block_on(batches);
                let _ = done.send(());
            })
            .map_err(|e| e.to_string())
    });
    if let Err(error) = spawned {
        // Without its thread the queue has no reader: writes are answered `Uncommitted`.
        tracing::error!(%error, "the SQLite writer's thread did not start");
    }
    tokio::spawn(async move {
        let _ = finished.await;
    })
}

/// One writer task: takes what is waiting, up to [`MAX_JOBS`], and runs it as one batch;
/// ends when the queue is closed and empty. Each batch runs in its own task so a panic
/// in one job loses that batch (its callers get an error), not the writer. On SQLite the
/// write connection stays with the writer from one batch to the next while jobs wait
/// ([`SqlStore::begin_kept`]) and nothing else wants it ([`crate::db::WritePool`]): so the
/// pool's other users (officers' writes, the audit, webhook claims, the SMS outbox,
/// imports) wait for at most the batch being written, even when writes never stop.
async fn take_batches(
    store: SqlStore,
    queue: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Job>>>,
    counters: Arc<Counters>,
) {
    let mut kept: Option<KeptConnection> = None;
    let wanted_elsewhere = || match &store.pools {
        crate::db::Pools::Sqlite { write, .. } => write.is_wanted(),
        crate::db::Pools::Postgres(_) => false,
    };
    loop {
        let mut jobs = Vec::with_capacity(MAX_JOBS);
        {
            let mut queue = queue.lock().await;
            if queue.is_empty() || wanted_elsewhere() {
                kept = None;
            }
            if queue.recv_many(&mut jobs, MAX_JOBS).await == 0 {
                return;
            }
        }
        let size = jobs.len() as u64;
        if kept.is_some() {
            counters.kept.fetch_add(1, Ordering::Relaxed);
        }
        let batch = tokio::spawn(run_batch(store.clone(), jobs, counters.clone(), kept.take()));
        match batch.await {
            Ok(connection) => kept = connection,
            Err(error) => {
                counters.batch(usize::try_from(size).unwrap_or(usize::MAX));
                counters.uncommitted.fetch_add(size, Ordering::Relaxed);
                tracing::error!(%error, "a write batch panicked; its callers were told it did not commit");
            }
        }
    }
}

/// Savepoint statements, joined so that the step from one job to the next is one call
/// (the release of the last job's savepoint, or its rollback, and the next one's). As
/// macros, so a job can run its step in its own first call ([`Opening`]).
macro_rules! open_first {
    () => {
        "SAVEPOINT batch_job"
    };
}
macro_rules! open_after_kept {
    () => {
        "RELEASE SAVEPOINT batch_job; SAVEPOINT batch_job"
    };
}
macro_rules! open_after_failed {
    () => {
        "ROLLBACK TO SAVEPOINT batch_job; RELEASE SAVEPOINT batch_job; SAVEPOINT batch_job"
    };
}
pub(crate) use {open_after_failed, open_after_kept, open_first};

/// `$statements` (a literal, or a macro that makes one) with the job's [`Opening`] step
/// first when it has one: a job's first call that opens its savepoint itself.
macro_rules! opening_then {
    ($opening:expr, $statements:expr) => {
        match $opening {
            None => $statements,
            Some($crate::batch::Opening::First) => concat!($crate::batch::open_first!(), "; ", $statements),
            Some($crate::batch::Opening::AfterKept) => {
                concat!($crate::batch::open_after_kept!(), "; ", $statements)
            }
            Some($crate::batch::Opening::AfterFailed) => {
                concat!($crate::batch::open_after_failed!(), "; ", $statements)
            }
        }
    };
}
pub(crate) use opening_then;

/// After the last job: a kept savepoint commits with the transaction as it is.
const LAST_FAILED: &str = "ROLLBACK TO SAVEPOINT batch_job";

/// The step into a job's savepoint, which must run before the job writes anything. The
/// writer hands it to the job: on SQLite each call is a hand-off to sqlx's worker thread
/// (BENCHMARKS.md, "J — where a join's time goes"), so a job that can runs it as the
/// first statements of its own first call (a keyed join: `joining::instant`) instead
/// of a call of its own; any other job runs it with [`open`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Opening {
    /// The batch's first job.
    First,
    /// After a job whose writes are kept.
    AfterKept,
    /// After a job rolled back.
    AfterFailed,
}

impl Opening {
    /// The statements (several, joined with `;`: SQLite runs them in one call;
    /// PostgreSQL's simple query protocol too).
    pub(crate) const fn sql(self) -> &'static str {
        match self {
            Opening::First => open_first!(),
            Opening::AfterKept => open_after_kept!(),
            Opening::AfterFailed => open_after_failed!(),
        }
    }
}

/// Runs the job's opening unless it ran already (or the job is not in a batch: `None`).
/// Taken only once it ran, so a failure leaves it to the writer, which then fails the batch.
pub(crate) async fn open(tx: &mut Tx, opening: &mut Option<Opening>) -> Result<()> {
    if let Some(step) = *opening {
        statement(tx, step.sql()).await?;
        *opening = None;
    }
    Ok(())
}

/// Runs the jobs in one transaction, each between a savepoint and its release (or its
/// rollback when it failed), commits, and only then answers the callers. Begins on the
/// `connection` kept from the last batch, and gives it back once committed.
async fn run_batch(
    store: SqlStore,
    jobs: Vec<Job>,
    counters: Arc<Counters>,
    connection: Option<KeptConnection>,
) -> Option<KeptConnection> {
    let size = jobs.len() as u64;
    match run_jobs(&store, jobs, &counters, connection).await {
        Ok((answers, writes, connection)) => {
            counters.batch(usize::try_from(writes).unwrap_or(usize::MAX));
            tracing::debug!(jobs = size, writes, "write batch committed");
            for deliver in answers {
                deliver();
            }
            connection
        }
        Err(error) => {
            counters.batch(usize::try_from(size).unwrap_or(usize::MAX));
            counters.uncommitted.fetch_add(size, Ordering::Relaxed);
            tracing::warn!(%error, jobs = size, "a write batch did not commit; its callers get an error");
            None
        }
    }
}

/// The batch's transaction; `Err` when it could not begin, keep a savepoint's promise or
/// commit (the answers are dropped then, which tells their callers). With the answers,
/// the writes the jobs counted as (their [`Tally`]) and the connection to keep.
async fn run_jobs(
    store: &SqlStore,
    jobs: Vec<Job>,
    counters: &Counters,
    connection: Option<KeptConnection>,
) -> Result<(Vec<Box<dyn FnOnce() + Send>>, u64, Option<KeptConnection>)> {
    let mut tx = store.begin_kept(connection).await?;
    let mut answers = Vec::with_capacity(jobs.len());
    let mut writes = 0;
    let mut kept = None;
    for job in jobs {
        let mut opening = Some(match kept {
            None => Opening::First,
            Some(true) => Opening::AfterKept,
            Some(false) => Opening::AfterFailed,
        });
        let ran = job(&mut tx, &mut opening).await;
        // A job that left its opening wrote nothing (it must open before writing): open
        // its (empty) savepoint now, so the next step finds the savepoint it expects.
        open(&mut tx, &mut opening).await?;
        let rolled_back = if ran.keep { ran.tally.left_out } else { ran.tally.jobs };
        if rolled_back > 0 {
            counters.rolled_back.fetch_add(rolled_back, Ordering::Relaxed);
        }
        writes += ran.tally.jobs;
        kept = Some(ran.keep);
        answers.push(ran.deliver);
    }
    if kept == Some(false) {
        statement(&mut tx, LAST_FAILED).await?;
    }
    let connection = tx.commit_keeping().await?;
    Ok((answers, writes, connection))
}

async fn statement(tx: &mut Tx, sql: &'static str) -> Result<()> {
    crate::tx::on_tx!(tx, |c| {
        sqlx::raw_sql(sql).execute(c).await?;
    });
    Ok(())
}

impl SqlStore {
    /// Runs `job` in a transaction and returns its result once that transaction has
    /// committed: through the group-commit writer (sharing the transaction with other
    /// jobs, in a savepoint of its own), or alone when group commit is off. A job's `Err`
    /// undoes its own writes only. `job` must not begin a transaction of its own.
    pub(crate) async fn write<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx) -> TxFuture<'a, T> + Send + 'static,
    {
        self.write_keeping(job, |_| true).await
    }

    /// [`SqlStore::write`] for a job whose success may still undo its writes: when
    /// `keep` says no, its savepoint is rolled back (or, alone, its transaction) and the
    /// result is answered all the same.
    pub(crate) async fn write_keeping<T, F>(&self, job: F, keep: fn(&T) -> bool) -> Result<T>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx) -> TxFuture<'a, T> + Send + 'static,
    {
        self.write_opening(
            move |tx, opening| {
                Box::pin(async move {
                    open(tx, opening).await?;
                    job(tx).await
                })
            },
            keep,
        )
        .await
    }

    /// [`SqlStore::write_keeping`] for a job that runs its savepoint's [`Opening`]
    /// itself (`None` when it has its own transaction): taken from the `Option` as the
    /// first statements of its first call, before it writes anything, or with [`open`].
    pub(crate) async fn write_opening<T, F>(&self, job: F, keep: fn(&T) -> bool) -> Result<T>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx, &'a mut Option<Opening>) -> TxFuture<'a, T> + Send + 'static,
    {
        self.write_tallied(job, keep, |_| Tally::ONE).await
    }

    /// [`SqlStore::write_opening`] for a job that stands for several writes: `tally` says
    /// how many, and how many of them it left out, for [`WriteBatches`]. A job that fails
    /// counts as one write rolled back.
    pub(crate) async fn write_tallied<T, F>(
        &self,
        job: F,
        keep: fn(&T) -> bool,
        tally: fn(&T) -> Tally,
    ) -> Result<T>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx, &'a mut Option<Opening>) -> TxFuture<'a, T> + Send + 'static,
    {
        let Some(writer) = &self.writer else {
            let mut tx = self.begin_write().await?;
            let result = job(&mut tx, &mut None).await?;
            if keep(&result) {
                tx.commit().await?;
            }
            return Ok(result);
        };
        let (answer, answered) = oneshot::channel::<Result<T>>();
        let erased: Job = Box::new(move |tx: &mut Tx, opening: &mut Option<Opening>| {
            Box::pin(async move {
                let result = job(tx, opening).await;
                Ran {
                    keep: result.as_ref().is_ok_and(keep),
                    tally: result.as_ref().map_or(Tally::ONE, tally),
                    deliver: Box::new(move || {
                        // The caller may have gone (a closed connection); the write stands.
                        let _ = answer.send(result);
                    }),
                }
            })
        });
        let queued = match writer.queue.lock() {
            Ok(queue) => queue.as_ref().is_some_and(|queue| queue.send(erased).is_ok()),
            Err(_) => false,
        };
        if !queued {
            return Err(StoreError::Uncommitted);
        }
        answered.await.map_err(|_| StoreError::Uncommitted)?
    }

    /// What the group-commit writer has done since start.
    pub(crate) fn batches_seen(&self) -> WriteBatches {
        match (&self.writer, &self.join_batches) {
            (Some(writer), _) => writer.batches(),
            (None, Some(joins)) => joins.batches(),
            (None, None) => WriteBatches::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Counters;

    #[test]
    fn batch_sizes_fall_in_power_of_two_buckets() {
        let buckets: Vec<usize> = [1, 2, 3, 4, 7, 8, 63, 64].into_iter().map(Counters::bucket).collect();
        assert_eq!(buckets, [0, 1, 1, 2, 2, 3, 5, 6]);
    }
}
