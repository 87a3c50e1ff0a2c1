//! Sending messages: claiming due ones, recording sends, receipts and clicks. Each write
//! is guarded by the state it expects, so a repeated call changes nothing.

use huiji_core::Timestamp;
use huiji_core::campaign::{MessageState, Receipt};

use super::{DueMessage, message_state};
use crate::db::{Pools, SqlStore, on_pool};
use crate::{Result, StoreError};

/// Claims due messages; the outer conditions are checked again on each row, so two
/// senders racing for one message (PostgreSQL re-reads a row updated meanwhile) never
/// both get it.
macro_rules! claim {
    ($lock:literal) => {
        concat!(
            "UPDATE campaign_messages SET lease_until = $2 WHERE id IN (SELECT id FROM campaign_messages \
             WHERE state = 'queued' AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
             ORDER BY due_at, id LIMIT $3",
            $lock,
            ") AND state = 'queued' AND (lease_until IS NULL OR lease_until <= $1) \
             RETURNING id, campaign_id, mobile_ct, mobile_bidx, surname, invite_code, attempts"
        )
    };
}
/// SQLite has one writer, so the claim is already exclusive.
const CLAIM_SQLITE: &str = claim!("");
/// PostgreSQL: rows another instance is claiming are skipped, not waited for (and then
/// found leased), so two instances claiming at once each get a full batch of their own.
const CLAIM_PG: &str = claim!(" FOR UPDATE SKIP LOCKED");

const SENDS_SINCE: &str =
    "SELECT sent_at FROM campaign_messages WHERE mobile_bidx = $1 AND sent_at > $2 ORDER BY sent_at";

/// A receipt may have come first: the state stays what it said, the send time is kept.
const MARK_SENT: &str = "UPDATE campaign_messages SET state = CASE WHEN state = 'queued' THEN 'sent' ELSE state END, \
    sent_at = COALESCE(sent_at, $2), lease_until = NULL WHERE id = $1 AND state <> 'suppressed'";

const RESCHEDULE: &str = "UPDATE campaign_messages SET due_at = $2, lease_until = NULL, attempts = attempts + $3 \
    WHERE id = $1 AND state = 'queued'";

const END: &str =
    "UPDATE campaign_messages SET state = $2, lease_until = NULL WHERE id = $1 AND state = 'queued'";

const STATE: &str = "SELECT state FROM campaign_messages WHERE id = $1";

const SET_STATE: &str =
    "UPDATE campaign_messages SET state = $3, receipt_at = $4 WHERE id = $1 AND state = $2";

const CLICK: &str = "UPDATE campaign_messages SET clicked_at = $2 WHERE id = $1 AND clicked_at IS NULL";

type DueRow = (i64, i64, Vec<u8>, String, Option<String>, String, i64);

pub(super) async fn claim(
    store: &SqlStore,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<DueMessage>> {
    let sql = match &store.pools {
        Pools::Sqlite { .. } => CLAIM_SQLITE,
        Pools::Postgres(_) => CLAIM_PG,
    };
    let mut rows: Vec<DueRow> = on_pool!(&store.pools, write, |p| sqlx::query_as(sql)
        .bind(now.millis())
        .bind(lease_until.millis())
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    rows.sort_by_key(|r| r.0);
    Ok(rows
        .into_iter()
        .map(|(id, campaign_id, mobile_ct, mobile_bidx, surname, invite_code, attempts)| DueMessage {
            id,
            campaign_id,
            mobile_ct,
            mobile_bidx,
            surname,
            invite_code,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        })
        .collect())
}

pub(super) async fn sends_since(
    store: &SqlStore,
    mobile_bidx: &str,
    since: Timestamp,
) -> Result<Vec<Timestamp>> {
    let rows: Vec<i64> = on_pool!(&store.pools, read, |p| sqlx::query_scalar(SENDS_SINCE)
        .bind(mobile_bidx)
        .bind(since.millis())
        .fetch_all(p)
        .await?);
    Ok(rows.into_iter().map(Timestamp).collect())
}

pub(super) async fn mark_sent(store: &SqlStore, message_id: i64, at: Timestamp) -> Result<()> {
    on_pool!(&store.pools, write, |p| {
        sqlx::query(MARK_SENT).bind(message_id).bind(at.millis()).execute(p).await?;
    });
    Ok(())
}

pub(super) async fn reschedule(
    store: &SqlStore,
    message_id: i64,
    due_at: Timestamp,
    failed_attempt: bool,
) -> Result<()> {
    on_pool!(&store.pools, write, |p| {
        sqlx::query(RESCHEDULE)
            .bind(message_id)
            .bind(due_at.millis())
            .bind(i64::from(failed_attempt))
            .execute(p)
            .await?;
    });
    Ok(())
}

pub(super) async fn end(store: &SqlStore, message_id: i64, state: MessageState) -> Result<()> {
    on_pool!(&store.pools, write, |p| {
        sqlx::query(END).bind(message_id).bind(state.code()).execute(p).await?;
    });
    Ok(())
}

pub(super) async fn receipt(
    store: &SqlStore,
    message_id: i64,
    receipt: Receipt,
    at: Timestamp,
) -> Result<Option<MessageState>> {
    // A concurrent receipt may change the state between the read and the write: the
    // guarded write then changes nothing and the state is read again.
    for _ in 0..3 {
        let code: Option<String> = on_pool!(&store.pools, write, |p| sqlx::query_scalar(STATE)
            .bind(message_id)
            .fetch_optional(p)
            .await?);
        let Some(code) = code else { return Ok(None) };
        let state = message_state(&code)?;
        let next = state.after_receipt(receipt);
        if next == state {
            return Ok(Some(state));
        }
        let changed = on_pool!(&store.pools, write, |p| sqlx::query(SET_STATE)
            .bind(message_id)
            .bind(state.code())
            .bind(next.code())
            .bind(at.millis())
            .execute(p)
            .await?
            .rows_affected());
        if changed == 1 {
            return Ok(Some(next));
        }
    }
    Err(StoreError::Corrupt(format!("campaign message {message_id}: receipt kept racing")))
}

pub(super) async fn click(store: &SqlStore, message_id: i64, at: Timestamp) -> Result<bool> {
    let changed = on_pool!(&store.pools, write, |p| sqlx::query(CLICK)
        .bind(message_id)
        .bind(at.millis())
        .execute(p)
        .await?
        .rows_affected());
    Ok(changed == 1)
}
