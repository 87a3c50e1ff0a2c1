//! The mobile form: an SMS code is sent, checked, and only then are the mobile's
//! applications and memberships shown.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{Mobile, Timestamp};
use huiji_vault::Field;
use serde::Deserialize;

use super::page::{AskRow, Records, Row, StatusPage, org_name};
use super::transfer;
use crate::http::i18n::Lang;
use crate::worker::card::mask_name;
use crate::worker::joining::WorkerText;
use crate::worker::joining::service::{self, SendCodeError, card_token};
use crate::{WebError, WebState};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct StatusForm {
    mobile: String,
    sms_code: String,
    action: String,
}

pub(super) async fn form(lang: Lang) -> Result<Html<String>, WebError> {
    Ok(Html(StatusPage::empty(lang).render()?))
}

pub(super) async fn submit(
    State(state): State<WebState>,
    lang: Lang,
    Form(form): Form<StatusForm>,
) -> Result<Response, WebError> {
    let t = WorkerText::of(lang);
    let mut page = StatusPage { mobile: &form.mobile, code_sent: true, ..StatusPage::empty(lang) };
    if let Err(retry) = crate::http::abuse::check_form(&state, &form.mobile, None) {
        return Ok(crate::http::abuse::too_many(lang, retry, "/status"));
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

async fn records(state: &WebState, mobile: &Mobile, t: &'static WorkerText) -> Result<Records, WebError> {
    let bidx = state.app.keys().blind_index(Field::Mobile, mobile.as_str()).to_hex();
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
    let (mut memberships, mut asks) = (Vec::new(), Vec::new());
    for m in state.store.memberships_by_mobile(&bidx).await? {
        let held = m.status().is_some_and(|s| s.is_held());
        let token = held.then(|| transfer::token(state, m.id, state.app.now()));
        if let Some(token) = &token {
            for ask in state.store.transfers_awaiting_consent(m.id).await? {
                asks.push(AskRow {
                    id: ask.id,
                    union: org_name(state, ask.to_org_id).await?,
                    reason: ask.reason.unwrap_or_default(),
                    date: Timestamp(ask.created_at).china_date().to_string(),
                    token: token.clone(),
                });
            }
        }
        memberships.push(Row {
            name: mask_name(&m.name),
            union: org_name(state, m.home_org_id).await?,
            status: t.status(&m.status),
            date: Timestamp(m.joined_at).china_date().to_string(),
            card_token: m.member_number.as_deref().filter(|_| held).map(|n| card_token(state.app.keys(), n)),
            transfer_token: token,
        });
    }
    Ok(Records { applications, memberships, asks })
}
