//! The import's report: a CSV (UTF-8 with a BOM, so Excel and WPS open the Chinese
//! correctly) with a line per refused row and column, per duplicate inside the file and
//! per field an import changed on an entry already listed. Values are masked as pages
//! mask them; the file holds no full identifier.
//!
//! Lines come in row order. The refusals and repeats are known as the file is read, the
//! changed fields only when the rows are written — in blind-index order, a generation of
//! the file at a time ([`super::spill`]): the first are kept, rendered, in an anonymous
//! temporary file, the second in memory (three small values a line), and the two are
//! merged by row when the report ends.

use std::fs::File;
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};

use huiji_core::roster::{Rejection, RosterColumn};

/// The report's header line.
const HEADER: &str = "row,column,value,code,reason_zh,reason_en\r\n";

/// Writes report lines in row order (see the module).
pub(super) struct Report {
    out: io::BufWriter<Box<dyn Write + Send>>,
    batch: Vec<Line>,
    /// The refusals and repeats of the batches read so far, rendered, in row order: each
    /// its row (8 bytes, little-endian), its length (4 bytes) and the line.
    held: io::BufWriter<File>,
    /// The fields changed on entries already listed, in the order the rows were written.
    updates: Vec<Update>,
}

/// A field an import changed on an entry already listed: the row, the column, the value
/// masked.
struct Update(u64, RosterColumn, String);

/// One line: the row, then the column's label, the masked value, the code and the
/// reasons.
struct Line {
    row: u64,
    fields: [String; 5],
}

impl Report {
    /// Starts a report: the BOM and the header line.
    pub(super) fn new(out: Box<dyn Write + Send>) -> io::Result<Report> {
        let mut out = io::BufWriter::new(out);
        out.write_all("\u{feff}".as_bytes())?;
        out.write_all(HEADER.as_bytes())?;
        let held = io::BufWriter::new(tempfile::tempfile()?);
        Ok(Report { out, batch: Vec::new(), held, updates: Vec::new() })
    }

    /// One refused column of a row.
    pub(super) fn rejected(&mut self, row: u64, rejection: &Rejection) {
        self.line(
            row,
            rejection.column,
            &rejection.value_masked,
            rejection.code,
            &rejection.message_zh,
            &rejection.message_en,
        )
    }

    /// A row repeating the ID number of an earlier row of the file.
    pub(super) fn duplicate(&mut self, row: u64, first: u64, id_masked: &str) {
        self.line(
            row,
            RosterColumn::IdNumber,
            id_masked,
            "duplicate.in_file",
            &format!("与第{first}行身份证号重复，未重复导入"),
            &format!("Same ID number as row {first}; not imported twice"),
        )
    }

    /// A field of an entry already listed by the source that this row changed.
    pub(super) fn updated(&mut self, row: u64, column: RosterColumn, value_masked: &str) {
        self.updates.push(Update(row, column, value_masked.to_owned()));
    }

    /// The line of an [`Update`].
    fn update_line(Update(row, column, value_masked): &Update) -> Line {
        let (code, zh, en) = match column {
            RosterColumn::Mobile => (
                "updated.mobile",
                "该人员已在本来源花名册中，已更新手机号",
                "Already on this source's roster: mobile updated",
            ),
            _ => (
                "updated.employer",
                "该人员已在本来源花名册中，已更新工作单位",
                "Already on this source's roster: employer updated",
            ),
        };
        Line::new(*row, *column, value_masked, code, zh, en)
    }

    /// Keeps the batch's lines in row order (a row's own lines keep their order); the
    /// batches come in file order.
    pub(super) fn end_batch(&mut self) -> io::Result<()> {
        let mut batch = std::mem::take(&mut self.batch);
        batch.sort_by_key(|line| line.row);
        let mut rendered = Vec::new();
        for line in batch {
            rendered.clear();
            line.render(&mut rendered)?;
            self.held.write_all(&line.row.to_le_bytes())?;
            self.held.write_all(&u32::try_from(rendered.len()).unwrap_or(u32::MAX).to_le_bytes())?;
            self.held.write_all(&rendered)?;
        }
        Ok(())
    }

