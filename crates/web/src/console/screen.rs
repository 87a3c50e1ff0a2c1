//! The 数据大屏 (`/console/screen`): a full-screen dark display of the subtree's figures
//! for a hall (1920×1080, scaling with the viewport), refreshing itself every 30 s from
//! `/console/screen/data` without reloading. An officer's session shows their own
//! subtree; `?kiosk=TOKEN` (issued and revoked by admins at `/console/screen/tokens`)
//! shows the token's, with no login and nothing to change.

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::stats::screen::{self, ScreenFigures};
use huiji_core::Org;
use huiji_core::stats::{per_mille, percent_text, tiles};
use serde::{Deserialize, Serialize};

use super::stats::{ECHARTS_PATH, web_error};
use super::{Act, Frame, Officer, notice_query, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The screen's stylesheet and script (loaded by the screen only).
const SCREEN_CSS: &str = include_str!("../../static/screen.css");
const SCREEN_JS: &str = include_str!("../../static/screen.js");

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/screen", get(show))
        .route("/console/screen/data", get(data))
        .route("/console/screen/tokens", get(tokens).post(issue))
        .route("/console/screen/tokens/{id}/revoke", post(revoke))
        .route("/static/screen.css", get(|| asset("text/css; charset=utf-8", SCREEN_CSS)))
        .route("/static/screen.js", get(|| asset("text/javascript; charset=utf-8", SCREEN_JS)))
}

async fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ScreenQuery {
    kiosk: String,
}

/// The union the request may show: the kiosk token's, else the officer's own.
async fn union_of(parts: &mut Parts, state: &WebState, query: &ScreenQuery) -> Result<Org, Response> {
    if query.kiosk.is_empty() {
        let officer = Officer::from_request_parts(parts, state).await?;
        Ok(officer.org)
    } else {
        screen::by_token(&state.app, &query.kiosk).await.map_err(|e| web_error(e).into_response())
    }
}

/// A city's square on the screen's tile map.
#[derive(Serialize)]
struct Tile {
    code: &'static str,
    name: &'static str,
    row: u8,
    col: u8,
    members: i64,
    growth: String,
    shade: u8,
}

/// What the screen shows, as the page renders it and the refresh sends it.
#[derive(Serialize)]
struct View {
    title: String,
    held: i64,
    joined_today: i64,
    occupations: Vec<(String, i64)>,
    hours: Vec<i64>,
    pending: i64,
    overdue: i64,
    stations: u64,
    benefits_granted: u64,
    cases_open: i64,
    cases_overdue: i64,
    tiles: Vec<Tile>,
    updated: String,
}

fn view(lang: Lang, f: &ScreenFigures) -> View {
    let growth = |net: i64, held: i64| per_mille(net, held - net);
    let cities: Vec<_> = f.by_child.iter().filter(|c| c.region_code.len() == 4).collect();
    let largest = cities.iter().filter_map(|c| growth(c.net, c.held)).max().unwrap_or(0);
    let tiles = if cities.iter().any(|c| tiles::tile_of(&c.region_code).is_some()) {
        tiles::ANHUI
            .iter()
            .map(|t| {
                let city = cities.iter().find(|c| c.region_code == t.code);
                let g = city.and_then(|c| growth(c.net, c.held));
                Tile {
                    code: t.code,
                    name: lang.t(t.name_zh, t.name_en),
                    row: t.row,
                    col: t.col,
                    members: city.map_or(0, |c| c.held),
                    growth: percent_text(g),
                    shade: g.map_or(0, |g| tiles::shade(g, largest, 5)),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    View {
        title: format!("{} · {}", f.org.name, lang.t("会员数据", "membership")),
        held: f.held,
        joined_today: f.joined_today,
        occupations: f
            .by_occupation
            .iter()
            .map(|(o, n)| (super::occupation_label(lang, *o).to_owned(), *n))
            .collect(),
        hours: f.joins_by_hour.clone(),
        pending: f.pending,
        overdue: f.overdue,
        stations: f.stations,
        benefits_granted: f.benefits_granted,
        cases_open: f.cases_open,
        cases_overdue: f.cases_overdue,
        tiles,
        updated: f.at.china_minute(),
    }
}

#[derive(Template)]
#[template(path = "console/screen.html")]
struct ScreenPage {
    lang: Lang,
    v: View,
    echarts: &'static str,
}

async fn show(
    State(state): State<WebState>,
    lang: Lang,
    Query(query): Query<ScreenQuery>,
    mut parts: Parts,
) -> Result<Response, Response> {
    let org = union_of(&mut parts, &state, &query).await?;
    let f = screen::figures(&state.app, org).await.map_err(|e| web_error(e).into_response())?;
    page(&ScreenPage { lang, v: view(lang, &f), echarts: ECHARTS_PATH }).map_err(IntoResponse::into_response)
}

async fn data(
    State(state): State<WebState>,
    lang: Lang,
    Query(query): Query<ScreenQuery>,
    mut parts: Parts,
) -> Result<Response, Response> {
    let org = union_of(&mut parts, &state, &query).await?;
    let f = screen::figures(&state.app, org).await.map_err(|e| web_error(e).into_response())?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(view(lang, &f))).into_response())
}

/// A token as the admin's list shows it.
struct TokenLine {
    id: i64,
    union: String,
    label: String,
    created_by: String,
    created: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "console/screen_tokens.html")]
struct TokensPage<'a> {
    frame: Frame<'a>,
    tokens: Vec<TokenLine>,
    issued: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NoticeQuery {
    notice: String,
    sig: String,
}

async fn tokens_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    issued: Option<String>,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let list = screen::tokens(&state.app, &officer.app_actor(), officer.org.id).await.map_err(web_error)?;
    let mut tokens = Vec::new();
    for t in list {
        let union = state.store.org(huiji_core::OrgId(t.org_id)).await?.map(|o| o.name).unwrap_or_default();
        tokens.push(TokenLine {
            id: t.id,
            union,
            label: t.label,
            created_by: t.created_by,
            created: huiji_core::Timestamp(t.created_at).china_date().to_string(),
            revoked: t.revoked_at.is_some(),
        });
    }
    page(&TokensPage { frame: Frame { lang, officer, section: "stats" }, tokens, issued, notice })
}

async fn tokens(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let notice = super::signed_notice(&state, query.notice, &query.sig);
    tokens_page(&state, lang, &officer, None, notice).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IssueForm {
    label: String,
}

async fn issue(State(state): State<WebState>, lang: Lang, act: Act<IssueForm>) -> Result<Response, WebError> {
    let issued = screen::issue(&state.app, &act.officer.app_actor(), act.officer.org.id, &act.form.label)
        .await
        .map_err(web_error)?;
    let url =
        format!("{}/console/screen?kiosk={}", state.app.public_url().trim_end_matches('/'), issued.token);
    tokens_page(&state, lang, &act.officer, Some(url), None).await
}

async fn revoke(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    act: Act<super::Empty>,
) -> Result<Response, WebError> {
    screen::revoke(&state.app, &act.officer.app_actor(), id).await.map_err(web_error)?;
    let notice = notice_query(&state, lang.t("已停用", "Revoked"));
    Ok(Redirect::to(&format!("/console/screen/tokens?{notice}")).into_response())
}
