//! Transfers (接转) as officers run them. An officer asks for a member into a union of
//! their subtree ([`ask`]); the transfer takes effect only when the outgoing side agrees —
//! an officer whose subtree holds the membership (not the one who asked), or the member
//! after an SMS check. A member's own request waits for the receiving side instead. Who
//! may do what is `huiji_core::transfer`'s rule; every step is in the audit log.

pub mod ask;

use huiji_core::audit::AuditAction;
use huiji_core::transfer::ReasonTooLong;
use huiji_core::{OrgPath, Side, Standing, TransferStatus};
use huiji_store::{StoreError, TransferRecord};

use crate::App;
use crate::actor::Actor;

pub use ask::{Asked, TransferRequest, ask};

/// Why a transfer use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// No such transfer or union, or one outside the officer's subtree (or a transfer
    /// whose awaited side the officer does not hold).
    #[error("not found")]
    NotFound,
    /// The officer may not: a viewer, or the one who asked answering their own request.
    #[error("forbidden")]
    Forbidden,
    /// The reason is longer than `huiji_core::transfer::MAX_REASON_CHARS`.
    #[error("reason too long")]
    ReasonTooLong,
    /// Neither a member number nor a valid ID number was typed.
    #[error("invalid member number or ID number")]
    InvalidMember,
    /// The typed name is not a valid name.
    #[error("invalid name")]
    InvalidName,
    /// The member already belongs to the receiving union.
    #[error("already a member of this union")]
    AlreadyHere,
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

impl From<ReasonTooLong> for TransferError {
    fn from(_: ReasonTooLong) -> Self {
        TransferError::ReasonTooLong
    }
}

/// Shorthand for the area's results.
pub type Result<T, E = TransferError> = std::result::Result<T, E>;

/// Where the actor stands toward a transfer: which sides their subtree holds, and
/// whether they asked for it.
pub fn standing(actor: &Actor, transfer: &TransferRecord) -> Standing {
    Standing {
        outgoing: transfer.from_path.as_deref().and_then(OrgPath::parse).is_some_and(|p| actor.sees(&p)),
        receiving: OrgPath::parse(&transfer.to_path).is_some_and(|p| actor.sees(&p)),
        started: transfer.requested_by == actor.name(),
    }
}

/// The transfer, the actor's standing toward it and its status, if their subtree holds
/// either side of it (else [`TransferError::NotFound`], like a missing one).
async fn visible(app: &App, actor: &Actor, id: i64) -> Result<(TransferRecord, Standing, TransferStatus)> {
    let transfer = app.store().transfer(id).await?.ok_or(TransferError::NotFound)?;
    let standing = standing(actor, &transfer);
    let status = transfer.status;
    if !standing.outgoing && !standing.receiving {
        return Err(TransferError::NotFound);
    }
    Ok((transfer, standing, status))
}

/// Refuses viewers.
fn require_act(actor: &Actor) -> Result<()> {
    match actor {
        Actor::Officer(officer) if !officer.role.can_act() => Err(TransferError::Forbidden),
        _ => Ok(()),
    }
}

/// The scope a transfer's records go to: the receiving union's subtree.
fn scope_of(transfer: &TransferRecord) -> Option<OrgPath> {
    OrgPath::parse(&transfer.to_path)
}

/// What an answer did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answered {
    /// The awaited side answered: agreeing moved the membership.
    Done {
        /// Which side answered.
        side: Side,
        /// Whether it agreed.
        agree: bool,
    },
    /// Decided already, or the membership changed meanwhile: nothing happened.
    AlreadyDecided,
}

/// The awaited side answers a transfer: an officer holding that side who did not ask for
/// it.
///
/// # Errors
///
/// A transfer the actor does not see or whose awaited side they do not hold
/// ([`TransferError::NotFound`]), their own request or a viewer
/// ([`TransferError::Forbidden`]), or the store's.
pub async fn answer(app: &App, actor: &Actor, id: i64, agree: bool) -> Result<Answered> {
    let (transfer, standing, status) = visible(app, actor, id).await?;
    let Some(side) = status.awaits() else { return Ok(Answered::AlreadyDecided) };
    // The answer belongs to the awaited side: for anyone else it does not exist.
    if !standing.holds(side) {
        return Err(TransferError::NotFound);
    }
    require_act(actor)?;
    if !standing.may_answer(status) {
        return Err(TransferError::Forbidden);
    }
    let answered = app.store().answer_transfer(id, status, agree, &actor.name(), app.now()).await?;
    tracing::info!(transfer = id, actor = %actor.name(), agree, answered, "transfer answered");
    if !answered {
        return Ok(Answered::AlreadyDecided);
    }
    if let Some(scope) = scope_of(&transfer) {
        let subject = format!("transfer:{id} {}", if agree { "agreed" } else { "refused" });
        actor.audit(app, &scope, AuditAction::TransferAnswer, subject).await?;
    }
    // The answer's transaction queued the member's SMS; it goes out now.
    crate::notices::deliver_about(app, huiji_store::NoticeAbout { transfer: Some(id), ..Default::default() })
        .await;
    Ok(Answered::Done { side, agree })
}

/// The asking side withdraws its request while it waits; `false` when it no longer may
/// (answered, or not theirs to withdraw).
///
/// # Errors
///
/// A transfer whose receiving side the actor does not hold ([`TransferError::NotFound`]),
/// a viewer, or the store's.
pub async fn withdraw(app: &App, actor: &Actor, id: i64) -> Result<bool> {
    let (transfer, standing, status) = visible(app, actor, id).await?;
    if !standing.receiving {
        return Err(TransferError::NotFound);
    }
    require_act(actor)?;
    let withdrawn =
        standing.may_withdraw(status) && app.store().withdraw_transfer(id, &actor.name(), app.now()).await?;
    if withdrawn {
        tracing::info!(transfer = id, actor = %actor.name(), "transfer withdrawn");
        if let Some(scope) = scope_of(&transfer) {
            actor.audit(app, &scope, AuditAction::TransferWithdraw, format!("transfer:{id}")).await?;
        }
    }
    Ok(withdrawn)
}
