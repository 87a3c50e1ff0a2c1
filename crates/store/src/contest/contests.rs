//! Contests and their category quotas.

use huiji_core::contest::{Category, CategoryQuota, ContestId, ContestRules, ContestWindow};
use huiji_core::{CivilDate, OrgId, OrgPath, Timestamp};
use sqlx::QueryBuilder;

use super::{ContestRecord, NewContest};
use crate::db::{SqlStore, on_pool};
use crate::tx::on_tx;
use crate::{Result, StoreError};

const ORG_PATH: &str = "SELECT path FROM orgs WHERE id = $1";

const INSERT: &str = "INSERT INTO contests (org_id, org_path, name, open_from, open_until, \
    questions_per_attempt, minutes, attempts_per_day, created_by, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";

const INSERT_QUOTA: &str = "INSERT INTO contest_quotas (contest_id, category, questions) VALUES ($1, $2, $3)";

/// The columns a [`ContestRow`] reads, for `concat!`.
macro_rules! contest_columns {
    () => {
        "SELECT id, org_id, org_path, name, open_from, open_until, questions_per_attempt, minutes, \
         attempts_per_day, created_by, created_at, frozen_at FROM contests"
    };
}

const COLUMNS: &str = contest_columns!();

const ONE: &str = concat!(contest_columns!(), " WHERE id = $1");

const IN_SCOPE: &str =
    concat!(contest_columns!(), " WHERE org_path >= $1 AND org_path < $2 ORDER BY id DESC LIMIT $3");

const TO_FREEZE: &str =
    concat!(contest_columns!(), " WHERE frozen_at IS NULL AND open_until < $1 ORDER BY id");

const QUOTAS: &str = "SELECT category, questions FROM contest_quotas WHERE contest_id = $1";

#[derive(sqlx::FromRow)]
pub(super) struct ContestRow {
    id: i64,
    org_id: i64,
    org_path: String,
    name: String,
    open_from: String,
    open_until: String,
    questions_per_attempt: i32,
    minutes: i32,
    attempts_per_day: i32,
    created_by: String,
    created_at: i64,
    frozen_at: Option<i64>,
}

impl TryFrom<ContestRow> for ContestRecord {
    type Error = StoreError;

    fn try_from(row: ContestRow) -> Result<ContestRecord> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("contest {}: {what}", row.id));
        let day = |text: &str| CivilDate::parse_iso(text).ok_or_else(|| corrupt("window"));
        let window = ContestWindow::new(day(&row.open_from)?, day(&row.open_until)?)
            .ok_or_else(|| corrupt("window"))?;
        let number = |n: i32| u32::try_from(n).map_err(|_| corrupt("rules"));
        let rules = ContestRules::new(
            number(row.questions_per_attempt)?,
            number(row.minutes)?,
            number(row.attempts_per_day)?,
        )
        .map_err(|_| corrupt("rules"))?;
        Ok(ContestRecord {
            id: ContestId(row.id),
            org: OrgId(row.org_id),
            org_path: OrgPath::parse(&row.org_path).ok_or_else(|| corrupt("org_path"))?,
            name: row.name,
            window,
            rules,
            created_by: row.created_by,
            created_at: Timestamp(row.created_at),
            frozen_at: row.frozen_at.map(Timestamp),
        })
    }
}

fn records(rows: Vec<ContestRow>) -> Result<Vec<ContestRecord>> {
    rows.into_iter().map(ContestRecord::try_from).collect()
}

pub(super) async fn create(store: &SqlStore, contest: &NewContest, at: Timestamp) -> Result<ContestId> {
    let rules = contest.rules;
    let mut tx = store.begin_write().await?;
    let path: Option<String> =
        on_tx!(&mut tx, |c| sqlx::query_scalar(ORG_PATH).bind(contest.org.0).fetch_optional(c).await?);
    let path = path.ok_or(StoreError::NotFound("organiser union"))?;
    let number = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let id: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(INSERT)
        .bind(contest.org.0)
        .bind(&path)
        .bind(contest.name.as_str())
        .bind(contest.window.from().to_string())
        .bind(contest.window.until().to_string())
        .bind(number(rules.questions_per_attempt()))
        .bind(number(rules.minutes()))
        .bind(number(rules.attempts_per_day().get()))
        .bind(&contest.created_by)
        .bind(at.millis())
        .fetch_one(c)
        .await?);
    for quota in &contest.quotas {
        on_tx!(&mut tx, |c| sqlx::query(INSERT_QUOTA)
            .bind(id)
            .bind(quota.category.as_str())
            .bind(number(quota.count))
            .execute(c)
            .await?
            .rows_affected());
    }
    tx.commit().await?;
    Ok(ContestId(id))
}

pub(super) async fn one(store: &SqlStore, id: ContestId) -> Result<Option<ContestRecord>> {
    let row: Option<ContestRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(ONE).bind(id.0).fetch_optional(p).await?);
    row.map(ContestRecord::try_from).transpose()
}

pub(super) async fn in_scope(store: &SqlStore, within: &OrgPath, limit: u32) -> Result<Vec<ContestRecord>> {
    let rows: Vec<ContestRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(IN_SCOPE)
        .bind(within.as_str())
        .bind(within.subtree_upper_bound())
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    records(rows)
}

pub(super) async fn open_for(
    store: &SqlStore,
    organisers: &[OrgId],
    day: CivilDate,
) -> Result<Vec<ContestRecord>> {
    if organisers.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ContestRow> = on_pool!(&store.pools, read, |p| {
        let mut qb = QueryBuilder::new(COLUMNS);
        qb.push(" WHERE org_id IN (");
        let mut list = qb.separated(", ");
        for org in organisers {
            list.push_bind(org.0);
        }
        qb.push(") AND open_from <= ").push_bind(day.to_string());
        qb.push(" AND open_until >= ").push_bind(day.to_string());
        qb.push(" ORDER BY id DESC");
        qb.build_query_as().fetch_all(p).await?
    });
    records(rows)
}

pub(super) async fn to_freeze(store: &SqlStore, today: CivilDate) -> Result<Vec<ContestRecord>> {
    let rows: Vec<ContestRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(TO_FREEZE)
        .bind(today.to_string())
        .fetch_all(p)
        .await?);
    records(rows)
}

pub(super) async fn quotas(store: &SqlStore, id: ContestId) -> Result<Vec<CategoryQuota>> {
    let rows: Vec<(String, i32)> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(QUOTAS).bind(id.0).fetch_all(p).await?);
    let mut quotas = rows
        .into_iter()
        .map(|(category, count)| {
            let corrupt = || StoreError::Corrupt(format!("contest {id} quota {category:?}"));
            Ok(CategoryQuota {
                category: Category::parse(&category).ok_or_else(corrupt)?,
                count: u32::try_from(count).map_err(|_| corrupt())?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    quotas.sort_by(|a, b| a.category.cmp(&b.category));
    Ok(quotas)
}
