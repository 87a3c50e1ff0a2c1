//! The member's side of transfers (接转), after the SMS check on `/status`: asking to move
//! a held membership to the union behind a join code (that union then decides), and
//! agreeing to or refusing a union's request to take it over (agreeing moves it).
//!
//! `/status` keeps no session, so the result page hands each held membership a signed,
//! short-lived token that stands for the SMS proof.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use huiji_core::joining::receives_applications;
use huiji_core::{Timestamp, TransferStatus};
use huiji_store::{Conflict, StoreError};
use serde::Deserialize;

use super::page::{Done, TransferStep, org_name, transfer_page};
use crate::http::i18n::Lang;
use crate::worker::joining::WorkerText;
use crate::{WebError, WebState};

/// How long the SMS proof behind a transfer token lasts.
const TOKEN_MS: i64 = 15 * 60 * 1000;

/// Longest reason a member may give.
const REASON_CHARS: usize = 200;

fn payload(membership_id: i64, expires_ms: i64) -> String {
    format!("transfer:{membership_id}:{expires_ms}")
}

/// `{membership_id}.{expires_ms}.{signature}`: proof that the owner of the membership's
/// mobile verified it with an SMS code, valid for 15 minutes from `now`.
pub(super) fn token(state: &WebState, membership_id: i64, now: Timestamp) -> String {
    let expires = now.millis() + TOKEN_MS;
    let signature = state.app.keys().card_signature(&payload(membership_id, expires)).to_hex();
    format!("{membership_id}.{expires}.{signature}")
}

/// The membership a genuine, unexpired token stands for.
fn verify_token(state: &WebState, token: &str) -> Option<i64> {
    let mut parts = token.splitn(3, '.');
    let membership_id: i64 = parts.next()?.parse().ok()?;
    let expires: i64 = parts.next()?.parse().ok()?;
    let signature = parts.next()?;
    let genuine = state.app.keys().verify_card_signature(&payload(membership_id, expires), signature);
    (genuine && state.app.now().millis() <= expires).then_some(membership_id)
}

/// A step that went wrong; `token` keeps the form when trying again makes sense.
fn failed(token: String, error: &'static str) -> TransferStep {
    TransferStep { token, error: Some(error), done: None }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RequestForm {
    token: String,
    join_code: String,
    reason: String,
}

/// A verified member asks to move their membership to the union behind a join code.
pub(super) async fn request(
    State(state): State<WebState>,
    lang: Lang,
    Form(form): Form<RequestForm>,
) -> Result<Response, WebError> {
    let t = WorkerText::of(lang);
    let render = |status, step| transfer_page(lang, status, step);
    let again = |error: &'static str| failed(form.token.clone(), error);
    let Some(membership_id) = verify_token(&state, &form.token) else {
        return render(StatusCode::FORBIDDEN, failed(String::new(), t.transfer_bad_token));
    };
    let code = form.join_code.trim().to_ascii_uppercase();
    let target = if code.is_empty() {
        None
    } else {
        state.store.org_by_join_code(&code).await?.filter(receives_applications)
    };
    let Some(target) = target else {
        return render(StatusCode::UNPROCESSABLE_ENTITY, again(t.transfer_unknown_code));
    };
    let membership = state.store.membership(membership_id).await?;
    let Some(membership) = membership.filter(|m| m.status().is_some_and(|s| s.is_held())) else {
        return render(StatusCode::UNPROCESSABLE_ENTITY, again(t.transfer_not_possible));
    };
    if membership.home_org_id == target.id.0 {
        return render(StatusCode::UNPROCESSABLE_ENTITY, again(t.transfer_same_union));
    }
    let reason: String = form.reason.trim().chars().take(REASON_CHARS).collect();
    let now = state.app.now();
    match state.store.request_transfer(membership.id, target.id, "member", &reason, now).await {
        Ok(_) => {
            let done = Done { title: t.transfer_done_title, body: t.transfer_done_body, union: target.name };
            render(StatusCode::OK, TransferStep { token: String::new(), error: None, done: Some(done) })
        }
        Err(StoreError::Conflict(Conflict::TransferOpen)) => {
            render(StatusCode::CONFLICT, again(t.transfer_open))
        }
        Err(StoreError::NotFound(_)) => {
            render(StatusCode::UNPROCESSABLE_ENTITY, again(t.transfer_not_possible))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AnswerForm {
    token: String,
    transfer: String,
    answer: String,
}

/// A verified member agrees to or refuses a union's request for their membership.
pub(super) async fn answer(
    State(state): State<WebState>,
    lang: Lang,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let t = WorkerText::of(lang);
    let render = |status, step| transfer_page(lang, status, step);
    let agree = match form.answer.as_str() {
        "agree" => true,
        "refuse" => false,
        _ => return Err(WebError::BadRequest("answer must be agree or refuse".to_owned())),
    };
    // The token must stand for the membership the request names; any other request is
    // answered like a forged token.
    let transfer = match (verify_token(&state, &form.token), form.transfer.trim().parse::<i64>()) {
        (Some(membership_id), Ok(id)) => {
            state.store.transfer(id).await?.filter(|t| t.membership_id == Some(membership_id))
        }
        _ => None,
    };
    let Some(transfer) = transfer else {
        return render(StatusCode::FORBIDDEN, failed(String::new(), t.transfer_answer_bad));
    };
    let closed = || render(StatusCode::CONFLICT, failed(String::new(), t.transfer_answer_closed));
    if transfer.status() != Some(TransferStatus::AwaitingConsent) {
        return closed();
    }
    let now = state.app.now();
    let answered = state
        .store
        .answer_transfer(transfer.id, TransferStatus::AwaitingConsent, agree, "member", now)
        .await?;
    if !answered {
        return closed();
    }
    tracing::info!(transfer = transfer.id, agree, "transfer answered by the member");
    let union = org_name(&state, transfer.to_org_id).await?;
    let done = if agree {
        Done { title: t.transfer_agreed_title, body: t.transfer_agreed_body, union }
    } else {
        Done { title: t.transfer_refused_title, body: t.transfer_refused_body, union }
    };
    render(StatusCode::OK, TransferStep { token: String::new(), error: None, done: Some(done) })
}
