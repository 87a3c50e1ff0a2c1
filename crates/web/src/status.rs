//! `/status`: an applicant sees their applications and membership after proving their
//! mobile with an SMS code. The answer for a mobile with nothing on record differs from
//! one with records only after that proof, so the page is no oracle.
//!
//! A verified member may also ask to move a held membership to another union (接转) by
//! typing that union's join code. `/status` keeps no session, so the result page hands
//! each held membership a signed, short-lived token that stands for the SMS proof.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use huiji_core::joining::receives_applications;
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{Mobile, OrgId, Timestamp};
use huiji_store::StoreError;
use huiji_vault::Field;
use serde::Deserialize;

use crate::card::mask_name;
use crate::i18n::Lang;
use crate::join::WorkerText;
use crate::join::service::{self, SendCodeError, card_token};
use crate::{AppState, WebError};

/// The status routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/status", get(form).post(submit)).route("/status/transfer", post(transfer))
}

/// How long the SMS proof behind a transfer token lasts.
const TRANSFER_TOKEN_MS: i64 = 15 * 60 * 1000;

/// Longest reason a member may give.
const TRANSFER_REASON_CHARS: usize = 200;

fn transfer_payload(membership_id: i64, expires_ms: i64) -> String {
    format!("transfer:{membership_id}:{expires_ms}")
}

/// `{membership_id}.{expires_ms}.{signature}`: proof that the owner of the membership's
/// mobile verified it with an SMS code, valid for 15 minutes from `now`.
fn transfer_token(state: &AppState, membership_id: i64, now: Timestamp) -> String {
    let expires = now.millis() + TRANSFER_TOKEN_MS;
    let signature = state.keyring.card_signature(&transfer_payload(membership_id, expires)).to_hex();
    format!("{membership_id}.{expires}.{signature}")
}

