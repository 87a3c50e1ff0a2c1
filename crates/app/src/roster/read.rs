//! The reading side of an import: one thread decodes the file (CSV in UTF-8, GBK or
//! GB18030, or XLSX, through `huiji-tabular`), reads each row with core's roster parser
//! and drops repeats of an ID number inside the file; [`SEALERS`] threads seal the
//! accepted rows batch by batch — two encryptions and two blind indexes a row, the CPU of
//! an import — and encode them for the import's key-range files ([`super::spill`]);
//! [`Rows`] hands the batches to the writer in file order. Every channel is bounded, so
//! memory stays bounded and each stage waits for the slower one.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use huiji_core::address::RegionNames;
use huiji_core::id_number::IdNumber;
use huiji_core::roster::{self, RawValue, Rejection, RosterColumn, RosterContext, RosterEntry, RosterRow};
use huiji_core::{Occupation, RegionCode};
use huiji_store::NewRosterEntry;
use huiji_tabular::{Cell, HeaderSpec, Table};
use huiji_vault::Field;
use tokio::sync::mpsc;

use super::RosterError;
use super::phases::Phases;
use super::spill::Encoded;
use crate::App;
use crate::ports::BufferedNonces;

/// Rows sealed per batch, and at most written per transaction: large enough that the
/// store's few set-wise statements and the commit are amortised over many rows (at
/// 2,000 the commits dominated), small enough not to hold SQLite's writer for more than
/// a fraction of a second, and — with the batches in flight — a few tens of megabytes at
/// most.
pub(super) const BATCH: usize = 10_000;

/// Threads sealing batches side by side: sealing is most of an import's CPU, and one
/// thread sealing while the database writes left the writer waiting for rows. Two, not
/// one per core: the writer and the reading thread need a core too.
pub(super) const SEALERS: usize = 2;

/// Sealed batches each sealer may hold ready ahead of the writer (beside the one it is
/// sealing and the one the reader has parsed for it).
const AHEAD: usize = 2;

/// What the reading side hands over, in file order.
pub(super) enum Message<B> {
    /// The header row was found: the file can be read.
    Header,
    /// A batch of rows.
    Batch(B),
    /// Reading (or sealing) failed.
    Failed(RosterError),
}

/// One accepted row, sealed, with what its report lines need.
pub(super) struct Accepted {
    /// The row's number in the file.
    pub(super) row: u64,
    /// The sealed entry.
    pub(super) entry: NewRosterEntry,
    /// The mobile masked, for the report of an updated mobile.
    pub(super) mobile_masked: String,
}

/// Rows read since the last batch went: the accepted ones (sealed and encoded by key
/// range, once a sealer had them), every rejection (several per row possible) and the
/// repeats inside the file (row, first row, masked ID).
pub(super) struct Batch<A> {
    /// Rows read, whatever became of them.
    pub(super) rows: u64,
    /// Rows refused (one or more rejections each).
    pub(super) rejected_rows: u64,
    /// The rows to write.
    pub(super) accepted: A,
    /// Each refusal with its row.
    pub(super) rejected: Vec<(u64, Rejection)>,
    /// Repeats of an ID number already read: row, first row, masked ID number.
    pub(super) duplicates: Vec<(u64, u64, String)>,
    /// How far into the file the reader was when it cut the batch (bytes).
    pub(super) bytes: u64,
}

impl<A: Default> Default for Batch<A> {
    fn default() -> Self {
        Batch {
            rows: 0,
            rejected_rows: 0,
            accepted: A::default(),
            rejected: Vec::new(),
            duplicates: Vec::new(),
            bytes: 0,
        }
    }
}

/// A batch as the writer takes it.
pub(super) type Sealed = Batch<Encoded>;

/// A batch as the reading thread parsed it: the accepted rows not sealed yet.
type Parsed = Batch<Vec<(u64, RosterEntry)>>;

/// The writer's end: the sealers' batches, taken from each in turn — the order the
/// reading thread dealt them out, which is the file's.
pub(super) struct Rows {
    sealed: Vec<mpsc::Receiver<Message<Sealed>>>,
    next: usize,
}

