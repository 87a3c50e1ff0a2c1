//! Statistics (issue 17): rollups kept in the same transaction as each membership change
//! (`stats/maintain.rs`), rebuilt and verified from the base tables (`stats/recount.rs`),
//! and the subtree sums the figures are made of (this file, SQL in `stats/queries.rs`).
//! Every query here is over a subtree's unions (one index range of paths) and the rollup
//! rows under them — never over memberships or applications — except the review queue
//! now (an index range of pending applications) and the case figures (the open cases).
//!
//! The area reads what others keep; no other area reads its tables.

mod maintain;
mod panels;
mod queries;
mod recount;

pub(crate) use recount::compare;
mod review;
mod screen;

use async_trait::async_trait;
use huiji_core::stats::{Flows, day_key};
use huiji_core::{Channel, CivilDate, MembershipStatus, Occupation, OrgId, OrgPath, Timestamp};

use crate::db::{SqlStore, on_pool};
use crate::{Result, StoreError};

pub(crate) use maintain::{joined_in, moved_in, status_changed_in};
pub use panels::{CategoryCases, ContestTally};
use queries::*;
pub(crate) use review::{decided_in, escalated_in, received_in};
pub use screen::ScreenTokenRecord;

/// Memberships now of one occupation, channel, platform and status within a subtree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipTally {
    /// What they do.
    pub occupation: Occupation,
    /// How they joined ([`Channel::Offline`] for memberships loaded without an application).
    pub channel: Channel,
    /// The platform of a platform join, else 0.
    pub platform_id: i64,
    /// Where they stand.
    pub status: MembershipStatus,
    /// How many.
    pub members: i64,
}

/// Flows of one period (a day key or a month key), occupation, channel and platform within
/// a subtree; transfers only across its edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowTally {
    /// `YYYYMMDD`, `YYYYMM` or `YYYY`.
    pub period: i64,
    /// What they do.
    pub occupation: Occupation,
    /// How they joined.
    pub channel: Channel,
    /// The platform of a platform join, else 0.
    pub platform_id: i64,
    /// The flows.
    pub flows: Flows,
}

/// Which rollup a flows query reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// Day keys, `YYYYMMDD`.
    Day,
    /// Month keys, `YYYYMM`.
    Month,
    /// Years, `YYYY`.
    Year,
}

/// A child union with its subtree's held members and net growth since a month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildTally {
    /// The child union.
    pub org: OrgId,
    /// Its name.
    pub name: String,
    /// Its region code (a city's 4 digits for a province's city federations).
    pub region_code: String,
    /// Held members in its subtree now.
    pub held: i64,
    /// Net growth of its subtree since the month asked for.
    pub net: i64,
}

/// Applications of a subtree's receiving unions over a range of days (the review
/// rollup), and its queue now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewTally {
    /// Submitted on those days.
    pub received: i64,
    /// Of those, escalated to a parent union since.
    pub escalated: i64,
    /// Decided on those days (approved or rejected, instantly or by an officer).
    pub decided: i64,
    /// Of those, approved instantly (马上入会).
    pub instant: i64,
    /// Officers' times to decision on those days: `(bucket, decisions)` of
    /// `huiji_core::stats::review`, by bucket.
    pub officer_times: Vec<(i64, i64)>,
    /// Waiting now past their review deadline.
    pub overdue: i64,
    /// Waiting now.
    pub pending: i64,
}

/// Legal-aid cases handled within a subtree: the totals, and the same by category.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseTally {
    /// Open now.
    pub open: i64,
    /// Open past a deadline now: the first response not given in time, or the
    /// resolution's passed (`huiji_core::case::CaseDues::overdue`'s rule).
    pub overdue: i64,
    /// Closed since the date asked for.
    pub closed: i64,
    /// Recovered for workers in those (fen).
    pub recovered_fen: i64,
    /// The same figures by category, in the categories' order; categories without a
    /// case left out.
    pub by_category: Vec<CategoryCases>,
}

