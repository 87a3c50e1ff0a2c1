//! The member list's rows, as the page shows them and as files: the same filters as the
//! page, the whole result (at most 100,000 rows), the list's masked columns only, as CSV
//! (UTF-8 with a BOM, so Excel reads Chinese) or XLSX.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use huiji_app::members::{self, ExportFormat};
use huiji_store::MembershipRecord;
use rust_xlsxwriter::{Workbook, XlsxError};

use super::search::{Filters, Source, resolve};
use crate::console::Officer;
use crate::console::occupation_label;
use crate::console::xlsx::{XLSX_TYPE, add_sheet};
use crate::http::format::{date, member_number, org_names};
use crate::http::i18n::Lang;
use crate::worker::card::mask_name;
use crate::{WebError, WebState};

/// Members fetched per query.
const BATCH: u32 = 1_000;
/// The most rows one export holds.
const MAX_ROWS: usize = 100_000;

/// One member as lists and exports show them: masked, in words.
pub(super) struct Row {
    pub(super) id: i64,
    pub(super) number: String,
    pub(super) name: String,
    pub(super) occupation: &'static str,
    pub(super) home: String,
    pub(super) status: &'static str,
    pub(super) joined: String,
}

/// The rows of a batch of members, naming their unions once each.
pub(super) async fn rows(
    state: &WebState,
    lang: Lang,
    members: &[MembershipRecord],
) -> Result<Vec<Row>, WebError> {
    let names = org_names(state, members.iter().map(|m| m.home_org_id)).await?;
    Ok(members
        .iter()
        .map(|m| Row {
            id: m.id,
            number: member_number(m.member_number.as_deref()),
            name: mask_name(&m.name),
            occupation: occupation_label(lang, m.occupation),
            home: names.get(&m.home_org_id).cloned().unwrap_or_default(),
            status: lang.label(m.status),
            joined: date(m.joined_at),
        })
        .collect())
}

impl Row {
    /// The exported cells, in the list's order.
    fn cells(&self) -> [&str; 6] {
        [&self.number, &self.name, self.occupation, &self.home, self.status, &self.joined]
    }
}

/// The column titles.
fn header(lang: Lang) -> [&'static str; 6] {
    [
        lang.t("会员号", "Member number"),
        lang.t("姓名", "Name"),
        lang.t("从业类型", "Occupation"),
        lang.t("所在工会", "Home union"),
        lang.t("会籍状态", "Status"),
        lang.t("入会日期", "Joined"),
    ]
}

/// Every row the filters match, newest first, paging through the store by id. The export
/// is in the audit log (by `format`) before any row leaves: masked as it is, it still lists
/// people's union membership.
async fn all_rows(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    filters: &Filters,
    format: ExportFormat,
) -> Result<Vec<Row>, WebError> {
    let mut search = resolve(state, lang, officer, filters, Source::Link, BATCH).await?;
    if !search.problems.is_empty() {
        return Err(WebError::BadRequest(search.problems.join("; ")));
    }
    let mut members = Vec::new();
    loop {
        let batch = state.store.search_members(&search.query).await?;
        let full = batch.len() == BATCH as usize;
        search.query.before_id = batch.last().map(|m| m.id);
        members.extend(batch);
        if !full || members.len() >= MAX_ROWS {
            break;
        }
    }
    members.truncate(MAX_ROWS);
    let scope = search.query.within.clone().unwrap_or_else(|| officer.scope().clone());
    let subject = format!("rows:{} {}", members.len(), search.link_query(filters));
    members::record_export(&state.app, &officer.app_actor(), &scope, format, subject)
        .await
        .map_err(super::refused_by)?;
    rows(state, lang, &members).await
}

/// The download's file name: `members-YYYY-MM-DD.ext`, today in China.
pub(super) fn attachment(state: &WebState, extension: &str) -> String {
    format!("attachment; filename=\"members-{}.{extension}\"", state.app.now().china_date())
}

/// A cell as a spreadsheet will not run it: text starting like a formula gets a quote
/// (union names are typed by officers).
pub(super) fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
}

fn csv_bytes(header: [&str; 6], rows: &[Row]) -> Result<Vec<u8>, csv::Error> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(header)?;
        for row in rows {
            writer.write_record(row.cells().map(inert))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

/// `GET /console/members/export.csv`
pub(super) async fn csv(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(filters): Query<Filters>,
) -> Result<Response, WebError> {
    let rows = all_rows(&state, lang, &officer, &filters, ExportFormat::Csv).await?;
    let body = csv_bytes(header(lang), &rows).map_err(|e| WebError::Internal(format!("csv: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, attachment(&state, "csv")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

fn xlsx_bytes(header: [&str; 6], rows: &[Row], sheet_name: &str) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    add_sheet(&mut workbook, sheet_name, &header, rows.iter().map(Row::cells))?;
    workbook.save_to_buffer()
}

/// `GET /console/members/export.xlsx`
pub(super) async fn xlsx(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(filters): Query<Filters>,
) -> Result<Response, WebError> {
    let rows = all_rows(&state, lang, &officer, &filters, ExportFormat::Xlsx).await?;
    let sheet_name = lang.t("会员", "Members");
    // Building a large workbook is CPU work: keep it off the async workers.
    let body = tokio::task::spawn_blocking(move || xlsx_bytes(header(lang), &rows, sheet_name))
        .await
        .map_err(|e| WebError::Internal(format!("xlsx task: {e}")))?
        .map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX_TYPE.to_owned()),
            (header::CONTENT_DISPOSITION, attachment(&state, "xlsx")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