impl Rows {
    /// The next message in file order; `None` when the reading side is done.
    ///
    /// Cancel-safe (the writer waits for it beside a transaction in a `select!`): the
    /// turn moves on only once a message came, so a wait dropped takes nothing.
    pub(super) async fn recv(&mut self) -> Option<Message<Sealed>> {
        let count = self.sealed.len();
        let receiver = self.sealed.get_mut(self.next % count)?;
        let message = receiver.recv().await;
        self.next += 1;
        message
    }
}

/// Starts the reading thread and the sealers; the handles end once every row is handed
/// over or the [`Rows`] are dropped (each stage stops at its next send).
pub(super) fn start(
    app: &App,
    table: Table,
    scope: RegionCode,
    default_occupation: Option<Occupation>,
    phases: &std::sync::Arc<Phases>,
) -> (Rows, Vec<ReadingHandle>) {
    let mut parsed_senders = Vec::with_capacity(SEALERS);
    let mut sealed = Vec::with_capacity(SEALERS);
    let mut handles = Vec::with_capacity(SEALERS + 1);
    for _ in 0..SEALERS {
        let (parsed_sender, parsed) = mpsc::channel(1);
        let (sealed_sender, sealed_receiver) = mpsc::channel(AHEAD);
        parsed_senders.push(parsed_sender);
        sealed.push(sealed_receiver);
        let (app, phases) = (app.clone(), std::sync::Arc::clone(phases));
        handles.push(behind_the_writer("roster-sealer", move || {
            seal_batches(&app, parsed, &sealed_sender, &phases);
        }));
    }
    let (app, phases) = (app.clone(), std::sync::Arc::clone(phases));
    handles.push(behind_the_writer("roster-reader", move || {
        let mut out = Dealer { senders: parsed_senders, next: 0 };
        read(&app, table, scope, default_occupation, &mut out, &phases);
    }));
    (Rows { sealed, next: 0 }, handles)
}

/// How much lower than the rest of the process the reading side runs (a nice value).
/// The writer is an import's critical path: on SQLite one connection's thread writes
/// every row, and it waits for nothing but the rows. At the same priority the reader and
/// two sealers took most of both cores from it while the file was read, and it finished
/// alone afterwards; behind it, the reading fills what the writer leaves (BENCHMARKS.md
/// "R … the reading behind the writer"). In the server, an import so also yields to the
/// requests.
const READING_NICENESS: i32 = 10;

/// Runs `work` on a thread of its own at [`READING_NICENESS`] — not on the runtime's
/// blocking pool, whose threads are reused: a thread cannot raise its priority again
/// without privileges. The handle ends with the thread (with an error if it panicked).
fn behind_the_writer(name: &str, work: impl FnOnce() + Send + 'static) -> ReadingHandle {
    let (done, handle) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new().name(name.to_owned()).spawn(move || {
        let niceness = rustix::process::getpriority_process(None).unwrap_or(0) + READING_NICENESS;
        // Linux's nice value is a thread's own; where it cannot be set, the thread runs as is.
        if let Err(error) = rustix::process::setpriority_process(None, niceness) {
            tracing::debug!(%error, "the roster reading runs at the process's priority");
        }
        work();
        let _ = done.send(());
    });
    if let Err(error) = spawned {
        tracing::warn!(%error, "a roster reading thread could not start");
    }
    handle
}

/// A reading-side thread's end ([`behind_the_writer`]).
pub(super) type ReadingHandle = tokio::sync::oneshot::Receiver<()>;

/// Deals the reading thread's messages to the sealers in turn.
struct Dealer {
    senders: Vec<mpsc::Sender<Message<Parsed>>>,
    next: usize,
}

impl Dealer {
    /// Sends the next message; `false` once the writer is gone.
    fn send(&mut self, message: Message<Parsed>) -> bool {
        let count = self.senders.len();
        let Some(sender) = self.senders.get(self.next % count) else { return false };
        self.next += 1;
        sender.blocking_send(message).is_ok()
    }
}

