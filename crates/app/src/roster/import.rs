//! Importing a roster file: the reading side ([`super::read`]) decodes and parses the
//! file, drops repeats of an ID number inside it and seals what is left on threads of its
//! own; the async side keeps the sealed rows by key range in temporary files
//! ([`super::spill`]) and writes each range in blind-index order, a transaction at most
//! [`BATCH`] rows of one range — a generation of the file at a time, written while the
//! next is read ([`GENERATION`]) — counts what became of every row and writes the
//! report. Importing the same file again adds nothing.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use huiji_core::audit::AuditAction;
use huiji_core::{Occupation, Org, OrgId};
use huiji_store::{NewRosterImport, RosterCounts, RosterImportStatus};
use huiji_tabular::Table;

use super::RosterError;
use super::part::{IN_FLIGHT, Writing};
use super::phases::Phases;
use super::progress::ImportProgress;
use super::read::{self, BATCH, Message, Rows, Sealed};
use super::report::Report;
use super::spill::{Parts, Spill};
use crate::App;
use crate::actor::Actor;

/// Rows read before the first write, and at least in each later generation — a stretch
/// of the file kept in key-range files of its own and written range by range while the
/// next is read, so that the writing (most of an import's time on SQLite) starts before
/// the whole file is read and the reading takes the core the writer leaves. Each
/// generation sweeps the key ranges once (a few transactions, however few its rows), and
/// the writer takes all that was read meanwhile as the next: the generations grow as
/// the reading outruns the writing. A file of fewer accepted rows is read whole, then
/// written once.
pub const GENERATION: u64 = 50_000;

/// Where the reading side is, as the writer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reading {
    /// More rows may come.
    Open,
    /// No more rows: the file was read to its end (`Done`), became unreadable
    /// (`Failed`) or the import was cancelled.
    Ended(RosterImportStatus),
}

/// How often a running import stamps its heartbeat (besides each batch's progress).
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(30);

/// What to import and for whom.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    /// The union whose officers own the import (default: the root federation).
    pub org: Option<OrgId>,
    /// Where the list came from; entries are unique per source.
    pub source: String,
    /// The file's name as given (recorded with the import).
    pub file_name: String,
    /// Where the report is kept (recorded with the import).
    pub report_name: String,
    /// The occupation of rows whose file has no such column or cell.
    pub default_occupation: Option<Occupation>,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportSummary {
    /// The import's id.
    pub import_id: i64,
    /// What became of the rows.
    pub counts: RosterCounts,
    /// How it ended.
    pub status: RosterImportStatus,
    /// Wall time from the first byte to the last write.
    pub seconds: f64,
}

/// Stops an import between batches (the console's cancel button); the entries written
/// so far stay, and the import is recorded as cancelled.
#[derive(Clone, Debug, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    /// Asks the import to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// An import whose file was found readable and whose record exists: the rows are
/// still to come ([`Started::finish`]).
pub struct Started {
    /// The import's id.
    pub import_id: i64,
    app: App,
    actor: Actor,
    org: Org,
    source: String,
    report_name: String,
    started: Instant,
    rows: Rows,
    reader: Vec<read::ReadingHandle>,
    report: Report,
    cancel: CancelFlag,
    phases: Arc<Phases>,
    progress: ImportProgress,
    /// When the counts were last recorded on the running import.
    recorded: Option<Instant>,
    /// The record of the counts under way ([`Started::record`]).
    recording: Option<tokio::task::JoinHandle<Result<(), RosterError>>>,
    /// Rows read before the first write and at least between two ([`GENERATION`]).
    generation: u64,
    /// Accepted rows read so far (the rows to write once the file is read).
    spilled: u64,
}

/// Imports a roster file for `request.org` (see the module). The caller keeps the
/// table's progress handle for a progress bar and gives where the report goes.
///
/// # Errors
///
/// As [`begin`], and the report or the store failing part way (the import is then
/// recorded as failed). Rejected rows are not errors: they are counted and reported.
pub async fn import(
    app: &App,
    actor: &Actor,
    request: &ImportRequest,
    table: Table,
    report: Box<dyn Write + Send>,
    cancel: CancelFlag,
) -> Result<ImportSummary, RosterError> {
    begin(app, actor, request, table, report, cancel).await?.finish().await
}

