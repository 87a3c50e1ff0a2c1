//! An import's progress past the reading of its file.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How far an import's second stage has come: the file is read whole into key ranges
/// first, then written range by range, and the writing is most of the time on SQLite
/// (BENCHMARKS.md, R) — a progress of the bytes read alone stood at 100 % through it.
#[derive(Clone, Debug, Default)]
pub struct WriteProgress(Arc<(AtomicU64, AtomicU64)>);

impl WriteProgress {
    /// Rows written so far.
    pub fn written(&self) -> u64 {
        self.0.0.load(Ordering::Relaxed)
    }

    /// Rows to write; 0 while the file is still being read.
    pub fn to_write(&self) -> u64 {
        self.0.1.load(Ordering::Relaxed)
    }

    /// The writing starts: `rows` to write.
    pub(super) fn set_to_write(&self, rows: u64) {
        self.0.1.store(rows, Ordering::Relaxed);
    }

    /// `rows` more were written (their transaction committed).
    pub(super) fn add_written(&self, rows: u64) {
        self.0.0.fetch_add(rows, Ordering::Relaxed);
    }

    /// The share of the whole import done (0.0–1.0), from the share of the file read: the
    /// reading counts for [`READ_SHARE`] of it, the writing for the rest.
    pub fn overall(&self, read: f64) -> f64 {
        match self.to_write() {
            0 => read.clamp(0.0, 1.0) * READ_SHARE,
            // Row counts far below 2^52: exact as f64.
            #[allow(clippy::cast_precision_loss)]
            total => READ_SHARE + (1.0 - READ_SHARE) * (self.written() as f64 / total as f64).min(1.0),
        }
    }
}

/// The share of an import's time its reading takes: a fifth on SQLite, more on
/// PostgreSQL, whose writing runs two parts at once (BENCHMARKS.md, R).
const READ_SHARE: f64 = 0.3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_fills_its_share_then_writing_the_rest() {
        let progress = WriteProgress::default();
        assert!((progress.overall(0.5) - 0.15).abs() < 1e-9, "half the file read");
        assert!((progress.overall(1.0) - READ_SHARE).abs() < 1e-9, "the file read, nothing written");
        progress.set_to_write(1_000);
        assert!((progress.overall(1.0) - READ_SHARE).abs() < 1e-9, "the writing begins");
        progress.add_written(500);
        assert!((progress.overall(1.0) - 0.65).abs() < 1e-9, "half the rows written");
        progress.add_written(500);
        assert!((progress.overall(1.0) - 1.0).abs() < 1e-9, "done");
        assert_eq!((progress.written(), progress.to_write()), (1_000, 1_000));
    }
}
