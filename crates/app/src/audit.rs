//! The audit log's shared helpers: where records about the whole tree are scoped, how
//! the system (a job, an operator command) records what it did; [`Officer`] is
//! [`crate::actor::Officer`].

use huiji_core::{OrgId, OrgPath, Timestamp};
use huiji_store::{ActorKind, NewAuditRecord, OrgFilter, Store, StoreError};

/// The path of the tree's root, which scopes records about the whole tree (so the
/// province's admins see them).
pub async fn root_scope(store: &dyn Store) -> Result<OrgPath, StoreError> {
    let first = store.orgs(&OrgFilter { limit: Some(1), ..OrgFilter::default() }).await?;
    Ok(first.into_iter().next().map_or_else(|| OrgPath::root(OrgId(1)), |org| org.path))
}

/// Records an action of the system itself (`actor` names the job or command), scoped to
/// the tree's root.
pub async fn record_system(
    store: &dyn Store,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: String,
    reason: Option<String>,
) -> Result<(), StoreError> {
    let record = NewAuditRecord {
        at,
        actor_kind: ActorKind::System,
        actor_id: None,
        actor_name: actor.to_owned(),
        scope: root_scope(store).await?,
        action: action.to_owned(),
        subject: Some(subject),
        reason,
        client_addr: None,
    };
    store.record_audit(&record).await?;
    Ok(())
}

pub use crate::actor::Officer;
