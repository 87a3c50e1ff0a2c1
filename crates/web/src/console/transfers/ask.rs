//! `POST /console/transfers`: an officer asks for a member into a union of their subtree.
//!
//! The request is stored and answered alike whoever was typed — an unknown ID number, a
//! person who is not a member, a member under another name, a member — so the form tells
//! nobody whether an ID number belongs to a member. Only a request whose number and name
//! match a held membership reaches the outgoing side and the member (by SMS, after the
//! answer is sent, so its timing says nothing either).

use axum::extract::State;
use axum::response::Response;
use huiji_core::transfer::names_member;
use huiji_core::{MemberRef, Mobile, OrgId, PersonName};
use huiji_store::{MemberQuery, MembershipRecord, TransferAsk};
use huiji_vault::Field;
use serde::Deserialize;

use super::{done, render};
use crate::console::Act;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Longest reason kept.
const REASON_CHARS: usize = 500;

#[derive(Deserialize)]
pub(super) struct AskForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    to_id: String,
    #[serde(default)]
    reason: String,
}

/// The held membership a member number or ID number names, wherever it is: by exact
/// number or blind index only.
async fn held_membership(state: &WebState, typed: &MemberRef) -> Result<Option<MembershipRecord>, WebError> {
    let mut query = MemberQuery { limit: 5, ..MemberQuery::default() };
    match typed {
        MemberRef::Number(number) => query.member_number = Some(number.as_str().to_owned()),
        MemberRef::IdNumber(id) => {
            query.id_number_bidx = Some(state.app.keys().blind_index(Field::IdNumber, id.as_str()).to_hex());
        }
    }
    let found = state.store.search_members(&query).await?;
    Ok(found.into_iter().find(|m| m.status().is_some_and(|s| s.is_held())))
}

pub(super) async fn ask(
    State(state): State<WebState>,
    lang: Lang,
    Act { officer, form }: Act<AskForm>,
) -> Result<Response, WebError> {
    let fail = |message: &'static str| render(&state, lang, &officer, "", None, Some(message));
    let typed_target = if form.to_id.trim().is_empty() { form.to.trim() } else { form.to_id.trim() };
    let Ok(to) = typed_target.parse::<i64>() else {
        return fail(lang.t("请选择或填写接收工会", "Choose or enter the receiving union")).await;
    };
    // The receiving union must be the officer's own subtree; anything else is a 404.
    let target = officer.org_in_scope(&state, OrgId(to)).await?;
    let reason = form.reason.trim();
    if reason.chars().count() > REASON_CHARS {
        return fail(lang.t("接转原因不超过500字", "Keep the reason under 500 characters")).await;
    }
    // Malformed input is a form error: it says nothing about anyone.
    let today = state.app.now().china_date();
    let Some(typed) = MemberRef::parse(form.member.trim(), today, |p| state.app.regions().province_exists(p))
    else {
        let message = lang.t("请填写正确的会员号或身份证号", "Enter a valid member number or ID number");
        return fail(message).await;
    };
    let Ok(name) = PersonName::parse(&form.name) else {
        return fail(lang.t("请填写会员姓名（与证件一致）", "Enter the member's name as on their ID")).await;
    };
    let membership = held_membership(&state, &typed).await?.filter(|m| names_member(&name, &m.name));
    if membership.as_ref().is_some_and(|m| m.home_org_id == target.id.0) {
        // The union is the officer's own subtree: they see its members anyway.
        return fail(lang.t("该会员已在此工会", "The member already belongs to this union")).await;
    }
    let actor = officer.actor();
    let ask = TransferAsk {
        membership_id: membership.as_ref().map(|m| m.id),
        to: target.id,
        requested_by: &actor,
        reason,
        typed_member: &typed.shown(),
        typed_name: &name.masked(),
    };
    let id = state.store.ask_transfer(&ask, state.app.now()).await?;
    tracing::info!(transfer = id, actor = %actor, to = %target.id, "transfer asked");
    if let Some(membership) = membership {
        tell_member(&state, membership.id, target.id, target.name.clone());
    }
    let notice = format!(
        "{}{}{}",
        lang.t("已发出接转请求，接收工会：", "Transfer requested to "),
        target.name,
        lang.t(
            "。待会员本人或其所在工会同意后生效。",
            ". It takes effect when the member or their union agrees."
        )
    );
    Ok(done(&state, &notice))
}

/// Sends the member an SMS about a union's request, in the background: the officer's
/// answer must not wait for it (or take longer when a member was found).
fn tell_member(state: &WebState, membership_id: i64, to: OrgId, union: String) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = send_request_sms(&state, membership_id, to, &union).await {
            tracing::warn!(%error, membership = membership_id, "transfer request SMS not sent");
        }
    });
}

async fn send_request_sms(
    state: &WebState,
    membership_id: i64,
    to: OrgId,
    union: &str,
) -> Result<(), String> {
    // Asking again for the same member tells them once: officers cannot flood a phone.
    let asks = state.store.transfers_awaiting_consent(membership_id).await.map_err(|e| e.to_string())?;
    if asks.iter().filter(|t| t.to_org_id == to.0).count() > 1 {
        return Ok(());
    }
    let detail = state.store.membership_detail(membership_id).await.map_err(|e| e.to_string())?;
    let detail = detail.ok_or("membership gone")?;
    // A purged membership has no mobile left to tell.
    let mobile = state.app.keys().decrypt(Field::Mobile, &detail.mobile_ct).map_err(|e| e.to_string())?;
    let mobile = Mobile::parse(&mobile).map_err(|e| e.to_string())?;
    // A fixed link to the fixed /status page: SMS providers refuse links as variables.
    let text = format!(
        "【会籍】{union}申请将您的工会会籍转入该会。是否同意，请打开 {}/status 验证本机号码后选择。",
        state.app.public_url()
    );
    state.app.sms().send(&mobile, &text).await.map_err(|e| e.to_string())
}
