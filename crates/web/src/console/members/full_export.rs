//! The full export (`POST /console/members/export-full`): the list's filters, a reason
//! and a format; full name, ID number, mobile, work region, union and joining date of
//! every member they match. Only for officers holding `pii.reveal`; the use case
//! (`huiji_app::members::export_full`) checks it, requires the reason and writes the
//! audit record before any row is read. The masked export stays the default.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use huiji_app::members::{self, FullRow, MembersError};
use rust_xlsxwriter::Workbook;
use serde::Deserialize;

use super::export::{attachment, inert};
use super::search::{Filters, Source, resolve};
use crate::console::Own;
use crate::console::xlsx::{XLSX_TYPE, add_sheet};
use crate::http::format::{date, org_names};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The most rows one export holds (as the masked export).
const MAX_ROWS: usize = 100_000;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct FullExportForm {
    /// The list's link query (its filters, identifiers only as blind-index keys).
    query: String,
    /// `csv` or `xlsx`.
    format: String,
    /// Why (required; in the audit log).
    reason: String,
}

fn header(lang: Lang) -> [&'static str; 7] {
    [
        lang.t("会员号", "Member number"),
        lang.t("姓名", "Name"),
        lang.t("身份证号", "ID number"),
        lang.t("手机号", "Mobile"),
        lang.t("工作地区", "Work region"),
        lang.t("所在工会", "Home union"),
        lang.t("入会日期", "Joined"),
    ]
}

/// `POST /console/members/export-full`
pub(super) async fn export_full(
    State(state): State<WebState>,
    lang: Lang,
    Own { officer, form }: Own<FullExportForm>,
) -> Result<Response, WebError> {
    let xlsx = match form.format.as_str() {
        "csv" => false,
        "xlsx" => true,
        _ => return Err(WebError::BadRequest("format must be csv or xlsx".to_owned())),
    };
    let filters: Filters = serde_html_form::from_str(&form.query)
        .map_err(|e| WebError::BadRequest(format!("malformed filters: {e}")))?;
    let search = resolve(&state, lang, &officer, &filters, Source::Link, 1).await?;
    if !search.problems.is_empty() {
        return Err(WebError::BadRequest(search.problems.join("; ")));
    }
    let subject = format!("{}; {}", if xlsx { "xlsx" } else { "csv" }, search.link_query(&filters));
    let exported = members::export_full(
        &state.app,
        &officer.app_actor(),
        search.query,
        &form.reason,
        &subject,
        MAX_ROWS,
    )
    .await;
    let rows = match exported {
        Ok(rows) => rows,
        Err(MembersError::ReasonMissing | MembersError::ReasonTooLong) => {
            let text = lang.t(
                "导出完整信息须填写理由（200字以内）",
                "Give a reason (up to 200 characters) to export full identifiers",
            );
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, text).into_response());
        }
        Err(error) => return Err(super::refused_by(error)),
    };
    let cells = cells(&state, &rows).await?;
    let body = if xlsx {
        let sheet = lang.t("会员完整信息", "Members (full)");
        tokio::task::spawn_blocking(move || {
            let mut book = Workbook::new();
            add_sheet(&mut book, sheet, &header(lang), cells.iter().map(|r| r.iter().map(String::as_str)))?;
            book.save_to_buffer()
        })
        .await
        .map_err(|e| WebError::Internal(format!("xlsx task: {e}")))?
        .map_err(|e| WebError::Internal(format!("xlsx: {e}")))?
    } else {
        csv_bytes(header(lang), &cells).map_err(|e| WebError::Internal(format!("csv: {e}")))?
    };
    let (kind, extension) = if xlsx { (XLSX_TYPE, "xlsx") } else { ("text/csv; charset=utf-8", "csv") };
    let name = attachment(&state, extension).replace("members-", "members-full-");
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// The rows as text cells, unions and regions named.
async fn cells(state: &WebState, rows: &[FullRow]) -> Result<Vec<[String; 7]>, WebError> {
    let names = org_names(state, rows.iter().map(|r| r.record.home_org_id)).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let m = &r.record;
            let region = m
                .region_code
                .parse()
                .ok()
                .and_then(|code| state.app.regions().name_path(code))
                .unwrap_or_else(|| m.region_code.clone());
            [
                crate::http::format::member_number(m.member_number.as_deref()),
                m.name.clone(),
                r.id_number.clone(),
                r.mobile.clone(),
                region,
                names.get(&m.home_org_id).cloned().unwrap_or_default(),
                date(m.joined_at),
            ]
        })
        .collect())
}

fn csv_bytes(header: [&str; 7], rows: &[[String; 7]]) -> Result<Vec<u8>, csv::Error> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(header)?;
        for row in rows {
            writer.write_record(row.iter().map(|c| inert(c)))?;
        }
        writer.flush()?;
    }
    Ok(out)
}
