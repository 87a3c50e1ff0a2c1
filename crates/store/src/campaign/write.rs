//! Making campaigns, marking them queued, the suppression list.

use huiji_core::Timestamp;

use super::{NewCampaign, SuppressionReason};
use crate::db::{SqlStore, on_pool};
use crate::tx::on_tx;
use crate::{Result, StoreError};

const CREATE: &str = "INSERT INTO campaigns (org_id, org_path, name, template, signature, opt_out_text, \
    occupation, region_code, source, actor, status, created_at, expires_at) \
    SELECT id, path, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11 FROM orgs WHERE id = $1 RETURNING id";

const MARK_QUEUED: &str =
    "UPDATE campaigns SET status = 'queued', queued_at = COALESCE(queued_at, $2) WHERE id = $1";

const SUPPRESS: &str = "INSERT INTO campaign_suppressions (mobile_bidx, reason, created_at) VALUES ($1, $2, $3) \
    ON CONFLICT (mobile_bidx) DO NOTHING";

const SUPPRESS_QUEUED: &str = "UPDATE campaign_messages SET state = 'suppressed', lease_until = NULL \
    WHERE mobile_bidx = $1 AND state = 'queued'";

pub(super) async fn create(store: &SqlStore, new: &NewCampaign, at: Timestamp) -> Result<i64> {
    let id: Option<i64> = on_pool!(&store.pools, write, |p| sqlx::query_scalar(CREATE)
        .bind(new.org.0)
        .bind(&new.name)
        .bind(&new.template)
        .bind(&new.signature)
        .bind(&new.opt_out_text)
        .bind(new.occupation.map(|o| o.code()))
        .bind(new.region.map(|r| r.to_string()))
        .bind(new.source.as_deref())
        .bind(&new.actor)
        .bind(at.millis())
        .bind(new.expires_at.millis())
        .fetch_optional(p)
        .await?);
    id.ok_or(StoreError::NotFound("campaign union"))
}

pub(super) async fn mark_queued(store: &SqlStore, campaign_id: i64, at: Timestamp) -> Result<()> {
    let changed = on_pool!(&store.pools, write, |p| sqlx::query(MARK_QUEUED)
        .bind(campaign_id)
        .bind(at.millis())
        .execute(p)
        .await?
        .rows_affected());
    if changed == 0 {
        return Err(StoreError::NotFound("campaign"));
    }
    Ok(())
}

pub(super) async fn suppress(
    store: &SqlStore,
    mobile_bidx: &str,
    reason: SuppressionReason,
    at: Timestamp,
) -> Result<bool> {
    let mut tx = store.begin_write().await?;
    let added = on_tx!(&mut tx, |c| sqlx::query(SUPPRESS)
        .bind(mobile_bidx)
        .bind(reason.code())
        .bind(at.millis())
        .execute(c)
        .await?
        .rows_affected());
    on_tx!(&mut tx, |c| {
        sqlx::query(SUPPRESS_QUEUED).bind(mobile_bidx).execute(c).await?;
    });
    tx.commit().await?;
    Ok(added > 0)
}
