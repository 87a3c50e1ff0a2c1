//! The member's side of transfers (接转) on `/status`: the forms post here, the rules are
//! `huiji_app::status::transfer`'s, and the page shows what came of the step.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use huiji_app::status::{self, MemberTransferError};
use serde::Deserialize;

use super::page::{Done, TransferStep, transfer_page};
use crate::http::i18n::Lang;
use crate::worker::joining::WorkerText;
use crate::{WebError, WebState};

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
    match status::request_transfer(&state.app, &form.token, &form.join_code, &form.reason).await {
        Ok(target) => {
            let done = Done { title: t.transfer_done_title, body: t.transfer_done_body, union: target.name };
            render(StatusCode::OK, TransferStep { token: String::new(), error: None, done: Some(done) })
        }
        Err(MemberTransferError::BadToken) => {
            render(StatusCode::FORBIDDEN, failed(String::new(), t.transfer_bad_token))
        }
        Err(MemberTransferError::UnknownCode) => {
            render(StatusCode::UNPROCESSABLE_ENTITY, again(t.transfer_unknown_code))
        }
        Err(MemberTransferError::NotPossible | MemberTransferError::Closed) => {
            render(StatusCode::UNPROCESSABLE_ENTITY, again(t.transfer_not_possible))
        }
        Err(MemberTransferError::SameUnion) => {
            render(StatusCode::UNPROCESSABLE_ENTITY, again(t.transfer_same_union))
        }
        Err(MemberTransferError::Open) => render(StatusCode::CONFLICT, again(t.transfer_open)),
        Err(MemberTransferError::ReasonTooLong) => {
            render(StatusCode::UNPROCESSABLE_ENTITY, again(t.transfer_reason_too_long))
        }
        Err(MemberTransferError::Store(e)) => Err(e.into()),
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
    let union = match status::answer_transfer(&state.app, &form.token, &form.transfer, agree).await {
        Ok(union) => union,
        Err(MemberTransferError::Closed) => {
            return render(StatusCode::CONFLICT, failed(String::new(), t.transfer_answer_closed));
        }
        Err(MemberTransferError::Store(e)) => return Err(e.into()),
        Err(_) => return render(StatusCode::FORBIDDEN, failed(String::new(), t.transfer_answer_bad)),
    };
    let done = if agree {
        Done { title: t.transfer_agreed_title, body: t.transfer_agreed_body, union }
    } else {
        Done { title: t.transfer_refused_title, body: t.transfer_refused_body, union }
    };
    render(StatusCode::OK, TransferStep { token: String::new(), error: None, done: Some(done) })
}
