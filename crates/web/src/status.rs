//! `/status`: an applicant sees their applications and membership after proving their
//! mobile with an SMS code. The answer for a mobile with nothing on record differs from
//! one with records only after that proof, so the page is no oracle.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{Mobile, OrgId, Timestamp};
use huiji_vault::Field;
use serde::Deserialize;

use crate::card::mask_name;
use crate::i18n::Lang;
use crate::join::WorkerText;
use crate::join::service::{self, SendCodeError, card_token};
use crate::{AppState, WebError};

/// The status routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/status", get(form).post(submit))
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
    };
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
        });
    }
    Ok((applications, memberships))
}
