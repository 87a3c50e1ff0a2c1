//! 一会一码: each receiving union's QR code, as SVG, PNG and a printable A4 poster.

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use huiji_app::orgs::qr;
use huiji_core::{Org, RegionCode};
use serde::Serialize;

use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The QR code and region routes.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/qr/{code}/svg", get(svg))
        .route("/qr/{code}/png", get(png))
        .route("/qr/{code}/poster", get(poster))
        .route("/regions/{code}", get(region_children))
}

async fn receiving_union(state: &WebState, code: &str) -> Result<Org, WebError> {
    huiji_app::joining::receiving_union(&state.app, code).await?.ok_or(WebError::NotFound)
}

async fn svg(State(state): State<WebState>, Path(code): Path<String>) -> Result<Response, WebError> {
    let org = receiving_union(&state, &code).await?;
    let url = state.app.join_url(org.join_code.as_deref().unwrap_or(&code));
    let svg = qr::svg(&url, 8).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

async fn png(State(state): State<WebState>, Path(code): Path<String>) -> Result<Response, WebError> {
    let org = receiving_union(&state, &code).await?;
    let url = state.app.join_url(org.join_code.as_deref().unwrap_or(&code));
    let png = qr::png(&url, 10).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

#[derive(Template)]
#[template(path = "poster.html")]
struct PosterPage {
    lang: Lang,
    org: Org,
    url: String,
    qr_svg: String,
}

async fn poster(
    State(state): State<WebState>,
    lang: Lang,
    Path(code): Path<String>,
) -> Result<Html<String>, WebError> {
    let union = receiving_union(&state, &code).await?;
    let url = state.app.join_url(union.join_code.as_deref().unwrap_or(&code));
    let qr_svg = qr::svg(&url, 10).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Html(PosterPage { lang, org: union, url, qr_svg }.render()?))
}

#[derive(Serialize)]
struct RegionEntry {
    code: String,
    name: &'static str,
}

/// The divisions directly below a code, for the join form's cascading choice.
async fn region_children(
    State(state): State<WebState>,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let code: RegionCode = code.parse().map_err(|_| WebError::NotFound)?;
    state.app.regions().get(code).ok_or(WebError::NotFound)?;
    let children: Vec<RegionEntry> = state
        .app
        .regions()
        .children(code)
        .iter()
        .map(|r| RegionEntry { code: r.code.to_string(), name: r.name })
        .collect();
    Ok(([(header::CACHE_CONTROL, "public, max-age=86400")], Json(children)).into_response())
}