/// A membership target an admin set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetRecord {
    /// Id.
    pub id: i64,
    /// The union whose subtree it counts.
    pub org: OrgId,
    /// Its name.
    pub org_name: String,
    /// Its path.
    pub org_path: OrgPath,
    /// The occupation counted, or all.
    pub occupation: Option<Occupation>,
    /// The year it is for.
    pub year: i32,
    /// Members aimed at.
    pub members: i64,
    /// Who set it.
    pub set_by: String,
    /// When (ms).
    pub set_at: i64,
}

/// One difference between a rollup and its recount (`huiji stats verify`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatsMismatch {
    /// The rollup (or check) that differs.
    pub table: &'static str,
    /// The row's key.
    pub key: String,
    /// What the rollup holds.
    pub stored: String,
    /// What the base tables say.
    pub recounted: String,
}

/// The statistics area of the store.
#[async_trait]
pub trait StatsStore: Send + Sync {
    /// Memberships now within a subtree, by occupation, channel, platform and status.
    async fn membership_tallies(&self, within: &OrgPath) -> Result<Vec<MembershipTally>>;
    /// Flows within a subtree from `from` to `until` (period keys, inclusive).
    async fn flow_tallies(
        &self,
        within: &OrgPath,
        period: Period,
        from: i64,
        until: i64,
    ) -> Result<Vec<FlowTally>>;
    /// The children of a union with their subtrees' held members and net growth since the
    /// month `since` (a month key).
    async fn child_tallies(&self, parent: OrgId, since: i64) -> Result<Vec<ChildTally>>;
    /// The day (key) with the most joins within a subtree in a range of days, and its joins.
    async fn busiest_day(&self, within: &OrgPath, from: i64, until: i64) -> Result<Option<(i64, i64)>>;
    /// Review figures of a subtree over the China days `from` to `until` (inclusive), its
    /// queue as of `now`.
    async fn review_tally(
        &self,
        within: &OrgPath,
        from: CivilDate,
        until: CivilDate,
        now: Timestamp,
    ) -> Result<ReviewTally>;
    /// Legal-aid figures of a subtree as of `now`, cases closed since `since`.
    async fn case_tally(&self, within: &OrgPath, since: Timestamp, now: Timestamp) -> Result<CaseTally>;
    /// Sets (or replaces) a union's target for an occupation (or all) and year.
    async fn set_target(
        &self,
        org: OrgId,
        occupation: Option<Occupation>,
        year: i32,
        members: i64,
        by: &str,
        at: Timestamp,
    ) -> Result<i64>;
    /// Targets of a subtree's unions for a year.
    async fn targets(&self, within: &OrgPath, year: i32) -> Result<Vec<TargetRecord>>;
    /// Stores a new screen token (its SHA-256 only) for `org`'s subtree.
    async fn create_screen_token(
        &self,
        org: OrgId,
        token_hash: &str,
        label: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<i64>;
    /// The live (unrevoked) screen token with this hash.
    async fn screen_token(&self, token_hash: &str) -> Result<Option<ScreenTokenRecord>>;
    /// A screen token by id, revoked or not.
    async fn screen_token_by_id(&self, id: i64) -> Result<Option<ScreenTokenRecord>>;
    /// The screen tokens of a subtree's unions, newest first (at most 100).
    async fn screen_tokens(&self, within: &OrgPath) -> Result<Vec<ScreenTokenRecord>>;
    /// Revokes a screen token; `false` if it was already.
    async fn revoke_screen_token(&self, id: i64, at: Timestamp) -> Result<bool>;
    /// Applications received since `day_start` by a subtree's unions and approved, by
    /// hour of the day (0–23) they came in.
    async fn joins_by_hour(&self, within: &OrgPath, day_start: Timestamp) -> Result<Vec<(i64, i64)>>;
    /// Contests with participants in a subtree, newest first (at most `limit`).
    async fn contest_participation(&self, within: &OrgPath, limit: u32) -> Result<Vec<ContestTally>>;
    /// Replaces every rollup with a recount from the base tables (after a bulk load).
    async fn rebuild_stats(&self) -> Result<()>;
    /// Every difference between the rollups and a recount (empty when they agree).
    async fn verify_stats(&self) -> Result<Vec<StatsMismatch>>;
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("stats: {what}"))
}

