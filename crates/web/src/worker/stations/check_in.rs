//! Check-in at a station: when a station's staff — an officer (not a viewer) of the
//! station's own union, signed in to the console on the same phone — scan a member card,
//! `/verify/{token}` offers “记录到访” for their stations; the visit is counted by
//! `app::stations::visits`, which checks the card and the officer again.

use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use huiji_app::stations::visits::{self, Counted, Visitor};
use huiji_core::stations::StationId;
use huiji_store::StationQuery;
use serde::Deserialize;

use super::app_error;
use crate::console::{Act, NoticeQuery, Officer, notice_query};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Stations of the officer's subtree looked through for their own union's.
const SCANNED: u32 = 500;

/// What the verify page offers the staff.
pub(crate) struct CheckIn {
    /// The card's token, for the form's address.
    pub(crate) token: String,
    /// The console session's CSRF token, for the form.
    pub(crate) csrf: String,
    /// The stations of the officer's union: id, name.
    pub(crate) stations: Vec<(i64, String)>,
    /// “已记录到访：…” after a visit was recorded (signed, so no link can fake it).
    pub(crate) recorded: Option<String>,
}

/// The check-in offer for the request's console session, if it is a station's staff.
///
/// # Errors
///
/// The store's.
pub(crate) async fn offer(
    state: &WebState,
    parts: &mut Parts,
    token: &str,
) -> Result<Option<CheckIn>, WebError> {
    let Ok(officer) = Officer::of_session(parts, state).await else { return Ok(None) };
    if !officer.role.can_act() {
        return Ok(None);
    }
    let query = StationQuery {
        within: Some(officer.org.path.clone()),
        region: None,
        kind: None,
        open_only: false,
        after: None,
        limit: SCANNED,
    };
    let stations: Vec<(i64, String)> = state
        .store
        .stations(&query)
        .await?
        .into_iter()
        .filter(|s| s.org == officer.org.id)
        .map(|s| (s.id.0, s.name))
        .collect();
    if stations.is_empty() {
        return Ok(None);
    }
    let notice: NoticeQuery =
        serde_html_form::from_str(parts.uri.query().unwrap_or_default()).unwrap_or_default();
    Ok(Some(CheckIn {
        token: token.to_owned(),
        csrf: officer.csrf.clone(),
        stations,
        recorded: notice.verified(state),
    }))
}

#[derive(Deserialize)]
pub(super) struct VisitForm {
    #[serde(default)]
    station: String,
}

/// `POST /verify/{token}/visit`: the staff record the card holder's visit.
pub(super) async fn record(
    State(state): State<WebState>,
    lang: Lang,
    Path(token): Path<String>,
    Act { officer, form }: Act<VisitForm>,
) -> Result<Response, WebError> {
    let id = StationId(form.station.parse().map_err(|_| WebError::BadRequest("station".to_owned()))?);
    let counted = visits::record(&state.app, &officer.app_actor(), id, Visitor::Member(&token))
        .await
        .map_err(|e| match e {
            huiji_app::stations::StationError::Forbidden => WebError::Forbidden,
            other => app_error(other),
        })?;
    let name = state.store.station(id).await?.map(|s| s.name).unwrap_or_default();
    // A card counts once per station and day; a second scan says so rather than failing.
    let notice = match (lang, counted) {
        (Lang::Zh, Counted::Yes) => format!("已记录到访：{name}"),
        (Lang::En, Counted::Yes) => format!("Visit recorded: {name}"),
        (Lang::Zh, Counted::AlreadyToday) => format!("今日已记录过该会员到访：{name}（每人每站每天计一次）"),
        (Lang::En, Counted::AlreadyToday) => {
            format!("Already recorded today: {name} (a member counts once per station per day)")
        }
    };
    Ok(Redirect::to(&format!("/verify/{token}?{}", notice_query(&state, &notice))).into_response())
}
