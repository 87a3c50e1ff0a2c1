//! `Idempotency-Key`s of platform requests, written in the request's own transaction: the
//! key, the request's hash and the answer go into one row with the work they answer for,
//! so a committed join always has its answer and an uncommitted one left no key behind
//! (a retry after a crash gets the first answer, or runs the join). A key's row is the
//! arbiter between concurrent uses: the second `INSERT` finds the first's row (on
//! PostgreSQL after waiting for its commit) and its transaction is rolled back.

use huiji_core::Timestamp;

use crate::Result;
use crate::tx::{Tx, on_tx};

/// A platform request carrying an `Idempotency-Key`.
#[derive(Clone, Copy, Debug)]
pub struct KeyedRequest<'a> {
    /// The platform whose key it is (keys are per platform).
    pub platform_id: i64,
    /// The key as sent.
    pub key: &'a str,
    /// The hash of the canonical request body: the same key with another body is refused.
    pub request_hash: &'a str,
    /// When the request came.
    pub now: Timestamp,
    /// Until when the answer is replayed.
    pub expires_at: Timestamp,
}

/// What an earlier use of an `Idempotency-Key` left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Idempotency {
    /// The same request was answered before: send this again.
    Replay {
        /// HTTP status.
        status: u16,
        /// JSON body.
        body: String,
    },
    /// The key was used for a different request.
    Mismatch,
    /// A reservation without an answer, left by a version of huiji that reserved keys in
    /// a transaction of their own, still young enough that its request may be running.
    InProgress,
}

/// A reservation still without an answer after this long was abandoned: the server that
/// made it died mid-request (requests time out after 30 s). Only versions before the
/// one-transaction join left such rows; their retry runs again after this, and the join
/// rules then find the worker's membership or open application.
pub const ABANDONED_AFTER_MILLIS: i64 = 60_000;

const INSERT_ANSWER: &str = "INSERT INTO idempotency_keys \
    (platform_id, key, request_hash, status_code, response_body, created_at, expires_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (platform_id, key) DO NOTHING";

const EARLIER_KEY: &str = "SELECT request_hash, status_code, response_body, expires_at, created_at \
    FROM idempotency_keys WHERE platform_id = $1 AND key = $2";

/// A key's row: request hash, status, body, expiry, creation.
type KeyRow = (String, Option<i32>, Option<String>, i64, i64);

const DROP_KEY: &str = "DELETE FROM idempotency_keys WHERE platform_id = $1 AND key = $2";

/// Stores `request`'s answer inside the caller's transaction; `Some` when the key was
/// used before (the caller then rolls back everything it wrote).
pub(crate) async fn answer_in(
    tx: &mut Tx,
    request: &KeyedRequest<'_>,
    status: u16,
    body: &str,
) -> Result<Option<Idempotency>> {
    for _ in 0..2 {
        let inserted = on_tx!(tx, |c| sqlx::query(INSERT_ANSWER)
            .bind(request.platform_id)
            .bind(request.key)
            .bind(request.request_hash)
            .bind(i32::from(status))
            .bind(body)
            .bind(request.now.millis())
            .bind(request.expires_at.millis())
            .execute(c)
            .await?
            .rows_affected());
        if inserted == 1 {
            return Ok(None);
        }
        // The key exists: an earlier answer, or an expired row just dropped (then the
        // second round stores ours).
        if let Some(earlier) = earlier_in(tx, request).await? {
            return Ok(Some(earlier));
        }
    }
    Ok(Some(Idempotency::InProgress))
}

/// What an earlier use of `request`'s key left, inside the caller's transaction; an
/// expired or abandoned row is dropped and counts as none.
pub(crate) async fn earlier_in(tx: &mut Tx, request: &KeyedRequest<'_>) -> Result<Option<Idempotency>> {
    let earlier: Option<KeyRow> = on_tx!(tx, |c| sqlx::query_as(EARLIER_KEY)
        .bind(request.platform_id)
        .bind(request.key)
        .fetch_optional(c)
        .await?);
    let Some((hash, status, body, expires_at, created_at)) = earlier else { return Ok(None) };
    let now = request.now.millis();
    let abandoned = body.is_none() && created_at <= now - ABANDONED_AFTER_MILLIS;
    if expires_at <= now || abandoned {
        on_tx!(tx, |c| {
            sqlx::query(DROP_KEY).bind(request.platform_id).bind(request.key).execute(c).await?;
        });
        return Ok(None);
    }
    Ok(Some(match (status, body) {
        _ if hash != request.request_hash => Idempotency::Mismatch,
        (Some(status), Some(body)) => {
            Idempotency::Replay { status: u16::try_from(status).unwrap_or(500), body }
        }
        _ => Idempotency::InProgress,
    }))
}
