//! `Idempotency-Key`s of platform requests: a request's key is reserved before the work,
//! its answer stored after it and replayed for 24 hours; a failure on our side frees the
//! key so the platform's retry runs again. The answer is kept as the door made it (a
//! status number and a body), so a replay is byte for byte the first answer.

use huiji_core::Timestamp;
use huiji_store::{Idempotency, StoreError};

use crate::App;

/// How long a key is remembered.
pub const KEY_HOURS: i64 = 24;

/// Reserves `key` of `platform_id` for a request whose canonical body hashes to
/// `request_hash`, or says what an earlier use of the key left.
///
/// # Errors
///
/// The store's.
pub async fn reserve(
    app: &App,
    platform_id: i64,
    key: &str,
    request_hash: &str,
) -> Result<Idempotency, StoreError> {
    let now = app.now();
    let expires = Timestamp(now.0 + KEY_HOURS * 3_600_000);
    app.store().reserve_idempotency(platform_id, key, request_hash, now, expires).await
}

/// Stores the answer a reserved key replays.
///
/// # Errors
///
/// The store's; the key then stays "in progress" until it expires, which is safe: a
/// retry cannot apply twice.
pub async fn complete(
    app: &App,
    platform_id: i64,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), StoreError> {
    app.store().complete_idempotency(platform_id, key, status, body).await
}

/// Frees a reserved key whose request failed on our side.
///
/// # Errors
///
/// The store's.
pub async fn release(app: &App, platform_id: i64, key: &str) -> Result<(), StoreError> {
    app.store().release_idempotency(platform_id, key).await
}
