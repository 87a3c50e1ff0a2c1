//! The import's report: a CSV (UTF-8 with a BOM, so Excel and WPS open the Chinese
//! correctly) with a line per refused row and column, per duplicate inside the file and
//! per field an import changed on an entry already listed. Values are masked as pages
//! mask them; the file holds no full identifier.

use std::io::{self, Write};

use huiji_core::roster::{Rejection, RosterColumn};

/// The report's header line.
const HEADER: &str = "row,column,value,code,reason_zh,reason_en\r\n";

/// Writes report lines, a batch of rows at a time in row order.
pub(super) struct Report {
    out: io::BufWriter<Box<dyn Write + Send>>,
    batch: Vec<Line>,
}

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
        Ok(Report { out, batch: Vec::new() })
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
        self.line(row, column, value_masked, code, zh, en)
    }

    /// Writes the batch's lines in row order (a row's own lines keep their order).
    pub(super) fn end_batch(&mut self) -> io::Result<()> {
        let mut batch = std::mem::take(&mut self.batch);
        batch.sort_by_key(|line| line.row);
        for line in batch {
            write!(self.out, "{},", line.row)?;
            for (i, field) in line.fields.iter().enumerate() {
                if i > 0 {
                    self.out.write_all(b",")?;
                }
                write_field(&mut self.out, field)?;
            }
            self.out.write_all(b"\r\n")?;
        }
        Ok(())
    }

    /// Writes what is left and flushes.
    pub(super) fn finish(mut self) -> io::Result<()> {
        self.end_batch()?;
        self.out.flush()
    }

    fn line(&mut self, row: u64, column: RosterColumn, value: &str, code: &str, zh: &str, en: &str) {
        let fields = [column.label_zh(), value, code, zh, en].map(str::to_owned);
        self.batch.push(Line { row, fields });
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
}
