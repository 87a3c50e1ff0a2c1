//! Where an import keeps its sealed rows between reading and writing: [`BUCKETS`]
//! temporary files, each holding the rows whose ID blind index falls in one range of
//! keys. Written in file order while the file is read, each bucket is then read back,
//! sorted by blind index and written to the database in that order, so each of the
//! import's transactions touches one narrow range of the `(id_number_bidx, source)` key
//! and of the membership and application indexes its state is read from — instead of
//! pages all over them (at a million entries, the bulk of an import's time).
//!
//! An import of many rows keeps one such set of files per generation (a stretch of the
//! file read while the previous one is written: `super::import`).
//!
//! The files are anonymous (removed by the system when closed or when the process
//! dies) and hold the sealed values only, as the database would.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

use huiji_core::Occupation;
use huiji_store::{NewRosterEntry, Sealed};

use super::RosterError;
use super::read::Accepted;

/// Key ranges (and files): a million rows make buckets of some 15,000 rows — a few
/// megabytes to sort in memory, and ranges of 1/64 of the key for each transaction.
pub(super) const BUCKETS: usize = 64;

/// The bucket of a blind index: its first byte's top six bits (the index is the hex of a
/// uniform HMAC, so the buckets are even; anything else goes to the first).
fn bucket(blind_index: &str) -> usize {
    blind_index.get(..2).and_then(|h| u8::from_str_radix(h, 16).ok()).map_or(0, |b| usize::from(b >> 2))
}

/// A batch's accepted rows encoded bucket by bucket (on the sealing threads), ready to be
/// appended to the files.
pub(super) struct Encoded {
    buckets: Vec<Vec<u8>>,
    /// Rows in each bucket.
    counts: [u64; BUCKETS],
}

impl Encoded {
    /// Encodes `accepted` into their buckets.
    pub(super) fn new(accepted: &[Accepted]) -> Encoded {
        let mut buckets = vec![Vec::new(); BUCKETS];
        let mut counts = [0; BUCKETS];
        for a in accepted {
            let n = bucket(&a.entry.id_number.blind_index);
            if let (Some(out), Some(count)) = (buckets.get_mut(n), counts.get_mut(n)) {
                encode(a, out);
                *count += 1;
            }
        }
        Encoded { buckets, counts }
    }

    /// Rows encoded.
    pub(super) fn rows(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// The files of one import.
pub(super) struct Spill {
    files: Vec<File>,
    /// Rows in each file.
    counts: [u64; BUCKETS],
}

impl Spill {
    /// Makes the import's files (in the system's temporary directory).
    pub(super) fn new() -> Result<Spill, RosterError> {
        let files = (0..BUCKETS).map(|_| tempfile::tempfile()).collect::<Result<_, _>>();
        Ok(Spill { files: files.map_err(RosterError::Report)?, counts: [0; BUCKETS] })
    }

    /// Appends a batch. The writes go to the page cache (a few kilobytes a bucket), so
    /// they are made on the async side rather than handed to a thread.
    pub(super) fn append(&mut self, encoded: &Encoded) -> Result<(), RosterError> {
        for (file, bytes) in self.files.iter_mut().zip(&encoded.buckets) {
            if !bytes.is_empty() {
                file.write_all(bytes).map_err(RosterError::Report)?;
            }
        }
        for (count, added) in self.counts.iter_mut().zip(encoded.counts) {
            *count += added;
        }
        Ok(())
    }

    /// Rows appended so far.
    pub(super) fn rows(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Reading back the buckets `range` (consecutive ones: a range of keys), as work for
    /// another thread (the writer's next range is read and sorted while it writes one):
    /// their rows sorted by blind index; their files are emptied.
    pub(super) fn taker(
        &self,
        range: std::ops::Range<usize>,
    ) -> Result<impl FnOnce() -> Result<Vec<Accepted>, RosterError> + Send + 'static, RosterError> {
        let files = self.files.get(range).unwrap_or_default().iter().map(File::try_clone);
        let files = files.collect::<Result<Vec<_>, _>>().map_err(RosterError::Report)?;
        Ok(move || {
            let mut rows = Vec::new();
            for file in files {
                read_back(file, &mut rows)?;
            }
            rows.sort_unstable_by(|a, b| a.entry.id_number.blind_index.cmp(&b.entry.id_number.blind_index));
            Ok(rows)
        })
    }

    /// The buckets in ranges of consecutive ones of at most `most` rows together (a
    /// bucket of more is a range of its own), empty buckets left out: a small generation
    /// is written in a few transactions, not one per bucket.
    fn ranges(&self, most: u64) -> Vec<std::ops::Range<usize>> {
        let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
        let mut rows = 0;
        for (n, &count) in self.counts.iter().enumerate().filter(|(_, count)| **count > 0) {
            match ranges.last_mut() {
                Some(last) if rows + count <= most => {
                    last.end = n + 1;
                    rows += count;
                }
                _ => {
                    ranges.push(n..n + 1);
                    rows = count;
                }
            }
        }
        ranges
    }
}

/// A bucket's rows from its file, appended to `rows`; the file is emptied.
fn read_back(mut file: File, rows: &mut Vec<Accepted>) -> Result<(), RosterError> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0)).map_err(RosterError::Report)?;
    file.read_to_end(&mut bytes).map_err(RosterError::Report)?;
    file.set_len(0).map_err(RosterError::Report)?;
    let mut input = bytes.as_slice();
    while !input.is_empty() {
        rows.push(decode(&mut input).ok_or_else(|| {
            RosterError::Internal("a roster import's temporary file is damaged".to_owned())
        })?);
    }
    Ok(())
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// An optional value: a flag byte, then the bytes when there are any.
fn put_opt(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        None => out.push(0),
        Some(bytes) => {
            out.push(1);
            put_bytes(out, bytes);
        }
    }
}

