//! Real-name rosters in the console: the coverage of the officer's subtree (roster size,
//! members, coverage by occupation and by importing union, drill down), the imports with
//! who, when, source and counts — running ones with progress and a cancel button, each
//! with its report to download — and the upload of a new file as a background job
//! (`roster/upload.rs`). The non-members to reach, masked, and their audited export are
//! `roster/people.rs`. Every rule is `app::roster`'s.

mod people;
mod upload;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::roster::{RosterError, coverage, jobs};
use huiji_core::{Occupation, OrgId};
use huiji_store::{RosterImportRecord, RosterImportStatus};
use serde::Deserialize;

use super::{Act, Empty, Frame, NoticeQuery, Officer, notice_query, occupation_label, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Imports the page lists.
const IMPORTS_SHOWN: u32 = 20;

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/roster", get(overview))
        .route("/console/roster/imports/{id}/cancel", post(cancel))
        .route("/console/roster/imports/{id}/report", get(report))
        .route("/console/roster/people", get(people::list))
        .route("/console/roster/export", post(people::export))
}

/// The upload: its body is a whole roster file.
pub(super) fn upload_router() -> Router<WebState> {
    Router::new().route("/console/roster/imports", post(upload::upload))
}

/// A use case's refusal as the console answers it.
fn web_error(error: RosterError) -> WebError {
    match error {
        RosterError::NotFound => WebError::NotFound,
        RosterError::Forbidden => WebError::Forbidden,
        RosterError::Store(e) => e.into(),
        other => WebError::Internal(other.to_string()),
    }
}

/// One group of the coverage table.
struct Group {
    label: String,
    /// The union's id, for drilling down (occupation rows have none).
    org: Option<i64>,
    entries: u64,
    members: u64,
    pending: u64,
    /// Members ÷ entries, in per cent with one decimal.
    coverage: String,
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 { "–".to_owned() } else { format!("{:.1}%", part as f64 * 100.0 / whole as f64) }
}

/// An import as the list shows it.
struct ImportRow {
    id: i64,
    source: String,
    file_name: String,
    actor: String,
    started: String,
    status: &'static str,
    running: bool,
    /// How much of the file is read, while running here.
    progress: Option<String>,
    rows: u64,
    imported: u64,
    duplicates: u64,
    already: u64,
    rejected: u64,
    members: u64,
    not_members: u64,
    has_report: bool,
}

fn status_label(lang: Lang, status: RosterImportStatus) -> &'static str {
    match status {
        RosterImportStatus::Running => lang.t("导入中", "Running"),
        RosterImportStatus::Done => lang.t("已完成", "Done"),
        RosterImportStatus::Cancelled => lang.t("已取消", "Cancelled"),
        RosterImportStatus::Failed => lang.t("失败", "Failed"),
        RosterImportStatus::Interrupted => lang.t("已中断（服务重启）", "Interrupted (the server restarted)"),
    }
}

fn import_row(lang: Lang, record: &RosterImportRecord) -> ImportRow {
    let c = &record.counts;
    ImportRow {
        id: record.id,
        source: record.source.clone(),
        file_name: record.file_name.clone(),
        actor: record.actor.clone(),
        started: record.started_at.china_minute(),
        status: status_label(lang, record.status),
        running: record.status == RosterImportStatus::Running,
        progress: jobs::progress(record.id).map(|f| format!("{:.0}%", f * 100.0)),
        rows: c.rows,
        imported: c.imported,
        duplicates: c.duplicates_in_file,
        already: c.already_on_roster,
        rejected: c.rejected,
        members: c.members,
        not_members: c.not_members,
        has_report: record.report.is_some() && record.status != RosterImportStatus::Running,
    }
}

