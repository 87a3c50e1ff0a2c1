//! Imports as background jobs (the console's upload): the import begins in the request —
//! so a file without an ID-number column is refused at once — and its rows are read by a
//! task of this process, which the console polls (bytes read; the counts are in the
//! database) and may cancel. A job runs in the process that received the upload: another
//! instance sees its counts but cannot cancel it.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use huiji_tabular::{Progress, Table};

use super::RosterError;
use super::import::{self, CancelFlag, ImportRequest};
use crate::App;
use crate::actor::Actor;

/// The jobs this process runs, by import id.
fn running() -> &'static Mutex<HashMap<i64, (CancelFlag, Progress)>> {
    static RUNNING: OnceLock<Mutex<HashMap<i64, (CancelFlag, Progress)>>> = OnceLock::new();
    RUNNING.get_or_init(|| Mutex::new(HashMap::new()))
}

fn jobs() -> std::sync::MutexGuard<'static, HashMap<i64, (CancelFlag, Progress)>> {
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
    let progress = table.progress();
    let cancel = CancelFlag::default();
    let started = match import::begin(app, actor, request, table, report, cancel.clone()).await {
        Ok(started) => started,
        Err(error) => {
            let _ = std::fs::remove_file(&file);
            return Err(error);
        }
    };
    let import_id = started.import_id;
    jobs().insert(import_id, (cancel, progress));
    tokio::spawn(async move {
        if let Err(error) = started.finish().await {
            tracing::warn!(%error, import_id, "roster import job failed");
        }
        jobs().remove(&import_id);
        let _ = std::fs::remove_file(&file);
    });
    Ok(import_id)
}

/// How far a running job of this process has read its file (0.0–1.0); `None` when the
/// import is not running here.
pub fn progress(import_id: i64) -> Option<f64> {
    jobs().get(&import_id).map(|(_, progress)| progress.fraction())
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

/// Where an upload is kept while its job runs, and where its report goes: two new files'
/// paths under the system's temporary directory (`huiji-roster/`), named at random.
///
/// # Errors
///
/// The directory cannot be made, or no randomness.
pub fn staging(app: &App) -> Result<(PathBuf, PathBuf), RosterError> {
    let dir = std::env::temp_dir().join("huiji-roster");
    std::fs::create_dir_all(&dir).map_err(RosterError::Report)?;
    let mut bytes = [0u8; 12];
    app.random().fill(&mut bytes)?;
    let name = huiji_vault::hex(&bytes);
    Ok((dir.join(format!("{name}.upload")), dir.join(format!("{name}.report.csv"))))
}
