//! Where an import's time went, logged as it ends (BENCHMARKS.md, R).

use std::sync::atomic::{AtomicU64, Ordering};

use super::read::SEALERS;

/// Where an import's time went, logged when it ends (`RUST_LOG=huiji_app::roster=info`):
/// the reading thread's decoding, parsing and sealing and its waits for the writer; the
/// writer's appends to the key-range files and its waits for rows while the file is read,
/// then its reading and sorting of each range, store calls, progress records and report.
/// The sealers' time is summed over the [`SEALERS`] threads.
#[derive(Default)]
pub(super) struct Phases {
    pub(super) decode: AtomicU64,
    pub(super) parse: AtomicU64,
    pub(super) seal: AtomicU64,
    pub(super) reader_waiting: AtomicU64,
    pub(super) spill: AtomicU64,
    pub(super) sort: AtomicU64,
    pub(super) write: AtomicU64,
    pub(super) progress: AtomicU64,
    pub(super) report: AtomicU64,
    pub(super) writer_waiting: AtomicU64,
    /// Generations written (a count, not a time).
    pub(super) generations: AtomicU64,
}

impl Phases {
    pub(super) fn add(slot: &AtomicU64, elapsed: std::time::Duration) {
        slot.fetch_add(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    fn seconds(slot: &AtomicU64) -> f64 {
        // Microseconds to seconds: precision far beyond what the log line needs.
        #[allow(clippy::cast_precision_loss)]
        let micros = slot.load(Ordering::Relaxed) as f64;
        micros / 1e6
    }

    pub(super) fn log(&self, import_id: i64, rows: u64) {
        tracing::info!(
            import_id,
            rows,
            decode_s = Self::seconds(&self.decode),
            parse_s = Self::seconds(&self.parse),
            seal_s = Self::seconds(&self.seal),
            sealers = SEALERS,
            reader_waiting_s = Self::seconds(&self.reader_waiting),
            spill_s = Self::seconds(&self.spill),
            sort_s = Self::seconds(&self.sort),
            write_s = Self::seconds(&self.write),
            progress_s = Self::seconds(&self.progress),
            report_s = Self::seconds(&self.report),
            writer_waiting_s = Self::seconds(&self.writer_waiting),
            generations = self.generations.load(Ordering::Relaxed),
            "roster import phases"
        );
    }
}