#[derive(Template)]
#[template(path = "console/roster.html")]
struct RosterPage<'a> {
    frame: Frame<'a>,
    /// The union drilled into, when not the officer's own.
    org: Option<(i64, String)>,
    entries: u64,
    members: u64,
    pending: u64,
    coverage: String,
    by_occupation: Vec<Group>,
    by_org: Vec<Group>,
    imports: Vec<ImportRow>,
    any_running: bool,
    occupations: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OverviewQuery {
    org: String,
    #[serde(flatten)]
    notice: NoticeQuery,
}

/// Renders the overview of `org` (the officer's own subtree without one).
async fn overview_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    org: Option<OrgId>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let actor = officer.app_actor();
    let cover = coverage::coverage(&state.app, &actor, org).await.map_err(web_error)?;
    let drilled = match org {
        Some(id) if id != officer.org.id => Some((id.0, officer.org_in_scope(state, id).await?.name)),
        _ => None,
    };
    let mut by_org = Vec::with_capacity(cover.by_org.len());
    for row in &cover.by_org {
        let name = state.store.org(row.key).await?.map(|o| o.name).unwrap_or_default();
        by_org.push(Group {
            label: name,
            org: Some(row.key.0),
            entries: row.entries,
            members: row.members,
            pending: row.pending,
            coverage: percent(row.members, row.entries),
        });
    }
    let by_occupation = cover
        .by_occupation
        .iter()
        .map(|row| Group {
            label: occupation_label(lang, row.key).to_owned(),
            org: None,
            entries: row.entries,
            members: row.members,
            pending: row.pending,
            coverage: percent(row.members, row.entries),
        })
        .collect();
    let imports: Vec<ImportRow> = coverage::imports(&state.app, &actor, IMPORTS_SHOWN)
        .await
        .map_err(web_error)?
        .iter()
        .map(|r| import_row(lang, r))
        .collect();
    page(&RosterPage {
        frame: Frame { lang, officer, section: "roster" },
        org: drilled,
        entries: cover.entries,
        members: cover.members,
        pending: cover.pending,
        coverage: percent(cover.members, cover.entries),
        by_occupation,
        by_org,
        any_running: imports.iter().any(|i| i.running),
        imports,
        occupations: Occupation::ALL.iter().map(|o| (o.code(), occupation_label(lang, *o))).collect(),
        notice: notice.map(|code| notice_text(lang, &code).to_owned()),
        error,
    })
}

/// A signed notice's words.
fn notice_text(lang: Lang, code: &str) -> &'static str {
    match code {
        "import.started" => lang.t(
            "已开始导入，进度见下方导入记录（刷新页面查看）",
            "The import has started: follow it in the imports below (reload the page)",
        ),
        "import.cancelled" => lang.t("已请求取消导入", "The import is being cancelled"),
        _ => "",
    }
}

/// `GET /console/roster[?org=ID]`
async fn overview(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(query): Query<OverviewQuery>,
) -> Result<Response, WebError> {
    let org = query.org.parse().ok().map(OrgId);
    let notice = query.notice.verified(&state);
    overview_page(&state, lang, &officer, org, notice, None).await
}

/// `POST /console/roster/imports/{id}/cancel`
async fn cancel(
    State(state): State<WebState>,
    Path(id): Path<i64>,
    Act { officer, form: Empty {} }: Act<Empty>,
) -> Result<Response, WebError> {
    jobs::cancel(&state.app, &officer.app_actor(), id).await.map_err(web_error)?;
    let query = notice_query(&state, "import.cancelled");
    Ok(Redirect::to(&format!("/console/roster?{query}")).into_response())
}

/// `GET /console/roster/imports/{id}/report`: the report (masked values only).
async fn report(
    State(state): State<WebState>,
    Path(id): Path<i64>,
    officer: Officer,
) -> Result<Response, WebError> {
    let record = coverage::import_record(&state.app, &officer.app_actor(), id).await.map_err(web_error)?;
    let path =
        record.report.filter(|_| record.status != RosterImportStatus::Running).ok_or(WebError::NotFound)?;
    let body = std::fs::read(&path).map_err(|_| WebError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"roster-import-{id}-report.csv\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
