//! Reads the tabular files operators receive — real-name rosters, station lists, question
//! banks, insurers' lists — as CSV or XLSX, streaming, for any import.
//!
//! ```no_run
//! # fn demo() -> Result<(), huiji_tabular::Error> {
//! use huiji_tabular::{HeaderSpec, Table};
//! #[derive(Clone, Copy, PartialEq, Eq)]
//! enum Col { Name, Id }
//! let specs = [
//!     HeaderSpec { column: Col::Name, name: "name", spellings: &["姓名"], required: false },
//!     HeaderSpec { column: Col::Id, name: "id_number", spellings: &["身份证号", "证件号码"], required: true },
//! ];
//! let mut table = Table::open("roster.csv", None)?;
//! let progress = table.progress(); // poll from another thread for a progress bar
//! let mut records = table.records(&specs)?;
//! for record in &mut records {
//!     let record = record?;
//!     let _id = record.get(Col::Id); // a Cell: Text, Number (damaged IDs!), Date, ...
//! }
//! # Ok(()) }
//! ```
//!
//! - CSV: the encoding is detected (BOM, else strict UTF-8, else GB18030 — which covers
//!   GBK), the delimiter sniffed among `,` `;` and tab; quoted fields and CRLF are read;
//!   memory stays at a few buffers whatever the size (a row over 1 MiB is refused).
//! - XLSX: the first sheet or a named one, streamed cell by cell; see the `xlsx` module
//!   notes for the shared-strings table, which calamine holds whole.
//! - Old `.xls` workbooks are refused with a message asking for `.xlsx` or CSV.

mod csv;
mod error;
mod header;
mod progress;
mod text;
mod xlsx;

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use huiji_core::CivilDate;
use huiji_core::spreadsheet::excel_general;

pub use crate::error::Error;
pub use crate::header::{HEADER_SEARCH_ROWS, HeaderMap, HeaderSpec, Record, normalise_header};
pub use crate::progress::Progress;
pub use crate::text::TextEncoding;

/// Anything the reader can read from: a file, or a buffer in tests.
pub trait ReadSeek: Read + Seek + Send {}

impl<T: Read + Seek + Send> ReadSeek for T {}

/// The default ceiling on an XLSX workbook's shared-strings table (uncompressed XML),
/// which calamine loads whole; about 300 MB of memory at most once loaded.
pub const DEFAULT_MAX_SHARED_STRINGS_BYTES: u64 = 128 * 1024 * 1024;

/// One cell's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Nothing (an empty CSV field, an absent XLSX cell).
    Empty,
    /// Text, as written (not trimmed).
    Text(String),
    /// An XLSX number. Kept apart from text: an 18-digit ID number stored as a number has
    /// lost its last digits (Excel keeps 15), and must be reported, never turned back
    /// into digits.
    Number(f64),
    /// An XLSX boolean.
    Bool(bool),
    /// An XLSX date (a date-formatted number, or an ISO date cell) without a time.
    Date(CivilDate),
    /// An XLSX date with a time of day.
    DateTime {
        /// The date.
        date: CivilDate,
        /// Seconds since midnight.
        seconds: u32,
    },
    /// An XLSX error value such as `#N/A`.
    Error(String),
}

impl Cell {
    /// The text of a text cell.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Cell::Text(text) => Some(text),
            _ => None,
        }
    }

    /// Whether the cell holds nothing but whitespace.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }
}

/// How a cell reads in a report: text as is, numbers roughly as Excel's General format
/// shows them (`3.40104E+17` for a damaged ID number), dates as `YYYY-MM-DD`.
impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Empty => Ok(()),
            Cell::Text(text) | Cell::Error(text) => f.write_str(text),
            Cell::Number(n) => f.write_str(&excel_general(*n)),
            Cell::Bool(b) => f.write_str(if *b { "TRUE" } else { "FALSE" }),
            Cell::Date(date) => write!(f, "{date}"),
            Cell::DateTime { date, seconds } => {
                write!(f, "{date} {:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60)
            }
        }
    }
}

/// One row of the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The row's number as a spreadsheet program shows the file (1-based, header rows and
    /// blank lines counted; a quoted field spanning lines is one row), so an operator
    /// can find it.
    pub number: u64,
    /// The cells, left to right (no trailing padding beyond the last cell present).
    pub cells: Vec<Cell>,
}

impl Row {
    /// Whether every cell is blank.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_blank)
    }
}

/// What a file turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// Delimited text.
    Csv {
        /// The detected encoding.
        encoding: TextEncoding,
        /// The sniffed delimiter: `,`, `;` or tab.
        delimiter: u8,
    },
    /// An XLSX workbook.
    Xlsx {
        /// The sheet being read.
        sheet: String,
    },
}

/// Limits that keep a hostile or oversized file from exhausting memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest XLSX shared-strings table (uncompressed bytes) accepted.
    pub max_shared_strings_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_shared_strings_bytes: DEFAULT_MAX_SHARED_STRINGS_BYTES }
    }
}

