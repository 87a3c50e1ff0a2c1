//! Imports as background jobs (the console's upload): the import begins in the request —
//! so a file without an ID-number column is refused at once — and its rows are read by a
//! task of this process, which the console polls (bytes read; the counts are in the
//! database) and may cancel. A job runs in the process that received the upload: another
//! instance sees its counts but cannot cancel it.
//!
//! The import's row is the job's durable record: its process stamps a heartbeat while it
//! runs ([`super::import::HEARTBEAT`]); a process that dies or restarts stops beating,
//! and [`sweep`] (run by every instance at start and each minute) marks such an import
//! `interrupted` with a message rather than leaving it running forever. The staged upload
//! is removed when its job ends; one orphaned by a crash is removed by the sweep.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use huiji_core::Timestamp;
use huiji_tabular::Table;
use tokio::task::JoinHandle;

use super::RosterError;
use super::import::{self, CancelFlag, ImportRequest};
use super::progress::ImportProgress;
use crate::App;
use crate::actor::Actor;

/// The jobs running in this process: each one's cancel flag and progress.
type Running = HashMap<i64, (CancelFlag, ImportProgress)>;

/// The jobs this process runs, by import id.
fn running() -> &'static Mutex<Running> {
    static RUNNING: OnceLock<Mutex<Running>> = OnceLock::new();
    RUNNING.get_or_init(|| Mutex::new(HashMap::new()))
}

fn jobs() -> std::sync::MutexGuard<'static, Running> {
    running().lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Begins an import of an uploaded file kept at `file` and reads its rows in the
/// background, writing the report to `report`; the uploaded file is removed when the job
/// ends. Returns the import's id.
///
/// # Errors
///
/// As [`import::begin`] (the uploaded file is removed then too).
pub async fn spawn(
    app: &App,
    actor: &Actor,
    request: &ImportRequest,
    file: PathBuf,
    report: Box<dyn Write + Send>,
) -> Result<i64, RosterError> {
    let table = match Table::open(&file, None) {
        Ok(table) => table,
        Err(error) => {
            let _ = std::fs::remove_file(&file);
            return Err(error.into());
        }
    };
    let cancel = CancelFlag::default();
    let started = match import::begin(app, actor, request, table, report, cancel.clone()).await {
        Ok(started) => started,
        Err(error) => {
            let _ = std::fs::remove_file(&file);
            return Err(error);
        }
    };
    let import_id = started.import_id;
    jobs().insert(import_id, (cancel, started.progress()));
    tokio::spawn(async move {
        if let Err(error) = started.finish().await {
            tracing::warn!(%error, import_id, "roster import job failed");
        }
        jobs().remove(&import_id);
        let _ = std::fs::remove_file(&file);
    });
    Ok(import_id)
}

/// How far a running job of this process has come (0.0–1.0: its file read, then its rows
/// written, [`ImportProgress::overall`]); `None` when the import is not running here.
pub fn progress(import_id: i64) -> Option<f64> {
    jobs().get(&import_id).map(|(_, progress)| progress.overall())
}

/// Stops a running import between batches (entries written so far stay; it is recorded
/// as cancelled): an officer who acts on the importing union.
///
/// # Errors
///
/// Not found or out of scope; a viewer; not running in this process (`NotFound`).
pub async fn cancel(app: &App, actor: &Actor, import_id: i64) -> Result<(), RosterError> {
    let record = super::coverage::import_record(app, actor, import_id).await?;
    if !actor.acts_on(&record.org_path) {
        return Err(RosterError::Forbidden);
    }
    let flag = jobs().get(&import_id).map(|(flag, _)| flag.clone()).ok_or(RosterError::NotFound)?;
    flag.cancel();
    Ok(())
}

/// An import whose heartbeat is older than this is taken for dead (four missed beats).
pub const STALE_AFTER: Duration = Duration::from_secs(120);

/// A staged upload older than this is an orphan of a crashed job (a job reads its file
/// within minutes; a 200 MB upload is read in well under one).
const ORPHANED_AFTER: Duration = Duration::from_secs(6 * 3600);

/// What an interrupted import says, in both languages the console speaks.
pub const INTERRUPTED: &str = "服务在导入过程中重启或停止，导入未完成；已写入的条目保留，重新导入同一文件即可补全（不会重复）。\
    The server restarted or stopped during the import; the entries written so far stay, and importing the \
    same file again completes it (nothing is added twice).";

/// Marks the imports whose process stopped beating interrupted, and removes staged
/// uploads orphaned by a crash; returns how many imports were marked.
///
/// # Errors
///
/// The store's.
pub async fn sweep(app: &App) -> Result<u64, RosterError> {
    let now = app.now();
    let stale_ms = i64::try_from(STALE_AFTER.as_millis()).unwrap_or(i64::MAX);
    let stale_before = Timestamp(now.millis().saturating_sub(stale_ms));
    let marked = app.store().interrupt_stale_roster_imports(stale_before, INTERRUPTED, now).await?;
    remove_orphaned_uploads(&staging_dir());
    Ok(marked)
}

/// Runs [`sweep`] now and then every `every` until the handle is aborted.
pub fn spawn_sweep(app: App, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match sweep(&app).await {
                Ok(0) => {}
                Ok(marked) => {
                    tracing::warn!(marked, "roster imports interrupted by a stopped server marked so")
                }
                Err(error) => tracing::warn!(%error, "roster import sweep failed; trying again later"),
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// Removes `*.upload` files in `dir` last written before [`ORPHANED_AFTER`]; reports
/// stay (the console serves them).
fn remove_orphaned_uploads(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > ORPHANED_AFTER);
        if old
            && path.extension().is_some_and(|e| e == "upload")
            && let Err(error) = std::fs::remove_file(&path)
        {
            tracing::warn!(%error, path = %path.display(), "orphaned roster upload not removed");
        }
    }
}

fn staging_dir() -> PathBuf {
    std::env::temp_dir().join("huiji-roster")
}

/// Where an upload is kept while its job runs, and where its report goes: two new files'
/// paths under the system's temporary directory (`huiji-roster/`), named at random.
///
/// # Errors
///
/// The directory cannot be made, or no randomness.
pub fn staging(app: &App) -> Result<(PathBuf, PathBuf), RosterError> {
    let dir = staging_dir();
    std::fs::create_dir_all(&dir).map_err(RosterError::Report)?;
    let mut bytes = [0u8; 12];
    app.random().fill(&mut bytes)?;
    let name = huiji_vault::hex(&bytes);
    Ok((dir.join(format!("{name}.upload")), dir.join(format!("{name}.report.csv"))))
}
