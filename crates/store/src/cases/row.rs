//! Reading cases and their events back into core types.

use huiji_core::case::{
    CaseCategory, CaseDues, CaseId, CaseOutcome, CaseStatus, MissedDeadline, OutcomeKind, Rating, StepKind,
};
use huiji_core::money::Amount;
use huiji_core::{OrgId, OrgPath, Timestamp, UserId};

use super::{CaseEventRecord, CaseOfficer, CaseRecord};
use crate::db::{SqlStore, on_pool};
use crate::{Result, StoreError};

/// The columns a [`CaseRow`] reads, for `concat!`.
macro_rules! case_columns {
    () => {
        "SELECT id, category, party, amount_fen, region_code, description, mobile_ct, org_id, org_path, \
         assignee_id, status, submitted_at, response_due, resolution_due, first_response_at, ended_at, \
         outcome, recovered_fen, rating, escalated_for, purged_at FROM cases"
    };
}

const ONE: &str = concat!(case_columns!(), " WHERE id = $1");

/// Open cases of a subtree by their next deadline (huiji_core::case::CaseDues::next):
/// the first response's until someone responded, then the resolution's.
const OPEN_IN: &str = concat!(
    case_columns!(),
    " WHERE org_path >= $1 AND org_path < $2 AND status IN ('submitted', 'accepted', 'in_progress') \
     ORDER BY CASE WHEN first_response_at IS NULL AND response_due < resolution_due THEN response_due \
     ELSE resolution_due END, id LIMIT $3"
);

const ENDED_IN: &str = concat!(
    case_columns!(),
    " WHERE org_path >= $1 AND org_path < $2 AND status IN ('closed', 'withdrawn') \
     ORDER BY ended_at DESC, id DESC LIMIT $3"
);

const BY_MOBILE: &str = concat!(case_columns!(), " WHERE mobile_bidx = $1 ORDER BY id DESC LIMIT $2");

/// A superset of the overdue open cases that may still escalate; core decides.
const PAST_DUE: &str = concat!(
    case_columns!(),
    " WHERE status IN ('submitted', 'accepted', 'in_progress') \
     AND (resolution_due < $1 OR (first_response_at IS NULL AND response_due < $1)) \
     AND (escalated_for IS NULL OR escalated_for <> 'resolution') ORDER BY submitted_at, id LIMIT $2"
);

const EVENTS: &str = "SELECT at, actor, kind, step, note, org_id, assignee_id FROM case_events \
    WHERE case_id = $1 ORDER BY id";

const OFFICERS: &str = "SELECT u.id, u.username, o.name FROM users u JOIN orgs o ON o.id = u.org_id \
    WHERE o.path >= $1 AND o.path < $2 AND u.disabled = $3 AND u.role IN ('admin', 'reviewer') \
    ORDER BY u.username";

#[derive(sqlx::FromRow)]
pub(super) struct CaseRow {
    id: i64,
    category: String,
    party: Option<String>,
    amount_fen: Option<i64>,
    region_code: String,
    description: Option<String>,
    mobile_ct: Vec<u8>,
    org_id: i64,
    org_path: String,
    assignee_id: Option<i64>,
    status: String,
    submitted_at: i64,
    response_due: i64,
    resolution_due: i64,
    first_response_at: Option<i64>,
    ended_at: Option<i64>,
    outcome: Option<String>,
    recovered_fen: Option<i64>,
    rating: Option<i32>,
    escalated_for: Option<String>,
    purged_at: Option<i64>,
}

impl TryFrom<CaseRow> for CaseRecord {
    type Error = StoreError;

