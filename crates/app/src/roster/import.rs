//! Importing a roster file: a reading thread decodes the file (CSV in UTF-8, GBK or
//! GB18030, or XLSX, through `huiji-tabular`), reads each row with core's roster parser,
//! drops repeats of an ID number inside the file and seals what is left; the async side
//! writes the batches, each in one transaction, counts what became of every row and
//! writes the report. Importing the same file again adds nothing.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use huiji_core::address::RegionNames;
use huiji_core::audit::AuditAction;
use huiji_core::id_number::IdNumber;
use huiji_core::roster::{self, RawValue, Rejection, RosterColumn, RosterContext, RosterRow, RosterState};
use huiji_core::{Occupation, Org, OrgId};
use huiji_store::{EntryOutcome, NewRosterEntry, NewRosterImport, RosterCounts, RosterImportStatus};
use huiji_tabular::{Cell, HeaderSpec, Table};
use huiji_vault::Field;
use tokio::sync::mpsc;

use super::RosterError;
use super::report::Report;
use crate::App;
use crate::actor::Actor;
use crate::ports::Nonces;

/// How often a running import stamps its heartbeat (besides each batch's progress).
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(30);

/// Rows sealed and written per batch (one transaction each): large enough that the
/// store's few set-wise statements and the commit are amortised over many rows (at
/// 2,000 the commits and the re-reads of random index pages dominated), small enough
/// not to hold SQLite's writer for more than a fraction of a second, and — with the
/// channel's four batches in flight — a few tens of megabytes at most.
const BATCH: usize = 10_000;

/// Batches read ahead of the writer: the reader parses and seals while the database
/// writes, and waits when it is this far ahead (memory stays bounded).
const AHEAD: usize = 4;

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

/// One accepted row, sealed, with what its report lines need.
struct Accepted {
    row: u64,
    entry: NewRosterEntry,
    mobile_masked: String,
    employer: String,
}

/// What the reading thread hands over.
enum Message {
    /// The header row was found: the file can be read.
    Header,
    /// A batch of rows.
    Batch(Batch),
    /// Reading failed.
    Failed(RosterError),
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
    receiver: mpsc::Receiver<Message>,
    reader: tokio::task::JoinHandle<()>,
    report: Report,
    cancel: CancelFlag,
    phases: Arc<Phases>,
}

/// Where an import's time went, logged when it ends (`RUST_LOG=huiji_app::roster=info`):
/// the reading thread's decoding, parsing and sealing and its waits for the writer; the
/// writer's store calls, progress records and report, and its waits for rows.
#[derive(Default)]
struct Phases {
    decode: AtomicU64,
    parse: AtomicU64,
    seal: AtomicU64,
    reader_waiting: AtomicU64,
    write: AtomicU64,
    progress: AtomicU64,
    report: AtomicU64,
    writer_waiting: AtomicU64,
}

impl Phases {
    fn add(slot: &AtomicU64, elapsed: std::time::Duration) {
        slot.fetch_add(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    fn seconds(slot: &AtomicU64) -> f64 {
        // Microseconds to seconds: precision far beyond what the log line needs.
        #[allow(clippy::cast_precision_loss)]
        let micros = slot.load(Ordering::Relaxed) as f64;
        micros / 1e6
    }

    fn log(&self, import_id: i64, rows: u64) {
        tracing::info!(
            import_id,
            rows,
            decode_s = Self::seconds(&self.decode),
            parse_s = Self::seconds(&self.parse),
            seal_s = Self::seconds(&self.seal),
            reader_waiting_s = Self::seconds(&self.reader_waiting),
            write_s = Self::seconds(&self.write),
            progress_s = Self::seconds(&self.progress),
            report_s = Self::seconds(&self.report),
            writer_waiting_s = Self::seconds(&self.writer_waiting),
            "roster import phases"
        );
    }
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
    let (sender, mut receiver) = mpsc::channel(AHEAD);
    let phases = Arc::new(Phases::default());
    let reader = {
        let (app, default_occupation, scope) = (app.clone(), request.default_occupation, org.region);
        let phases = Arc::clone(&phases);
        tokio::task::spawn_blocking(move || read(&app, table, scope, default_occupation, &sender, &phases))
    };
    match receiver.recv().await {
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
        receiver,
        reader,
        report,
        cancel,
        phases,
    })
}

impl Started {
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
        let outcome = self.rows(&mut counts).await;
        beat.abort();
        let status = match &outcome {
            Ok(status) => *status,
            Err(error) => {
                tracing::warn!(%error, import_id = self.import_id, "roster import failed");
                RosterImportStatus::Failed
            }
        };
        drop(self.receiver);
        // The reading thread ends at its next send once the receiver is gone.
        self.reader.await.map_err(|e| RosterError::Internal(format!("reading task: {e}")))?;
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

