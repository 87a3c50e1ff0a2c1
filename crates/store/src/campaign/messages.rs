//! Sending messages: claiming due ones, recording sends, receipts and clicks. Each write
//! is guarded by the state it expects, so a repeated call changes nothing.

use std::collections::{HashMap, HashSet};

use huiji_core::Timestamp;
use huiji_core::campaign::{MessageState, Receipt};
use sqlx::QueryBuilder;

use super::{DueMessage, message_state};
use crate::db::{Pools, SqlStore, on_pool};
use crate::tx::Tx;
use crate::{Result, StoreError};

/// What the sender needs to know about the mobiles of a round's messages, read at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SendChecks {
    /// The blind indexes on the suppression list.
    pub suppressed: HashSet<String>,
    /// The campaign messages sent to each mobile after the time asked about.
    pub sends: HashMap<String, Vec<Timestamp>>,
}

/// How a claimed message left the sender's round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settled {
    /// Handed to the provider at this time (a repeat, or a receipt that came first,
    /// changes nothing but the lease).
    Sent(Timestamp),
    /// Ended unsent: [`MessageState::Failed`] or [`MessageState::Suppressed`].
    Ended(MessageState),
    /// Put back, due at this time; `failed_attempt` counts a failed send.
    Rescheduled {
        /// The new due time.
        due_at: Timestamp,
        /// Whether the provider refused it this time.
        failed_attempt: bool,
    },
}

/// Claims due messages; the outer conditions are checked again on each row, so two
/// senders racing for one message (PostgreSQL re-reads a row updated meanwhile) never
/// both get it. SQLite has one writer, so the claim is already exclusive (and it runs the
/// `IN` subquery once).
/// The CAST keeps SQLite from preparing it anew at every run (see `notices::CLAIM_SQLITE`).
const CLAIM_SQLITE: &str = "UPDATE campaign_messages SET lease_until = $2 WHERE id IN (SELECT id FROM campaign_messages \
    WHERE state = 'queued' AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
    ORDER BY due_at, id LIMIT CAST($3 AS BIGINT)) AND state = 'queued' AND (lease_until IS NULL OR lease_until <= $1) \
    RETURNING id, campaign_id, mobile_ct, mobile_bidx, surname, invite_code, attempts";
/// PostgreSQL: rows another instance is claiming are skipped, not waited for (and then
/// found leased), so two instances claiming at once each get a full batch of their own.
/// The locking `LIMIT` runs once, as a materialised CTE: written as `id IN (subquery)` the
/// planner may pick a nested-loop semi-join that rescans the subquery for every outer
/// row, and each rescan skips the rows this statement already updated and locks the next
/// `LIMIT` — a claim of 40 took all 100 due messages of an unanalysed table (EXPLAIN: Nested
/// Loop Semi Join over LockRows), breaking the sender's rate.
const CLAIM_PG: &str = "WITH due AS MATERIALIZED (SELECT id FROM campaign_messages \
    WHERE state = 'queued' AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
    ORDER BY due_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
    UPDATE campaign_messages m SET lease_until = $2 FROM due WHERE m.id = due.id AND m.state = 'queued' \
    AND (m.lease_until IS NULL OR m.lease_until <= $1) \
    RETURNING m.id, m.campaign_id, m.mobile_ct, m.mobile_bidx, m.surname, m.invite_code, m.attempts";

const SENDS_SINCE: &str =
    "SELECT sent_at FROM campaign_messages WHERE mobile_bidx = $1 AND sent_at > $2 ORDER BY sent_at";

/// A receipt may have come first: the state stays what it said, the send time is kept.
const MARK_SENT: &str = "UPDATE campaign_messages SET state = CASE WHEN state = 'queued' THEN 'sent' ELSE state END, \
    sent_at = COALESCE(sent_at, $2), lease_until = NULL WHERE id = $1 AND state <> 'suppressed'";

