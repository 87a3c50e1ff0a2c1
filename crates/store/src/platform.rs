//! The platform API's storage: platforms, their API keys, idempotent requests, the
//! platform's view of applications and memberships.

use async_trait::async_trait;
use huiji_core::Timestamp;

use crate::db::{SqlStore, on_pool};
use crate::joining::{ApplicationRecord, application_columns};
use crate::tx::on_tx;
use crate::{Result, StoreError};

/// A platform company integrating through the API.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlatformRecord {
    /// Id.
    pub id: i64,
    /// Unique name, e.g. `huolala`.
    pub name: String,
    /// Where its webhooks go.
    pub webhook_url: Option<String>,
    /// The webhook signing secret, encrypted.
    pub webhook_secret_ct: Option<Vec<u8>>,
    /// Created (ms).
    pub created_at: i64,
}

impl std::fmt::Debug for PlatformRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformRecord")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("webhook_url", &self.webhook_url)
            .finish_non_exhaustive()
    }
}

/// An API key as stored: never the key itself, only its hash.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKeyRecord {
    /// Id.
    pub id: i64,
    /// The platform it acts for.
    pub platform_id: i64,
    /// That platform's name.
    pub platform_name: String,
    /// The key's public prefix, shown in lists.
    pub prefix: String,
    /// Hex SHA-256 of the whole key.
    pub key_hash: String,
    /// Space-separated scopes.
    pub scopes: String,
    /// Created (ms).
    pub created_at: i64,
    /// Revoked (ms); revoked keys authenticate nothing.
    pub revoked_at: Option<i64>,
}

impl ApiKeyRecord {
    /// Whether the key carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.split_whitespace().any(|s| s == scope)
    }
}

/// What an `Idempotency-Key` reservation found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Idempotency {
    /// A new key: do the work, then [`PlatformStore::complete_idempotency`].
    Reserved,
    /// The same request was answered before: send this again.
    Replay {
        /// HTTP status.
        status: u16,
        /// JSON body.
        body: String,
    },
    /// The key was used for a different request.
    Mismatch,
    /// The first request with this key is still being worked on.
    InProgress,
}

/// The platform API's storage.
#[async_trait]
pub trait PlatformStore: Send + Sync {
    /// The platform called `name`, created if new.
    async fn ensure_platform(&self, name: &str, at: Timestamp) -> Result<PlatformRecord>;

    /// The platform called `name`.
    async fn platform_by_name(&self, name: &str) -> Result<Option<PlatformRecord>>;

    /// Every platform, by name.
    async fn platforms(&self) -> Result<Vec<PlatformRecord>>;

    /// Sets (or with `None`, clears) where a platform's webhooks go and their secret.
    async fn set_webhook(&self, platform_id: i64, url: Option<&str>, secret_ct: Option<&[u8]>) -> Result<()>;

    /// Stores a new key's hash.
    async fn create_api_key(
        &self,
        platform_id: i64,
        prefix: &str,
        key_hash: &str,
        scopes: &str,
        at: Timestamp,
    ) -> Result<ApiKeyRecord>;

    /// The key with this prefix, revoked or not.
    async fn api_key_by_prefix(&self, prefix: &str) -> Result<Option<ApiKeyRecord>>;

    /// Every key, newest first.
    async fn api_keys(&self) -> Result<Vec<ApiKeyRecord>>;

    /// Revokes a key; false when no live key has that prefix.
    async fn revoke_api_key(&self, prefix: &str, at: Timestamp) -> Result<bool>;