/// A sealer: seals each batch it is dealt and passes every other message on unchanged.
fn seal_batches(
    app: &App,
    mut parsed: mpsc::Receiver<Message<Parsed>>,
    sealed: &mpsc::Sender<Message<Sealed>>,
    phases: &Phases,
) {
    let mut nonces = BufferedNonces::new(app.random());
    while let Some(message) = parsed.blocking_recv() {
        let message = match message {
            Message::Header => Message::Header,
            Message::Failed(error) => Message::Failed(error),
            Message::Batch(batch) => {
                let started = Instant::now();
                let batch = seal(app, &mut nonces, batch);
                Phases::add(&phases.seal, started.elapsed());
                match batch {
                    Ok(batch) => Message::Batch(batch),
                    Err(error) => Message::Failed(error),
                }
            }
        };
        if sealed.blocking_send(message).is_err() {
            return;
        }
    }
}

/// The key a file's rows are deduplicated by: the 17 digits and the check character of
/// the ID number in one integer (a million rows cost a few megabytes, not a string each).
fn dedup_key(id: &IdNumber) -> u64 {
    id.as_str().bytes().fold(0u64, |key, b| key * 11 + u64::from(if b == b'X' { 10 } else { b - b'0' }))
}

/// The reading thread: header, then batches of parsed, deduplicated rows.
fn read(
    app: &App,
    mut table: Table,
    scope: RegionCode,
    default_occupation: Option<Occupation>,
    out: &mut Dealer,
    phases: &Phases,
) {
    let specs: Vec<HeaderSpec<'_, RosterColumn>> = RosterColumn::ALL
        .iter()
        .map(|&c| HeaderSpec { column: c, name: c.code(), spellings: c.spellings(), required: c.required() })
        .collect();
    let progress = table.progress();
    let mut records = match table.records(&specs) {
        Ok(records) => records,
        Err(error) => {
            out.send(Message::Failed(error.into()));
            return;
        }
    };
    if !out.send(Message::Header) {
        return;
    }
    let ctx = RosterContext {
        today: app.now().china_date(),
        places: RegionNames::national(),
        scope: Some(scope),
        default_occupation,
    };
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let mut batch = Parsed::default();
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
                out.send(Message::Failed(error.into()));
                return;
            }
        };
        batch.rows += 1;
        let mut row = RosterRow::default();
        for column in RosterColumn::ALL {
            row.set(column, raw(record.get(column)));
        }
        let parsed = roster::parse_row(&row, &ctx);
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
                    batch.accepted.push((record.number, entry));
                }
            },
        }
        mark(&phases.parse);
        let full = batch.accepted.len() >= BATCH || batch.rows >= 4 * BATCH as u64;
        if full {
            batch.bytes = progress.bytes_read();
            let sent = out.send(Message::Batch(std::mem::take(&mut batch)));
            mark(&phases.reader_waiting);
            if !sent {
                return;
            }
        }
    }
    batch.bytes = progress.total_bytes();
    out.send(Message::Batch(batch));
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

/// Seals a parsed batch's accepted rows under the keyring in force (taken once a batch)
/// and encodes them by key range.
fn seal(app: &App, nonces: &mut BufferedNonces<'_>, batch: Parsed) -> Result<Sealed, RosterError> {
    let sealer = app.keys().sealer();
    let mut accepted = Vec::with_capacity(batch.accepted.len());
    for (row, entry) in batch.accepted {
        let id_number = sealer.seal(Field::IdNumber, entry.id_number.as_str(), nonces)?;
        let mobile =
            entry.mobile.as_ref().map(|m| sealer.seal(Field::Mobile, m.as_str(), nonces)).transpose()?;
        let (employer_name, employer_credit_code) = match entry.employer {
            Some(employer) => (
                Some(employer.name).filter(|n| !n.is_empty()),
                employer.credit_code.as_ref().map(ToString::to_string),
            ),
            None => (None, None),
        };
        accepted.push(Accepted {
            row,
            mobile_masked: entry.mobile.as_ref().map(|m| m.masked()).unwrap_or_default(),
            entry: NewRosterEntry {
                name: entry.name.map(|n| n.as_str().to_owned()),
                id_number,
                mobile,
                occupation: entry.occupation,
                region: entry.region,
                employer_name,
                employer_credit_code,
            },
        });
    }
    Ok(Batch {
        rows: batch.rows,
        rejected_rows: batch.rejected_rows,
        accepted: Encoded::new(&accepted),
        rejected: batch.rejected,
        duplicates: batch.duplicates,
        bytes: batch.bytes,
    })
}
