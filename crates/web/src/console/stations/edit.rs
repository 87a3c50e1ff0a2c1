//! One station in the console: its details to change, closing and reopening, deleting,
//! its recent visits and the counter button for anonymous visits.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use huiji_app::stations::visits::{self, Visitor};
use huiji_app::stations::{manage, station_for};
use huiji_core::stations::{StationCode, StationId};
use huiji_store::{StationRecord, VisitDay};
use serde::Deserialize;

use super::super::{Act, Empty, Frame, Officer, page};
use super::{StationForm, kinds, refusal, web_error};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Days of visits the page lists.
const VISIT_DAYS: u16 = 14;

#[derive(Template)]
#[template(path = "console/station.html")]
struct StationPage<'a> {
    frame: Frame<'a>,
    id: i64,
    code: String,
    closed: bool,
    owner: String,
    admin: bool,
    visits: Vec<VisitDay>,
    kinds: Vec<(&'static str, &'static str)>,
    form: StationForm,
    error: Option<String>,
}

async fn detail_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    station: &StationRecord,
    form: StationForm,
    error: Option<String>,
) -> Result<Response, WebError> {
    let actor = officer.app_actor();
    let visits = visits::recent(&state.app, &actor, station.id, VISIT_DAYS).await.map_err(web_error)?;
    let owner = state.store.org(station.org).await?.map(|o| o.name).unwrap_or_default();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut response = page(&StationPage {
        frame: Frame { lang, officer, section: "stations" },
        id: station.id.0,
        code: StationCode::of(station.id).to_string(),
        closed: station.closed,
        owner,
        admin: actor.administers(&station.org_path),
        visits,
        kinds: kinds(lang),
        form,
        error,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

async fn visible(state: &WebState, officer: &Officer, id: i64) -> Result<StationRecord, WebError> {
    station_for(&state.app, &officer.app_actor(), StationId(id)).await.map_err(web_error)
}

/// `GET /console/stations/{id}`
pub(super) async fn detail(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let station = visible(&state, &officer, id).await?;
    detail_page(&state, lang, &officer, &station, StationForm::of(&station), None).await
}

/// `POST /console/stations/{id}`: an admin changes the details.
pub(super) async fn update(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<StationForm>,
) -> Result<Response, WebError> {
    let station = visible(&state, &officer, id).await?;
    match manage::update(&state.app, &officer.app_actor(), station.id, &form.cells()).await {
        Ok(()) => Ok(Redirect::to(&format!("/console/stations/{id}")).into_response()),
        Err(error) => match refusal(lang, &error) {
            Some(problem) => detail_page(&state, lang, &officer, &station, form, Some(problem)).await,
            None => Err(web_error(error)),
        },
    }
}

#[derive(Deserialize)]
pub(super) struct ClosedForm {
    /// `1` closes, anything else reopens.
    #[serde(default)]
    closed: String,
}

/// `POST /console/stations/{id}/closed`: an admin closes it temporarily or reopens it.
pub(super) async fn closed(
    State(state): State<WebState>,
    Path(id): Path<i64>,
    Act { officer, form }: Act<ClosedForm>,
) -> Result<Response, WebError> {
    let closed = form.closed == "1";
    manage::set_closed(&state.app, &officer.app_actor(), StationId(id), closed).await.map_err(web_error)?;
    Ok(Redirect::to(&format!("/console/stations/{id}")).into_response())
}

/// `POST /console/stations/{id}/delete`: an admin deletes it and its visit counts.
pub(super) async fn delete(
    State(state): State<WebState>,
    Path(id): Path<i64>,
    Act { officer, form: Empty {} }: Act<Empty>,
) -> Result<Response, WebError> {
    manage::delete(&state.app, &officer.app_actor(), StationId(id)).await.map_err(web_error)?;
    Ok(Redirect::to("/console/stations").into_response())
}

/// `POST /console/stations/{id}/visit`: the staff's counter button (an anonymous visit).
pub(super) async fn visit(
    State(state): State<WebState>,
    Path(id): Path<i64>,
    Act { officer, form: Empty {} }: Act<Empty>,
) -> Result<Response, WebError> {
    visits::record(&state.app, &officer.app_actor(), StationId(id), Visitor::Anonymous)
        .await
        .map_err(web_error)?;
    Ok(Redirect::to(&format!("/console/stations/{id}")).into_response())
}
