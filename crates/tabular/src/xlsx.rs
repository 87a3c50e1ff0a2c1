//! XLSX workbooks through calamine's streaming cell reader
//! (`Xlsx::worksheet_cells_reader`): the worksheet's XML is parsed as it is decompressed,
//! one cell at a time, and grouped here into rows, so the sheet itself is never held in
//! memory (unlike `worksheet_range`, which builds the whole grid).
//!
//! The limit calamine leaves: when a workbook is opened it reads the shared-strings table
//! (`xl/sharedStrings.xml`, every distinct text of the workbook) whole into a
//! `Vec<String>`; upstream reported ~200 MB for a million rows. That table is checked
//! before calamine sees it, and a workbook whose table is larger than
//! [`Limits::max_shared_strings_bytes`](crate::Limits) is refused with an error asking for
//! CSV. Its declared `uniqueCount` (calamine reserves that many strings up front) is
//! checked against the table's size, so a forged count cannot exhaust memory either.

use std::io::{Read, Seek, SeekFrom};

use calamine::{DataRef, Reader, Xlsx, XlsxCellReader};
use huiji_core::CivilDate;

use crate::error::Error;
use crate::progress::{Counting, Progress};
use crate::{Cell, ReadSeek, Row};

/// Excel's widest sheet: 16,384 columns (XFD). A cell further right is damage.
const MAX_COLUMNS: u32 = 16_384;

/// How much of the shared-strings table is read to find its declared count.
const SST_HEAD: u64 = 4096;

/// An opened workbook and the sheet chosen.
pub(crate) struct XlsxSource {
    book: Xlsx<Counting<Box<dyn ReadSeek>>>,
    pub(crate) sheet: String,
    progress: Progress,
}

impl XlsxSource {
    pub(crate) fn open(
        mut reader: Box<dyn ReadSeek>,
        sheet: Option<&str>,
        max_shared_strings_bytes: u64,
        progress: Progress,
    ) -> Result<XlsxSource, Error> {
        check_shared_strings(&mut reader, max_shared_strings_bytes)?;
        reader.seek(SeekFrom::Start(0))?;
        let book: Xlsx<_> = Xlsx::new(Counting::new(reader, progress.clone()))?;
        let names = book.sheet_names();
        let sheet =
            match sheet {
                None => names.first().cloned().ok_or(Error::NoSheets)?,
                Some(name) => names.iter().find(|n| n.as_str() == name).cloned().ok_or_else(|| {
                    Error::SheetNotFound { name: name.to_owned(), available: names.clone() }
                })?,
            };
        Ok(XlsxSource { book, sheet, progress })
    }

    /// The chosen sheet's rows from the top.
    pub(crate) fn rows(&mut self) -> Result<XlsxRows<'_>, Error> {
        let mut cells = self.book.worksheet_cells_reader(&self.sheet)?;
        // The reader must not be asked again once it said the sheet ended, so one cell is
        // always read ahead: `pending` is the first cell of the next row, `None` at the end.
        let pending = cells.next_cell()?;
        Ok(XlsxRows { cells, pending, progress: &self.progress, finished: false })
    }
}

