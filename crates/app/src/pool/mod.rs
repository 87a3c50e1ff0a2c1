//! The turnover pool (周转池): members who joined before a union near them was known
//! (先入会再分流) wait in their city's pool until an officer distributes (分流) them to a
//! township, community or industry union of the officer's subtree.

use huiji_core::audit::AuditAction;
use huiji_core::{Org, OrgId, OrgPath};
use huiji_store::StoreError;

use crate::App;
use crate::actor::Actor;

/// The most members one distribution moves; the rest count as skipped.
pub const BATCH_LIMIT: usize = 50;

/// Why a distribution did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// No such union, or one outside the officer's subtree.
    #[error("not found")]
    NotFound,
    /// The officer may only look (a viewer).
    #[error("forbidden")]
    Forbidden,
    /// The union does not take pool members ([`Org::receives_pool_members`]).
    #[error("the union does not receive pool members")]
    NotReceiving,
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// What a distribution did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Distributed {
    /// Members moved to the union.
    pub moved: usize,
    /// Members left alone: outside the subtree, gone, no longer in a pool, or beyond
    /// [`BATCH_LIMIT`] — the count says nothing about why.
    pub skipped: usize,
}

/// A union the actor may distribute to: in their subtree, and one that receives pool
/// members.
///
/// # Errors
///
/// Not found or out of scope, a union that receives nobody, or the store's.
pub async fn target(app: &App, actor: &Actor, to: OrgId) -> Result<Org, PoolError> {
    let target = app.store().org(to).await?.filter(|o| actor.sees(&o.path)).ok_or(PoolError::NotFound)?;
    if !target.receives_pool_members() {
        return Err(PoolError::NotReceiving);
    }
    Ok(target)
}

/// Moves pool members of the actor's subtree to the union `to` (up to [`BATCH_LIMIT`]),
/// each move in the member's history and the audit log.
///
/// # Errors
///
/// See [`target`]; a viewer; the store's.
pub async fn distribute(app: &App, actor: &Actor, ids: &[i64], to: OrgId) -> Result<Distributed, PoolError> {
    let target = target(app, actor, to).await?;
    if !actor.acts_on(&target.path) {
        return Err(PoolError::Forbidden);
    }
    let now = app.now();
    let mut done = Distributed { moved: 0, skipped: ids.len().saturating_sub(BATCH_LIMIT) };
    for id in ids.iter().take(BATCH_LIMIT) {
        // Ids outside the scope, gone, or no longer in a pool are skipped alike.
        let membership = app.store().membership(*id).await?;
        let home = membership.as_ref().and_then(|m| OrgPath::parse(&m.home_path));
        let Some((m, home)) = membership.zip(home).filter(|(m, home)| actor.sees(home) && m.in_pool) else {
            done.skipped += 1;
            continue;
        };
        let from = OrgId(m.home_org_id);
        if app.store().move_membership(m.id, from, target.id, "distributed", &actor.name(), now).await? {
            let subject = format!("membership:{} {} -> {}", m.id, from, target.id);
            actor.audit(app, &home, AuditAction::PoolDistribute, subject).await?;
            // The move's transaction queued the member's SMS; it goes out now.
            let about = huiji_store::NoticeAbout { membership: Some(m.id), ..Default::default() };
            crate::notices::deliver_about(app, about).await;
            done.moved += 1;
        } else {
            done.skipped += 1;
        }
    }
    Ok(done)
}