const RESCHEDULE: &str = "UPDATE campaign_messages SET due_at = $2, lease_until = NULL, attempts = attempts + $3 \
    WHERE id = $1 AND state = 'queued'";

const END: &str =
    "UPDATE campaign_messages SET state = $2, lease_until = NULL WHERE id = $1 AND state = 'queued'";

/// SQLite: a round's sends and its ends in one statement each (the bound time or state
/// between the two halves, then the ids as a generated placeholder list, at most
/// [`IDS_PER_STATEMENT`]).
const MARK_SENT_IN: (&str, &str) = (
    "UPDATE campaign_messages SET state = CASE WHEN state = 'queued' THEN 'sent' ELSE state END, \
     sent_at = COALESCE(sent_at, ",
    "), lease_until = NULL WHERE state <> 'suppressed' AND id IN (",
);
const END_IN: (&str, &str) =
    ("UPDATE campaign_messages SET state = ", ", lease_until = NULL WHERE state = 'queued' AND id IN (");
/// SQLite: the put-back messages, each with its own due time, joined from bound rows.
const RESCHEDULE_VALUES: &str = "UPDATE campaign_messages SET due_at = v.column2, lease_until = NULL, \
    attempts = attempts + v.column3 FROM (";
const RESCHEDULE_VALUES_END: &str =
    ") AS v WHERE campaign_messages.id = v.column1 AND campaign_messages.state = 'queued'";

/// PostgreSQL: the same three as arrays (one plan whatever the round's size).
const MARK_SENT_ANY: &str = "UPDATE campaign_messages SET state = CASE WHEN state = 'queued' THEN 'sent' ELSE state END, \
    sent_at = COALESCE(sent_at, $1), lease_until = NULL WHERE state <> 'suppressed' AND id = ANY($2)";
const END_ANY: &str =
    "UPDATE campaign_messages SET state = $1, lease_until = NULL WHERE state = 'queued' AND id = ANY($2)";
const RESCHEDULE_UNNEST: &str = "UPDATE campaign_messages m SET due_at = v.due_at, lease_until = NULL, \
    attempts = m.attempts + v.failed FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[]) AS v (id, due_at, failed) \
    WHERE m.id = v.id AND m.state = 'queued'";

/// SQLite: the recent sends to a round's mobiles and which of them opted out, in one
/// statement (the time, then the list bound twice).
const CHECKS_IN: (&str, &str, &str) = (
    "SELECT mobile_bidx, sent_at FROM campaign_messages WHERE sent_at > ",
    " AND mobile_bidx IN (",
    ") UNION ALL SELECT mobile_bidx, NULL FROM campaign_suppressions WHERE mobile_bidx IN (",
);
/// PostgreSQL: the same over one array.
const CHECKS_ANY: &str = "SELECT mobile_bidx, sent_at FROM campaign_messages WHERE sent_at > $1 \
    AND mobile_bidx = ANY($2) UNION ALL SELECT mobile_bidx, NULL::bigint FROM campaign_suppressions \
    WHERE mobile_bidx = ANY($2)";

/// Ids (or mobiles, bound twice) per SQLite statement, well under its 32,766 parameters;
/// put-back rows take three each.
const IDS_PER_STATEMENT: usize = 10_000;
const ROWS_PER_STATEMENT: usize = 5_000;

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

pub(super) async fn send_checks(
    store: &SqlStore,
    mobile_bidxs: &[String],
    since: Timestamp,
) -> Result<SendChecks> {
    let mut rows: Vec<(String, Option<i64>)> = Vec::new();
    match &store.pools {
        Pools::Sqlite { read, .. } => {
            for chunk in mobile_bidxs.chunks(IDS_PER_STATEMENT) {
                let mut q = QueryBuilder::new(CHECKS_IN.0);
                q.push_bind(since.millis()).push(CHECKS_IN.1);
                bind_list(&mut q, chunk.iter().map(String::as_str));
                q.push(CHECKS_IN.2);
                bind_list(&mut q, chunk.iter().map(String::as_str));
                q.push(")");
                rows.extend(q.build_query_as::<(String, Option<i64>)>().fetch_all(read).await?);
            }
        }
        Pools::Postgres(pool) => {
            rows = sqlx::query_as(CHECKS_ANY).bind(since.millis()).bind(mobile_bidxs).fetch_all(pool).await?;
        }
    }
    let mut checks = SendChecks::default();
    for (bidx, sent_at) in rows {
        match sent_at {
            Some(at) => checks.sends.entry(bidx).or_default().push(Timestamp(at)),
            None => {
                checks.suppressed.insert(bidx);
            }
        }
    }
    Ok(checks)
}