    fn try_from(row: CaseRow) -> Result<CaseRecord> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("case {}: {what}", row.id));
        let amount =
            |fen: Option<i64>| fen.map(|f| Amount::from_fen(f).ok_or_else(|| corrupt("amount"))).transpose();
        let outcome = match &row.outcome {
            None => None,
            Some(code) => {
                let kind: OutcomeKind = code.parse().map_err(|_| corrupt("outcome"))?;
                Some(
                    CaseOutcome::from_parts(kind, amount(row.recovered_fen)?)
                        .ok_or_else(|| corrupt("outcome"))?,
                )
            }
        };
        let rating = row
            .rating
            .map(|r| u8::try_from(r).ok().and_then(Rating::new).ok_or_else(|| corrupt("rating")))
            .transpose()?;
        Ok(CaseRecord {
            id: CaseId(row.id),
            category: row.category.parse::<CaseCategory>().map_err(|_| corrupt("category"))?,
            party: row.party,
            amount: amount(row.amount_fen)?,
            region: row.region_code.parse().map_err(|_| corrupt("region"))?,
            description: row.description,
            mobile_ct: row.mobile_ct,
            org: OrgId(row.org_id),
            org_path: OrgPath::parse(&row.org_path).ok_or_else(|| corrupt("org_path"))?,
            assignee: row.assignee_id.map(UserId),
            status: row.status.parse::<CaseStatus>().map_err(|_| corrupt("status"))?,
            submitted_at: Timestamp(row.submitted_at),
            dues: CaseDues {
                response: Timestamp(row.response_due),
                resolution: Timestamp(row.resolution_due),
            },
            first_response_at: row.first_response_at.map(Timestamp),
            ended_at: row.ended_at.map(Timestamp),
            outcome,
            rating,
            escalated_for: row
                .escalated_for
                .map(|e| e.parse::<MissedDeadline>().map_err(|_| corrupt("escalated_for")))
                .transpose()?,
            purged_at: row.purged_at.map(Timestamp),
        })
    }
}

fn records(rows: Vec<CaseRow>) -> Result<Vec<CaseRecord>> {
    rows.into_iter().map(CaseRecord::try_from).collect()
}

pub(super) async fn one(store: &SqlStore, id: CaseId) -> Result<Option<CaseRecord>> {
    let row: Option<CaseRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(ONE).bind(id.0).fetch_optional(p).await?);
    row.map(CaseRecord::try_from).transpose()
}

async fn in_scope(
    store: &SqlStore,
    sql: &'static str,
    within: &OrgPath,
    limit: u32,
) -> Result<Vec<CaseRecord>> {
    let rows: Vec<CaseRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(sql)
        .bind(within.as_str())
        .bind(within.subtree_upper_bound())
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    records(rows)
}

pub(super) async fn open_in(store: &SqlStore, within: &OrgPath, limit: u32) -> Result<Vec<CaseRecord>> {
    in_scope(store, OPEN_IN, within, limit).await
}

pub(super) async fn ended_in(store: &SqlStore, within: &OrgPath, limit: u32) -> Result<Vec<CaseRecord>> {
    in_scope(store, ENDED_IN, within, limit).await
}

pub(super) async fn by_mobile(store: &SqlStore, bidx: &str, limit: u32) -> Result<Vec<CaseRecord>> {
    let rows: Vec<CaseRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(BY_MOBILE)
        .bind(bidx)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    records(rows)
}

pub(super) async fn past_due(store: &SqlStore, now: Timestamp, limit: u32) -> Result<Vec<CaseRecord>> {
    let rows: Vec<CaseRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(PAST_DUE)
        .bind(now.millis())
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    records(rows)
}

type EventRow = (i64, String, String, Option<String>, Option<String>, Option<i64>, Option<i64>);

pub(super) async fn events(store: &SqlStore, id: CaseId) -> Result<Vec<CaseEventRecord>> {
    let rows: Vec<EventRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(EVENTS).bind(id.0).fetch_all(p).await?);
    rows.into_iter()
        .map(|(at, actor, kind, step, note, org, assignee)| {
            let corrupt = || StoreError::Corrupt(format!("case {id} event at {at}"));
            Ok(CaseEventRecord {
                at: Timestamp(at),
                actor,
                kind: kind.parse().map_err(|_| corrupt())?,
                step: step.map(|s| s.parse::<StepKind>().map_err(|_| corrupt())).transpose()?,
                note,
                org: org.map(OrgId),
                assignee: assignee.map(UserId),
            })
        })
        .collect()
}

pub(super) async fn officers(store: &SqlStore, within: &OrgPath) -> Result<Vec<CaseOfficer>> {
    let rows: Vec<(i64, String, String)> = on_pool!(&store.pools, read, |p| sqlx::query_as(OFFICERS)
        .bind(within.as_str())
        .bind(within.subtree_upper_bound())
        .bind(false)
        .fetch_all(p)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(id, username, org_name)| CaseOfficer { id: UserId(id), username, org_name })
        .collect())
}