    /// Reserves `key` for a request whose body hashes to `request_hash`, or says what an
    /// earlier use of the key left. Expired keys count as new.
    async fn reserve_idempotency(
        &self,
        platform_id: i64,
        key: &str,
        request_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Idempotency>;

    /// Stores the response a reserved key replays.
    async fn complete_idempotency(&self, platform_id: i64, key: &str, status: u16, body: &str) -> Result<()>;

    /// Frees a reserved key whose request failed on our side, so a retry runs again.
    async fn release_idempotency(&self, platform_id: i64, key: &str) -> Result<()>;

    /// Forgets keys that expired before `now`.
    async fn purge_idempotency(&self, now: Timestamp) -> Result<u64>;

    /// One application, only if `platform_id` submitted it.
    async fn platform_application(&self, platform_id: i64, id: i64) -> Result<Option<ApplicationRecord>>;

    /// Whether the platform submitted an application (with the worker's consent) for
    /// this person.
    async fn platform_has_consent(&self, platform_id: i64, id_number_bidx: &str) -> Result<bool>;
}

const INSERT_PLATFORM: &str =
    "INSERT INTO platforms (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";

const PLATFORM_BY_NAME: &str =
    "SELECT id, name, webhook_url, webhook_secret_ct, created_at FROM platforms WHERE name = $1";

const PLATFORMS: &str =
    "SELECT id, name, webhook_url, webhook_secret_ct, created_at FROM platforms ORDER BY name";

const SET_WEBHOOK: &str = "UPDATE platforms SET webhook_url = $2, webhook_secret_ct = $3 WHERE id = $1";

const INSERT_KEY: &str = "INSERT INTO api_keys (platform_id, prefix, key_hash, scopes, created_at) \
    VALUES ($1, $2, $3, $4, $5)";

macro_rules! key_select {
    ($tail:literal) => {
        concat!(
            "SELECT k.id, k.platform_id, p.name AS platform_name, k.prefix, k.key_hash, k.scopes, \
             k.created_at, k.revoked_at FROM api_keys k JOIN platforms p ON p.id = k.platform_id ",
            $tail
        )
    };
}

const KEY_BY_PREFIX: &str = key_select!("WHERE k.prefix = $1");

const KEYS: &str = key_select!("ORDER BY k.id DESC");

const REVOKE_KEY: &str = "UPDATE api_keys SET revoked_at = $2 WHERE prefix = $1 AND revoked_at IS NULL";

const RESERVE_KEY: &str = "INSERT INTO idempotency_keys (platform_id, key, request_hash, created_at, expires_at) \
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (platform_id, key) DO NOTHING";

const EARLIER_KEY: &str = "SELECT request_hash, status_code, response_body, expires_at FROM idempotency_keys \
    WHERE platform_id = $1 AND key = $2";

/// A reservation still without a response after this long was abandoned: the server
/// that made it died mid-request (requests time out after 30 s). Its retry runs again
/// instead of meeting `InProgress` for a day; the join rules then find the worker's
/// membership or open application, so nothing is made twice.
pub const ABANDONED_AFTER_MILLIS: i64 = 60_000;

const DROP_EXPIRED_KEY: &str = "DELETE FROM idempotency_keys WHERE platform_id = $1 AND key = $2 \
    AND (expires_at <= $3 OR (response_body IS NULL AND created_at <= $4))";

const COMPLETE_KEY: &str = "UPDATE idempotency_keys SET status_code = $3, response_body = $4 \
    WHERE platform_id = $1 AND key = $2";

const RELEASE_KEY: &str =
    "DELETE FROM idempotency_keys WHERE platform_id = $1 AND key = $2 AND response_body IS NULL";

const PURGE_KEYS: &str = "DELETE FROM idempotency_keys WHERE expires_at <= $1";

const PLATFORM_APPLICATION: &str =
    concat!("SELECT ", application_columns!(), " FROM applications WHERE id = $1 AND platform_id = $2");

const PLATFORM_CONSENT: &str =
    "SELECT COUNT(*) FROM applications WHERE platform_id = $1 AND id_number_bidx = $2";

#[async_trait]
impl PlatformStore for SqlStore {
    async fn ensure_platform(&self, name: &str, at: Timestamp) -> Result<PlatformRecord> {
        on_pool!(&self.pools, write, |p| sqlx::query(INSERT_PLATFORM)
            .bind(name)
            .bind(at.millis())
            .execute(p)
            .await?
            .rows_affected());
        self.platform_by_name(name).await?.ok_or(StoreError::NotFound("platform"))
    }

