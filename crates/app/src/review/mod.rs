//! Reviewing applications: an officer of the reviewing org's subtree approves or rejects
//! a pending application, one at a time or in a batch. An approval makes the membership
//! and sends the same welcome SMS an instant approval sends, a rejection an SMS with the
//! reason, the union's contact and what to do next — both queued in the decision's own
//! transaction ([`crate::notices`]); every decision is in the audit log.

use huiji_core::OrgPath;
use huiji_core::audit::AuditAction;
use huiji_store::{ApplicationDetail, NoticeAbout, ReviewOutcome, StoreError};

use crate::App;
use crate::actor::Actor;

/// The longest rejection reason kept.
pub const MAX_REJECT_REASON_CHARS: usize = 500;

/// The most applications one batch approval decides; the rest count as skipped.
pub const BATCH_LIMIT: usize = 50;

/// Why a review use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// No such application, or one outside the officer's subtree.
    #[error("not found")]
    NotFound,
    /// The officer may only look (a viewer).
    #[error("forbidden")]
    Forbidden,
    /// A rejection needs a reason.
    #[error("a reason is required")]
    ReasonMissing,
    /// The rejection reason is longer than [`MAX_REJECT_REASON_CHARS`].
    #[error("reason too long")]
    ReasonTooLong,
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// Shorthand for the area's results.
pub type Result<T, E = ReviewError> = std::result::Result<T, E>;

/// The reviewing org's path of an application, for scope checks.
fn reviewer_path(detail: &ApplicationDetail) -> Option<OrgPath> {
    OrgPath::parse(&detail.reviewer_path)
}

/// An application the actor may see (reviewed within their subtree), else
/// [`ReviewError::NotFound`] exactly like a missing one.
///
/// # Errors
///
/// Not found or out of scope, or the store's.
pub async fn visible(app: &App, actor: &Actor, id: i64) -> Result<ApplicationDetail> {
    let detail = app.store().application_detail(id).await?;
    detail.filter(|d| reviewer_path(d).is_some_and(|p| actor.sees(&p))).ok_or(ReviewError::NotFound)
}

/// An application the actor may decide: visible to them, and they are not a viewer.
async fn decidable(app: &App, actor: &Actor, id: i64) -> Result<ApplicationDetail> {
    let detail = visible(app, actor, id).await?;
    if !reviewer_path(&detail).is_some_and(|p| actor.acts_on(&p)) {
        return Err(ReviewError::Forbidden);
    }
    Ok(detail)
}

/// Approves an application: the membership at its landing union, the welcome SMS to the
/// applicant's mobile, and an audit record.
///
/// # Errors
///
/// Not found or out of scope, a viewer, or the store's. An application decided
/// meanwhile, or an applicant who holds a membership meanwhile, is an outcome, not an
/// error.
pub async fn approve(app: &App, actor: &Actor, id: i64) -> Result<ReviewOutcome> {
    let detail = decidable(app, actor, id).await?;
    approve_decidable(app, actor, &detail).await
}

async fn approve_decidable(app: &App, actor: &Actor, detail: &ApplicationDetail) -> Result<ReviewOutcome> {
    let id = detail.item.application.id;
    let outcome = app.store().approve_application(id, &actor.name(), app.now()).await?;
    if let ReviewOutcome::Approved { .. } = &outcome {
        if let Some(scope) = reviewer_path(detail) {
            actor.audit(app, &scope, AuditAction::ApplicationApprove, format!("application:{id}")).await?;
        }
        // The welcome was queued by the approval's transaction; it goes out now. So were
        // the SMS of any on-approval benefit grants: the notice job sends those at once,
        // off this request (not at its next 30-s round).
        crate::notices::deliver_about(app, about(id)).await;
        app.notices_due().notify_one();
    }
    Ok(outcome)
}

/// Rejects an application with the reason the officer gave (trimmed), recorded with the
/// decision and in the audit log.
///
/// # Errors
///
/// Not found or out of scope, a viewer, no reason or one too long, or the store's.
pub async fn reject(app: &App, actor: &Actor, id: i64, reason: &str) -> Result<ReviewOutcome> {
    let detail = decidable(app, actor, id).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ReviewError::ReasonMissing);
    }
    if reason.chars().count() > MAX_REJECT_REASON_CHARS {
        return Err(ReviewError::ReasonTooLong);
    }
    let outcome = app.store().reject_application(id, &actor.name(), reason, app.now()).await?;
    if outcome == ReviewOutcome::Rejected
        && let Some(scope) = reviewer_path(&detail)
    {
        let subject = format!("application:{id}");
        actor.audit_because(app, &scope, AuditAction::ApplicationReject, subject, Some(reason)).await?;
    }
    if outcome == ReviewOutcome::Rejected {
        // The rejection's transaction queued its SMS (reason, contact, what next).
        crate::notices::deliver_about(app, about(id)).await;
    }
    Ok(outcome)
}

/// The notices of one application's decision.
fn about(application: i64) -> NoticeAbout {
    NoticeAbout { application: Some(application), ..NoticeAbout::default() }
}

/// What a batch approval did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Applications approved.
    pub approved: usize,
    /// Applications left alone: out of scope, missing, decided, flagged for a look of
    /// their own — the count says nothing about why. Ids beyond [`BATCH_LIMIT`] are
    /// not counted.
    pub skipped: usize,
}

/// Approves up to [`BATCH_LIMIT`] applications, each like a single approval; those that
/// need a look of their own ([`huiji_store::QueueItem::flagged`]) are skipped.
///
/// # Errors
///
/// A viewer, or the store's.
pub async fn approve_batch(app: &App, actor: &Actor, ids: &[i64]) -> Result<BatchOutcome> {
    if let Actor::Officer(officer) = actor
        && !officer.role.can_act()
    {
        return Err(ReviewError::Forbidden);
    }
    let mut outcome = BatchOutcome::default();
    for id in ids.iter().take(BATCH_LIMIT) {
        let detail = match decidable(app, actor, *id).await {
            Ok(detail) if !detail.item.flagged() => detail,
            Ok(_) | Err(ReviewError::NotFound | ReviewError::Forbidden) => {
                outcome.skipped += 1;
                continue;
            }
            Err(other) => return Err(other),
        };
        match approve_decidable(app, actor, &detail).await? {
            ReviewOutcome::Approved { .. } => outcome.approved += 1,
            _ => outcome.skipped += 1,
        }
    }
    Ok(outcome)
}
