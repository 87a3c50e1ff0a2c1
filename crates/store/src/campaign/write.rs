//! Making campaigns, queueing their targets, the suppression list.

use huiji_core::Timestamp;
use huiji_core::campaign::FrequencyCap;
use sqlx::QueryBuilder;

use super::{NewCampaign, NewCampaignMessage, SuppressionReason};
use crate::db::{SqlStore, on_pool};
use crate::tx::{Tx, on_tx};
use crate::{Result, StoreError};

const CREATE: &str = "INSERT INTO campaigns (org_id, org_path, name, template, signature, opt_out_text, \
    occupation, region_code, source, actor, status, created_at, expires_at) \
    SELECT id, path, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11 FROM orgs WHERE id = $1 RETURNING id";

/// SQLite: a few thousand targets per statement, the bound rows (`VALUES` names their
/// columns `column1` …) with the suppression list and the per-mobile cap read in the same
/// statement — a target on the list is stored suppressed (counted, never sent); one whose
/// mobile had its allowance of messages in the window before its due time is due when the
/// oldest of them leaves the window ([`FrequencyCap::next_allowed`] in SQL: the
/// `max_messages`-th most recent send plus the window); a mobile the campaign already has
/// adds nothing. (`WHERE true` lets SQLite parse the upsert after a `SELECT`.)
const INSERT_MESSAGES: &str = "INSERT INTO campaign_messages (campaign_id, org_id, occupation, region_code, \
    surname, mobile_ct, mobile_bidx, invite_code, state, due_at) \
    SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, \
    CASE WHEN EXISTS (SELECT 1 FROM campaign_suppressions s WHERE s.mobile_bidx = v.column7) \
    THEN 'suppressed' ELSE 'queued' END, CASE WHEN ";

/// The cap's moment for one target (binds: the window, the window again, the offset).
const CAPPED_UNTIL: &str = "(SELECT s.sent_at + ";
const CAPPED_UNTIL_SINCE: &str =
    " FROM campaign_messages s WHERE s.mobile_bidx = v.column7 AND s.sent_at > v.column9 - ";
const CAPPED_UNTIL_NTH: &str = " ORDER BY s.sent_at DESC LIMIT 1 OFFSET ";

/// PostgreSQL: the whole batch in one statement of nine arrays (one plan, whatever the
/// batch's size), the same rules as [`INSERT_MESSAGES`].
const INSERT_MESSAGES_PG: &str = "INSERT INTO campaign_messages (campaign_id, org_id, occupation, region_code, \
    surname, mobile_ct, mobile_bidx, invite_code, state, due_at) \
    SELECT $1, v.org_id, v.occupation, v.region_code, v.surname, v.mobile_ct, v.mobile_bidx, v.invite_code, \
    CASE WHEN EXISTS (SELECT 1 FROM campaign_suppressions s WHERE s.mobile_bidx = v.mobile_bidx) \
    THEN 'suppressed' ELSE 'queued' END, \
    GREATEST(v.due_at, (SELECT s.sent_at + $10 FROM campaign_messages s WHERE s.mobile_bidx = v.mobile_bidx \
    AND s.sent_at > v.due_at - $10 ORDER BY s.sent_at DESC LIMIT 1 OFFSET $11)) \
    FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::text[], $8::text[], \
    $9::bigint[]) AS v (org_id, occupation, region_code, surname, mobile_ct, mobile_bidx, invite_code, due_at) \
    ON CONFLICT DO NOTHING";

const INSERT_MESSAGES_END: &str = ") v WHERE true ON CONFLICT DO NOTHING";

/// Targets per SQLite statement: nine bound values each (and six for the cap), under its
/// 32,766 parameters.
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

/// The cap's moment for a target, in SQL (NULL when the cap allows it at its due time).
macro_rules! capped_until {
    ($q:expr, $cap:expr) => {{
        let window = $cap.window_millis();
        let offset = i64::from($cap.max_messages()) - 1;
        $q.push(CAPPED_UNTIL)
            .push_bind(window)
            .push(CAPPED_UNTIL_SINCE)
            .push_bind(window)
            .push(CAPPED_UNTIL_NTH)
            .push_bind(offset)
            .push(")");
    }};
}

/// Pushes the statement's head: the due time is the cap's moment when that is later.
macro_rules! insert_head {
    ($q:expr, $cap:expr) => {{
        capped_until!($q, $cap);
        $q.push(" > v.column9 THEN ");
        capped_until!($q, $cap);
        $q.push(" ELSE v.column9 END FROM (");
    }};
}

pub(super) async fn add_messages(
    store: &SqlStore,
    campaign_id: i64,
    messages: &[NewCampaignMessage],
    cap: FrequencyCap,
) -> Result<u64> {
    let mut tx = store.begin_write().await?;
    let added = match &mut tx {
        Tx::Sqlite(t) => {
            let mut added = 0;
            for chunk in messages.chunks(ROWS_PER_STATEMENT) {
                let mut q = QueryBuilder::new(INSERT_MESSAGES);
                insert_head!(q, cap);
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
                added += q.build().execute(&mut **t).await?.rows_affected();
            }
            added
        }
        Tx::Postgres(t) => sqlx::query(INSERT_MESSAGES_PG)
            .bind(campaign_id)
            .bind(messages.iter().map(|m| m.org.map(|o| o.0)).collect::<Vec<_>>())
            .bind(messages.iter().map(|m| m.occupation.code()).collect::<Vec<_>>())
            .bind(messages.iter().map(|m| m.region.map(|r| r.to_string())).collect::<Vec<_>>())
            .bind(messages.iter().map(|m| m.surname.as_deref()).collect::<Vec<_>>())
            .bind(messages.iter().map(|m| m.mobile.ciphertext.as_slice()).collect::<Vec<_>>())
            .bind(messages.iter().map(|m| m.mobile.blind_index.as_str()).collect::<Vec<_>>())
            .bind(messages.iter().map(|m| m.invite_code.as_str()).collect::<Vec<_>>())
            .bind(messages.iter().map(|m| m.due_at.millis()).collect::<Vec<_>>())
            .bind(cap.window_millis())
            .bind(i64::from(cap.max_messages()) - 1)
            .execute(&mut **t)
            .await?
            .rows_affected(),
    };
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
