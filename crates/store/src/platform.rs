//! The platform API's storage: platforms, their API keys, idempotent requests, the
//! platform's view of applications and memberships.

use async_trait::async_trait;
use huiji_core::Timestamp;

use crate::db::{SqlStore, on_pool};
use crate::joining::{ApplicationRecord, application_columns};
use crate::{Result, StoreError};

pub(crate) mod idempotency;

pub use idempotency::{ABANDONED_AFTER_MILLIS, Idempotency, KeyedRequest};

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

    /// Stores the answer of a keyed request that changed nothing else (refused before
    /// any write), in one commit; `Some` with what an earlier use of the key left instead.
    async fn answer_idempotently(
        &self,
        request: &KeyedRequest<'_>,
        status: u16,
        body: &str,
    ) -> Result<Option<Idempotency>>;

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

    async fn answer_idempotently(
        &self,
        request: &KeyedRequest<'_>,
        status: u16,
        body: &str,
    ) -> Result<Option<Idempotency>> {
        let mut tx = self.begin_write().await?;
        let earlier = idempotency::answer_in(&mut tx, request, status, body).await?;
        if earlier.is_none() {
            tx.commit().await?;
        }
        Ok(earlier)
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
