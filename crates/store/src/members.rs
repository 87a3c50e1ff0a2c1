//! Memberships in the database: reads, search, detail, history, lifecycle and distribution
//! (transfers are `transfers.rs`'s). Every change writes an immutable event.

use async_trait::async_trait;
use huiji_core::{LifecycleAction, MembershipStatus, Occupation, OrgId, OrgPath, Timestamp};

use crate::Result;
use crate::db::{SqlStore, on_pool};
use crate::tx::on_tx;
use crate::webhooks::TRANSFERRED_EVENT;

/// The held statuses (`huiji_core::MembershipStatus::HELD`) as SQL, for every statement
/// that asks whether a membership is held: one place, checked against core by a test.
macro_rules! held_statuses {
    () => {
        "('active', 'retained')"
    };
}

pub(crate) use held_statuses;

mod search;

pub use search::MemberQuery;

/// A membership as stored (without personal identifiers).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MembershipRecord {
    /// Id.
    pub id: i64,
    /// Member number.
    pub member_number: Option<String>,
    /// Its state.
    #[sqlx(try_from = "String")]
    pub status: MembershipStatus,
    /// Home union.
    pub home_org_id: i64,
    /// The home union's path (for scope checks).
    pub home_path: String,
    /// Whether it sits in a turnover pool.
    pub in_pool: bool,
    /// 姓名
    pub name: String,
    /// Occupation.
    #[sqlx(try_from = "String")]
    pub occupation: Occupation,
    /// Region code.
    pub region_code: String,
    /// Joined.
    pub joined_at: i64,
}

/// A held membership as a platform's verification sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldMembership {
    /// The membership.
    pub id: i64,
    /// Its home union's path (what scopes its audit records).
    pub home_path: String,
    /// The name on the membership.
    pub name: String,
    /// Member since (ms).
    pub joined_at: i64,
}

/// A membership with its sealed identifiers.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MembershipDetail {
    /// The record.
    #[sqlx(flatten)]
    pub record: MembershipRecord,
    /// The ID number's ciphertext.
    pub id_number_ct: Vec<u8>,
    /// The mobile's ciphertext.
    pub mobile_ct: Vec<u8>,
    /// Sex, from the ID number.
    #[sqlx(try_from = "String")]
    pub sex: huiji_core::Sex,
}

impl std::fmt::Debug for MembershipDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MembershipDetail").field("record", &self.record).finish_non_exhaustive()
    }
}

/// One entry of a membership's history.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct EventRecord {
    /// Id (history order).
    pub id: i64,
    /// What happened.
    #[sqlx(try_from = "String")]
    pub kind: huiji_core::EventKind,
    /// From this union.
    pub from_org_id: Option<i64>,
    /// To this union.
    pub to_org_id: Option<i64>,
    /// Who: `user:NAME`, `member`, `instant`.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
    /// When (ms).
    pub at: i64,
}

macro_rules! membership_columns {
    () => {
        "id, member_number, status, home_org_id, home_path, in_pool, name, occupation, region_code, joined_at"
    };
}

const MEMBERSHIPS_BY_MOBILE: &str = concat!(
    "SELECT ",
    membership_columns!(),
    " FROM memberships WHERE mobile_bidx = $1 ORDER BY id DESC LIMIT 20"
);

const MEMBERSHIP_BY_NUMBER: &str =
    concat!("SELECT ", membership_columns!(), " FROM memberships WHERE member_number = $1");

const MEMBERSHIP_BY_ID: &str = concat!("SELECT ", membership_columns!(), " FROM memberships WHERE id = $1");

const HELD_MEMBERSHIP: &str = concat!(
    "SELECT id, home_path, name, joined_at FROM memberships WHERE id_number_bidx = $1 AND status IN ",
    held_statuses!()
);

/// Appends to a membership's history; every change writes one, in its own transaction.
pub(crate) const INSERT_EVENT: &str = "INSERT INTO membership_events (membership_id, kind, from_org_id, to_org_id, actor, reason, at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7)";
const MEMBERSHIP_DETAIL: &str = "SELECT id, member_number, status, home_org_id, home_path, in_pool, name, \
    occupation, region_code, joined_at, id_number_ct, mobile_ct, sex FROM memberships WHERE id = $1";
/// The start of [`MemberStore::membership_details`]: the id list and `)` follow.
const MEMBERSHIP_DETAILS: &str = "SELECT id, member_number, status, home_org_id, home_path, in_pool, name, \
    occupation, region_code, joined_at, id_number_ct, mobile_ct, sex FROM memberships WHERE id IN (";
