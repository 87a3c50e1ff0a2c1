//! Lifecycle changes of a membership (保留会籍, 恢复, 退会, 除名, 去世): only those
//! `huiji_core` allows from its status, with a reason, in its history and the audit log.

use huiji_core::LifecycleAction;
use huiji_core::audit::AuditAction;
use huiji_store::{Conflict, StoreError};

use super::{MembersError, Result, home_path, in_scope, reason};
use crate::App;
use crate::actor::Actor;

/// Whether `change` would be allowed now, without making it: what a door asks before it
/// shows the officer a confirmation of a change that ends a membership
/// ([`LifecycleAction::ends_membership`]).
///
/// # Errors
///
/// As [`change`], except those only the write itself can meet (changed meanwhile, a
/// second held membership).
pub async fn check_change(
    app: &App,
    actor: &Actor,
    id: i64,
    action: LifecycleAction,
    why: &str,
) -> Result<()> {
    checked(app, actor, id, action, why).await.map(|_| ())
}

/// The checks of a change: scope, role, the state machine and the reason (trimmed).
async fn checked<'w>(
    app: &App,
    actor: &Actor,
    id: i64,
    action: LifecycleAction,
    why: &'w str,
) -> Result<(huiji_core::OrgPath, &'w str)> {
    let member = in_scope(app, actor, id).await?;
    let home = home_path(&member).ok_or(MembersError::NotFound)?;
    if !actor.acts_on(&home) {
        return Err(MembersError::Forbidden);
    }
    if !action.applies_to(member.record.status) {
        return Err(MembersError::NotApplicable);
    }
    Ok((home, reason(why)?))
}

/// Applies `action` to a membership of the actor's subtree.
///
/// # Errors
///
/// Not found or out of scope, a viewer, an action that does not apply to the status, no
/// reason or one too long, a membership changed meanwhile, a reactivation that would make
/// a second held membership, or the store's.
pub async fn change(app: &App, actor: &Actor, id: i64, action: LifecycleAction, why: &str) -> Result<()> {
    let (home, why) = checked(app, actor, id, action, why).await?;
    match app.store().apply_lifecycle(id, action, &actor.name(), why, app.now()).await {
        Ok(true) => {
            let subject = format!("membership:{id} lifecycle:{}", action.code());
            actor.audit_because(app, &home, AuditAction::MemberLifecycle, subject, Some(why)).await?;
            Ok(())
        }
        Ok(false) => Err(MembersError::Changed),
        Err(StoreError::Conflict(Conflict::AlreadyMember)) => Err(MembersError::AlreadyMember),
        Err(error) => Err(error.into()),
    }
}
