//! Statistics in the console (`/console/stats`): the figures of a union of the officer's
//! subtree (their own by default; `?org=` drills down, `?on=YYYY-MM-DD` adds members on
//! that date), every table as an ECharts chart and in an XLSX export
//! (`/console/stats/export.xlsx`, the filter in a header row), each figure's definition
//! on the page, and membership targets admins set (`POST /console/stats/targets`).
//! ECharts (vendored, `web/static/vendor/`) is served here and loaded on this page only.

mod export;
mod panels;
mod tables;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::stats::targets::{self, Progress};
use huiji_app::stats::{Figures, StatsError, figures};
use huiji_core::stats::{per_mille, percent_text};
use huiji_core::{CivilDate, Occupation, OrgId};
use serde::Deserialize;

use super::{Act, Frame, Officer, notice_query, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};
use tables::{Table, TileCell};

/// The vendored ECharts build (npm `echarts` 6.1.0, `dist/echarts.simple.min.js`,
/// Apache-2.0; see `web/static/vendor/README.md`). The version is in the path, so it is
/// cached for a year.
const ECHARTS_JS: &str = include_str!("../../static/vendor/echarts-6.1.0.simple.min.js");
/// Where pages load ECharts from.
pub(super) const ECHARTS_PATH: &str = "/static/echarts-6.1.0.min.js";
/// Draws the page's tables as charts.
const STATS_JS: &str = include_str!("../../static/stats.js");
/// The charts', tile map's and definitions' styles.
const STATS_CSS: &str = include_str!("../../static/stats.css");

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/stats", get(show))
        .route("/console/stats/export.xlsx", get(export::xlsx))
        .route("/console/stats/targets", post(set_target))
        .route(ECHARTS_PATH, get(|| immutable("text/javascript; charset=utf-8", ECHARTS_JS)))
        .route("/static/stats.js", get(|| asset("text/javascript; charset=utf-8", STATS_JS)))
        .route("/static/stats.css", get(|| asset("text/css; charset=utf-8", STATS_CSS)))
}

/// A versioned asset: cached for a year, never revalidated.
async fn immutable(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
}

/// An unversioned asset, like the site's others.
async fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body)
}

/// A use case's refusal as the console answers it.
pub(super) fn web_error(error: StatsError) -> WebError {
    match error {
        StatsError::NotFound => WebError::NotFound,
        StatsError::Forbidden => WebError::Forbidden,
        StatsError::InvalidTarget => WebError::BadRequest("invalid target".to_owned()),
        StatsError::InvalidLabel => WebError::BadRequest("label: 1 to 60 characters".to_owned()),
        StatsError::Internal(e) => WebError::Internal(e),
        StatsError::Store(e) => e.into(),
    }
}

/// The page's filter: which union, and members on which date.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct StatsQuery {
    org: String,
    on: String,
    notice: String,
    sig: String,
}

impl StatsQuery {
    /// The union asked for (the officer's own by default) and the date, if any.
    fn parse(&self, officer: &Officer) -> Result<(OrgId, Option<CivilDate>), WebError> {
        let org = match self.org.trim() {
            "" => officer.org.id,
            text => OrgId(text.parse().map_err(|_| WebError::NotFound)?),
        };
        let on = match self.on.trim() {
            "" => None,
            text => Some(
                CivilDate::parse_iso(text)
                    .ok_or_else(|| WebError::BadRequest("on: a date YYYY-MM-DD".to_owned()))?,
            ),
        };
        Ok((org, on))
    }
}

/// A target as the page lists it.
struct TargetLine {
    union: String,
    occupation: String,
    members: i64,
    now: i64,
    progress: String,
}

#[derive(Template)]
#[template(path = "console/stats.html")]
struct StatsPage<'a> {
    frame: Frame<'a>,
    f: &'a Figures,
    tables: Vec<Table>,
    tiles: Vec<TileCell>,
    on: String,
    export: String,
    parent: Option<i64>,
    year: i32,
    targets: Vec<TargetLine>,
    occupations: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
}

/// The filter as a query string (for the export link), without the language.
fn filter_query(org: OrgId, on: Option<CivilDate>) -> String {
    let on = on.map(|d| d.to_string()).unwrap_or_default();
    serde_html_form::to_string([("org", org.0.to_string()), ("on", on)]).unwrap_or_default()
}

async fn show(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(query): Query<StatsQuery>,
) -> Result<Response, WebError> {
    let (org, on) = query.parse(&officer)?;
    let actor = officer.app_actor();
    let f = figures(&state.app, &actor, org, on).await.map_err(web_error)?;
    let year = f.today.year();
    let targets = targets::progress(&state.app, &actor, org, year).await.map_err(web_error)?;
    let targets = targets
        .into_iter()
        .map(|Progress { target, members }| TargetLine {
            union: target.org_name,
            occupation: target.occupation.map_or_else(
                || lang.t("全部职业", "All occupations").to_owned(),
                |o| super::occupation_label(lang, o).to_owned(),
            ),
            members: target.members,
            now: members,
            progress: percent_text(per_mille(members, target.members)),
        })
        .collect();
    let parent = f.org.parent.filter(|_| f.org.id != officer.org.id).map(|p| p.0);
    let notice = super::signed_notice(&state, query.notice.clone(), &query.sig);
    let template = StatsPage {
        frame: Frame { lang, officer: &officer, section: "stats" },
        tables: tables::tables(lang, &f),
        tiles: tables::tile_map(lang, &f),
        on: on.map(|d| d.to_string()).unwrap_or_default(),
        export: filter_query(org, on),
        parent,
        year,
        targets,
        occupations: Occupation::ALL.iter().map(|o| (o.code(), super::occupation_label(lang, *o))).collect(),
        notice,
        f: &f,
    };
    page(&template)
}

/// The target form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TargetForm {
    org: String,
    occupation: String,
    year: String,
    members: String,
}

async fn set_target(
    State(state): State<WebState>,
    lang: Lang,
    act: Act<TargetForm>,
) -> Result<Response, WebError> {
    let form = &act.form;
    let bad = || WebError::BadRequest("target: org, year and members are numbers".to_owned());
    let org = match form.org.trim() {
        "" => act.officer.org.id,
        text => OrgId(text.parse().map_err(|_| bad())?),
    };
    let occupation = match form.occupation.trim() {
        "" => None,
        code => Some(code.parse::<Occupation>().map_err(|_| bad())?),
    };
    let year: i32 = form.year.trim().parse().map_err(|_| bad())?;
    let members: i64 = form.members.trim().replace([',', '，'], "").parse().map_err(|_| bad())?;
    targets::set(&state.app, &act.officer.app_actor(), org, occupation, year, members)
        .await
        .map_err(web_error)?;
    let notice = notice_query(&state, lang.t("目标已保存", "Target saved"));
    Ok(Redirect::to(&format!("/console/stats?org={}&{notice}", org.0)).into_response())
}
