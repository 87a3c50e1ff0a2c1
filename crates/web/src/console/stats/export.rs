//! `/console/stats/export.xlsx`: every table of the page as a sheet — the filter (union,
//! date, language, when made) in the first row, the table's header in the second, then
//! its rows, numbers as numbers. Only aggregates leave: no personal data, so no reveal.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use huiji_app::stats::figures;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::tables::{Table, tables};
use super::{StatsQuery, web_error};
use crate::console::Officer;
use crate::console::xlsx::XLSX_TYPE;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The most characters Excel allows in a sheet name.
const SHEET_NAME_MAX: usize = 31;

/// The workbook of the tables, each under the filter line.
pub(crate) fn workbook(filter: &str, tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for table in tables {
        let sheet = book.add_worksheet();
        let name: String = table.title.chars().take(SHEET_NAME_MAX).collect();
        sheet.set_name(&name)?;
        sheet.write_string(0, 0, filter)?;
        for (col, title) in (0u16..).zip(&table.header) {
            sheet.write_string_with_format(1, col, title, &bold)?;
        }
        for (line, row) in (2u32..).zip(&table.rows) {
            for (col, cell) in (0u16..).zip(row) {
                match cell.number {
                    // Counts stay far below 2^53: exact as an Excel number.
                    #[allow(clippy::cast_precision_loss)]
                    Some(n) => sheet.write_number(line, col, n as f64)?,
                    None => sheet.write_string(line, col, &cell.text)?,
                };
            }
        }
        sheet.set_freeze_panes(2, 0)?;
    }
    book.save_to_buffer()
}

/// `GET /console/stats/export.xlsx?org=&on=`
pub(super) async fn xlsx(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(query): Query<StatsQuery>,
) -> Result<Response, WebError> {
    let (org, on) = query.parse(&officer)?;
    let f = figures(&state.app, &officer.app_actor(), org, on).await.map_err(web_error)?;
    let date = on.map_or_else(|| lang.t("无", "none").to_owned(), |d| d.to_string());
    let filter = format!(
        "{}: {} (id {}) · {}: {date} · {}: {}",
        lang.t("范围", "Scope"),
        f.org.name,
        f.org.id.0,
        lang.t("某日会员数", "Members on"),
        lang.t("导出日期", "Exported"),
        f.today,
    );
    let shown = tables(lang, &f);
    let body = tokio::task::spawn_blocking(move || workbook(&filter, &shown))
        .await
        .map_err(|e| WebError::Internal(format!("xlsx task: {e}")))?
        .map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
    let name = format!("attachment; filename=\"stats-{}-{}.xlsx\"", f.org.id.0, f.today);
    Ok((
        [
            (header::CONTENT_TYPE, XLSX_TYPE.to_owned()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