/// Checks who imports for which union, finds the header row and records the import; the
/// rows are read by [`Started::finish`] (at once, or in a background job).
///
/// # Errors
///
/// The union is missing or out of the actor's scope, the actor is a viewer, the source is
/// invalid, the file cannot be read at all (no ID-number column: the error names the
/// headers seen), the report cannot be started, or the store's.
pub async fn begin(
    app: &App,
    actor: &Actor,
    request: &ImportRequest,
    table: Table,
    report: Box<dyn Write + Send>,
    cancel: CancelFlag,
) -> Result<Started, RosterError> {
    let started = Instant::now();
    let org = owner(app, actor, request.org).await?;
    let source = request.source.trim().to_owned();
    if source.is_empty() || source.chars().count() > 60 {
        return Err(RosterError::InvalidSource);
    }
    let phases = Arc::new(Phases::default());
    let progress = ImportProgress::new(table.progress().total_bytes());
    let (mut rows, reader) = read::start(app, table, org.region, request.default_occupation, &phases);
    match rows.recv().await {
        Some(Message::Header) => {}
        Some(Message::Failed(error)) => return Err(error),
        _ => return Err(RosterError::Internal("the reading task ended early".to_owned())),
    }
    let report = Report::new(report).map_err(RosterError::Report)?;
    let new = NewRosterImport {
        org: org.id,
        source: source.clone(),
        file_name: request.file_name.clone(),
        actor: actor.name(),
    };
    let import_id = app.store().start_roster_import(&new, app.now()).await?;
    Ok(Started {
        import_id,
        app: app.clone(),
        actor: actor.clone(),
        org,
        source,
        report_name: request.report_name.clone(),
        started,
        rows,
        reader,
        report,
        cancel,
        phases,
        progress,
        recorded: None,
        recording: None,
        generation: GENERATION,
        spilled: 0,
    })
}

impl Started {
    /// The import's progress (a handle that stays current while [`Started::finish`] runs).
    #[must_use]
    pub fn progress(&self) -> ImportProgress {
        self.progress.clone()
    }

    /// Writes every `rows` accepted rows read rather than every [`GENERATION`] (tests: a
    /// file of a few rows written in several generations).
    #[must_use]
    pub fn in_generations_of(mut self, rows: u64) -> Started {
        self.generation = rows.max(1);
        self
    }