/// Refuses a shared-strings table over the limit, or one declaring more strings than its
/// size can hold.
fn check_shared_strings(reader: &mut Box<dyn ReadSeek>, limit: u64) -> Result<(), Error> {
    let mut zip = zip::ZipArchive::new(reader)?;
    let Some(name) = zip
        .file_names()
        .filter_map(Result::ok)
        .find(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        .map(|n| n.into_owned())
    else {
        return Ok(());
    };
    let entry = zip.by_name(&name)?;
    let bytes = entry.size();
    if bytes > limit {
        return Err(Error::SharedStringsTooLarge { bytes, limit });
    }
    let mut head = Vec::new();
    entry.take(SST_HEAD).read_to_end(&mut head)?;
    // Each string takes at least `<si/>`, 5 bytes.
    match declared_count(&head) {
        Some(count) if count > bytes / 5 => {
            Err(Error::Xlsx(format!("the shared-strings table declares {count} strings in {bytes} bytes")))
        }
        _ => Ok(()),
    }
}

/// The `uniqueCount` attribute of the `<sst>` element, if it is in `head`.
fn declared_count(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let sst = text.find("<sst")?;
    let attr = text[sst..].find("uniqueCount=")? + sst + "uniqueCount=".len();
    let value = text[attr..].trim_start_matches(['"', '\'']);
    let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The rows of a sheet, grouped from the cell stream. Rows with no cells at all are not
/// in the stream; the numbers of the others are the sheet's own (row 1 is Excel's row 1).
pub(crate) struct XlsxRows<'a> {
    cells: XlsxCellReader<'a, Counting<Box<dyn ReadSeek>>>,
    /// The first cell of the next row; `None` once the sheet has ended.
    pending: Option<calamine::Cell<DataRef<'a>>>,
    progress: &'a Progress,
    finished: bool,
}

impl XlsxRows<'_> {
    fn next_row(&mut self) -> Result<Option<Row>, Error> {
        let Some(first) = self.pending.take() else {
            return Ok(None);
        };
        let row = first.get_position().0;
        let mut cells = Vec::new();
        let mut next = Some(first);
        while let Some(cell) = next {
            let (cell_row, column) = cell.get_position();
            if cell_row != row {
                self.pending = Some(cell);
                break;
            }
            if column >= MAX_COLUMNS {
                return Err(Error::Xlsx(format!("row {} has a cell beyond column {MAX_COLUMNS}", row + 1)));
            }
            let column = column as usize;
            if cells.len() <= column {
                cells.resize(column + 1, Cell::Empty);
            }
            cells[column] = convert(cell.get_value());
            next = self.cells.next_cell()?;
        }
        Ok(Some(Row { number: u64::from(row) + 1, cells }))
    }
}

impl Iterator for XlsxRows<'_> {
    type Item = Result<Row, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let next = self.next_row().transpose();
        if !matches!(next, Some(Ok(_))) {
            self.finished = true;
            self.progress.finish();
        }
        next
    }
}

/// One cell as the reader hands it out: texts as text, numbers kept apart (an ID number
/// that Excel turned into 3.40104E+17 must be seen as a number, not as digits), dates as
/// dates.
fn convert(value: &DataRef<'_>) -> Cell {
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) if dt.is_duration() => Cell::Number(dt.as_f64()),
        DataRef::DateTime(dt) => {
            let (year, month, day, hour, minute, second, _) = dt.to_ymd_hms_milli();
            match CivilDate::new(i32::from(year), month, day) {
                Some(date) if (hour, minute, second) == (0, 0, 0) => Cell::Date(date),
                Some(date) => Cell::DateTime { date, seconds: seconds_of_day(hour, minute, second) },
                // Excel's phantom 1900-02-29 is no date.
                None => Cell::Number(dt.as_f64()),
            }
        }
        DataRef::DateTimeIso(text) => iso_date(text).unwrap_or_else(|| Cell::Text(text.clone())),
        DataRef::DurationIso(text) => Cell::Text(text.clone()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn seconds_of_day(hour: u8, minute: u8, second: u8) -> u32 {
    u32::from(hour) * 3600 + u32::from(minute) * 60 + u32::from(second)
}

/// An ISO 8601 date or date-time cell (`t="d"`), e.g. `2024-05-01` or `2024-05-01T08:30:00`.
fn iso_date(text: &str) -> Option<Cell> {
    let date = CivilDate::parse_iso(text.get(..10)?)?;
    let time = text.get(10..).unwrap_or("").trim_start_matches('T');
    let part = |range: std::ops::Range<usize>| time.get(range).and_then(|t| t.parse::<u8>().ok());
    match (part(0..2), part(3..5), part(6..8)) {
        _ if time.is_empty() => Some(Cell::Date(date)),
        (Some(h), Some(m), s) if h < 24 && m < 60 => {
            Some(Cell::DateTime { date, seconds: seconds_of_day(h, m, s.unwrap_or(0).min(59)) })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_declared_string_count_is_found() {
        let head = br#"<?xml version="1.0"?><sst xmlns="x" count="10" uniqueCount="7"><si>"#;
        assert_eq!(declared_count(head), Some(7));
        assert_eq!(declared_count(b"<sst count='3' uniqueCount='2'>"), Some(2));
        assert_eq!(declared_count(b"<sst>"), None);
    }

    #[test]
    fn iso_dates_and_times() {
        let may_day = CivilDate::new(2024, 5, 1).unwrap();
        assert_eq!(iso_date("2024-05-01"), Some(Cell::Date(may_day)));
        assert_eq!(iso_date("2024-05-01T08:30:15"), Some(Cell::DateTime { date: may_day, seconds: 30_615 }));
        assert_eq!(iso_date("2024-13-01"), None);
        assert_eq!(iso_date("08:30"), None);
    }
}
