//! `/s/{code}`: one station — what it offers, when it opens, how to get there — with its
//! own QR code (pointing at this page), and `/s/{code}/poster`, the printable A4 poster
//! to hang at the door.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use huiji_app::orgs::qr;
use huiji_app::stations::public_station;
use huiji_core::stations::StationCode;
use huiji_store::StationRecord;

use super::{StationView, app_error};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

async fn station_of(state: &WebState, code: &str) -> Result<(StationRecord, String), WebError> {
    let code = StationCode::parse(code).ok_or(WebError::NotFound)?;
    let station = public_station(&state.app, code).await.map_err(app_error)?;
    let url = format!("{}/s/{code}", state.app.public_url());
    Ok((station, url))
}

#[derive(Template)]
#[template(path = "worker/station.html")]
struct StationPage {
    lang: Lang,
    station: StationView,
    url: String,
    qr_svg: String,
}

/// The station's page.
pub(super) async fn page(
    State(state): State<WebState>,
    lang: Lang,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let (station, url) = station_of(&state, &code).await?;
    let qr_svg = qr::svg(&url, 4).map_err(|e| WebError::Internal(e.to_string()))?;
    let station = StationView::new(lang, &station, None, state.app.now());
    Ok(Html(StationPage { lang, station, url, qr_svg }.render()?).into_response())
}

#[derive(Template)]
#[template(path = "worker/station_poster.html")]
struct PosterPage {
    lang: Lang,
    station: StationView,
    url: String,
    qr_svg: String,
}

/// The station's printable poster.
pub(super) async fn poster(
    State(state): State<WebState>,
    lang: Lang,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let (station, url) = station_of(&state, &code).await?;
    let qr_svg = qr::svg(&url, 10).map_err(|e| WebError::Internal(e.to_string()))?;
    let station = StationView::new(lang, &station, None, state.app.now());
    Ok(Html(PosterPage { lang, station, url, qr_svg }.render()?).into_response())
}
