//! The webhook outbox: events written in the same transaction as the change they report
//! (see the `*_EVENT` statements), claimed by delivery workers, and their delivery log.

use async_trait::async_trait;
use huiji_core::Timestamp;

use crate::Result;
use crate::db::{Pools, SqlStore, on_pool};
use crate::tx::on_tx;

/// Writes `application.decided` for application `$1` decided at `$2`, if it came from a
/// platform that takes webhooks. Runs inside the deciding transaction.
pub(crate) const DECIDED_EVENT: &str = "INSERT INTO webhook_events (platform_id, kind, application_id, \
    membership_id, status, reason, member_number, occurred_at, next_attempt_at) \
    SELECT a.platform_id, 'application.decided', a.id, a.membership_id, a.status, a.decision_reason, \
    m.member_number, $2, $2 FROM applications a JOIN platforms p ON p.id = a.platform_id \
    LEFT JOIN memberships m ON m.id = a.membership_id \
    WHERE a.id = $1 AND p.webhook_url IS NOT NULL";

/// Writes `membership.transferred` for membership `$1` moved from `$2` to `$3` at `$4`
/// (`$5`: the event kind, `transferred` or `distributed`), if a platform's application made it.
pub(crate) const TRANSFERRED_EVENT: &str = "INSERT INTO webhook_events (platform_id, kind, application_id, \
    membership_id, reason, member_number, from_org_id, to_org_id, occurred_at, next_attempt_at) \
    SELECT a.platform_id, 'membership.transferred', a.id, m.id, $5, m.member_number, $2, $3, $4, $4 \
    FROM memberships m JOIN applications a ON a.id = m.application_id JOIN platforms p ON p.id = a.platform_id \
    WHERE m.id = $1 AND p.webhook_url IS NOT NULL";

/// One event with what its delivery needs.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookEvent {
    /// Id; the public event id is `evt_<id>`.
    pub id: i64,
    /// What it reports.
    #[sqlx(try_from = "String")]
    pub kind: huiji_core::webhook::WebhookKind,
    /// The platform.
    pub platform_id: i64,
    /// Its name.
    pub platform_name: String,
    /// Where to deliver.
    pub webhook_url: Option<String>,
    /// The encrypted signing secret.
    pub webhook_secret_ct: Option<Vec<u8>>,
    /// The application concerned.
    pub application_id: Option<i64>,
    /// The platform's own reference for it.
    pub external_ref: Option<String>,
    /// The decision (`approved`, `rejected`).
    pub status: Option<String>,
    /// A rejection's reason, or the kind of move.
    pub reason: Option<String>,
    /// The member number.
    pub member_number: Option<String>,
    /// Moved from.
    pub from_org_id: Option<i64>,
    /// That union's name.
    pub from_org_name: Option<String>,
    /// Moved to.
    pub to_org_id: Option<i64>,
    /// That union's name.
    pub to_org_name: Option<String>,
    /// When the change happened (ms).
    pub occurred_at: i64,
    /// `pending`, `delivered` or `failed`.
    pub delivery: String,
    /// Attempts so far (counting a claimed one).
    pub attempts: i32,
    /// Next try (ms).
    pub next_attempt_at: i64,
}

impl std::fmt::Debug for WebhookEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEvent")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("platform_id", &self.platform_id)
            .field("delivery", &self.delivery)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// One delivery attempt.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryRecord {
    /// The event.
    pub event_id: i64,
    /// 1 for the first try.
    pub attempt: i32,
    /// When (ms).
    pub at: i64,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// How long the attempt took.
    pub duration_ms: i64,
}

/// What to do with an event after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterAttempt {
    /// The receiver took it.
    Delivered,
    /// Try again then.
    RetryAt(Timestamp),
    /// Out of attempts.
    GiveUp,
}

/// The webhook outbox.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Claims up to `limit` due events until `lease_until`, so other workers skip them,
    /// and counts the attempt.
    async fn claim_webhooks(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<WebhookEvent>>;

    /// Logs an attempt and moves the event on.
    async fn record_delivery(&self, delivery: &DeliveryRecord, after: AfterAttempt) -> Result<()>;

    /// The newest events, for the console's delivery log.
    async fn webhook_events(&self, limit: u32) -> Result<Vec<WebhookEvent>>;

    /// One event's attempts, oldest first.
    async fn webhook_deliveries(&self, event_id: i64) -> Result<Vec<DeliveryRecord>>;
}

macro_rules! event_select {
    ($tail:literal) => {
        concat!(
            "SELECT e.id, e.kind, e.platform_id, p.name AS platform_name, p.webhook_url, p.webhook_secret_ct, \
             e.application_id, a.external_ref, e.status, e.reason, e.member_number, e.from_org_id, \
             fo.name AS from_org_name, e.to_org_id, t.name AS to_org_name, e.occurred_at, e.delivery, \
             e.attempts, e.next_attempt_at \
             FROM webhook_events e JOIN platforms p ON p.id = e.platform_id \
             LEFT JOIN applications a ON a.id = e.application_id \
             LEFT JOIN orgs fo ON fo.id = e.from_org_id LEFT JOIN orgs t ON t.id = e.to_org_id ",
            $tail
        )
    };
}