    /// The batches as they come, until the end, a cancel or a reading error.
    async fn rows(&mut self, counts: &mut RosterCounts) -> Result<RosterImportStatus, RosterError> {
        let (app, import_id) = (&self.app, self.import_id);
        loop {
            let waited = Instant::now();
            let Some(message) = self.receiver.recv().await else { break };
            Phases::add(&self.phases.writer_waiting, waited.elapsed());
            if self.cancel.is_set() {
                return Ok(RosterImportStatus::Cancelled);
            }
            match message {
                Message::Header => {}
                Message::Failed(error) => {
                    tracing::warn!(%error, import_id, "roster import stopped: the file became unreadable");
                    return Ok(RosterImportStatus::Failed);
                }
                Message::Batch(batch) => {
                    // Counted into a copy, kept only once the batch is written: a batch the
                    // store refused is not half counted in the failed import's record.
                    let mut next = *counts;
                    next.rows += batch.rows;
                    next.rejected += batch.rejected_rows;
                    let started = Instant::now();
                    write_batch(app, import_id, batch.accepted, &mut next, &mut self.report).await?;
                    Phases::add(&self.phases.write, started.elapsed());
                    let started = Instant::now();
                    for (row, rejection) in &batch.rejected {
                        self.report.rejected(*row, rejection);
                    }
                    next.duplicates_in_file += u64::try_from(batch.duplicates.len()).unwrap_or(u64::MAX);
                    for (row, first, masked) in &batch.duplicates {
                        self.report.duplicate(*row, *first, masked);
                    }
                    *counts = next;
                    self.report.end_batch().map_err(RosterError::Report)?;
                    Phases::add(&self.phases.report, started.elapsed());
                    let started = Instant::now();
                    app.store()
                        .update_roster_import(import_id, RosterImportStatus::Running, counts, None, app.now())
                        .await?;
                    Phases::add(&self.phases.progress, started.elapsed());
                }
            }
        }
        Ok(RosterImportStatus::Done)
    }
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

/// Writes one batch and counts and reports what became of each row.
async fn write_batch(
    app: &App,
    import_id: i64,
    accepted: Vec<Accepted>,
    counts: &mut RosterCounts,
    report: &mut Report,
) -> Result<(), RosterError> {
    if accepted.is_empty() {
        return Ok(());
    }
    let entries: Vec<NewRosterEntry> = accepted.iter().map(|a| a.entry.clone()).collect();
    let outcomes = app.store().add_roster_entries(import_id, &entries, app.now()).await?;
    for (row, outcome) in accepted.iter().zip(outcomes) {
        let state = match outcome {
            EntryOutcome::New(state) => {
                counts.imported += 1;
                state
            }
            EntryOutcome::Existing { state, mobile, employer } => {
                counts.already_on_roster += 1;
                if mobile || employer {
                    counts.updated += 1;
                }
                if mobile {
                    report.updated(row.row, RosterColumn::Mobile, &row.mobile_masked);
                }
                if employer {
                    report.updated(row.row, RosterColumn::Employer, &row.employer);
                }
                state
            }
        };
        match state {
            RosterState::Member => counts.members += 1,
            RosterState::Pending => counts.pending += 1,
            RosterState::NotMember => counts.not_members += 1,
        }
    }
    Ok(())
}

/// The key a file's rows are deduplicated by: the 17 digits and the check character of
/// the ID number in one integer (a million rows cost a few megabytes, not a string each).
fn dedup_key(id: &IdNumber) -> u64 {
    id.as_str().bytes().fold(0u64, |key, b| key * 11 + u64::from(if b == b'X' { 10 } else { b - b'0' }))
}

/// The reading thread: header, then batches of parsed, deduplicated, sealed rows.
fn read(
    app: &App,
    mut table: Table,
    scope: huiji_core::RegionCode,
    default_occupation: Option<Occupation>,
    sender: &mpsc::Sender<Message>,
    phases: &Phases,
) {
    let specs: Vec<HeaderSpec<'_, RosterColumn>> = RosterColumn::ALL
        .iter()
        .map(|&c| HeaderSpec { column: c, name: c.code(), spellings: c.spellings(), required: c.required() })
        .collect();
    let mut records = match table.records(&specs) {
        Ok(records) => records,
        Err(error) => {
            let _ = sender.blocking_send(Message::Failed(error.into()));
            return;
        }
    };
    if sender.blocking_send(Message::Header).is_err() {
        return;
    }
    let ctx = RosterContext {
        today: app.now().china_date(),
        places: RegionNames::national(),
        scope: Some(scope),
        default_occupation,
    };
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let mut nonces = Nonces(app.random());
    let mut batch = Batch::default();
    let mut clock = Instant::now();
    // Each phase's time is the span since the previous mark: one clock read per phase.
    let mut mark = |slot: &AtomicU64| {
        let now = Instant::now();
        Phases::add(slot, now - clock);
        clock = now;
    };
    for record in &mut records {
        mark(&phases.decode);
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let _ = sender.blocking_send(Message::Failed(error.into()));
                return;
            }
        };
        batch.rows += 1;
        let mut row = RosterRow::default();
        for column in RosterColumn::ALL {
            row.set(column, raw(record.get(column)));
        }
        let parsed = roster::parse_row(&row, &ctx);
        mark(&phases.parse);
        match parsed {
            Err(rejections) => {
                batch.rejected_rows += 1;
                batch.rejected.extend(rejections.into_iter().map(|r| (record.number, r)));
            }
            Ok(entry) => match seen.entry(dedup_key(&entry.id_number)) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    batch.duplicates.push((record.number, *first.get(), entry.id_number.masked()));
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(record.number);
                    let sealed = seal(app, &mut nonces, record.number, entry);
                    mark(&phases.seal);
                    match sealed {
                        Ok(accepted) => batch.accepted.push(accepted),
                        Err(error) => {
                            let _ = sender.blocking_send(Message::Failed(error));
                            return;
                        }
                    }
                }
            },
        }
        let full = batch.accepted.len() >= BATCH || batch.rows >= 4 * BATCH as u64;
        if full {
            let sent = sender.blocking_send(Message::Batch(std::mem::take(&mut batch)));
            mark(&phases.reader_waiting);
            if sent.is_err() {
                return;
            }
        }
    }
    let _ = sender.blocking_send(Message::Batch(batch));
}

