//! Retention (DESIGN.md: rejected and withdrawn applications' personal data are purged
//! after a configurable period): what `huiji purge` and the daily job run. The purge is
//! itself in the audit log.

use huiji_core::{Clock, OrgId, OrgPath};
use huiji_store::{ActorKind, NewAuditRecord, OrgFilter, PurgeCounts, Store, StoreError};

/// The default retention period.
pub const DEFAULT_RETENTION_DAYS: u32 = 180;

/// The path of the tree's root, which scopes records about the whole tree (so the
/// province's admins see them).
pub async fn root_scope(store: &dyn Store) -> Result<OrgPath, StoreError> {
    let first = store.orgs(&OrgFilter { limit: Some(1), ..OrgFilter::default() }).await?;
    Ok(first.into_iter().next().map_or_else(|| OrgPath::root(OrgId(1)), |org| org.path))
}

/// Purges the personal data past `days` and records what went, as `actor`.
pub async fn purge(
    store: &dyn Store,
    clock: &dyn Clock,
    days: u32,
    actor: &str,
) -> Result<PurgeCounts, StoreError> {
    let now = clock.now();
    let cutoff = now.plus_days(-i64::from(days));
    let counts = store.purge_personal_data(cutoff, now).await?;
    if counts != PurgeCounts::default() {
        let record = NewAuditRecord {
            at: now,
            actor_kind: ActorKind::System,
            actor_id: None,
            actor_name: actor.to_owned(),
            scope: root_scope(store).await?,
            action: "purge".to_owned(),
            subject: Some(format!(
                "{} applications, {} memberships, {} outbox messages, {} SMS challenges",
                counts.applications, counts.memberships, counts.outbox, counts.challenges
            )),
            reason: Some(format!("retention {days} days")),
            client_addr: None,
        };
        store.record_audit(&record).await?;
    }
    Ok(counts)
}