    /// Writes every line, the held ones and the changed fields merged by row, and
    /// flushes.
    pub(super) fn finish(mut self) -> io::Result<()> {
        self.end_batch()?;
        let mut held = io::BufReader::new(self.held.into_inner().map_err(io::IntoInnerError::into_error)?);
        held.seek(SeekFrom::Start(0))?;
        // Stable: a row's mobile stays before its employer.
        self.updates.sort_by_key(|u| u.0);
        let mut updates = self.updates.iter().peekable();
        let mut line = Vec::new();
        while !held.fill_buf()?.is_empty() {
            let mut head = [0u8; 12];
            held.read_exact(&mut head)?;
            let (row, len) = head.split_at(8);
            let row = u64::from_le_bytes(row.try_into().unwrap_or_default());
            let len = u32::from_le_bytes(len.try_into().unwrap_or_default());
            while let Some(update) = updates.next_if(|u| u.0 < row) {
                Self::update_line(update).render(&mut self.out)?;
            }
            line.resize(usize::try_from(len).unwrap_or(usize::MAX), 0);
            held.read_exact(&mut line)?;
            self.out.write_all(&line)?;
        }
        for update in updates {
            Self::update_line(update).render(&mut self.out)?;
        }
        self.out.flush()
    }

    fn line(&mut self, row: u64, column: RosterColumn, value: &str, code: &str, zh: &str, en: &str) {
        self.batch.push(Line::new(row, column, value, code, zh, en));
    }
}

impl Line {
    fn new(row: u64, column: RosterColumn, value: &str, code: &str, zh: &str, en: &str) -> Line {
        let fields = [column.label_zh(), value, code, zh, en].map(str::to_owned);
        Line { row, fields }
    }

    /// The line as CSV, its line break included.
    fn render(&self, out: &mut impl Write) -> io::Result<()> {
        write!(out, "{},", self.row)?;
        for (i, field) in self.fields.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            write_field(out, field)?;
        }
        out.write_all(b"\r\n")
    }
}

/// One CSV field, quoted when it holds a delimiter, a quote or a line break; a leading
/// `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet never runs it as a formula.
fn write_field(out: &mut impl Write, field: &str) -> io::Result<()> {
    let guarded = field.starts_with(['=', '+', '-', '@']);
    let needs_quotes = guarded || field.contains([',', '"', '\n', '\r']);
    if !needs_quotes {
        return out.write_all(field.as_bytes());
    }
    out.write_all(b"\"")?;
    if guarded {
        out.write_all(b"'")?;
    }
    out.write_all(field.replace('"', "\"\"").as_bytes())?;
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let mut out = Vec::new();
        for field in ["plain", "a,b", "say \"hi\"", "=1+1", "中文"] {
            write_field(&mut out, field).unwrap();
            out.push(b'|');
        }
        assert_eq!(String::from_utf8(out).unwrap(), "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"'=1+1\"|中文|");
    }

    #[test]
    fn changed_fields_known_later_are_merged_in_row_order() {
        let file = tempfile::tempfile().unwrap();
        let mut back = file.try_clone().unwrap();
        let mut report = Report::new(Box::new(file)).unwrap();
        report.duplicate(2, 1, "3401**********0011");
        report.end_batch().unwrap();
        report.duplicate(5, 1, "3401**********0011");
        report.end_batch().unwrap();
        // Written in blind-index order, after every batch was read.
        report.updated(6, RosterColumn::Mobile, "139****9000");
        report.updated(3, RosterColumn::Mobile, "139****9001");
        report.updated(3, RosterColumn::Employer, "京东");
        report.updated(4, RosterColumn::Mobile, "139****9002");
        report.finish().unwrap();
        let mut text = String::new();
        back.seek(SeekFrom::Start(0)).unwrap();
        back.read_to_string(&mut text).unwrap();
        let lines: Vec<(&str, &str)> = text
            .lines()
            .skip(1)
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                (cells[0], cells[3])
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("2", "duplicate.in_file"),
                ("3", "updated.mobile"),
                ("3", "updated.employer"),
                ("4", "updated.mobile"),
                ("5", "duplicate.in_file"),
                ("6", "updated.mobile"),
            ],
            "{text}"
        );
    }
}