pub(super) async fn settle(store: &SqlStore, settled: &[(i64, Settled)]) -> Result<()> {
    let mut sent: HashMap<Timestamp, Vec<i64>> = HashMap::new();
    let mut ended: HashMap<&'static str, Vec<i64>> = HashMap::new();
    let mut back: Vec<(i64, i64, i64)> = Vec::new();
    for &(id, outcome) in settled {
        match outcome {
            Settled::Sent(at) => sent.entry(at).or_default().push(id),
            Settled::Ended(state) => ended.entry(state.code()).or_default().push(id),
            Settled::Rescheduled { due_at, failed_attempt } => {
                back.push((id, due_at.millis(), i64::from(failed_attempt)));
            }
        }
    }
    if settled.is_empty() {
        return Ok(());
    }
    // One short transaction of a few statements: SQLite's writer is held for
    // milliseconds, not for a round of provider calls.
    let mut tx = store.begin_write().await?;
    match &mut tx {
        Tx::Sqlite(t) => {
            for (at, ids) in &sent {
                for chunk in ids.chunks(IDS_PER_STATEMENT) {
                    let mut q = QueryBuilder::new(MARK_SENT_IN.0);
                    q.push_bind(at.millis()).push(MARK_SENT_IN.1);
                    bind_list(&mut q, chunk.iter().copied());
                    q.push(")");
                    q.build().execute(&mut **t).await?;
                }
            }
            for (state, ids) in &ended {
                for chunk in ids.chunks(IDS_PER_STATEMENT) {
                    let mut q = QueryBuilder::new(END_IN.0);
                    q.push_bind(*state).push(END_IN.1);
                    bind_list(&mut q, chunk.iter().copied());
                    q.push(")");
                    q.build().execute(&mut **t).await?;
                }
            }
            for chunk in back.chunks(ROWS_PER_STATEMENT) {
                let mut q = QueryBuilder::new(RESCHEDULE_VALUES);
                q.push_values(chunk, |mut row, (id, due_at, failed)| {
                    row.push_bind(*id).push_bind(*due_at).push_bind(*failed);
                });
                q.push(RESCHEDULE_VALUES_END);
                q.build().execute(&mut **t).await?;
            }
        }
        Tx::Postgres(t) => {
            for (at, ids) in &sent {
                sqlx::query(MARK_SENT_ANY).bind(at.millis()).bind(ids).execute(&mut **t).await?;
            }
            for (state, ids) in &ended {
                sqlx::query(END_ANY).bind(*state).bind(ids).execute(&mut **t).await?;
            }
            if !back.is_empty() {
                sqlx::query(RESCHEDULE_UNNEST)
                    .bind(back.iter().map(|b| b.0).collect::<Vec<_>>())
                    .bind(back.iter().map(|b| b.1).collect::<Vec<_>>())
                    .bind(back.iter().map(|b| b.2).collect::<Vec<_>>())
                    .execute(&mut **t)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Pushes `a, b, c` as bound values (a generated placeholder list; the values are bound).
fn bind_list<'t, T>(q: &mut QueryBuilder<sqlx::Sqlite>, values: impl Iterator<Item = T>)
where
    T: sqlx::Encode<'t, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    let mut list = q.separated(", ");
    for value in values {
        list.push_bind(value);
    }
}