    async fn platform_by_name(&self, name: &str) -> Result<Option<PlatformRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(PLATFORM_BY_NAME)
            .bind(name)
            .fetch_optional(p)
            .await?))
    }

    async fn platforms(&self) -> Result<Vec<PlatformRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(PLATFORMS).fetch_all(p).await?))
    }

    async fn set_webhook(&self, platform_id: i64, url: Option<&str>, secret_ct: Option<&[u8]>) -> Result<()> {
        on_pool!(&self.pools, write, |p| sqlx::query(SET_WEBHOOK)
            .bind(platform_id)
            .bind(url)
            .bind(secret_ct)
            .execute(p)
            .await?
            .rows_affected());
        Ok(())
    }

    async fn create_api_key(
        &self,
        platform_id: i64,
        prefix: &str,
        key_hash: &str,
        scopes: &str,
        at: Timestamp,
    ) -> Result<ApiKeyRecord> {
        on_pool!(&self.pools, write, |p| sqlx::query(INSERT_KEY)
            .bind(platform_id)
            .bind(prefix)
            .bind(key_hash)
            .bind(scopes)
            .bind(at.millis())
            .execute(p)
            .await?
            .rows_affected());
        self.api_key_by_prefix(prefix).await?.ok_or(StoreError::NotFound("api key"))
    }

    async fn api_key_by_prefix(&self, prefix: &str) -> Result<Option<ApiKeyRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(KEY_BY_PREFIX)
            .bind(prefix)
            .fetch_optional(p)
            .await?))
    }

    async fn api_keys(&self) -> Result<Vec<ApiKeyRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(KEYS).fetch_all(p).await?))
    }

    async fn revoke_api_key(&self, prefix: &str, at: Timestamp) -> Result<bool> {
        let changed = on_pool!(&self.pools, write, |p| sqlx::query(REVOKE_KEY)
            .bind(prefix)
            .bind(at.millis())
            .execute(p)
            .await?
            .rows_affected());
        Ok(changed == 1)
    }

    async fn reserve_idempotency(
        &self,
        platform_id: i64,
        key: &str,
        request_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Idempotency> {
        let mut tx = self.begin_write().await?;
        // An expired or abandoned key is forgotten first, so its name can be used again.
        on_tx!(&mut tx, |c| {
            sqlx::query(DROP_EXPIRED_KEY)
                .bind(platform_id)
                .bind(key)
                .bind(now.millis())
                .bind(now.millis() - ABANDONED_AFTER_MILLIS)
                .execute(c)
                .await?;
        });
        let reserved = on_tx!(&mut tx, |c| sqlx::query(RESERVE_KEY)
            .bind(platform_id)
            .bind(key)
            .bind(request_hash)
            .bind(now.millis())
            .bind(expires_at.millis())
            .execute(c)
            .await?
            .rows_affected());
        if reserved == 1 {
            tx.commit().await?;
            return Ok(Idempotency::Reserved);
        }
        let earlier: (String, Option<i32>, Option<String>, i64) =
            on_tx!(&mut tx, |c| sqlx::query_as(EARLIER_KEY).bind(platform_id).bind(key).fetch_one(c).await?);
        tx.commit().await?;
        Ok(match earlier {
            (hash, _, _, _) if hash != request_hash => Idempotency::Mismatch,
            (_, Some(status), Some(body), _) => {
                Idempotency::Replay { status: u16::try_from(status).unwrap_or(500), body }
            }
            _ => Idempotency::InProgress,
        })
    }

    async fn complete_idempotency(&self, platform_id: i64, key: &str, status: u16, body: &str) -> Result<()> {
        on_pool!(&self.pools, write, |p| sqlx::query(COMPLETE_KEY)
            .bind(platform_id)
            .bind(key)
            .bind(i32::from(status))
            .bind(body)
            .execute(p)
            .await?
            .rows_affected());
        Ok(())
    }

    async fn release_idempotency(&self, platform_id: i64, key: &str) -> Result<()> {
        on_pool!(&self.pools, write, |p| sqlx::query(RELEASE_KEY)
            .bind(platform_id)
            .bind(key)
            .execute(p)
            .await?
            .rows_affected());
        Ok(())
    }

    async fn purge_idempotency(&self, now: Timestamp) -> Result<u64> {
        Ok(on_pool!(&self.pools, write, |p| sqlx::query(PURGE_KEYS)
            .bind(now.millis())
            .execute(p)
            .await?
            .rows_affected()))
    }

    async fn platform_application(&self, platform_id: i64, id: i64) -> Result<Option<ApplicationRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(PLATFORM_APPLICATION)
            .bind(id)
            .bind(platform_id)
            .fetch_optional(p)
            .await?))
    }

    async fn platform_has_consent(&self, platform_id: i64, id_number_bidx: &str) -> Result<bool> {
        let count: i64 = on_pool!(&self.pools, read, |p| sqlx::query_scalar(PLATFORM_CONSENT)
            .bind(platform_id)
            .bind(id_number_bidx)
            .fetch_one(p)
            .await?);
        Ok(count > 0)
    }
}
