//! The personal invite link `PUBLIC_URL/i/{code}`: opening it counts a click (once per
//! message) and leads to the join form of the receiving union the join rules picked for
//! the target's occupation and region; joining through it is the ordinary join with
//! channel `invite` and the code as its attribution. The code proves nothing about who
//! holds it: nothing personal is shown, and the worker types their own five fields.

use huiji_core::campaign::InviteCode;
use huiji_core::campaign::invite::invite_expired;
use huiji_core::joining::JoinForm;
use huiji_core::{Channel, Occupation, Org, RegionCode};
use huiji_store::{StoreError, SuppressionReason};

use crate::App;
use crate::joining::{JoinError, JoinOutcome, MobileProof};

/// An invite that still works.
#[derive(Clone, Debug)]
pub struct Invite {
    /// The code, as stored.
    pub code: String,
    /// The receiving union picked for the target, when one serves them.
    pub union: Option<Org>,
    /// The target's work region, to preset.
    pub region: Option<RegionCode>,
    /// The target's occupation, to preset.
    pub occupation: Occupation,
}

/// Why an invite link does not open.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    /// No such code (mistyped, made up).
    #[error("unknown invite")]
    Unknown,
    /// The campaign's links have expired.
    #[error("expired invite")]
    Expired,
    /// The database failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Opens an invite link: the invite, with its click counted (once per message).
///
/// # Errors
///
/// Unknown or expired codes; the store's.
pub async fn open(app: &App, code: &str) -> Result<Invite, InviteError> {
    let code = InviteCode::parse(code).map_err(|_| InviteError::Unknown)?;
    let record = app.store().invite(code.as_str()).await?.ok_or(InviteError::Unknown)?;
    if invite_expired(record.expires_at, app.now()) {
        return Err(InviteError::Expired);
    }
    app.store().record_campaign_click(record.message_id, app.now()).await?;
    let union = match record.org {
        Some(id) => app.store().org(id).await?,
        None => None,
    };
    Ok(Invite { code: code.as_str().to_owned(), union, region: record.region, occupation: record.occupation })
}

/// Joins through an invite: the same join as every door, channel `invite`, attributed
/// to the invite code. Who receives it is decided by the rules from what the worker
/// typed, as on the portal.
///
/// # Errors
///
/// As [`crate::joining::join`].
pub async fn join(
    app: &App,
    invite: &Invite,
    form: &JoinForm<'_>,
    proof: MobileProof,
) -> Result<JoinOutcome, JoinError> {
    crate::joining::join(app, form, Channel::Invite, None, Some(invite.code.clone()), proof, None).await
}

/// The unsubscribe link: the message's mobile goes on the suppression list (an expired
/// link still unsubscribes). Idempotent.
///
/// # Errors
///
/// Unknown codes; the store's.
pub async fn unsubscribe(app: &App, code: &str) -> Result<(), InviteError> {
    let code = InviteCode::parse(code).map_err(|_| InviteError::Unknown)?;
    let record = app.store().invite(code.as_str()).await?.ok_or(InviteError::Unknown)?;
    app.store().suppress_mobile(&record.mobile_bidx, SuppressionReason::Link, app.now()).await?;
    Ok(())
}