const EVENTS: &str = "SELECT id, kind, from_org_id, to_org_id, actor, reason, at FROM membership_events \
    WHERE membership_id = $1 ORDER BY id";
const CURRENT: &str = "SELECT status, home_org_id FROM memberships WHERE id = $1";
/// A purged membership (retention) keeps its status: with its identifiers gone it could
/// never be told apart from another person, so it cannot be reactivated.
const SET_STATUS: &str =
    "UPDATE memberships SET status = $2 WHERE id = $1 AND status = $3 AND purged_at IS NULL";
/// A move keeps `joined_at`: seniority survives distribution and transfer.
pub(crate) const MOVE: &str = concat!(
    "UPDATE memberships SET home_org_id = o.id, home_path = o.path, in_pool = o.turnover_pool \
     FROM orgs o WHERE memberships.id = $1 AND o.id = $2 AND memberships.home_org_id = $3 \
     AND memberships.status IN ",
    held_statuses!()
);
/// Sums the trigger-kept counts of the subtree's unions (see migration 0004).
const COUNT_MEMBERS: &str = "SELECT CAST(COALESCE(SUM(c.held), 0) AS BIGINT) FROM org_member_counts c \
    JOIN orgs o ON o.id = c.org_id WHERE o.path >= $1 AND o.path < $2";
const COUNT_MEMBERS_BY_OCCUPATION: &str = "SELECT c.occupation, CAST(SUM(c.held) AS BIGINT) \
    FROM org_occupation_counts c JOIN orgs o ON o.id = c.org_id WHERE o.path >= $1 AND o.path < $2 \
    GROUP BY c.occupation HAVING SUM(c.held) > 0 ORDER BY c.occupation";

