//! A member's benefits on the phone: the grants they hold (programme, status, validity,
//! the insurer's hotline) on `/status` after the SMS check and on the card page; on
//! `/status` also the programmes they may claim, each with a claim button — or the rule
//! that keeps them out — and `POST /status/benefit`, the claim, whose refusal says why.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use huiji_app::benefits::{self, BenefitError, MemberBenefits};
use huiji_core::benefit::{GrantRefusal, ProgrammeId};
use huiji_store::ProgrammeRecord;
use serde::Deserialize;

use crate::http::i18n::Lang;
use crate::worker::joining::WorkerText;
use crate::{WebError, WebState};

/// The benefit routes (limited per address like the other `/status` forms).
pub fn router() -> Router<WebState> {
    Router::new().route("/status/benefit", post(claim))
}

/// A grant as the member sees it.
pub(crate) struct HeldRow {
    pub(crate) name: String,
    pub(crate) status: &'static str,
    pub(crate) valid_until: String,
    pub(crate) provider: String,
    pub(crate) hotline: String,
    pub(crate) policy: String,
}

/// A programme the member may claim, or the rule that keeps them out.
pub(crate) struct ClaimRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) provider: String,
    pub(crate) until: String,
    pub(crate) refusal: Option<String>,
}

/// The benefits part of `/status` or the card page.
pub(crate) struct BenefitSection {
    pub(crate) held: Vec<HeldRow>,
    pub(crate) claims: Vec<ClaimRow>,
    /// The claim token (the SMS proof), on `/status` only.
    pub(crate) token: String,
}

fn refusal_text(lang: Lang, refusal: &GrantRefusal) -> String {
    if lang == Lang::Zh { refusal.message_zh() } else { refusal.message_en() }
}

fn section_of(lang: Lang, member: MemberBenefits, token: String) -> BenefitSection {
    let held = member
        .grants
        .into_iter()
        .map(|g| HeldRow {
            name: g.programme_name,
            status: lang.t(g.grant.status.label_zh(), g.grant.status.label_en()),
            valid_until: g.grant.valid_until.map(|d| d.to_string()).unwrap_or_default(),
            provider: g.provider.unwrap_or_default(),
            hotline: g.hotline.unwrap_or_default(),
            policy: g.grant.policy_number.unwrap_or_default(),
        })
        .collect();
    let claims = member
        .claimable
        .into_iter()
        .map(|c| ClaimRow {
            id: c.programme.id.0,
            until: c.programme.rules.period.until().map(|d| d.to_string()).unwrap_or_default(),
            provider: c.programme.provider.clone().unwrap_or_default(),
            name: c.programme.name,
            refusal: c.refusal.as_ref().map(|r| refusal_text(lang, r)),
        })
        .collect();
    BenefitSection { held, claims, token }
}

/// The benefits of a held membership: its grants, and on `/status` (`claims`, after the
/// SMS check) what it may claim; `None` when there is nothing to show.
pub(crate) async fn section(
    state: &WebState,
    lang: Lang,
    membership: i64,
    claims: bool,
) -> Result<Option<BenefitSection>, WebError> {
    let member = benefits::benefits_of_member(&state.app, membership, claims)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    if member.grants.is_empty() && member.claimable.is_empty() {
        return Ok(None);
    }
    let token = if claims { benefits::claim_token(&state.app, membership) } else { String::new() };
    Ok(Some(section_of(lang, member, token)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ClaimForm {
    token: String,
    programme: String,
}

#[derive(Template)]
#[template(path = "worker/benefit_claimed.html")]
struct ClaimedPage {
    lang: Lang,
    t: &'static WorkerText,
    /// The programme claimed, when the claim went through.
    done: Option<ProgrammeRecord>,
    /// Why it did not.
    problem: Option<String>,
}

/// `POST /status/benefit`: the member claims a programme; a refusal says which rule (or
/// that the quota is used up).
async fn claim(
    State(state): State<WebState>,
    lang: Lang,
    Form(form): Form<ClaimForm>,
) -> Result<Response, WebError> {
    let page = |status, done, problem| -> Result<Response, WebError> {
        let page = ClaimedPage { lang, t: WorkerText::of(lang), done, problem };
        Ok((status, Html(page.render()?)).into_response())
    };
    let Ok(id) = form.programme.trim().parse::<i64>() else {
        return Err(WebError::BadRequest("programme must be a number".to_owned()));
    };
    match benefits::claim(&state.app, &form.token, ProgrammeId(id)).await {
        Ok((_, programme)) => page(StatusCode::OK, Some(programme), None),
        Err(BenefitError::Refused(refusal)) => {
            let status = match refusal {
                GrantRefusal::QuotaExhausted | GrantRefusal::AlreadyGranted => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            page(status, None, Some(refusal_text(lang, &refusal)))
        }
        Err(BenefitError::BadToken) => {
            let text =
                lang.t("验证已过期，请重新获取验证码查询", "Your check has expired; check your status again");
            page(StatusCode::FORBIDDEN, None, Some(text.to_owned()))
        }
        Err(BenefitError::NotFound) => Err(WebError::NotFound),
        Err(other) => Err(WebError::Internal(other.to_string())),
    }
}
