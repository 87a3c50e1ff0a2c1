//! `Idempotency-Key`s of platform requests: a request's answer is stored under its key in
//! the same commit as the work it answers for (`joining::keyed` for joins; a request
//! refused before any write stores its answer alone, [`answer`]) and replayed for 24
//! hours. The answer is kept as the door made it (a status number and a body), so a
//! replay is byte for byte the first answer. A failure on our side stores nothing, so the
//! platform's retry runs again.

use huiji_core::Timestamp;
use huiji_store::{Idempotency, KeyedRequest, StoreError};

use crate::App;

/// How long a key is remembered.
pub const KEY_HOURS: i64 = 24;

/// What a keyed request gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyedAnswer {
    /// This request's own answer, now stored under its key.
    First {
        /// HTTP status.
        status: u16,
        /// JSON body.
        body: String,
    },
    /// What an earlier use of the key left (a replay, a mismatch, or a reservation of an
    /// older version still in progress); nothing of this request was kept.
    Earlier(Idempotency),
}

/// The key of `platform_id` for a request whose canonical body hashes to `request_hash`,
/// as of now.
pub fn request<'a>(app: &App, platform_id: i64, key: &'a str, request_hash: &'a str) -> KeyedRequest<'a> {
    let now = app.now();
    KeyedRequest { platform_id, key, request_hash, now, expires_at: Timestamp(now.0 + KEY_HOURS * 3_600_000) }
}

/// Stores the answer of a keyed request that wrote nothing else (refused before any
/// write), or says what an earlier use of the key left.
///
/// # Errors
///
/// The store's; nothing is stored then and a retry runs again.
pub async fn answer(
    app: &App,
    request: &KeyedRequest<'_>,
    status: u16,
    body: String,
) -> Result<KeyedAnswer, StoreError> {
    Ok(match app.store().answer_idempotently(request, status, &body).await? {
        None => KeyedAnswer::First { status, body },
        Some(earlier) => KeyedAnswer::Earlier(earlier),
    })
}
