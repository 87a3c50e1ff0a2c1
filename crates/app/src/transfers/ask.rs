//! An officer asks for a member into a union of their subtree.
//!
//! The request is stored and answered alike whoever was typed — an unknown ID number, a
//! person who is not a member, a member under another name, a member — so the answer
//! tells nobody whether an ID number belongs to a member. Only a request whose number and
//! name match a held membership reaches the outgoing side and the member (by SMS, after
//! the answer is sent, so its timing says nothing either).

use huiji_core::audit::AuditAction;
use huiji_core::transfer::{self, names_member};
use huiji_core::{MemberRef, Mobile, Org, OrgId, PersonName};
use huiji_store::{MemberQuery, MembershipRecord, TransferAsk};
use huiji_vault::Field;

use super::{Result, TransferError, require_act};
use crate::App;
use crate::actor::Actor;

/// What the asking officer typed.
#[derive(Clone, Debug)]
pub struct TransferRequest<'a> {
    /// The receiving union (of the officer's subtree).
    pub to: OrgId,
    /// A member number or an ID number.
    pub member: &'a str,
    /// The member's name as on their ID.
    pub name: &'a str,
    /// Why (at most `huiji_core::transfer::MAX_REASON_CHARS`).
    pub reason: &'a str,
}

/// A stored request.
#[derive(Clone, Debug)]
pub struct Asked {
    /// The transfer's id.
    pub id: i64,
    /// The receiving union.
    pub to: Org,
}

/// The receiving union of a request: in the actor's subtree (else
/// [`TransferError::NotFound`]).
///
/// # Errors
///
/// Not found or out of scope, or the store's.
pub async fn receiving(app: &App, actor: &Actor, to: OrgId) -> Result<Org> {
    app.store().org(to).await?.filter(|o| actor.sees(&o.path)).ok_or(TransferError::NotFound)
}

/// The held membership a member number or ID number names, wherever it is: by exact
/// number or blind index only.
async fn held_membership(app: &App, typed: &MemberRef) -> Result<Option<MembershipRecord>> {
    let mut query = MemberQuery { limit: 5, ..MemberQuery::default() };
    match typed {
        MemberRef::Number(number) => query.member_number = Some(number.as_str().to_owned()),
        MemberRef::IdNumber(id) => {
            query.id_number_bidx = Some(app.keys().blind_index(Field::IdNumber, id.as_str()).to_hex());
        }
    }
    let found = app.store().search_members(&query).await?;
    Ok(found.into_iter().find(|m| m.status.is_held()))
}

/// Stores a receiving union's request for a member, and (in the background) tells a
/// member it names by SMS.
///
/// # Errors
///
/// A union outside the subtree, a viewer, a reason too long, a malformed member number
/// or ID number or name, a member already in that union, or the store's.
pub async fn ask(app: &App, actor: &Actor, request: &TransferRequest<'_>) -> Result<Asked> {
    // The receiving union must be the officer's own subtree; anything else is not found.
    let target = receiving(app, actor, request.to).await?;
    require_act(actor)?;
    let reason = transfer::reason(request.reason)?;
    // Malformed input is a form error: it says nothing about anyone.
    let today = app.now().china_date();
    let typed = MemberRef::parse(request.member.trim(), today, |p| app.regions().province_exists(p))
        .ok_or(TransferError::InvalidMember)?;
    let name = PersonName::parse(request.name).map_err(|_| TransferError::InvalidName)?;
    let membership = held_membership(app, &typed).await?.filter(|m| names_member(&name, &m.name));
    if membership.as_ref().is_some_and(|m| m.home_org_id == target.id.0) {
        // The union is the officer's own subtree: they see its members anyway.
        return Err(TransferError::AlreadyHere);
    }
    let requested_by = actor.name();
    let ask = TransferAsk {
        membership_id: membership.as_ref().map(|m| m.id),
        to: target.id,
        requested_by: &requested_by,
        reason,
        typed_member: &typed.shown(),
        typed_name: &name.masked(),
    };
    let id = app.store().ask_transfer(&ask, app.now()).await?;
    tracing::info!(transfer = id, actor = %requested_by, to = %target.id, "transfer asked");
    actor.audit(app, &target.path, AuditAction::TransferAsk, format!("transfer:{id}")).await?;
    if let Some(membership) = membership {
        tell_member(app, membership.id, target.id, target.name.clone());
    }
    Ok(Asked { id, to: target })
}

/// Sends the member an SMS about a union's request, in the background: the officer's
/// answer must not wait for it (or take longer when a member was found).
fn tell_member(app: &App, membership_id: i64, to: OrgId, union: String) {
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(error) = send_request_sms(&app, membership_id, to, &union).await {
            tracing::warn!(%error, membership = membership_id, "transfer request SMS not sent");
        }
    });
}

async fn send_request_sms(app: &App, membership_id: i64, to: OrgId, union: &str) -> Result<(), String> {
    // Asking again for the same member tells them once: officers cannot flood a phone.
    let asks = app.store().transfers_awaiting_consent(membership_id).await.map_err(|e| e.to_string())?;
    if asks.iter().filter(|t| t.to_org_id == to.0).count() > 1 {
        return Ok(());
    }
    let detail = app.store().membership_detail(membership_id).await.map_err(|e| e.to_string())?;
    let detail = detail.ok_or("membership gone")?;
    // A purged membership has no mobile left to tell.
    let mobile = app.keys().decrypt(Field::Mobile, &detail.mobile_ct).map_err(|e| e.to_string())?;
    let mobile = Mobile::parse(&mobile).map_err(|e| e.to_string())?;
    let text = huiji_core::sms::transfer_request_text(union, app.public_url());
    app.sms().send(&mobile, &text).await.map_err(|e| e.to_string())
}