fn encode(a: &Accepted, out: &mut Vec<u8>) {
    let e = &a.entry;
    out.extend_from_slice(&a.row.to_le_bytes());
    put_bytes(out, a.mobile_masked.as_bytes());
    put_opt(out, e.name.as_deref().map(str::as_bytes));
    put_bytes(out, &e.id_number.ciphertext);
    put_bytes(out, e.id_number.blind_index.as_bytes());
    put_opt(out, e.mobile.as_ref().map(|m| m.ciphertext.as_slice()));
    put_opt(out, e.mobile.as_ref().map(|m| m.blind_index.as_bytes()));
    let occupation = Occupation::ALL.iter().position(|o| *o == e.occupation).unwrap_or(usize::MAX);
    out.push(u8::try_from(occupation).unwrap_or(u8::MAX));
    put_opt(out, e.region.map(|r| r.to_string()).as_deref().map(str::as_bytes));
    put_opt(out, e.employer_name.as_deref().map(str::as_bytes));
    put_opt(out, e.employer_credit_code.as_deref().map(str::as_bytes));
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = input.split_at_checked(n)?;
    *input = rest;
    Some(head)
}

fn get_bytes(input: &mut &[u8]) -> Option<Vec<u8>> {
    let len = u32::from_le_bytes(take(input, 4)?.try_into().ok()?);
    take(input, usize::try_from(len).ok()?).map(<[u8]>::to_vec)
}

fn get_string(input: &mut &[u8]) -> Option<String> {
    String::from_utf8(get_bytes(input)?).ok()
}

fn get_opt<T>(input: &mut &[u8], get: fn(&mut &[u8]) -> Option<T>) -> Option<Option<T>> {
    match take(input, 1)? {
        [0] => Some(None),
        _ => get(input).map(Some),
    }
}

fn decode(input: &mut &[u8]) -> Option<Accepted> {
    let row = u64::from_le_bytes(take(input, 8)?.try_into().ok()?);
    let mobile_masked = get_string(input)?;
    let name = get_opt(input, get_string)?;
    let id_number = Sealed { ciphertext: get_bytes(input)?, blind_index: get_string(input)? };
    let mobile_ct = get_opt(input, get_bytes)?;
    let mobile_bidx = get_opt(input, get_string)?;
    let mobile = match (mobile_ct, mobile_bidx) {
        (Some(ciphertext), Some(blind_index)) => Some(Sealed { ciphertext, blind_index }),
        _ => None,
    };
    let occupation = *Occupation::ALL.get(usize::from(*take(input, 1)?.first()?))?;
    let region = match get_opt(input, get_string)? {
        Some(code) => Some(code.parse().ok()?),
        None => None,
    };
    let employer_name = get_opt(input, get_string)?;
    let employer_credit_code = get_opt(input, get_string)?;
    Some(Accepted {
        row,
        mobile_masked,
        entry: NewRosterEntry {
            name,
            id_number,
            mobile,
            occupation,
            region,
            employer_name,
            employer_credit_code,
        },
    })
}

/// The key ranges' rows as parts to write, range after range, each range in even parts of
/// at most `most` rows (with 10,000, 15,000 rows are two of 7,500, not 10,000 and 5,000).
/// The next range is read back and sorted on a thread of its own while the parts of one
/// are written.
pub(super) struct Parts<'a> {
    spill: &'a Spill,
    /// The ranges still to read back.
    ranges: std::vec::IntoIter<std::ops::Range<usize>>,
    /// The range being read back ahead.
    ahead: Option<tokio::task::JoinHandle<Result<Vec<Accepted>, RosterError>>>,
    rows: std::vec::IntoIter<Accepted>,
    size: usize,
    most: usize,
}

