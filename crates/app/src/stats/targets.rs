//! Membership targets: an admin of a union's subtree sets a target for a union, an
//! occupation (or all) and a year (Anhui's "560,000 truck-driver members by 2026"); the
//! statistics page shows the members now against it. Every change is audited.

use huiji_core::audit::AuditAction;
use huiji_core::{Occupation, OrgId};
use huiji_store::TargetRecord;

use super::{StatsError, union_for};
use crate::App;
use crate::actor::Actor;

/// The most members a target may name.
pub const MAX_TARGET: i64 = 100_000_000;

/// A target and the members its union's subtree holds now (of its occupation, if any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The target.
    pub target: TargetRecord,
    /// Members held now.
    pub members: i64,
}

/// Sets (or replaces) the target of `org` for `occupation` (or all) in `year`.
///
/// # Errors
///
/// The union is missing or out of scope, the actor is no admin of it, the target is out
/// of bounds, or the store's.
pub async fn set(
    app: &App,
    actor: &Actor,
    org: OrgId,
    occupation: Option<Occupation>,
    year: i32,
    members: i64,
) -> Result<i64, StatsError> {
    let union = union_for(app, actor, org).await?;
    if !actor.administers(&union.path) {
        return Err(StatsError::Forbidden);
    }
    if !(1..=MAX_TARGET).contains(&members) || !(2000..=2100).contains(&year) {
        return Err(StatsError::InvalidTarget);
    }
    let id = app.store().set_target(org, occupation, year, members, &actor.name(), app.now()).await?;
    let what = occupation.map_or("all", Occupation::code);
    let subject = format!("target:{id} org:{} {what} {year} {members}", org.0);
    actor.audit(app, &union.path, AuditAction::StatsTarget, subject).await?;
    Ok(id)
}

/// The targets of `org`'s subtree for `year`, each with the members held now.
///
/// # Errors
///
/// The union is missing or out of scope, or the store's.
pub async fn progress(app: &App, actor: &Actor, org: OrgId, year: i32) -> Result<Vec<Progress>, StatsError> {
    let union = union_for(app, actor, org).await?;
    let mut out = Vec::new();
    for target in app.store().targets(&union.path, year).await? {
        let members = match target.occupation {
            None => app.store().count_members(&target.org_path).await?,
            Some(occupation) => app
                .store()
                .count_members_by_occupation(&target.org_path)
                .await?
                .into_iter()
                .find(|(code, _)| code == occupation.code())
                .map_or(0, |(_, n)| n),
        };
        out.push(Progress { target, members: i64::try_from(members).unwrap_or(i64::MAX) });
    }
    Ok(out)
}
