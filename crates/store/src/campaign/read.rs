//! Reading campaigns, invites and message pages.

use huiji_core::{OrgId, OrgPath, Timestamp};

use super::{CampaignMessageRecord, CampaignRecord, CampaignStatus, InviteRecord, message_state};
use crate::db::{SqlStore, on_pool};
use crate::{Result, StoreError};

macro_rules! campaign_columns {
    () => {
        "SELECT id, org_id, org_path, name, template, signature, opt_out_text, occupation, region_code, source, \
         actor, status, created_at, queued_at, expires_at FROM campaigns "
    };
}

const ONE: &str = concat!(campaign_columns!(), "WHERE id = $1");

const WITHIN: &str =
    concat!(campaign_columns!(), "WHERE org_path >= $1 AND org_path < $2 ORDER BY id DESC LIMIT $3");

const SUPPRESSED: &str = "SELECT 1 FROM campaign_suppressions WHERE mobile_bidx = $1";

const INVITE: &str = "SELECT m.id, m.campaign_id, m.org_id, m.occupation, m.region_code, c.expires_at, \
    m.mobile_bidx FROM campaign_messages m JOIN campaigns c ON c.id = m.campaign_id WHERE m.invite_code = $1";

const MESSAGES: &str = "SELECT id, org_id, mobile_ct, state, due_at, sent_at, clicked_at FROM campaign_messages \
    WHERE campaign_id = $1 AND id > $2 ORDER BY id LIMIT $3";

#[derive(sqlx::FromRow)]
struct CampaignRow {
    id: i64,
    org_id: i64,
    org_path: String,
    name: String,
    template: String,
    signature: String,
    opt_out_text: String,
    occupation: Option<String>,
    region_code: Option<String>,
    source: Option<String>,
    actor: String,
    status: String,
    created_at: i64,
    queued_at: Option<i64>,
    expires_at: i64,
}

impl TryFrom<CampaignRow> for CampaignRecord {
    type Error = StoreError;

    fn try_from(row: CampaignRow) -> Result<CampaignRecord> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("campaign {}: {what}", row.id));
        Ok(CampaignRecord {
            id: row.id,
            org: OrgId(row.org_id),
            org_path: OrgPath::parse(&row.org_path).ok_or_else(|| corrupt("org_path"))?,
            occupation: row
                .occupation
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|_| corrupt("occupation"))?,
            region: row.region_code.as_deref().map(str::parse).transpose().map_err(|_| corrupt("region"))?,
            status: CampaignStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
            name: row.name,
            template: row.template,
            signature: row.signature,
            opt_out_text: row.opt_out_text,
            source: row.source,
            actor: row.actor,
            created_at: Timestamp(row.created_at),
            queued_at: row.queued_at.map(Timestamp),
            expires_at: Timestamp(row.expires_at),
        })
    }
}

pub(super) async fn campaign(store: &SqlStore, id: i64) -> Result<Option<CampaignRecord>> {
    let row: Option<CampaignRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(ONE).bind(id).fetch_optional(p).await?);
    row.map(CampaignRecord::try_from).transpose()
}

pub(super) async fn campaigns(store: &SqlStore, within: &OrgPath, limit: u32) -> Result<Vec<CampaignRecord>> {
    let rows: Vec<CampaignRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(WITHIN)
        .bind(within.as_str())
        .bind(within.subtree_upper_bound())
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    rows.into_iter().map(CampaignRecord::try_from).collect()
}

pub(super) async fn is_suppressed(store: &SqlStore, mobile_bidx: &str) -> Result<bool> {
    let found: Option<i32> = on_pool!(&store.pools, read, |p| sqlx::query_scalar(SUPPRESSED)
        .bind(mobile_bidx)
        .fetch_optional(p)
        .await?);
    Ok(found.is_some())
}

type InviteRow = (i64, i64, Option<i64>, String, Option<String>, i64, String);

pub(super) async fn invite(store: &SqlStore, code: &str) -> Result<Option<InviteRecord>> {
    let row: Option<InviteRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(INVITE).bind(code).fetch_optional(p).await?);
    row.map(|(message_id, campaign_id, org, occupation, region, expires_at, mobile_bidx)| {
        let corrupt = |what: &str| StoreError::Corrupt(format!("campaign message {message_id}: {what}"));
        Ok(InviteRecord {
            message_id,
            campaign_id,
            org: org.map(OrgId),
            occupation: occupation.parse().map_err(|_| corrupt("occupation"))?,
            region: region.as_deref().map(str::parse).transpose().map_err(|_| corrupt("region"))?,
            expires_at: Timestamp(expires_at),
            mobile_bidx,
        })
    })
    .transpose()
}

type MessageRow = (i64, Option<i64>, Vec<u8>, String, i64, Option<i64>, Option<i64>);

pub(super) async fn messages(
    store: &SqlStore,
    campaign_id: i64,
    after: i64,
    limit: u32,
) -> Result<Vec<CampaignMessageRecord>> {
    let rows: Vec<MessageRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(MESSAGES)
        .bind(campaign_id)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    rows.into_iter()
        .map(|(id, org, mobile_ct, state, due_at, sent_at, clicked_at)| {
            Ok(CampaignMessageRecord {
                id,
                org: org.map(OrgId),
                mobile_ct,
                state: message_state(&state)?,
                due_at: Timestamp(due_at),
                sent_at: sent_at.map(Timestamp),
                clicked_at: clicked_at.map(Timestamp),
            })
        })
        .collect()
}
