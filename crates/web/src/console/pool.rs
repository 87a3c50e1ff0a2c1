//! The turnover pool (周转池): members who joined before a union near them was known
//! (先入会再分流) wait in their city's pool until an officer distributes (分流) them to a
//! township, community or industry union of the officer's subtree.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::pool::{self, PoolError};
use huiji_core::{Org, OrgId, OrgKindCode, OrgPath, RegionCode, RegionLevel};
use huiji_store::{MemberQuery, MembershipRecord, OrgFilter};
use serde::Deserialize;

use super::occupation_label;
use super::{Act, Frame, Officer, page};
use crate::http::format::{date, org_names};
use crate::http::i18n::Lang;
use crate::worker::card::mask_name;
use crate::{WebError, WebState};

/// Members per page.
const PAGE: u32 = 50;

/// Most unions a target select offers; a province officer narrows by region instead of
/// scrolling through thousands.
pub(super) const TARGET_CAP: usize = 300;

/// The pool's routes.
pub(super) fn router() -> Router<WebState> {
    Router::new().route("/console/pool", get(list)).route("/console/pool/distribute", post(distribute))
}

/// A union an officer may pick in a select.
pub(super) struct Target {
    /// Its id (the option's value).
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// Unions of the subtree that may receive pool members, narrowed to a region when given:
/// for a county, its unions plus its city's city-level industry federations. At most
/// [`TARGET_CAP`].
pub(super) async fn targets(
    state: &WebState,
    scope: &OrgPath,
    region: Option<RegionCode>,
) -> Result<Vec<Target>, WebError> {
    let filter = |region: Option<RegionCode>, kind: OrgKindCode| OrgFilter {
        within: Some(scope.clone()),
        region,
        kind: Some(kind),
        limit: Some(u32::try_from(TARGET_CAP).unwrap_or(u32::MAX)),
        ..OrgFilter::default()
    };
    let mut filters = Vec::new();
    if let Some(city) = region.filter(|r| r.level() == RegionLevel::County).and_then(|r| r.parent()) {
        filters.push(OrgFilter {
            level: Some(huiji_core::Level::City),
            ..filter(Some(city), OrgKindCode::IndustryFederation)
        });
    }
    for kind in [OrgKindCode::IndustryFederation, OrgKindCode::Township, OrgKindCode::Community] {
        filters.push(filter(region, kind));
    }
    let mut targets = Vec::new();
    for filter in filters {
        if targets.len() >= TARGET_CAP {
            break;
        }
        let orgs = state.store.orgs(&filter).await?;
        targets.extend(
            orgs.into_iter()
                .filter(Org::receives_pool_members)
                .map(|o| Target { id: o.id.0, name: o.name })
                .take(TARGET_CAP - targets.len()),
        );
    }
    Ok(targets)
}

/// The county-level divisions an officer may narrow a target list to (empty when the
/// officer's region has none below it worth choosing between).
pub(super) fn region_choices(state: &WebState, officer: &Officer) -> Vec<(String, String)> {
    let choices: Vec<(String, String)> = state
        .app
        .regions()
        .descendants_at(officer.org.region, RegionLevel::County)
        .filter(|r| !r.is_placeholder())
        .map(|r| {
            (r.code.to_string(), state.app.regions().name_path(r.code).unwrap_or_else(|| r.name.to_owned()))
        })
        .collect();
    if choices.len() > 1 { choices } else { Vec::new() }
}

struct Row {
    id: i64,
    name: String,
    occupation: &'static str,
    region: String,
    pool: String,
    joined: String,
}

#[derive(Template)]
#[template(path = "console/pool.html")]
struct PoolPage<'a> {
    frame: Frame<'a>,
    rows: Vec<Row>,
    next: Option<String>,
    targets: Vec<Target>,
    capped: bool,
    regions: Vec<(String, String)>,
    region: String,
    before: String,
    notice: Option<String>,
    error: Option<&'a str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PoolParams {
    before: String,
    /// Absent: the first member's county; empty: every region.
    region: Option<String>,
    notice: String,
    sig: String,
}

async fn list(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(params): Query<PoolParams>,
) -> Result<Response, WebError> {
    render(&state, lang, &officer, params, None).await
}

async fn render(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    params: PoolParams,
    error: Option<&str>,
) -> Result<Response, WebError> {
    let query = MemberQuery {
        within: Some(officer.scope().clone()),
        in_pool: true,
        before_id: params.before.parse().ok(),
        limit: PAGE,
        ..MemberQuery::default()
    };
    let members = state.store.search_members(&query).await?;
    let next = (members.len() == PAGE as usize).then(|| members.last().map(|m| m.id.to_string())).flatten();
    // A pool keeps only members who still hold their membership worth distributing.
    let members: Vec<MembershipRecord> = members.into_iter().filter(|m| m.status.is_held()).collect();
    let region = match params.region {
        Some(region) => region.parse::<RegionCode>().ok(),
        None => members.first().and_then(|m| m.region_code.parse().ok()),
    };
    let targets = targets(state, officer.scope(), region).await?;
    let names = org_names(state, members.iter().map(|m| m.home_org_id)).await?;
    let rows = members
        .iter()
        .map(|m| Row {
            id: m.id,
            name: mask_name(&m.name),
            occupation: occupation_label(lang, m.occupation),
            region: m
                .region_code
                .parse()
                .ok()
                .and_then(|code| state.app.regions().name_path(code))
                .unwrap_or_else(|| m.region_code.clone()),
            pool: names.get(&m.home_org_id).cloned().unwrap_or_default(),
            joined: date(m.joined_at),
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let notice = super::signed_notice(state, params.notice, &params.sig);
    let response = page(&PoolPage {
        frame: Frame { lang, officer, section: "pool" },
        rows,
        next,
        capped: targets.len() >= TARGET_CAP,
        targets,
        regions: region_choices(state, officer),
        region: region.map(|r| r.to_string()).unwrap_or_default(),
        before: params.before,
        notice,
        error,
    })?;
    Ok((status, response).into_response())
}

#[derive(Deserialize)]
struct DistributeForm {
    #[serde(default)]
    ids: Vec<i64>,
    #[serde(default)]
    to: String,
}

async fn distribute(
    State(state): State<WebState>,
    lang: Lang,
    Act { officer, form }: Act<DistributeForm>,
) -> Result<Response, WebError> {
    let Ok(to) = form.to.trim().parse::<i64>() else {
        let message = lang.t("请选择目标工会", "Choose a union to distribute to");
        return render(&state, lang, &officer, PoolParams::default(), Some(message)).await;
    };
    let done = match pool::distribute(&state.app, &officer.app_actor(), &form.ids, OrgId(to)).await {
        Ok(done) => done,
        Err(PoolError::NotReceiving) => {
            let message = lang.t(
                "只能分流到乡镇（街道）、村（社区）工会或行业工会联合会",
                "Pool members go to a township, community or industry union",
            );
            return render(&state, lang, &officer, PoolParams::default(), Some(message)).await;
        }
        Err(PoolError::NotFound) => return Err(WebError::NotFound),
        Err(PoolError::Forbidden) => return Err(WebError::Forbidden),
        Err(PoolError::Store(error)) => return Err(error.into()),
    };
    let (distributed, skipped) = (done.moved, done.skipped);
    let notice = format!(
        "{} {distributed} · {} {skipped}",
        lang.t("已分流", "Distributed"),
        lang.t("未处理", "Skipped")
    );
    Ok(Redirect::to(&format!("/console/pool?{}", super::notice_query(&state, &notice))).into_response())
}