enum Source {
    Csv(csv::CsvSource),
    Xlsx(Box<xlsx::XlsxSource>),
}

/// An opened tabular file.
pub struct Table {
    source: Source,
    progress: Progress,
}

impl Table {
    /// Opens a file; its kind is told by its first bytes, not its name (a zip archive is
    /// XLSX, an OLE file is an old `.xls`, anything else is delimited text). `sheet`
    /// names the XLSX sheet to read (default: the first); CSV ignores it.
    ///
    /// # Errors
    ///
    /// The file cannot be read, is an `.xls`, is a damaged workbook, lacks the sheet, or
    /// has a shared-strings table over the default limit.
    pub fn open(path: impl AsRef<Path>, sheet: Option<&str>) -> Result<Table, Error> {
        let file = BufReader::with_capacity(64 * 1024, File::open(path)?);
        Table::from_reader(file, sheet, Limits::default())
    }

    /// Opens a file from any seekable reader, with explicit limits.
    ///
    /// # Errors
    ///
    /// As [`Table::open`].
    pub fn from_reader(
        reader: impl ReadSeek + 'static,
        sheet: Option<&str>,
        limits: Limits,
    ) -> Result<Table, Error> {
        let mut reader: Box<dyn ReadSeek> = Box::new(reader);
        let total = reader.seek(SeekFrom::End(0))?;
        reader.seek(SeekFrom::Start(0))?;
        let mut magic = [0u8; 4];
        let n = text::read_up_to(&mut reader, &mut magic)?;
        reader.seek(SeekFrom::Start(0))?;
        let progress = Progress::new(total);
        let source = match &magic[..n] {
            b"PK\x03\x04" => Source::Xlsx(Box::new(xlsx::XlsxSource::open(
                reader,
                sheet,
                limits.max_shared_strings_bytes,
                progress.clone(),
            )?)),
            b"\xD0\xCF\x11\xE0" => return Err(Error::LegacyXls),
            _ => Source::Csv(csv::CsvSource::open(reader, progress.clone())?),
        };
        Ok(Table { source, progress })
    }

    /// What the file is: CSV with its encoding and delimiter, or XLSX with its sheet.
    pub fn format(&self) -> Format {
        match &self.source {
            Source::Csv(csv) => Format::Csv { encoding: csv.encoding, delimiter: csv.delimiter },
            Source::Xlsx(xlsx) => Format::Xlsx { sheet: xlsx.sheet.clone() },
        }
    }

    /// A handle on how far reading has got, for a progress bar (shareable across threads).
    pub fn progress(&self) -> Progress {
        self.progress.clone()
    }

    /// Every row from the top of the file (each call starts over).
    ///
    /// # Errors
    ///
    /// The sheet cannot be opened; errors while reading come with the rows.
    pub fn rows(&mut self) -> Result<Rows<'_>, Error> {
        Ok(Rows(match &mut self.source {
            Source::Csv(csv) => RowsFrom::Csv(csv.rows()?),
            Source::Xlsx(xlsx) => RowsFrom::Xlsx(xlsx.rows()?),
        }))
    }

    /// Finds the header row (see [`HeaderSpec`]) and returns the data rows after it by
    /// logical column; blank rows are skipped.
    ///
    /// # Errors
    ///
    /// [`Error::MissingColumns`] when no row in the first [`HEADER_SEARCH_ROWS`] non-empty
    /// rows names every required column, naming the headers seen; read errors.
    pub fn records<'t, C: Copy + Eq>(
        &'t mut self,
        specs: &[HeaderSpec<'_, C>],
    ) -> Result<Records<'t, C>, Error> {
        let mut rows = self.rows()?;
        let header = header::find_header(&mut rows, specs)?;
        Ok(Records { rows, header })
    }
}

/// The rows of a [`Table`], in file order; an error ends them.
pub struct Rows<'a>(RowsFrom<'a>);

enum RowsFrom<'a> {
    Csv(csv::CsvRows<'a>),
    Xlsx(xlsx::XlsxRows<'a>),
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            RowsFrom::Csv(rows) => rows.next(),
            RowsFrom::Xlsx(rows) => rows.next(),
        }
    }
}

/// The data rows after the header row, by logical column.
pub struct Records<'a, C> {
    rows: Rows<'a>,
    header: HeaderMap<C>,
}

impl<C: Copy + Eq> Records<'_, C> {
    /// Where each column was found (and which headers matched nothing).
    pub fn header(&self) -> &HeaderMap<C> {
        &self.header
    }
}

impl<C: Copy + Eq> Iterator for Records<'_, C> {
    type Item = Result<Record<C>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.rows.next()? {
                Ok(row) if row.is_blank() => continue,
                Ok(row) => return Some(Ok(self.header.record(row))),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
