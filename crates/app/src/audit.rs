//! The audit log's shared helpers: where records about the whole tree are scoped, how
//! the system (a job, an operator command) records what it did, and who an [`Officer`]
//! acting in a use case is.

use huiji_core::audit::AuditAction;
use huiji_core::{OrgId, OrgPath, Role, Timestamp, UserId};
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

/// Who acts in a use case: an officer's (or a judge's) account and the subtree of its
/// org, as a door (the console, the command line) authenticated it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Officer {
    /// The account.
    pub user: UserId,
    /// Its username.
    pub username: String,
    /// Its role.
    pub role: Role,
    /// Its org.
    pub org: OrgId,
    /// The org's path: the subtree it acts on.
    pub scope: OrgPath,
    /// Where the request came from, for the audit log.
    pub client_addr: Option<String>,
}

impl Officer {
    /// Whether a record at `path` lies in this officer's subtree.
    pub fn sees(&self, path: &OrgPath) -> bool {
        self.scope.contains(path)
    }

    /// `user:NAME`, as records name who did something.
    pub fn actor(&self) -> String {
        format!("user:{}", self.username)
    }

    /// Appends what the officer did to the audit log, scoped to `scope` (the admins above
    /// it see it).
    pub async fn record(
        &self,
        store: &dyn Store,
        at: Timestamp,
        scope: &OrgPath,
        action: AuditAction,
        subject: String,
        reason: Option<String>,
    ) -> Result<(), StoreError> {
        let record = NewAuditRecord {
            at,
            actor_kind: ActorKind::Officer,
            actor_id: Some(self.user.0),
            actor_name: self.username.clone(),
            scope: scope.clone(),
            action: action.code().to_owned(),
            subject: Some(subject),
            reason,
            client_addr: self.client_addr.clone(),
        };
        store.record_audit(&record).await?;
        Ok(())
    }
}