const EVENT_BY_ID: &str = event_select!("WHERE e.id = $1");

/// The CAST: see `notices::CLAIM_SQLITE`.
const NEWEST_EVENTS: &str = event_select!("ORDER BY e.id DESC LIMIT CAST($1 AS BIGINT)");

/// PostgreSQL: rows another worker holds are skipped, not waited for, so any number of
/// instances share the outbox. The locking `LIMIT` runs once, as a materialised CTE (see
/// the notices' claim: an `id IN (subquery)` may be rescanned per row and lease every due
/// event).
const CLAIM_PG: &str = "WITH due AS MATERIALIZED ( \
    SELECT id FROM webhook_events WHERE delivery = 'pending' AND next_attempt_at <= $1 \
    AND (locked_until IS NULL OR locked_until <= $1) ORDER BY next_attempt_at, id LIMIT $3 \
    FOR UPDATE SKIP LOCKED) \
    UPDATE webhook_events e SET locked_until = $2, attempts = e.attempts + 1 FROM due WHERE e.id = due.id \
    RETURNING e.id";

/// SQLite has one writer, so the claim is already exclusive. (The CAST keeps SQLite from
/// preparing it anew at every run: see `notices::CLAIM_SQLITE`.)
const CLAIM_SQLITE: &str = "UPDATE webhook_events SET locked_until = $2, attempts = attempts + 1 WHERE id IN ( \
    SELECT id FROM webhook_events WHERE delivery = 'pending' AND next_attempt_at <= $1 \
    AND (locked_until IS NULL OR locked_until <= $1) ORDER BY next_attempt_at, id LIMIT CAST($3 AS BIGINT)) RETURNING id";

const INSERT_DELIVERY: &str = "INSERT INTO webhook_deliveries (event_id, attempt, at, status_code, error, duration_ms) \
    VALUES ($1, $2, $3, $4, $5, $6)";

const DELIVERED: &str = "UPDATE webhook_events SET delivery = 'delivered', delivered_at = $2, locked_until = NULL \
    WHERE id = $1";

const RETRY: &str = "UPDATE webhook_events SET next_attempt_at = $2, locked_until = NULL WHERE id = $1";

const GIVE_UP: &str = "UPDATE webhook_events SET delivery = 'failed', locked_until = NULL WHERE id = $1";

const DELIVERIES: &str = "SELECT event_id, attempt, at, status_code, error, duration_ms FROM webhook_deliveries \
    WHERE event_id = $1 ORDER BY id";

#[async_trait]
impl WebhookStore for SqlStore {
    async fn claim_webhooks(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<WebhookEvent>> {
        let ids: Vec<i64> = match &self.pools {
            Pools::Sqlite { write, .. } => {
                let write = write.wanted();
                sqlx::query_scalar(CLAIM_SQLITE)
                    .bind(now.millis())
                    .bind(lease_until.millis())
                    .bind(i64::from(limit))
                    .fetch_all(&*write)
                    .await?
            }
            Pools::Postgres(pool) => {
                sqlx::query_scalar(CLAIM_PG)
                    .bind(now.millis())
                    .bind(lease_until.millis())
                    .bind(i64::from(limit))
                    .fetch_all(pool)
                    .await?
            }
        };
        let mut events = Vec::with_capacity(ids.len());
        for id in ids {
            // Read from the writer: the claim just committed there.
            let event: Option<WebhookEvent> = on_pool!(&self.pools, write, |p| sqlx::query_as(EVENT_BY_ID)
                .bind(id)
                .fetch_optional(p)
                .await?);
            events.extend(event);
        }
        events.sort_by_key(|e| e.id);
        Ok(events)
    }

    async fn record_delivery(&self, delivery: &DeliveryRecord, after: AfterAttempt) -> Result<()> {
        let mut tx = self.begin_write().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(INSERT_DELIVERY)
                .bind(delivery.event_id)
                .bind(delivery.attempt)
                .bind(delivery.at)
                .bind(delivery.status_code)
                .bind(delivery.error.as_deref())
                .bind(delivery.duration_ms)
                .execute(c)
                .await?;
        });
        let (sql, at) = match after {
            AfterAttempt::Delivered => (DELIVERED, Some(delivery.at)),
            AfterAttempt::RetryAt(next) => (RETRY, Some(next.millis())),
            AfterAttempt::GiveUp => (GIVE_UP, None),
        };
        on_tx!(&mut tx, |c| {
            let mut update = sqlx::query(sql).bind(delivery.event_id);
            if let Some(at) = at {
                update = update.bind(at);
            }
            update.execute(c).await?;
        });
        tx.commit().await
    }

    async fn webhook_events(&self, limit: u32) -> Result<Vec<WebhookEvent>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(NEWEST_EVENTS)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?))
    }

    async fn webhook_deliveries(&self, event_id: i64) -> Result<Vec<DeliveryRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(DELIVERIES).bind(event_id).fetch_all(p).await?))
    }
}