/// The membership a genuine, unexpired token stands for.
fn verify_transfer_token(state: &AppState, token: &str) -> Option<i64> {
    let mut parts = token.splitn(3, '.');
    let membership_id: i64 = parts.next()?.parse().ok()?;
    let expires: i64 = parts.next()?.parse().ok()?;
    let signature = parts.next()?;
    let genuine = state.keyring.verify_card_signature(&transfer_payload(membership_id, expires), signature);
    (genuine && state.clock.now().millis() <= expires).then_some(membership_id)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StatusForm {
    mobile: String,
    sms_code: String,
    action: String,
}

struct Row {
    name: String,
    union: String,
    status: &'static str,
    date: String,
    card_token: Option<String>,
    transfer_token: Option<String>,
}

/// The transfer part of the page: the form again (with what went wrong), or the
/// confirmation naming the union.
struct TransferStep {
    /// The token, to try again; empty when it was not genuine.
    token: String,
    /// What went wrong.
    error: Option<&'static str>,
    /// The receiving union, once requested.
    union: Option<String>,
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage<'a> {
    lang: Lang,
    t: &'static WorkerText,
    mobile: &'a str,
    notice: Option<&'static str>,
    error: Option<&'a str>,
    code_sent: bool,
    results: Option<(Vec<Row>, Vec<Row>)>,
    transfer: Option<TransferStep>,
}

async fn form(lang: Lang) -> Result<Html<String>, WebError> {
    let page = StatusPage {
        lang,
        t: WorkerText::of(lang),
        mobile: "",
        notice: None,
        error: None,
        code_sent: false,
        results: None,
        transfer: None,
    };
    Ok(Html(page.render()?))
}

async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    Form(form): Form<StatusForm>,
) -> Result<Response, WebError> {
    let t = WorkerText::of(lang);
    let mut page = StatusPage {
        lang,
        t,
        mobile: &form.mobile,
        notice: None,
        error: None,
        code_sent: true,
        results: None,
        transfer: None,
    };
    if let Err(retry) = crate::abuse::check_form(&state, &form.mobile, None) {
        return Ok(crate::abuse::too_many(lang, retry, "/status"));
    }
    let mut status = StatusCode::OK;
    if form.action == "send_code" {
        match service::send_code(&state, &form.mobile, SmsPurpose::Status).await {
            Ok(_) => page.notice = Some(t.code_sent),
            Err(SendCodeError::Invalid(_)) => {
                page.code_sent = false;
                page.error = Some(if lang == Lang::Zh {
                    "手机号格式不正确"
                } else {
                    "Not a valid mobile number"
                });
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(SendCodeError::TooSoon) => {
                (page.notice, status) = (Some(t.code_too_soon), StatusCode::TOO_MANY_REQUESTS)
            }
            Err(SendCodeError::DailyLimit) => {
                (page.notice, status) = (Some(t.code_daily_limit), StatusCode::TOO_MANY_REQUESTS);
            }
            Err(SendCodeError::Delivery(error)) => {
                tracing::warn!(%error, "verification SMS not sent");
                (page.notice, status) = (Some(t.code_not_sent), StatusCode::SERVICE_UNAVAILABLE);
            }
            Err(SendCodeError::Internal(e)) => return Err(WebError::Internal(e)),
        }
        return Ok((status, Html(page.render()?)).into_response());
    }
    let Ok(mobile) = Mobile::parse(&form.mobile) else {
        page.error = Some(t.sms_none);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    };
    let check = service::check_code(&state, &mobile, SmsPurpose::Status, &form.sms_code)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let message = match check {
        SmsCheck::Verified => None,
        SmsCheck::Wrong { .. } => Some(t.sms_wrong),
        SmsCheck::Expired => Some(t.sms_expired),
        SmsCheck::Exhausted => Some(t.sms_exhausted),
        SmsCheck::NoCode => Some(t.sms_none),
    };
    if let Some(message) = message {
        page.error = Some(message);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    }
    page.results = Some(records(&state, &mobile, t).await?);
    Ok(Html(page.render()?).into_response())
}

async fn org_name(state: &AppState, id: i64) -> Result<String, WebError> {
    Ok(state.store.org(OrgId(id)).await?.map(|o| o.name).unwrap_or_default())
}

async fn records(
    state: &AppState,
    mobile: &Mobile,
    t: &'static WorkerText,
) -> Result<(Vec<Row>, Vec<Row>), WebError> {
    let bidx = state.keyring.blind_index(Field::Mobile, mobile.as_str()).to_hex();
    let mut applications = Vec::new();
    for a in state.store.applications_by_mobile(&bidx).await? {
        applications.push(Row {
            name: mask_name(&a.name),
            union: org_name(state, a.receiving_org_id).await?,
            status: t.status(&a.status),
            date: Timestamp(a.created_at).china_date().to_string(),
            card_token: None,
            transfer_token: None,
        });
    }
    let mut memberships = Vec::new();
    for m in state.store.memberships_by_mobile(&bidx).await? {
        let held = m.status().is_some_and(|s| s.is_held());
        memberships.push(Row {
            name: mask_name(&m.name),
            union: org_name(state, m.home_org_id).await?,
            status: t.status(&m.status),
            date: Timestamp(m.joined_at).china_date().to_string(),
            card_token: m.member_number.as_deref().filter(|_| held).map(|n| card_token(&state.keyring, n)),
            transfer_token: held.then(|| transfer_token(state, m.id, state.clock.now())),
        });
    }
    Ok((applications, memberships))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TransferForm {
    token: String,
    join_code: String,
    reason: String,
}

/// A verified member asks to move their membership to the union behind a join code.
async fn transfer(
    State(state): State<AppState>,
    lang: Lang,
    Form(form): Form<TransferForm>,
) -> Result<Response, WebError> {
    let t = WorkerText::of(lang);
    let render = |status: StatusCode, step: TransferStep| -> Result<Response, WebError> {
        let page = StatusPage {
            lang,
            t,
            mobile: "",
            notice: None,
            error: None,
            code_sent: false,
            results: None,
            transfer: Some(step),
        };
        Ok((status, Html(page.render()?)).into_response())
    };
    let again =
        |error: &'static str| TransferStep { token: form.token.clone(), error: Some(error), union: None };
    let Some(membership_id) = verify_transfer_token(&state, &form.token) else {
        let step = TransferStep { token: String::new(), error: Some(t.transfer_bad_token), union: None };
        return render(StatusCode::FORBIDDEN, step);
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
    let reason: String = form.reason.trim().chars().take(TRANSFER_REASON_CHARS).collect();
    let now = state.clock.now();
    match state.store.request_transfer(membership.id, target.id, "member", &reason, now).await {
        Ok(_) => render(
            StatusCode::OK,
            TransferStep { token: String::new(), error: None, union: Some(target.name) },
        ),
        Err(StoreError::Constraint("transfers_one_open_key")) => {
            render(StatusCode::CONFLICT, again(t.transfer_open))
        }
        Err(StoreError::NotFound(_)) => {
            render(StatusCode::UNPROCESSABLE_ENTITY, again(t.transfer_not_possible))
        }
        Err(e) => Err(e.into()),
    }
}
