//! The electronic member card (`/card/{token}`) and its verification page
//! (`/verify/{token}`), which a station officer opens by scanning the card's QR code.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use huiji_app::orgs::qr;
use huiji_store::MembershipRecord;

use crate::http::format::member_number;
use crate::http::i18n::Lang;
use crate::worker::joining::WorkerText;
use crate::{WebError, WebState};
use huiji_app::joining::card as member_card;

/// The card routes.
pub fn router() -> Router<WebState> {
    Router::new().route("/card/{token}", get(card)).route("/verify/{token}", get(verify))
}

#[derive(Template)]
#[template(path = "card.html")]
struct CardPage {
    lang: Lang,
    t: &'static WorkerText,
    name: String,
    number: String,
    union: String,
    since: String,
    qr_svg: String,
    valid: bool,
    /// The card's token, for the contest links.
    token: String,
    /// 安康杯 contests open to the member today: id and name.
    contests: Vec<(i64, String)>,
    /// The member's benefits (claims are made on `/status`).
    benefits: Option<crate::worker::benefits::BenefitSection>,
    /// Whom to ask: the home union's contact details (or the nearest union's above).
    contact: Option<huiji_store::ContactOf>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    lang: Lang,
    t: &'static WorkerText,
    card: Option<CardFacts>,
    /// “记录到访” for a station's staff signed in on this phone.
    check_in: Option<crate::worker::stations::check_in::CheckIn>,
}

struct CardFacts {
    name: String,
    union: String,
    since: String,
}

/// The stored name masked as everywhere else (张*).
pub(crate) fn mask_name(name: &str) -> String {
    huiji_core::PersonName::parse(name).map_or_else(|_| "*".to_owned(), |n| n.masked())
}

/// The membership behind a genuine token; forged and unknown tokens look alike (404).
async fn membership_of(state: &WebState, token: &str) -> Result<MembershipRecord, WebError> {
    member_card::membership(&state.app, token).await?.ok_or(WebError::NotFound)
}

async fn facts(state: &WebState, membership: &MembershipRecord) -> Result<CardFacts, WebError> {
    let union =
        state.store.org(huiji_core::OrgId(membership.home_org_id)).await?.map(|o| o.name).unwrap_or_default();
    Ok(CardFacts {
        name: mask_name(&membership.name),
        union,
        since: huiji_core::Timestamp(membership.joined_at).china_date().to_string(),
    })
}

async fn card(
    State(state): State<WebState>,
    lang: Lang,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let membership = membership_of(&state, &token).await?;
    let facts = facts(&state, &membership).await?;
    let verify_url = format!("{}/verify/{token}", state.app.public_url());
    let qr_svg = qr::svg(&verify_url, 4).map_err(|e| WebError::Internal(e.to_string()))?;
    let contests = huiji_app::contest::taking::open_for(&state.app, &membership)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .into_iter()
        .map(|c| (c.id.0, c.name))
        .collect();
    let benefits = match membership.status.is_held() {
        true => crate::worker::benefits::section(&state, lang, membership.id, false).await?,
        false => None,
    };
    let contact =
        huiji_app::orgs::contact::contact_of(&state.app, huiji_core::OrgId(membership.home_org_id)).await?;
    let page = CardPage {
        contact,
        benefits,
        lang,
        t: WorkerText::of(lang),
        name: facts.name,
        number: member_number(membership.member_number.as_deref()),
        union: facts.union,
        since: facts.since,
        qr_svg,
        valid: membership.status.is_held(),
        token,
        contests,
    };
    // The card must be current when shown: revocation is checked online, never cached.
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}

async fn verify(
    State(state): State<WebState>,
    lang: Lang,
    Path(token): Path<String>,
    mut parts: axum::http::request::Parts,
) -> Result<Response, WebError> {
    let card = match membership_of(&state, &token).await {
        Ok(membership) if membership.status.is_held() => Some(facts(&state, &membership).await?),
        Ok(_) | Err(WebError::NotFound) => None,
        Err(other) => return Err(other),
    };
    let check_in = match card {
        Some(_) => crate::worker::stations::check_in::offer(&state, &mut parts, &token).await?,
        None => None,
    };
    let page = VerifyPage { lang, t: WorkerText::of(lang), card, check_in };
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}
