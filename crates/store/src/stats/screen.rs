//! Screen tokens for the 数据大屏 (stored as their SHA-256 only), and the one figure the
//! screen needs finer than a day: today's joins by hour.

use huiji_core::{OrgId, OrgPath, Timestamp};

use crate::Result;
use crate::db::{SqlStore, on_pool};

/// A screen token as stored (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ScreenTokenRecord {
    /// Id.
    pub id: i64,
    /// The union whose subtree the screen shows.
    pub org_id: i64,
    /// Its path.
    pub org_path: String,
    /// Where the screen hangs (大厅 …).
    pub label: String,
    /// Who issued it.
    pub created_by: String,
    /// When (ms).
    pub created_at: i64,
    /// When it was revoked (ms).
    pub revoked_at: Option<i64>,
}

const INSERT: &str = "INSERT INTO stats_screen_tokens (org_id, token_hash, label, created_by, created_at) \
    VALUES ($1, $2, $3, $4, $5) RETURNING id";
const BY_HASH: &str = "SELECT t.id, t.org_id, o.path AS org_path, t.label, t.created_by, t.created_at, t.revoked_at \
    FROM stats_screen_tokens t JOIN orgs o ON o.id = t.org_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL";
const BY_ID: &str = "SELECT t.id, t.org_id, o.path AS org_path, t.label, t.created_by, t.created_at, t.revoked_at \
    FROM stats_screen_tokens t JOIN orgs o ON o.id = t.org_id WHERE t.id = $1";
const WITHIN: &str = "SELECT t.id, t.org_id, o.path AS org_path, t.label, t.created_by, t.created_at, t.revoked_at \
    FROM stats_screen_tokens t JOIN orgs o ON o.id = t.org_id WHERE o.path >= $1 AND o.path < $2 \
    ORDER BY t.id DESC LIMIT 100";
const REVOKE: &str = "UPDATE stats_screen_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
/// Applications received since `$3` by the subtree's unions and approved, by the hour
/// (0–23, China time) they came in: ms since the day's start `$3`, divided by an hour.
const JOINS_BY_HOUR: &str = "SELECT CAST((a.created_at - $3) / 3600000 AS BIGINT), CAST(COUNT(*) AS BIGINT) \
    FROM applications a JOIN orgs o ON o.id = a.receiving_org_id \
    WHERE o.path >= $1 AND o.path < $2 AND a.created_at >= $3 AND a.status = 'approved' GROUP BY 1";

impl SqlStore {
    pub(crate) async fn create_screen_token_row(
        &self,
        org: OrgId,
        token_hash: &str,
        label: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<i64> {
        Ok(on_pool!(&self.pools, write, |p| sqlx::query_scalar(INSERT)
            .bind(org.0)
            .bind(token_hash)
            .bind(label)
            .bind(by)
            .bind(at.millis())
            .fetch_one(p)
            .await?))
    }

    pub(crate) async fn screen_token_row(&self, token_hash: &str) -> Result<Option<ScreenTokenRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(BY_HASH)
            .bind(token_hash)
            .fetch_optional(p)
            .await?))
    }

    pub(crate) async fn screen_token_by_id_row(&self, id: i64) -> Result<Option<ScreenTokenRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(BY_ID).bind(id).fetch_optional(p).await?))
    }

    pub(crate) async fn screen_token_rows(&self, within: &OrgPath) -> Result<Vec<ScreenTokenRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(WITHIN)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .fetch_all(p)
            .await?))
    }

    pub(crate) async fn revoke_screen_token_row(&self, id: i64, at: Timestamp) -> Result<bool> {
        let changed = on_pool!(&self.pools, write, |p| sqlx::query(REVOKE)
            .bind(id)
            .bind(at.millis())
            .execute(p)
            .await?
            .rows_affected());
        Ok(changed == 1)
    }

    pub(crate) async fn joins_by_hour_rows(
        &self,
        within: &OrgPath,
        day_start: Timestamp,
    ) -> Result<Vec<(i64, i64)>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(JOINS_BY_HOUR)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .bind(day_start.millis())
            .fetch_all(p)
            .await?))
    }
}
