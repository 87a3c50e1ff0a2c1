//! `/i/{code}`: the personal invite link of a campaign. It opens the join form of the
//! receiving union the join rules picked for the target, region preset, and joins with
//! channel `invite` attributed to the code; nothing personal is shown (the code proves
//! nothing about who holds it). `/i/{code}/unsubscribe` puts the mobile on the
//! suppression list (a confirmation first, so link previews do not unsubscribe anyone).
//! An unknown or expired code is a page that says so, with a way to join anyway.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Form, Router};
use huiji_app::campaign::invite::{self, Invite, InviteError};

use super::{Door, JoinFormData, handle_post, preset_region, render_form};
use crate::http::abuse::Throttled;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The invite routes.
pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/i/{code}", get(form).post(submit))
        .route("/i/{code}/unsubscribe", get(unsubscribe_form).post(unsubscribe))
}

/// What the invite pages say besides the join form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Said {
    Unknown,
    Expired,
    Confirm,
    Unsubscribed,
}

#[derive(Template)]
#[template(path = "worker/invite.html")]
struct InvitePage<'a> {
    lang: Lang,
    said: Said,
    code: &'a str,
}

fn page(lang: Lang, said: Said, code: &str, status: StatusCode) -> Result<Response, WebError> {
    Ok((status, Html(InvitePage { lang, said, code }.render()?)).into_response())
}

/// The invite, or the page that explains why it does not open.
async fn opened(state: &WebState, lang: Lang, code: &str) -> Result<Result<Invite, Response>, WebError> {
    match invite::open(&state.app, code).await {
        Ok(invite) => Ok(Ok(invite)),
        Err(InviteError::Unknown) => Ok(Err(page(lang, Said::Unknown, code, StatusCode::NOT_FOUND)?)),
        Err(InviteError::Expired) => Ok(Err(page(lang, Said::Expired, code, StatusCode::GONE)?)),
        Err(InviteError::Store(error)) => Err(error.into()),
    }
}

async fn form(
    State(state): State<WebState>,
    lang: Lang,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let invite = match opened(&state, lang, &code).await? {
        Ok(invite) => invite,
        Err(answer) => return Ok(answer),
    };
    let mut form = JoinFormData::default();
    if let Some(region) = invite.region.or(invite.union.as_ref().map(|u| u.region)) {
        preset_region(&mut form, region);
    }
    render_form(&state, lang, Door::Invite(&invite), &form, Vec::new(), None, false, StatusCode::OK).await
}

async fn submit(
    State(state): State<WebState>,
    lang: Lang,
    Path(code): Path<String>,
    throttled: Option<Extension<Throttled>>,
    Form(form): Form<JoinFormData>,
) -> Result<Response, WebError> {
    let invite = match opened(&state, lang, &code).await? {
        Ok(invite) => invite,
        Err(answer) => return Ok(answer),
    };
    handle_post(&state, lang, Door::Invite(&invite), form, throttled.map(|Extension(t)| t)).await
}

async fn unsubscribe_form(lang: Lang, Path(code): Path<String>) -> Result<Response, WebError> {
    page(lang, Said::Confirm, &code, StatusCode::OK)
}

async fn unsubscribe(
    State(state): State<WebState>,
    lang: Lang,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    match invite::unsubscribe(&state.app, &code).await {
        Ok(()) => page(lang, Said::Unsubscribed, &code, StatusCode::OK),
        Err(InviteError::Unknown) => page(lang, Said::Unknown, &code, StatusCode::NOT_FOUND),
        Err(InviteError::Expired) => page(lang, Said::Expired, &code, StatusCode::GONE),
        Err(InviteError::Store(error)) => Err(error.into()),
    }
}