/// Members and their changes.
#[async_trait]
pub trait MemberStore: Send + Sync {
    /// The memberships recorded with a mobile (by its blind index).
    async fn memberships_by_mobile(&self, mobile_bidx: &str) -> Result<Vec<MembershipRecord>>;
    /// A membership by its member number.
    async fn membership_by_number(&self, number: &str) -> Result<Option<MembershipRecord>>;
    /// A membership by id.
    async fn membership(&self, id: i64) -> Result<Option<MembershipRecord>>;
    /// The membership this person holds, if any.
    async fn held_membership(&self, id_number_bidx: &str) -> Result<Option<HeldMembership>>;
    /// A page of members matching the query, newest first.
    async fn search_members(&self, query: &MemberQuery) -> Result<Vec<MembershipRecord>>;
    /// Members holding their membership within a subtree.
    async fn count_members(&self, within: &OrgPath) -> Result<u64>;
    /// Members holding their membership within a subtree, per occupation code (codes
    /// without members left out), by code.
    async fn count_members_by_occupation(&self, within: &OrgPath) -> Result<Vec<(String, u64)>>;
    /// One membership with its sealed identifiers.
    async fn membership_detail(&self, id: i64) -> Result<Option<MembershipDetail>>;
    /// Memberships with their sealed identifiers, by id (a full export's batch), in id
    /// order; ids that do not exist are left out.
    async fn membership_details(&self, ids: &[i64]) -> Result<Vec<MembershipDetail>>;
    /// Its history, oldest first.
    async fn membership_events(&self, id: i64) -> Result<Vec<EventRecord>>;
    /// Applies a lifecycle action; `false` when the membership is not in a state it
    /// applies to. Reactivating while the person holds another membership is
    /// `Conflict::AlreadyMember`.
    async fn apply_lifecycle(
        &self,
        id: i64,
        action: LifecycleAction,
        actor: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// Moves a held membership from `from` to `to` (分流 from a pool), keeping its
    /// seniority; `false` if it is no longer held at `from`.
    async fn move_membership(
        &self,
        id: i64,
        from: OrgId,
        to: OrgId,
        kind: &str,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool>;
}

#[async_trait]
impl MemberStore for SqlStore {
    async fn memberships_by_mobile(&self, mobile_bidx: &str) -> Result<Vec<MembershipRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(MEMBERSHIPS_BY_MOBILE)
            .bind(mobile_bidx)
            .fetch_all(p)
            .await?))
    }

    async fn membership_by_number(&self, number: &str) -> Result<Option<MembershipRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(MEMBERSHIP_BY_NUMBER)
            .bind(number)
            .fetch_optional(p)
            .await?))
    }

    async fn membership(&self, id: i64) -> Result<Option<MembershipRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(MEMBERSHIP_BY_ID)
            .bind(id)
            .fetch_optional(p)
            .await?))
    }

    async fn held_membership(&self, id_number_bidx: &str) -> Result<Option<HeldMembership>> {
        let row: Option<(i64, String, String, i64)> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(HELD_MEMBERSHIP)
                .bind(id_number_bidx)
                .fetch_optional(p)
                .await?);
        Ok(row.map(|(id, home_path, name, joined_at)| HeldMembership { id, home_path, name, joined_at }))
    }

    async fn search_members(&self, query: &MemberQuery) -> Result<Vec<MembershipRecord>> {
        search::search(self, query).await
    }

    async fn count_members(&self, within: &OrgPath) -> Result<u64> {
        let count: i64 = on_pool!(&self.pools, read, |p| sqlx::query_scalar(COUNT_MEMBERS)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .fetch_one(p)
            .await?);
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn count_members_by_occupation(&self, within: &OrgPath) -> Result<Vec<(String, u64)>> {
        let rows: Vec<(String, i64)> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(COUNT_MEMBERS_BY_OCCUPATION)
                .bind(within.as_str())
                .bind(within.subtree_upper_bound())
                .fetch_all(p)
                .await?);
        Ok(rows.into_iter().map(|(code, held)| (code, u64::try_from(held).unwrap_or(0))).collect())
    }

    async fn membership_detail(&self, id: i64) -> Result<Option<MembershipDetail>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(MEMBERSHIP_DETAIL)
            .bind(id)
            .fetch_optional(p)
            .await?))
    }

    async fn membership_details(&self, ids: &[i64]) -> Result<Vec<MembershipDetail>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_pool!(&self.pools, read, |p| {
            let mut qb = sqlx::QueryBuilder::new(MEMBERSHIP_DETAILS);
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            qb.push(") ORDER BY id");
            qb.build_query_as().fetch_all(p).await?
        }))
    }

    async fn membership_events(&self, id: i64) -> Result<Vec<EventRecord>> {
        Ok(on_pool!(&self.pools, read, |p| sqlx::query_as(EVENTS).bind(id).fetch_all(p).await?))
    }

    async fn apply_lifecycle(
        &self,
        id: i64,
        action: LifecycleAction,
        actor: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let current: Option<(String, i64)> =
            on_tx!(&mut tx, |c| sqlx::query_as(CURRENT).bind(id).fetch_optional(c).await?);
        let Some((status, home)) = current else { return Ok(false) };
        let applies = status.parse().is_ok_and(|s| action.applies_to(s));
        if !applies {
            return Ok(false);
        }
        // Only if nobody changed it since we read it: concurrent actions apply once.
        let changed = on_tx!(&mut tx, |c| sqlx::query(SET_STATUS)
            .bind(id)
            .bind(action.to().code())
            .bind(&status)
            .execute(c)
            .await?
            .rows_affected());
        if changed != 1 {
            return Ok(false);
        }
        on_tx!(&mut tx, |c| {
            sqlx::query(INSERT_EVENT)
                .bind(id)
                .bind(action.code())
                .bind(home)
                .bind(home)
                .bind(actor)
                .bind(reason)
                .bind(at.millis())
                .execute(c)
                .await?;
        });
        crate::stats::status_changed_in(&mut tx, id, &status, at).await?;
        crate::roster::membership_changed_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn move_membership(
        &self,
        id: i64,
        from: OrgId,
        to: OrgId,
        kind: &str,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let moved = on_tx!(&mut tx, |c| sqlx::query(MOVE)
            .bind(id)
            .bind(to.0)
            .bind(from.0)
            .execute(c)
            .await?
            .rows_affected());
        if moved != 1 {
            return Ok(false);
        }
        on_tx!(&mut tx, |c| {
            sqlx::query(INSERT_EVENT)
                .bind(id)
                .bind(kind)
                .bind(from.0)
                .bind(to.0)
                .bind(actor)
                .bind(None::<String>)
                .bind(at.millis())
                .execute(c)
                .await?;
        });
        on_tx!(&mut tx, |c| {
            sqlx::query(TRANSFERRED_EVENT)
                .bind(id)
                .bind(from.0)
                .bind(to.0)
                .bind(at.millis())
                .bind(kind)
                .execute(c)
                .await?;
        });
        crate::stats::moved_in(&mut tx, id, from, to, at).await?;
        if kind == "distributed" {
            crate::notices::distributed_in(&mut tx, id, to.0, at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_held_statuses_are_cores() {
        let codes: Vec<String> =
            huiji_core::MembershipStatus::HELD.iter().map(|s| format!("'{}'", s.code())).collect();
        assert_eq!(held_statuses!(), format!("({})", codes.join(", ")));
    }
}