/// Rows read since the last batch went: the accepted ones sealed, every rejection
/// (several per row possible) and the repeats inside the file (row, first row, masked ID).
#[derive(Default)]
struct Batch {
    rows: u64,
    rejected_rows: u64,
    accepted: Vec<Accepted>,
    rejected: Vec<(u64, Rejection)>,
    duplicates: Vec<(u64, u64, String)>,
}

/// A cell as core's roster parser takes it.
fn raw(cell: &Cell) -> RawValue<'_> {
    match cell {
        Cell::Empty => RawValue::Empty,
        Cell::Number(n) => RawValue::Number(*n),
        Cell::Text(text) | Cell::Error(text) => RawValue::Text(text),
        // A date or a boolean where a roster column expects text or a code: read as what
        // it displays, so the parser refuses it with the column named.
        Cell::Bool(_) | Cell::Date(_) | Cell::DateTime { .. } => RawValue::Text("?"),
    }
}

fn seal(
    app: &App,
    nonces: &mut Nonces<'_>,
    row: u64,
    entry: roster::RosterEntry,
) -> Result<Accepted, RosterError> {
    let id_number = app.keys().seal(Field::IdNumber, entry.id_number.as_str(), nonces)?;
    let mobile =
        entry.mobile.as_ref().map(|m| app.keys().seal(Field::Mobile, m.as_str(), nonces)).transpose()?;
    let (employer_name, employer_credit_code) = match &entry.employer {
        Some(employer) => (
            Some(employer.name.clone()).filter(|n| !n.is_empty()),
            employer.credit_code.as_ref().map(ToString::to_string),
        ),
        None => (None, None),
    };
    Ok(Accepted {
        row,
        mobile_masked: entry.mobile.as_ref().map(|m| m.masked()).unwrap_or_default(),
        employer: employer_name.clone().unwrap_or_default(),
        entry: NewRosterEntry {
            name: entry.name.map(|n| n.as_str().to_owned()),
            id_number,
            mobile,
            occupation: entry.occupation,
            region: entry.region,
            employer_name,
            employer_credit_code,
        },
    })
}
