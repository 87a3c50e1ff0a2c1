//! Who runs a use case that officers run in the console and the operator runs at the
//! command line: the permission checks (role × org subtree) and the audit record's
//! "who" in one place.

use huiji_core::audit::AuditAction;
use huiji_core::{Org, OrgPath, Role};
use huiji_store::{ActorKind, NewAuditRecord, StoreError};

use crate::App;

/// An officer acting in the console on their org's subtree.
#[derive(Clone, Debug)]
pub struct Officer {
    /// The account's id.
    pub user_id: i64,
    /// Its username.
    pub username: String,
    /// Its role.
    pub role: Role,
    /// The org whose subtree it acts on.
    pub org: Org,
    /// Where the request came from, for the audit log.
    pub client_addr: Option<String>,
    /// Whether the account holds `pii.reveal`: may reveal full ID numbers and mobiles of
    /// its subtree's members.
    pub can_reveal: bool,
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
            Actor::Officer(officer) => officer.org.path.contains(path),
            Actor::Operator => true,
        }
    }

    /// Whether the actor may manage what lies at `path`: an admin above it, or the operator.
    pub fn administers(&self, path: &OrgPath) -> bool {
        match self {
            Actor::Officer(officer) => officer.role.is_admin() && officer.org.path.contains(path),
            Actor::Operator => true,
        }
    }

    /// Whether the actor may change what lies at `path`: an officer above it who is not a
    /// viewer, or the operator.
    pub fn acts_on(&self, path: &OrgPath) -> bool {
        match self {
            Actor::Officer(officer) => officer.role.can_act() && officer.org.path.contains(path),
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
        let (actor_kind, actor_id, actor_name, client_addr) = match self {
            Actor::Officer(o) => {
                (ActorKind::Officer, Some(o.user_id), o.username.clone(), o.client_addr.clone())
            }
            Actor::Operator => (ActorKind::System, None, "operator".to_owned(), None),
        };
        let record = NewAuditRecord {
            at: app.now(),
            actor_kind,
            actor_id,
            actor_name,
            scope: scope.clone(),
            action: action.code().to_owned(),
            subject: Some(subject),
            reason: reason.map(str::to_owned),
            client_addr,
        };
        app.store().record_audit(&record).await?;
        Ok(())
    }
}