    /// Reads, writes and counts every row; records how the import ended and audits it.
    ///
    /// # Errors
    ///
    /// The report or the store failing part way (recorded as failed where the store
    /// still answers).
    pub async fn finish(mut self) -> Result<ImportSummary, RosterError> {
        let mut counts = RosterCounts::default();
        // A sign of life while rows are read, even through a slow batch: an import whose
        // heartbeat stops is taken for dead by any instance (`jobs::sweep`).
        let beat = {
            let (app, import_id) = (self.app.clone(), self.import_id);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(HEARTBEAT).await;
                    if let Err(error) = app.store().touch_roster_import(import_id, app.now()).await {
                        tracing::warn!(%error, import_id, "roster import heartbeat not recorded");
                    }
                }
            })
        };
        let mut outcome = self.rows(&mut counts).await;
        beat.abort();
        if let Err(error) = self.recorded_so_far().await {
            outcome = outcome.and(Err(error));
        }
        let status = match &outcome {
            Ok(status) => *status,
            Err(error) => {
                tracing::warn!(%error, import_id = self.import_id, "roster import failed");
                RosterImportStatus::Failed
            }
        };
        drop(self.rows);
        // The reading side's threads end at their next send once the receivers are gone.
        for handle in self.reader {
            handle.await.map_err(|e| RosterError::Internal(format!("reading task: {e}")))?;
        }
        let written = self.report.finish().map_err(RosterError::Report);
        let (app, import_id) = (&self.app, self.import_id);
        self.phases.log(import_id, counts.rows);
        let recorded = app
            .store()
            .update_roster_import(import_id, status, &counts, Some(&self.report_name), app.now())
            .await;
        if let Err(error) = recorded {
            // The store that failed a batch may fail this too: the first error is the one
            // to report (the sweep marks the import interrupted later).
            tracing::warn!(%error, import_id, "the roster import's end could not be recorded");
            outcome?;
            return Err(error.into());
        }
        let subject = format!(
            "{}: {} rows, {} imported, {} duplicates in file, {} already on roster, {} rejected ({})",
            self.source,
            counts.rows,
            counts.imported,
            counts.duplicates_in_file,
            counts.already_on_roster,
            counts.rejected,
            status.code()
        );
        self.actor.audit(app, &self.org.path, AuditAction::RosterImport, subject).await?;
        outcome?;
        written?;
        Ok(ImportSummary { import_id, counts, status, seconds: self.started.elapsed().as_secs_f64() })
    }

    /// Reads the file into the key-range files and writes them, a generation at a time:
    /// the first [`GENERATION`] rows read alone, then each generation written while the
    /// next is read (see [`GENERATION`]); until the end, a cancel or an error. A file that
    /// becomes unreadable part way has the rows read before written, and is recorded as
    /// failed.
    async fn rows(&mut self, counts: &mut RosterCounts) -> Result<RosterImportStatus, RosterError> {
        let mut reading = Reading::Open;
        let mut spill = Spill::new()?;
        loop {
            while reading == Reading::Open && spill.rows() < self.generation {
                let waited = Instant::now();
                let message = self.rows.recv().await;
                Phases::add(&self.phases.writer_waiting, waited.elapsed());
                reading = self.take(message, counts, &mut spill)?;
                self.record(counts).await?;
            }
            if reading == Reading::Ended(RosterImportStatus::Cancelled) {
                return Ok(RosterImportStatus::Cancelled);
            }
            // The reading has ended (or the generation is full): nothing left is the end.
            if spill.rows() == 0 {
                break;
            }
            let mut next = Spill::new()?;
            self.phases.generations.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if self.write(counts, &spill, &mut next, &mut reading).await? == RosterImportStatus::Cancelled {
                return Ok(RosterImportStatus::Cancelled);
            }
            spill = next;
        }
        Ok(match reading {
            Reading::Ended(status) => status,
            Reading::Open => RosterImportStatus::Done,
        })
    }

    /// Takes the reading side's next message (`None`: it is done): a batch's refusals and
    /// repeats counted and reported, its accepted rows appended to `spill`. Says where
    /// the reading is now.
    fn take(
        &mut self,
        message: Option<Message<Sealed>>,
        counts: &mut RosterCounts,
        spill: &mut Spill,
    ) -> Result<Reading, RosterError> {
        if self.cancel.is_set() {
            return Ok(Reading::Ended(RosterImportStatus::Cancelled));
        }
        let batch = match message {
            Some(Message::Header) => return Ok(Reading::Open),
            Some(Message::Batch(batch)) => batch,
            None => {
                self.progress.set_to_write(self.spilled.max(1));
                return Ok(Reading::Ended(RosterImportStatus::Done));
            }
            Some(Message::Failed(error)) => {
                tracing::warn!(%error, import_id = self.import_id, "roster import stopped: the file became unreadable");
                self.progress.set_to_write(self.spilled.max(1));
                return Ok(Reading::Ended(RosterImportStatus::Failed));
            }
        };
        self.progress.set_bytes_read(batch.bytes);
        let started = Instant::now();
        spill.append(&batch.accepted)?;
        self.spilled += batch.accepted.rows();
        Phases::add(&self.phases.spill, started.elapsed());
        let started = Instant::now();
        counts.rows += batch.rows;
        counts.rejected += batch.rejected_rows;
        for (row, rejection) in &batch.rejected {
            self.report.rejected(*row, rejection);
        }
        counts.duplicates_in_file += u64::try_from(batch.duplicates.len()).unwrap_or(u64::MAX);
        for (row, first, masked) in &batch.duplicates {
            self.report.duplicate(*row, *first, masked);
        }
        self.report.end_batch().map_err(RosterError::Report)?;
        Phases::add(&self.phases.report, started.elapsed());
        Ok(Reading::Open)
    }

    /// Writes a generation's key ranges in order, each sorted by blind index, in
    /// transactions of at most [`BATCH`] rows, [`IN_FLIGHT`] parts at once, and, while a
    /// part is written, takes what the reading side has ready into `next`. The counts
    /// move on only as a transaction commits, in the parts' order: with two in flight and
    /// one refused, the other's rows are counted if it committed, so the record agrees
    /// with the roster.
    async fn write(
        &mut self,
        counts: &mut RosterCounts,
        spill: &Spill,
        next: &mut Spill,
        reading: &mut Reading,
    ) -> Result<RosterImportStatus, RosterError> {
        let (app, import_id) = (self.app.clone(), self.import_id);
        let mut parts = Parts::new(spill, BATCH);
        let mut writing: VecDeque<Writing> = VecDeque::new();
        let (mut more, mut cancelled, mut failed) = (true, false, None);
        loop {
            while more && !cancelled && failed.is_none() && writing.len() < IN_FLIGHT {
                let started = Instant::now();
                let part = parts.next().await?;
                Phases::add(&self.phases.sort, started.elapsed());
                if part.is_empty() {
                    more = false;
                } else if self.cancel.is_set() {
                    cancelled = true;
                } else {
                    writing.push_back(Writing::start(&app, import_id, part));
                }
            }
            let Some(mut oldest) = writing.pop_front() else { break };
            let started = Instant::now();
            // A transaction once begun is awaited to its end whatever the reading does
            // (a cancel included): what it committed must be counted.
            let written = loop {
                if *reading != Reading::Open {
                    break (&mut oldest).await;
                }
                let message = tokio::select! {
                    written = &mut oldest => break written,
                    message = self.rows.recv() => message,
                };
                *reading = self.take(message, counts, next)?;
            };
            Phases::add(&self.phases.write, started.elapsed());
            match written {
                Ok(written) => {
                    written.count(counts, &mut self.report);
                    self.progress.add_written(u64::try_from(oldest.rows).unwrap_or(u64::MAX));
                }
                Err(error) => {
                    failed.get_or_insert(error);
                }
            }
            if failed.is_none() {
                self.record(counts).await?;
            }
        }
        match failed {
            Some(error) => Err(error),
            None if cancelled => Ok(RosterImportStatus::Cancelled),
            None => Ok(RosterImportStatus::Done),
        }
    }

    /// Records the counts so far on the running import (the console's figures while it
    /// runs), at most every [`RECORD_EVERY`]: each record is a write transaction of its
    /// own, which SQLite's one writer would otherwise take between every two parts. It
    /// runs as a task of its own, one at a time: it waits for the write connection, which
    /// a part still in flight may hold — and that part is only polled by this task.
    async fn record(&mut self, counts: &RosterCounts) -> Result<(), RosterError> {
        if self.recorded.is_some_and(|at| at.elapsed() < RECORD_EVERY)
            || self.recording.as_ref().is_some_and(|task| !task.is_finished())
        {
            return Ok(());
        }
        self.recorded_so_far().await?;
        let (app, import_id, counts, phases) =
            (self.app.clone(), self.import_id, *counts, Arc::clone(&self.phases));
        self.recording =
            Some(tokio::spawn(async move { record_counts(&app, import_id, &counts, &phases).await }));
        self.recorded = Some(Instant::now());
        Ok(())
    }

    /// Waits for the record under way, if any (before the import's end is recorded, so
    /// that no progress lands after it).
    async fn recorded_so_far(&mut self) -> Result<(), RosterError> {
        match self.recording.take() {
            Some(task) => {
                task.await.map_err(|e| RosterError::Internal(format!("recording progress: {e}")))?
            }
            None => Ok(()),
        }
    }
}

/// How often a running import records its counts at most (the last ones are recorded
/// as it ends, whatever the time).
const RECORD_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Records the counts so far on the running import (the console's figures while it runs).
async fn record_counts(
    app: &App,
    import_id: i64,
    counts: &RosterCounts,
    phases: &Phases,
) -> Result<(), RosterError> {
    let started = Instant::now();
    app.store().update_roster_import(import_id, RosterImportStatus::Running, counts, None, app.now()).await?;
    Phases::add(&phases.progress, started.elapsed());
    Ok(())
}

/// The owning union, checked: the root federation by default; seen and acted on by the
/// actor (viewers do not import).
async fn owner(app: &App, actor: &Actor, org: Option<OrgId>) -> Result<Org, RosterError> {
    let id = match org {
        Some(id) => id,
        None => {
            let root = crate::audit::root_scope(app.store().as_ref()).await?;
            *root.lineage().first().ok_or(RosterError::NotFound)?
        }
    };
    let org = app.store().org(id).await?.filter(|o| actor.sees(&o.path)).ok_or(RosterError::NotFound)?;
    if !actor.acts_on(&org.path) {
        return Err(RosterError::Forbidden);
    }
    Ok(org)
}
