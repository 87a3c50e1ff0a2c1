//! How far an import has come, as the writing side sees it.
//!
//! The file is read into key ranges and written range by range (a generation of the
//! file at a time, the writing beside the reading of the next), and the writing is most
//! of the time on SQLite (BENCHMARKS.md, R): a progress of the bytes the reading thread
//! had read would stand at 100 % through most of it — and reach it early, since the
//! reader runs batches ahead of the sealers. So the reading counts as far as the batches
//! the writing side has received, and the writing as the rows committed, from when the
//! file is read (the rows to write are known then).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The share of an import's time its reading takes: a fifth on SQLite, more on
/// PostgreSQL, whose writing runs two parts at once (BENCHMARKS.md, R).
const READ_SHARE: f64 = 0.3;

/// A running import's progress: a handle that stays current while it runs.
#[derive(Clone, Debug, Default)]
pub struct ImportProgress(Arc<Counters>);

#[derive(Debug, Default)]
struct Counters {
    total_bytes: AtomicU64,
    bytes_read: AtomicU64,
    to_write: AtomicU64,
    written: AtomicU64,
}

impl ImportProgress {
    /// The progress of an import of a file of `total_bytes`.
    #[must_use]
    pub fn new(total_bytes: u64) -> ImportProgress {
        let progress = ImportProgress::default();
        progress.0.total_bytes.store(total_bytes, Ordering::Relaxed);
        progress
    }

    /// The file's size.
    #[must_use]
    pub fn total_bytes(&self) -> u64 {
        self.0.total_bytes.load(Ordering::Relaxed)
    }

    /// The file's bytes up to the last batch the writing side received.
    #[must_use]
    pub fn bytes_read(&self) -> u64 {
        self.0.bytes_read.load(Ordering::Relaxed)
    }

    /// Rows written so far.
    #[must_use]
    pub fn written(&self) -> u64 {
        self.0.written.load(Ordering::Relaxed)
    }

    /// Rows to write; 0 while the file is still being read (rows written meanwhile count
    /// from when it is read: the writing starts before the reading ends).
    #[must_use]
    pub fn to_write(&self) -> u64 {
        self.0.to_write.load(Ordering::Relaxed)
    }

    /// A batch ending at byte `bytes` of the file was received.
    pub(super) fn set_bytes_read(&self, bytes: u64) {
        self.0.bytes_read.fetch_max(bytes, Ordering::Relaxed);
    }

    /// The writing starts: `rows` to write.
    pub(super) fn set_to_write(&self, rows: u64) {
        self.0.to_write.store(rows, Ordering::Relaxed);
    }

    /// `rows` more were written (their transaction committed).
    pub(super) fn add_written(&self, rows: u64) {
        self.0.written.fetch_add(rows, Ordering::Relaxed);
    }

    /// The share of the whole import done (0.0–1.0): the reading counts for
    /// [`READ_SHARE`] of it, the writing for the rest.
    #[must_use]
    pub fn overall(&self) -> f64 {
        // Byte and row counts far below 2^52: exact as f64.
        #[allow(clippy::cast_precision_loss)]
        let share =
            |done: u64, total: u64| if total == 0 { 0.0 } else { (done as f64 / total as f64).min(1.0) };
        match self.to_write() {
            0 => READ_SHARE * share(self.bytes_read(), self.total_bytes()),
            total => READ_SHARE + (1.0 - READ_SHARE) * share(self.written(), total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_fills_its_share_then_writing_the_rest() {
        let progress = ImportProgress::new(1_000);
        assert!(progress.overall().abs() < 1e-9, "nothing yet");
        progress.set_bytes_read(500);
        progress.set_bytes_read(400);
        assert!(
            (progress.overall() - 0.15).abs() < 1e-9,
            "half the file read (a late batch never goes back)"
        );
        progress.set_bytes_read(1_000);
        assert!((progress.overall() - READ_SHARE).abs() < 1e-9, "the file read, nothing written");
        progress.set_to_write(2_000);
        assert!((progress.overall() - READ_SHARE).abs() < 1e-9, "the writing begins");
        progress.add_written(1_000);
        assert!((progress.overall() - 0.65).abs() < 1e-9, "half the rows written");
        progress.add_written(1_000);
        assert!((progress.overall() - 1.0).abs() < 1e-9, "done");
        assert_eq!((progress.written(), progress.to_write(), progress.bytes_read()), (2_000, 2_000, 1_000));
    }
}