impl<'a> Parts<'a> {
    pub(super) fn new(spill: &'a Spill, most: usize) -> Parts<'a> {
        let ranges = spill.ranges(u64::try_from(most).unwrap_or(u64::MAX)).into_iter();
        Parts { spill, ranges, ahead: None, rows: Vec::new().into_iter(), size: 1, most }
    }

    /// Starts reading back the next range, unless one is on its way already.
    fn read_ahead(&mut self) -> Result<(), RosterError> {
        if self.ahead.is_none()
            && let Some(range) = self.ranges.next()
        {
            let take = self.spill.taker(range)?;
            self.ahead = Some(tokio::task::spawn_blocking(take));
        }
        Ok(())
    }

    /// The next part; empty once every range is written.
    pub(super) async fn next(&mut self) -> Result<Vec<Accepted>, RosterError> {
        while self.rows.len() == 0 {
            self.read_ahead()?;
            let Some(ahead) = self.ahead.take() else { break };
            let rows =
                ahead.await.map_err(|e| RosterError::Internal(format!("reading a key range: {e}")))??;
            self.read_ahead()?;
            let parts = rows.len().div_ceil(self.most).max(1);
            self.size = rows.len().div_ceil(parts).max(1);
            self.rows = rows.into_iter();
        }
        Ok(self.rows.by_ref().take(self.size).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(row: u64, bidx: &str, full: bool) -> Accepted {
        let sealed = |c: &[u8], b: &str| Sealed { ciphertext: c.to_vec(), blind_index: b.to_owned() };
        Accepted {
            row,
            mobile_masked: if full { "138****8000".to_owned() } else { String::new() },
            entry: NewRosterEntry {
                name: full.then(|| "张三".to_owned()),
                id_number: sealed(&[1, 2, 3], bidx),
                mobile: full.then(|| sealed(&[9; 40], "ab12")),
                occupation: Occupation::ALL[Occupation::ALL.len() - 1],
                region: full.then(|| "340104".parse().unwrap()),
                employer_name: full.then(|| "顺丰".to_owned()),
                employer_credit_code: None,
            },
        }
    }

    #[test]
    fn buckets_come_back_whole_and_sorted_by_blind_index() {
        let rows = [
            accepted(2, "fe01", true),
            accepted(3, "0a99", false),
            accepted(4, "0a10", true),
            accepted(5, "0b55", false),
            accepted(6, "03ff", true),
        ];
        let mut spill = Spill::new().unwrap();
        spill.append(&Encoded::new(&rows[..2])).unwrap();
        spill.append(&Encoded::new(&rows[2..])).unwrap();
        assert_eq!(spill.rows(), 5);
        let one = |n: usize| n..n + 1;
        let middle = spill.taker(one(bucket("0a"))).unwrap()().unwrap();
        assert_eq!(middle.iter().map(|a| a.row).collect::<Vec<_>>(), [4, 3, 5], "by key, not by row");
        assert_eq!(spill.taker(one(0)).unwrap()().unwrap().iter().map(|a| a.row).collect::<Vec<_>>(), [6]);
        let last = spill.taker(one(BUCKETS - 1)).unwrap()().unwrap();
        assert_eq!(last.len(), 1);
        assert_eq!(
            (last[0].row, &last[0].mobile_masked, &last[0].entry),
            (2, &rows[0].mobile_masked, &rows[0].entry)
        );
        assert!(spill.taker(one(bucket("0a"))).unwrap()().unwrap().is_empty(), "taken once");
    }

    #[test]
    fn small_buckets_are_written_together_and_large_ones_alone() {
        let mut spill = Spill::new().unwrap();
        // Buckets 0, 2 and 4 (three rows, one, two) and 63 (four rows).
        let keys = ["00", "01", "02", "08", "10", "11", "fc", "fd", "fe", "ff"];
        let rows: Vec<Accepted> = keys.iter().zip(1..).map(|(key, row)| accepted(row, key, false)).collect();
        spill.append(&Encoded::new(&rows)).unwrap();
        assert_eq!(spill.ranges(4), [0..3, 4..5, 63..64], "empty buckets left out, neighbours joined");
        assert_eq!(spill.ranges(3), [0..1, 2..5, 63..64], "a bucket of more than `most` alone");
        assert_eq!(spill.ranges(100), [std::ops::Range { start: 0, end: BUCKETS }], "one range of them all");
        let together = spill.taker(0..5).unwrap()().unwrap();
        assert_eq!(together.iter().map(|a| a.row).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6], "in key order");
        assert!(Spill::new().unwrap().ranges(10).is_empty());
    }

    #[tokio::test]
    async fn parts_cut_each_range_evenly() {
        let mut spill = Spill::new().unwrap();
        let keys: Vec<String> =
            (0..7).map(|n| format!("0{n}")).chain((0..3).map(|n| format!("f{n}"))).collect();
        let rows: Vec<Accepted> = keys.iter().zip(1..).map(|(key, row)| accepted(row, key, false)).collect();
        spill.append(&Encoded::new(&rows)).unwrap();
        let mut parts = Parts::new(&spill, 4);
        let mut sizes = Vec::new();
        loop {
            let part = parts.next().await.unwrap();
            if part.is_empty() {
                break;
            }
            sizes.push(part.len());
        }
        assert_eq!(sizes, [4, 3, 3], "seven rows of one bucket in two parts, then a range of three");
    }
}
