//! Making campaigns, queueing their targets, the suppression list.

use huiji_core::Timestamp;
use sqlx::QueryBuilder;

use super::{NewCampaign, NewCampaignMessage, SuppressionReason};
use crate::db::{SqlStore, on_pool};
use crate::tx::on_tx;
use crate::{Result, StoreError};

const CREATE: &str = "INSERT INTO campaigns (org_id, org_path, name, template, signature, opt_out_text, \
    occupation, region_code, source, actor, status, created_at, expires_at) \
    SELECT id, path, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11 FROM orgs WHERE id = $1 RETURNING id";

/// Many targets per statement: the bound rows (`VALUES` names their columns `column1` …
/// on both databases) with the suppression list read in the same statement — a target on
/// it is stored suppressed (counted, never sent); a mobile the campaign already has adds
/// nothing. (`WHERE true` lets SQLite parse the upsert after a `SELECT`.)
const INSERT_MESSAGES: &str = "INSERT INTO campaign_messages (campaign_id, org_id, occupation, region_code, \
    surname, mobile_ct, mobile_bidx, invite_code, state, due_at) \
    SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, \
    CASE WHEN EXISTS (SELECT 1 FROM campaign_suppressions s WHERE s.mobile_bidx = v.column7) \
    THEN 'suppressed' ELSE 'queued' END, v.column9 FROM (";

const INSERT_MESSAGES_END: &str = ") v WHERE true ON CONFLICT DO NOTHING";

/// Targets per statement: nine bound values each, under SQLite's 32,766 and
/// PostgreSQL's 65,535 parameters.
const ROWS_PER_STATEMENT: usize = 3_000;

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

pub(super) async fn add_messages(
    store: &SqlStore,
    campaign_id: i64,
    messages: &[NewCampaignMessage],
) -> Result<u64> {
    let mut tx = store.begin_write().await?;
    let mut added = 0;
    for chunk in messages.chunks(ROWS_PER_STATEMENT) {
        added += on_tx!(&mut tx, |c| {
            let mut q = QueryBuilder::new(INSERT_MESSAGES);
            q.push_values(chunk, |mut row, message| {
                row.push_bind(campaign_id)
                    .push_bind(message.org.map(|o| o.0))
                    .push_bind(message.occupation.code())
                    .push_bind(message.region.map(|r| r.to_string()))
                    .push_bind(message.surname.as_deref())
                    .push_bind(message.mobile.ciphertext.as_slice())
                    .push_bind(message.mobile.blind_index.as_str())
                    .push_bind(message.invite_code.as_str())
                    .push_bind(message.due_at.millis());
            });
            q.push(INSERT_MESSAGES_END);
            q.build().execute(c).await?.rows_affected()
        });
    }
    tx.commit().await?;
    Ok(added)
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
