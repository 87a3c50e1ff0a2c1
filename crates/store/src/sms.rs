//! SMS verification codes and the outbox SMS provider's table.

use async_trait::async_trait;
use huiji_core::Timestamp;
use huiji_core::sms::{self, SmsCheck, SmsPurpose};

use crate::Result;
use crate::db::{SqlStore, on_pool};
use crate::joining::Sealed;
use crate::tx::on_tx;

/// A message the outbox SMS provider holds.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxMessage {
    /// Id.
    pub id: i64,
    /// The recipient, masked.
    pub mobile_masked: String,
    /// The text.
    pub body: String,
    /// Queued (ms).
    pub created_at: i64,
}

/// A message for the outbox, one of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOutboxMessage {
    /// The recipient, sealed.
    pub mobile: Sealed,
    /// The recipient, masked.
    pub masked: String,
    /// The text.
    pub body: String,
}

/// SMS verification codes and the outbox provider's messages.
#[async_trait]
pub trait SmsStore: Send + Sync {
    /// Records a newly sent SMS code (its hash), valid for 5 minutes from `at`.
    async fn create_sms_challenge(
        &self,
        mobile_bidx: &str,
        purpose: SmsPurpose,
        code_hash: &str,
        at: Timestamp,
    ) -> Result<()>;

    /// How many codes were sent to a mobile since `since` (for send limits).
    async fn sms_challenges_since(&self, mobile_bidx: &str, since: Timestamp) -> Result<u64>;

    /// Checks a typed code against the latest unused one; uses it up when right and
    /// counts the try when wrong.
    async fn check_sms_challenge(
        &self,
        mobile_bidx: &str,
        purpose: SmsPurpose,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<SmsCheck>;

    /// Queues a message in the outbox SMS provider's table.
    async fn push_sms_outbox(&self, mobile: &Sealed, masked: &str, body: &str, at: Timestamp) -> Result<()>;

    /// Queues a batch of messages (a campaign round) in the outbox in one statement.
    async fn push_sms_outbox_batch(&self, messages: &[NewOutboxMessage], at: Timestamp) -> Result<()>;

    /// The newest outbox messages.
    async fn sms_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>>;
}

const INSERT_CHALLENGE: &str = "INSERT INTO sms_challenges (mobile_bidx, purpose, code_hash, expires_at, created_at) \
    VALUES ($1, $2, $3, $4, $5)";

/// Only the latest code counts: sending a new one voids the earlier ones.
const LATEST_CHALLENGE: &str = "SELECT id, code_hash, attempts, expires_at, used_at FROM sms_challenges \
    WHERE mobile_bidx = $1 AND purpose = $2 ORDER BY id DESC LIMIT 1";

const COUNT_CHALLENGES_SINCE: &str =
    "SELECT COUNT(*) FROM sms_challenges WHERE mobile_bidx = $1 AND created_at >= $2";

/// Conditional, so of concurrent checks (PostgreSQL runs them side by side) one uses the
/// code, and only while fewer than the allowed wrong tries were counted before it.
const USE_CHALLENGE: &str = "UPDATE sms_challenges SET used_at = $2 \
    WHERE id = $1 AND used_at IS NULL AND attempts < $3";

/// Counts a wrong try; returns the count, which concurrent tries see in turn.
const FAIL_CHALLENGE: &str = "UPDATE sms_challenges SET attempts = attempts + 1 \
    WHERE id = $1 AND used_at IS NULL RETURNING attempts";

const INSERT_OUTBOX: &str =
    "INSERT INTO sms_outbox (mobile_ct, mobile_masked, body, created_at) VALUES ($1, $2, $3, $4)";

/// SQLite: a batch as bound rows (four values each, under its 32,766 parameters).
const INSERT_OUTBOX_VALUES: &str = "INSERT INTO sms_outbox (mobile_ct, mobile_masked, body, created_at) ";
const OUTBOX_ROWS_PER_STATEMENT: usize = 5_000;
/// PostgreSQL: a batch as arrays.
const INSERT_OUTBOX_UNNEST: &str = "INSERT INTO sms_outbox (mobile_ct, mobile_masked, body, created_at) \
    SELECT v.mobile_ct, v.masked, v.body, $4 FROM UNNEST($1::bytea[], $2::text[], $3::text[]) AS v (mobile_ct, masked, body)";

/// The CAST: see `notices::CLAIM_SQLITE`.
const SELECT_OUTBOX: &str =
    "SELECT id, mobile_masked, body, created_at FROM sms_outbox ORDER BY id DESC LIMIT CAST($1 AS BIGINT)";

#[async_trait]
impl SmsStore for SqlStore {
    async fn create_sms_challenge(
        &self,
        mobile_bidx: &str,
        purpose: SmsPurpose,
        code_hash: &str,
        at: Timestamp,
    ) -> Result<()> {
        on_pool!(&self.pools, write, |p| {
            sqlx::query(INSERT_CHALLENGE)
                .bind(mobile_bidx)
                .bind(purpose.code())
                .bind(code_hash)
                .bind(at.millis() + sms::CODE_TTL_MILLIS)
                .bind(at.millis())
                .execute(p)
                .await?;
        });
        Ok(())
    }