fn occupation(code: &str) -> Result<Occupation> {
    code.parse().map_err(|_| corrupt("occupation"))
}

fn channel(code: &str) -> Result<Channel> {
    code.parse().map_err(|_| corrupt("channel"))
}

#[async_trait]
impl StatsStore for SqlStore {
    async fn membership_tallies(&self, within: &OrgPath) -> Result<Vec<MembershipTally>> {
        let rows: Vec<(String, String, i64, String, i64)> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(MEMBERSHIP_TALLIES)
                .bind(within.as_str())
                .bind(within.subtree_upper_bound())
                .fetch_all(p)
                .await?);
        rows.into_iter()
            .map(|(o, c, platform_id, s, members)| {
                Ok(MembershipTally {
                    occupation: occupation(&o)?,
                    channel: channel(&c)?,
                    platform_id,
                    status: s.parse().map_err(|_| corrupt("status"))?,
                    members,
                })
            })
            .collect()
    }

    async fn flow_tallies(
        &self,
        within: &OrgPath,
        period: Period,
        from: i64,
        until: i64,
    ) -> Result<Vec<FlowTally>> {
        let sql = match period {
            Period::Day => DAILY_TALLIES,
            Period::Month => MONTHLY_TALLIES,
            Period::Year => YEARLY_TALLIES,
        };
        let rows: Vec<(i64, String, String, i64, i64, i64, i64, i64, i64, i64)> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(sql)
                .bind(within.as_str())
                .bind(within.subtree_upper_bound())
                .bind(from)
                .bind(until)
                .fetch_all(p)
                .await?);
        rows.into_iter()
            .map(|(period, o, c, platform_id, joined, withdrawn, expelled, deceased, moved_in, moved_out)| {
                Ok(FlowTally {
                    period,
                    occupation: occupation(&o)?,
                    channel: channel(&c)?,
                    platform_id,
                    flows: Flows { joined, withdrawn, expelled, deceased, moved_in, moved_out },
                })
            })
            .collect()
    }

    async fn child_tallies(&self, parent: OrgId, since: i64) -> Result<Vec<ChildTally>> {
        let held: Vec<(i64, String, String, i64)> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(CHILD_HELD).bind(parent.0).fetch_all(p).await?);
        let net: Vec<(i64, i64)> = on_pool!(&self.pools, read, |p| sqlx::query_as(CHILD_NET)
            .bind(parent.0)
            .bind(since)
            .fetch_all(p)
            .await?);
        let net: std::collections::HashMap<i64, i64> = net.into_iter().collect();
        Ok(held
            .into_iter()
            .map(|(id, name, region_code, held)| ChildTally {
                org: OrgId(id),
                name,
                region_code,
                held,
                net: net.get(&id).copied().unwrap_or(0),
            })
            .collect())
    }

    async fn busiest_day(&self, within: &OrgPath, from: i64, until: i64) -> Result<Option<(i64, i64)>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(BUSIEST_DAY)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .bind(from)
            .bind(until)
            .fetch_optional(p)
            .await?))
    }

    async fn review_tally(
        &self,
        within: &OrgPath,
        from: CivilDate,
        until: CivilDate,
        now: Timestamp,
    ) -> Result<ReviewTally> {
        let (lo, hi) = (within.as_str(), within.subtree_upper_bound());
        let (from, until) = (day_key(from), day_key(until));
        let (received, escalated, decided, instant): (i64, i64, i64, i64) =
            on_pool!(&self.pools, read, |p| sqlx::query_as(REVIEW_DAYS)
                .bind(lo)
                .bind(&hi)
                .bind(from)
                .bind(until)
                .fetch_one(p)
                .await?);
        let officer_times: Vec<(i64, i64)> = on_pool!(&self.pools, read, |p| sqlx::query_as(REVIEW_TIMES)
            .bind(lo)
            .bind(&hi)
            .bind(from)
            .bind(until)
            .fetch_all(p)
            .await?);
        let (pending, overdue): (i64, i64) = on_pool!(&self.pools, read, |p| sqlx::query_as(REVIEW_QUEUE)
            .bind(lo)
            .bind(&hi)
            .bind(now.millis())
            .fetch_one(p)
            .await?);
        Ok(ReviewTally { received, escalated, decided, instant, officer_times, overdue, pending })
    }

    async fn case_tally(&self, within: &OrgPath, since: Timestamp, now: Timestamp) -> Result<CaseTally> {
        self.case_tally_rows(within, since, now).await
    }

    async fn set_target(
        &self,
        org: OrgId,
        occupation: Option<Occupation>,
        year: i32,
        members: i64,
        by: &str,
        at: Timestamp,
    ) -> Result<i64> {
        Ok(on_pool!(&self.pools, write, |p| sqlx::query_scalar(SET_TARGET)
            .bind(org.0)
            .bind(occupation.map_or("", Occupation::code))
            .bind(i64::from(year))
            .bind(members)
            .bind(by)
            .bind(at.millis())
            .fetch_one(p)
            .await?))
    }

    async fn targets(&self, within: &OrgPath, year: i32) -> Result<Vec<TargetRecord>> {
        let rows: Vec<(i64, i64, String, String, String, i64, i64, String, i64)> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(TARGETS)
                .bind(within.as_str())
                .bind(within.subtree_upper_bound())
                .bind(i64::from(year))
                .fetch_all(p)
                .await?);
        rows.into_iter()
            .map(|(id, org, org_name, path, occ, year, members, set_by, set_at)| {
                Ok(TargetRecord {
                    id,
                    org: OrgId(org),
                    org_name,
                    org_path: OrgPath::parse(&path).ok_or_else(|| corrupt("org path"))?,
                    occupation: if occ.is_empty() { None } else { Some(occupation(&occ)?) },
                    year: i32::try_from(year).map_err(|_| corrupt("year"))?,
                    members,
                    set_by,
                    set_at,
                })
            })
            .collect()
    }

    async fn create_screen_token(
        &self,
        org: OrgId,
        token_hash: &str,
        label: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<i64> {
        self.create_screen_token_row(org, token_hash, label, by, at).await
    }

    async fn screen_token(&self, token_hash: &str) -> Result<Option<ScreenTokenRecord>> {
        self.screen_token_row(token_hash).await
    }

    async fn screen_token_by_id(&self, id: i64) -> Result<Option<ScreenTokenRecord>> {
        self.screen_token_by_id_row(id).await
    }

    async fn screen_tokens(&self, within: &OrgPath) -> Result<Vec<ScreenTokenRecord>> {
        self.screen_token_rows(within).await
    }

    async fn revoke_screen_token(&self, id: i64, at: Timestamp) -> Result<bool> {
        self.revoke_screen_token_row(id, at).await
    }

    async fn joins_by_hour(&self, within: &OrgPath, day_start: Timestamp) -> Result<Vec<(i64, i64)>> {
        self.joins_by_hour_rows(within, day_start).await
    }

    async fn contest_participation(&self, within: &OrgPath, limit: u32) -> Result<Vec<ContestTally>> {
        self.contest_participation_rows(within, limit).await
    }

    async fn rebuild_stats(&self) -> Result<()> {
        self.rebuild_rollups().await
    }

    async fn verify_stats(&self) -> Result<Vec<StatsMismatch>> {
        let mut out = self.verify_rollups().await?;
        out.extend(crate::roster::verify_roster_counts(self).await?);
        Ok(out)
    }
}
