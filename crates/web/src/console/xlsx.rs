//! The console's Excel exports: sheets of text cells only, so nothing in a cell runs.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The XLSX media type.
pub(crate) const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Adds a sheet: a bold, frozen header row, then the rows, every cell a string.
pub(crate) fn add_sheet<R, C>(
    book: &mut Workbook,
    name: &str,
    header: &[&str],
    rows: R,
) -> Result<(), XlsxError>
where
    R: IntoIterator,
    R::Item: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    let bold = Format::new().set_bold();
    for (col, title) in (0u16..).zip(header) {
        sheet.write_string_with_format(0, col, *title, &bold)?;
    }
    for (line, row) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(row) {
            sheet.write_string(line, col, cell.as_ref())?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}
