//! The roster's non-members to reach: a masked list of the subtree (or a union within it),
//! and — for officers holding `pii.reveal`, with a reason — the whole list in full as a
//! CSV for outreach, recorded in the audit log by `app::roster::coverage`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use huiji_app::roster::RosterError;
use huiji_app::roster::coverage::{self, MaskedPerson};
use huiji_core::{OrgId, RegionTable};
use serde::Deserialize;

use super::web_error;
use crate::console::{Frame, Officer, Own, occupation_label, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// A non-member as the page shows one.
struct Row {
    source: String,
    name: String,
    id_number: String,
    mobile: String,
    occupation: &'static str,
    region: String,
    employer: String,
}

fn row(lang: Lang, p: &MaskedPerson) -> Row {
    let regions = RegionTable::national();
    Row {
        source: p.source.clone(),
        name: p.name.clone(),
        id_number: p.id_number.clone(),
        mobile: p.mobile.clone(),
        occupation: occupation_label(lang, p.occupation),
        region: p.region.and_then(|r| regions.name_path(r)).unwrap_or_default().replace(" / ", ""),
        employer: p.employer.clone(),
    }
}

#[derive(Template)]
#[template(path = "console/roster_people.html")]
struct PeoplePage<'a> {
    frame: Frame<'a>,
    org: String,
    rows: Vec<Row>,
    next: Option<i64>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PeopleQuery {
    org: String,
    after: String,
}

async fn people_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    org: &str,
    after: i64,
    error: Option<String>,
) -> Result<Response, WebError> {
    let id = org.parse().ok().map(OrgId);
    let people =
        coverage::non_members(&state.app, &officer.app_actor(), id, after).await.map_err(web_error)?;
    let next = (people.len() == coverage::PAGE as usize).then(|| people.last().map(|p| p.id)).flatten();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut response = page(&PeoplePage {
        frame: Frame { lang, officer, section: "roster" },
        org: id.map(|o| o.0.to_string()).unwrap_or_default(),
        rows: people.iter().map(|p| row(lang, p)).collect(),
        next,
        error,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /console/roster/people[?org=ID][&after=ID]`
pub(super) async fn list(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(query): Query<PeopleQuery>,
) -> Result<Response, WebError> {
    let after = query.after.parse().unwrap_or(0);
    people_page(&state, lang, &officer, &query.org, after, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ExportForm {
    org: String,
    reason: String,
}

/// `POST /console/roster/export`: every non-member in full, as CSV.
pub(super) async fn export(
    State(state): State<WebState>,
    lang: Lang,
    Own { officer, form }: Own<ExportForm>,
) -> Result<Response, WebError> {
    let org = form.org.parse().ok().map(OrgId);
    let people = match coverage::export_non_members(&state.app, &officer.app_actor(), org, &form.reason).await
    {
        Ok(people) => people,
        Err(RosterError::ReasonRequired) => {
            let text =
                lang.t("请填写导出理由（200字以内）", "Give a reason for the export (up to 200 characters)");
            return people_page(&state, lang, &officer, &form.org, 0, Some(text.to_owned())).await;
        }
        Err(error) => return Err(web_error(error)),
    };
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let header = [
            lang.t("来源", "Source"),
            lang.t("姓名", "Name"),
            lang.t("身份证号", "ID number"),
            lang.t("手机号", "Mobile"),
            lang.t("从业类型", "Occupation"),
            lang.t("工作地", "Region"),
            lang.t("工作单位", "Employer"),
        ];
        let csv_error = |e: csv::Error| WebError::Internal(format!("csv: {e}"));
        writer.write_record(header).map_err(csv_error)?;
        for p in &people {
            let r = row(lang, p);
            let cells = [&r.source, &r.name, &r.id_number, &r.mobile, r.occupation, &r.region, &r.employer];
            writer.write_record(cells.map(inert)).map_err(csv_error)?;
        }
        writer.flush().map_err(|e| WebError::Internal(format!("csv: {e}")))?;
    }
    let name = format!("attachment; filename=\"roster-non-members-{}.csv\"", state.app.now().china_date());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        out,
    )
        .into_response())
}

/// A cell a spreadsheet will not run as a formula (sources and employers come from files).
fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
}
