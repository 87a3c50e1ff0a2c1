//! The audit log: who revealed or exported personal data, verified a membership or
//! changed something an auditor asks about, when, why and from where. Append-only: the
//! store has no method that edits or deletes a record, and the database refuses to
//! (triggers of migration 0006).

use async_trait::async_trait;
use huiji_core::{OrgPath, Timestamp};
use sqlx::QueryBuilder;

use crate::Result;
use crate::db::{SqlStore, on_pool};

/// Who acted: the domain's closed set, stored by its code.
pub use huiji_core::audit::ActorKind;

/// A record to append.
#[derive(Clone, Debug)]
pub struct NewAuditRecord {
    /// When.
    pub at: Timestamp,
    /// Who, by kind.
    pub actor_kind: ActorKind,
    /// The officer's user id or the platform's id, if any.
    pub actor_id: Option<i64>,
    /// The officer's username, the platform's name, or the job's name.
    pub actor_name: String,
    /// The org path of what was touched (a membership's home union, an exported org's
    /// subtree): admins of any org above it see the record.
    pub scope: OrgPath,
    /// What, e.g. `reveal.id_number`, `export.members_csv`, `membership.verify`.
    pub action: String,
    /// Of what, e.g. `membership:42`.
    pub subject: Option<String>,
    /// Why, as the actor gave it.
    pub reason: Option<String>,
    /// From where (the client address).
    pub client_addr: Option<String>,
}

/// A stored record.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRecord {
    /// Id (append order).
    pub id: i64,
    /// When (ms).
    pub at: i64,
    /// `officer` | `platform` | `system`.
    pub actor_kind: String,
    /// The actor's id, if any.
    pub actor_id: Option<i64>,
    /// The actor's name.
    pub actor_name: String,
    /// The org path it concerns.
    pub scope_path: String,
    /// What.
    pub action: String,
    /// Of what.
    pub subject: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// From where.
    pub client_addr: Option<String>,
}

/// Which records to list, newest first. Every filter but the scope is optional.
#[derive(Clone, Debug)]
pub struct AuditQuery {
    /// Only records concerning this subtree.
    pub within: OrgPath,
    /// Exactly this action.
    pub action: Option<String>,
    /// Exactly this actor name.
    pub actor_name: Option<String>,
    /// At or after (ms).
    pub from: Option<i64>,
    /// Before (ms).
    pub to: Option<i64>,
    /// Keyset: ids below this.
    pub before_id: Option<i64>,
    /// Page size.
    pub limit: u32,
}

const INSERT_AUDIT: &str = "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, scope_path, action, \
    subject, reason, client_addr) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";

const SELECT_AUDIT: &str = "SELECT id, at, actor_kind, actor_id, actor_name, scope_path, action, subject, \
    reason, client_addr FROM audit_log WHERE scope_path >= ";

/// The audit trail.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends a record; returns its id.
    async fn record_audit(&self, record: &NewAuditRecord) -> Result<i64>;
    /// A page of records, newest first.
    async fn audit_records(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>>;
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn record_audit(&self, record: &NewAuditRecord) -> Result<i64> {
        Ok(on_pool!(&self.pools, write, |p| sqlx::query_scalar(INSERT_AUDIT)
            .bind(record.at.millis())
            .bind(record.actor_kind.code())
            .bind(record.actor_id)
            .bind(&record.actor_name)
            .bind(record.scope.as_str())
            .bind(&record.action)
            .bind(record.subject.as_deref())
            .bind(record.reason.as_deref())
            .bind(record.client_addr.as_deref())
            .fetch_one(p)
            .await?))
    }

    async fn audit_records(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>> {
        Ok(on_pool!(&self.pools, read, |p| {
            let mut qb = QueryBuilder::new(SELECT_AUDIT);
            qb.push_bind(query.within.as_str().to_owned());
            qb.push(" AND scope_path < ").push_bind(query.within.subtree_upper_bound());
            if let Some(action) = &query.action {
                qb.push(" AND action = ").push_bind(action.clone());
            }
            if let Some(actor) = &query.actor_name {
                qb.push(" AND actor_name = ").push_bind(actor.clone());
            }
            if let Some(from) = query.from {
                qb.push(" AND at >= ").push_bind(from);
            }
            if let Some(to) = query.to {
                qb.push(" AND at < ").push_bind(to);
            }
            if let Some(before) = query.before_id {
                qb.push(" AND id < ").push_bind(before);
            }
            qb.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(query.limit));
            qb.build_query_as().fetch_all(p).await?
        }))
    }
}
