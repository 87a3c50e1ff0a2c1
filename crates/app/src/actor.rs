//! Who runs a use case: an [`Officer`] in the console, or — for the use cases the
//! operator also runs at the command line — an [`Actor`]; the permission checks (role ×
//! org subtree) and the audit record's "who" in one place.

use huiji_core::audit::AuditAction;
use huiji_core::{OrgId, OrgPath, Role, Timestamp, UserId};
use huiji_store::{ActorKind, NewAuditRecord, Store, StoreError};

use crate::App;

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
    /// Whether the account holds `pii.reveal`: may reveal full ID numbers and mobiles of
    /// its subtree's members.
    pub can_reveal: bool,
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
    ///
    /// # Errors
    ///
    /// The store's.
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

/// Who acts.
#[derive(Clone, Debug)]
pub enum Actor {
    /// An officer in the console.
    Officer(Box<Officer>),
    /// The operator at the command line, over the whole tree.
    Operator,
}

impl Actor {
    /// Whether a record at `path` is within what the actor acts on.
    pub fn sees(&self, path: &OrgPath) -> bool {
        match self {
            Actor::Officer(officer) => officer.scope.contains(path),
            Actor::Operator => true,
        }
    }

    /// Whether the actor may manage what lies at `path`: an admin above it, or the operator.
    pub fn administers(&self, path: &OrgPath) -> bool {
        match self {
            Actor::Officer(officer) => officer.role.is_admin() && officer.scope.contains(path),
            Actor::Operator => true,
        }
    }

    /// Whether the actor may change what lies at `path`: an officer above it who is not a
    /// viewer, or the operator.
    pub fn acts_on(&self, path: &OrgPath) -> bool {
        match self {
            Actor::Officer(officer) => officer.role.can_act() && officer.scope.contains(path),
            Actor::Operator => true,
        }
    }

    /// How records name the actor: `user:NAME` or `operator`.
    pub fn name(&self) -> String {
        match self {
            Actor::Officer(officer) => format!("user:{}", officer.username),
            Actor::Operator => "operator".to_owned(),
        }
    }

    /// Appends what the actor did to the audit log, scoped to `scope` (admins above it
    /// see the record).
    ///
    /// # Errors
    ///
    /// The store's.
    pub async fn audit(
        &self,
        app: &App,
        scope: &OrgPath,
        action: AuditAction,
        subject: String,
    ) -> Result<(), StoreError> {
        self.audit_because(app, scope, action, subject, None).await
    }

    /// Like [`Actor::audit`], with the reason the actor gave.
    ///
    /// # Errors
    ///
    /// The store's.
    pub async fn audit_because(
        &self,
        app: &App,
        scope: &OrgPath,
        action: AuditAction,
        subject: String,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let Actor::Officer(officer) = self else {
            let record = NewAuditRecord {
                at: app.now(),
                actor_kind: ActorKind::System,
                actor_id: None,
                actor_name: "operator".to_owned(),
                scope: scope.clone(),
                action: action.code().to_owned(),
                subject: Some(subject),
                reason: reason.map(str::to_owned),
                client_addr: None,
            };
            return app.store().record_audit(&record).await.map(|_| ());
        };
        officer
            .record(app.store().as_ref(), app.now(), scope, action, subject, reason.map(str::to_owned))
            .await
    }
}
