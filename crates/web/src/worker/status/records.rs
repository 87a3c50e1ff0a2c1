//! The mobile form: an SMS code is sent, checked, and only then are the mobile's
//! applications and memberships shown.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use huiji_core::sms::{SmsCheck, SmsPurpose};
use huiji_core::{ApplicationStatus, Mobile, Timestamp};
use serde::Deserialize;

use super::page::{AskRow, Decision, Records, Row, SentRow, StatusPage};
use crate::http::i18n::Lang;
use crate::worker::card::mask_name;
use crate::worker::joining::WorkerText;
use crate::{WebError, WebState};
use huiji_app::joining::{self, SendCodeError};
use huiji_app::status::{self, StatusError, StatusRecords};

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
    if let Err(retry) = crate::http::abuse::check_form(&state, &form.mobile, None).await {
        return Ok(crate::http::abuse::too_many(lang, retry, "/status"));
    }
    let mut status = StatusCode::OK;
    if form.action == "send_code" {
        match joining::send_code(&state.app, &form.mobile, SmsPurpose::Status).await {
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
            Err(e @ (SendCodeError::Internal(_) | SendCodeError::Store(_))) => {
                return Err(WebError::Internal(e.to_string()));
            }
        }
        return Ok((status, Html(page.render()?)).into_response());
    }
    let Ok(mobile) = Mobile::parse(&form.mobile) else {
        page.error = Some(t.sms_none);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    };
    let records = match status::records(&state.app, &mobile, &form.sms_code).await {
        Ok(records) => records,
        Err(StatusError::Sms(check)) => {
            page.error = Some(match check {
                SmsCheck::Wrong { .. } | SmsCheck::Verified => t.sms_wrong,
                SmsCheck::Expired => t.sms_expired,
                SmsCheck::Exhausted => t.sms_exhausted,
                SmsCheck::NoCode => t.sms_none,
            });
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
        Err(StatusError::Store(error)) => return Err(error.into()),
    };
    let cases = huiji_app::cases::cases_of_mobile(&state.app, &mobile)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let held = records.memberships.iter().find(|m| m.record.status.is_held()).map(|m| m.record.id);
    let mut results = rows(records, t);
    results.cases = crate::worker::legal::case_section(cases, lang);
    if let Some(membership) = held {
        results.benefits = crate::worker::benefits::section(&state, lang, membership, true).await?;
    }
    page.results = Some(results);
    Ok(Html(page.render()?).into_response())
}

/// The records as the page shows them: names masked, statuses and dates in words.
fn rows(records: StatusRecords, t: &'static WorkerText) -> Records {
    let date = |millis: i64| Timestamp(millis).china_date().to_string();
    let mut decisions = records.decisions.into_iter();
    let applications = records
        .applications
        .into_iter()
        .map(|(a, union)| {
            let facts = decisions.next().filter(|f| f.application_id == a.id);
            let shown = matches!(a.status, ApplicationStatus::PendingReview | ApplicationStatus::Rejected);
            let facts = facts.filter(|_| shown);
            Row {
                name: mask_name(&a.name),
                union,
                status: t.application_status(a.status),
                date: date(a.created_at),
                card_token: None,
                transfer_token: None,
                contact: facts.as_ref().and_then(|f| f.contact.clone()),
                decision: facts.map(|f| Decision {
                    reviewer: f.reviewer,
                    escalated: f.escalated && a.status == ApplicationStatus::PendingReview,
                    reason: f.reason.filter(|_| a.status == ApplicationStatus::Rejected),
                }),
            }
        })
        .collect();
    let memberships = records
        .memberships
        .into_iter()
        .map(|m| Row {
            name: mask_name(&m.record.name),
            union: m.union,
            status: t.membership_status(m.record.status),
            date: date(m.record.joined_at),
            card_token: m.card_token,
            transfer_token: m.transfer_token,
            contact: m.contact,
            decision: None,
        })
        .collect();
    let asks = records
        .asks
        .into_iter()
        .map(|ask| AskRow {
            id: ask.id,
            union: ask.union,
            reason: ask.reason,
            date: date(ask.created_at),
            token: ask.token,
        })
        .collect();
    let sent = records.sent.into_iter().map(|s| SentRow { date: date(s.at), body: s.body }).collect();
    Records { applications, memberships, asks, sent, cases: None, benefits: None }
}