    async fn sms_challenges_since(&self, mobile_bidx: &str, since: Timestamp) -> Result<u64> {
        let count: i64 = on_pool!(&self.pools, read, |p| sqlx::query_scalar(COUNT_CHALLENGES_SINCE)
            .bind(mobile_bidx)
            .bind(since.millis())
            .fetch_one(p)
            .await?);
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn check_sms_challenge(
        &self,
        mobile_bidx: &str,
        purpose: SmsPurpose,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<SmsCheck> {
        let mut tx = self.begin_write().await?;
        let latest: Option<(i64, String, i32, i64, Option<i64>)> =
            on_tx!(&mut tx, |c| sqlx::query_as(LATEST_CHALLENGE)
                .bind(mobile_bidx)
                .bind(purpose.code())
                .fetch_optional(c)
                .await?);
        let Some((id, hash, attempts, expires_at, None)) = latest else {
            return Ok(SmsCheck::NoCode);
        };
        let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
        // What was read may be stale by now (concurrent checks): each write re-judges
        // against the row as it is when the write takes its lock.
        let verdict = match sms::judge(attempts, expires_at, now.millis(), hash == code_hash) {
            SmsCheck::Verified => {
                let used = on_tx!(&mut tx, |c| sqlx::query(USE_CHALLENGE)
                    .bind(id)
                    .bind(now.millis())
                    .bind(i64::from(sms::MAX_ATTEMPTS))
                    .execute(c)
                    .await?
                    .rows_affected());
                if used == 1 { SmsCheck::Verified } else { SmsCheck::NoCode }
            }
            SmsCheck::Wrong { .. } => {
                let counted: Option<i32> = on_tx!(&mut tx, |c| sqlx::query_scalar(FAIL_CHALLENGE)
                    .bind(id)
                    .fetch_optional(c)
                    .await?);
                match counted.map(|n| u32::try_from(n).unwrap_or(u32::MAX)) {
                    Some(n) => sms::judge(n.saturating_sub(1), expires_at, now.millis(), false),
                    None => SmsCheck::NoCode,
                }
            }
            other => other,
        };
        tx.commit().await?;
        Ok(verdict)
    }

    async fn push_sms_outbox(&self, mobile: &Sealed, masked: &str, body: &str, at: Timestamp) -> Result<()> {
        on_pool!(&self.pools, write, |p| {
            sqlx::query(INSERT_OUTBOX)
                .bind(&mobile.ciphertext)
                .bind(masked)
                .bind(body)
                .bind(at.millis())
                .execute(p)
                .await?;
        });
        Ok(())
    }

    async fn push_sms_outbox_batch(&self, messages: &[NewOutboxMessage], at: Timestamp) -> Result<()> {
        if messages.is_empty() {
            return Ok(());
        }
        match &self.pools {
            crate::db::Pools::Sqlite { .. } => {
                // A job of the group-commit writer, as the notices' claims are: the demo
                // gateway records a round of SMS while joins stream in, and a transaction
                // of its own would take the write connection from the writer's batches
                // (`db::WritePool`). One job, so a round larger than one statement is
                // still stored whole.
                let messages = messages.to_vec();
                self.write(move |tx| {
                    Box::pin(async move {
                        let crate::tx::Tx::Sqlite(t) = tx else {
                            return Err(crate::StoreError::Corrupt("a SQLite outbox round".to_owned()));
                        };
                        for chunk in messages.chunks(OUTBOX_ROWS_PER_STATEMENT) {
                            let mut q = sqlx::QueryBuilder::new(INSERT_OUTBOX_VALUES);
                            q.push_values(chunk, |mut row, m| {
                                row.push_bind(m.mobile.ciphertext.as_slice())
                                    .push_bind(m.masked.as_str())
                                    .push_bind(m.body.as_str())
                                    .push_bind(at.millis());
                            });
                            q.build().execute(&mut **t).await?;
                        }
                        Ok(())
                    })
                })
                .await?;
            }
            crate::db::Pools::Postgres(pool) => {
                sqlx::query(INSERT_OUTBOX_UNNEST)
                    .bind(messages.iter().map(|m| m.mobile.ciphertext.as_slice()).collect::<Vec<_>>())
                    .bind(messages.iter().map(|m| m.masked.as_str()).collect::<Vec<_>>())
                    .bind(messages.iter().map(|m| m.body.as_str()).collect::<Vec<_>>())
                    .bind(at.millis())
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    async fn sms_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(SELECT_OUTBOX)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?))
    }
}
