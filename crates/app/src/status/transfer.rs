//! The member's side of transfers (接转), after the SMS check on `/status`: asking to move
//! a held membership to the union behind a join code (that union then decides), and
//! agreeing to or refusing a union's request to take it over (agreeing moves it).
//!
//! `/status` keeps no session, so the status records hand each held membership a signed,
//! short-lived token that stands for the SMS proof; these use cases take that token.

use huiji_core::{Org, Timestamp, TransferStatus};
use huiji_store::{Conflict, StoreError};

use super::records::org_name;
use crate::App;
use crate::joining::receiving_union;

/// How long the SMS proof behind a transfer token lasts.
const TOKEN_MS: i64 = 15 * 60 * 1000;

/// Why a member's transfer step did not happen.
#[derive(Debug, thiserror::Error)]
pub enum MemberTransferError {
    /// The token is forged or expired (or, answering, stands for another membership
    /// than the request names).
    #[error("bad token")]
    BadToken,
    /// No union that receives applications has this join code.
    #[error("unknown join code")]
    UnknownCode,
    /// The membership is not held any more (or is gone).
    #[error("the membership cannot move")]
    NotPossible,
    /// The membership already lives at that union.
    #[error("same union")]
    SameUnion,
    /// A transfer of the membership is open already.
    #[error("a transfer is open")]
    Open,
    /// The reason is longer than [`huiji_core::transfer::MAX_REASON_CHARS`] — the same
    /// rule an officer's request keeps.
    #[error("the reason is too long")]
    ReasonTooLong,
    /// The request was answered, withdrawn or closed meanwhile.
    #[error("the request is closed")]
    Closed,
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// What a transfer token's signature is for.
const PURPOSE: &str = "transfer";

/// `{membership_id}.{expires_ms}.{signature}`: proof that the owner of the membership's
/// mobile verified it with an SMS code, valid for 15 minutes from `now`.
pub fn token(app: &App, membership_id: i64, now: Timestamp) -> String {
    app.keys().expiring_token(PURPOSE, membership_id, now.millis() + TOKEN_MS)
}

/// The membership a genuine, unexpired token stands for.
pub fn verify_token(app: &App, token: &str) -> Option<i64> {
    app.keys().verify_expiring_token(PURPOSE, token, app.now().millis())
}

/// A verified member asks to move their membership to the union behind `join_code`;
/// answers the union asked.
///
/// # Errors
///
/// A bad token, a reason over 200 characters, an unknown code, a membership that cannot move or already lives there,
/// an open transfer, or the store's.
pub async fn request_transfer(
    app: &App,
    token: &str,
    join_code: &str,
    reason: &str,
) -> Result<Org, MemberTransferError> {
    let membership_id = verify_token(app, token).ok_or(MemberTransferError::BadToken)?;
    let reason = huiji_core::transfer::reason(reason).map_err(|_| MemberTransferError::ReasonTooLong)?;
    let code = join_code.trim().to_ascii_uppercase();
    let target = if code.is_empty() { None } else { receiving_union(app, &code).await? };
    let target = target.ok_or(MemberTransferError::UnknownCode)?;
    let membership = app.store().membership(membership_id).await?;
    let membership = membership.filter(|m| m.status.is_held()).ok_or(MemberTransferError::NotPossible)?;
    if membership.home_org_id == target.id.0 {
        return Err(MemberTransferError::SameUnion);
    }
    match app.store().request_transfer(membership.id, target.id, "member", reason, app.now()).await {
        Ok(_) => Ok(target),
        Err(StoreError::Conflict(Conflict::TransferOpen)) => Err(MemberTransferError::Open),
        Err(StoreError::NotFound(_)) => Err(MemberTransferError::NotPossible),
        Err(e) => Err(e.into()),
    }
}

/// A verified member agrees to or refuses a union's request `transfer` for their
/// membership; answers the asking union's name.
///
/// # Errors
///
/// A bad token (or one for another membership than the request's), a closed request, or
/// the store's.
pub async fn answer_transfer(
    app: &App,
    token: &str,
    transfer: &str,
    agree: bool,
) -> Result<String, MemberTransferError> {
    // The token must stand for the membership the request names; any other request is
    // answered like a forged token.
    let transfer = match (verify_token(app, token), transfer.trim().parse::<i64>()) {
        (Some(membership_id), Ok(id)) => {
            app.store().transfer(id).await?.filter(|t| t.membership_id == Some(membership_id))
        }
        _ => None,
    };
    let transfer = transfer.ok_or(MemberTransferError::BadToken)?;
    if transfer.status != TransferStatus::AwaitingConsent {
        return Err(MemberTransferError::Closed);
    }
    let answered = app
        .store()
        .answer_transfer(transfer.id, TransferStatus::AwaitingConsent, agree, "member", app.now())
        .await?;
    if !answered {
        return Err(MemberTransferError::Closed);
    }
    tracing::info!(transfer = transfer.id, agree, "transfer answered by the member");
    Ok(org_name(app, transfer.to_org_id).await?)
}
