//! How far through a file the reader is, for a progress bar: bytes of the file read so
//! far against its size. A [`Progress`] is a cheap shared handle, so a background job can
//! poll it from another thread while the reading thread works.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes read so far out of the file's size.
#[derive(Clone, Debug)]
pub struct Progress {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    read: AtomicU64,
    total: u64,
}

impl Progress {
    pub(crate) fn new(total: u64) -> Progress {
        Progress { inner: Arc::new(Inner { read: AtomicU64::new(0), total }) }
    }

    /// Bytes of the file read so far, never more than [`Progress::total_bytes`]. For XLSX
    /// these are compressed bytes, including the shared strings read when the workbook
    /// was opened.
    pub fn bytes_read(&self) -> u64 {
        self.inner.read.load(Ordering::Relaxed).min(self.inner.total)
    }

    /// The file's size in bytes.
    pub fn total_bytes(&self) -> u64 {
        self.inner.total
    }

    /// The share read, from 0.0 to 1.0 (1.0 for an empty file).
    pub fn fraction(&self) -> f64 {
        match self.inner.total {
            0 => 1.0,
            total => self.bytes_read() as f64 / total as f64,
        }
    }

    pub(crate) fn add(&self, bytes: u64) {
        self.inner.read.fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn set(&self, bytes: u64) {
        self.inner.read.store(bytes, Ordering::Relaxed);
    }

    /// Marks the whole file read: the last rows are out, whatever bytes (other sheets,
    /// the zip's directory) were never needed.
    pub(crate) fn finish(&self) {
        self.set(self.inner.total);
    }
}

/// A reader that reports every byte it reads to a [`Progress`].
#[derive(Debug)]
pub(crate) struct Counting<R> {
    inner: R,
    progress: Progress,
}

impl<R> Counting<R> {
    pub(crate) fn new(inner: R, progress: Progress) -> Counting<R> {
        Counting { inner, progress }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.add(n as u64);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}
