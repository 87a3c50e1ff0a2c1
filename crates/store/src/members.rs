//! Members as officers see them: search, detail, history, lifecycle and distribution
//! (transfers are `transfers.rs`'s). Every change writes an immutable event.

use async_trait::async_trait;
use huiji_core::{LifecycleAction, OrgId, OrgPath, Timestamp};
use sqlx::QueryBuilder;

use crate::db::{SqlStore, on_pool};
use crate::tx::on_tx;
use crate::webhooks::TRANSFERRED_EVENT;
use crate::{MembershipRecord, Result, StoreError};

/// A member search. Every condition is optional except the scope; results come newest
/// first, a page at a time (keyset on id).
#[derive(Clone, Debug, Default)]
pub struct MemberQuery {
    /// Only members whose home union is within this subtree (the officer's scope, or a
    /// narrower org filter inside it).
    pub within: Option<OrgPath>,
    /// Names starting with this.
    pub name_prefix: Option<String>,
    /// Exactly this member number.
    pub member_number: Option<String>,
    /// The blind index of a full ID number.
    pub id_number_bidx: Option<String>,
    /// The blind index of a full mobile.
    pub mobile_bidx: Option<String>,
    /// Occupation code.
    pub occupation: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Joined at or after (ms).
    pub joined_from: Option<i64>,
    /// Joined before (ms).
    pub joined_to: Option<i64>,
    /// Only turnover-pool members.
    pub in_pool: bool,
    /// Keyset: only ids below this.
    pub before_id: Option<i64>,
    /// Only ids at or above this.
    pub from_id: Option<i64>,
    /// Page size.
    pub limit: u32,
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
    /// `male` / `female`.
    pub sex: String,
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
    /// `joined`, `distributed`, `transferred`, `retain`, `withdraw`, ...
    pub kind: String,
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

/// Appends to a membership's history; every change writes one, in its own transaction.
pub(crate) const INSERT_EVENT: &str = "INSERT INTO membership_events (membership_id, kind, from_org_id, to_org_id, actor, reason, at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7)";
const MEMBERSHIP_DETAIL: &str = "SELECT id, member_number, status, home_org_id, home_path, in_pool, name, \
    occupation, region_code, joined_at, id_number_ct, mobile_ct, sex FROM memberships WHERE id = $1";
const EVENTS: &str = "SELECT id, kind, from_org_id, to_org_id, actor, reason, at FROM membership_events \
    WHERE membership_id = $1 ORDER BY id";
const CURRENT: &str = "SELECT status, home_org_id FROM memberships WHERE id = $1";
/// A purged membership (retention) keeps its status: with its identifiers gone it could
/// never be told apart from another person, so it cannot be reactivated.
const SET_STATUS: &str =
    "UPDATE memberships SET status = $2 WHERE id = $1 AND status = $3 AND purged_at IS NULL";
/// A move keeps `joined_at`: seniority survives distribution and transfer.
pub(crate) const MOVE: &str = "UPDATE memberships SET home_org_id = o.id, home_path = o.path, in_pool = o.turnover_pool \
    FROM orgs o WHERE memberships.id = $1 AND o.id = $2 AND memberships.home_org_id = $3 \
    AND memberships.status IN ('active', 'retained')";
const SELECT_MEMBERS: &str = "SELECT id, member_number, status, home_org_id, home_path, in_pool, name, \
    occupation, region_code, joined_at FROM memberships";

const MAX_MEMBERSHIP_ID: &str = "SELECT MAX(id) FROM memberships";

/// Ids per window when walking the primary key.
const ID_WINDOW: i64 = 100_000;

/// All held members.
const COUNT_ALL_MEMBERS: &str = "SELECT CAST(COALESCE(SUM(held), 0) AS BIGINT) FROM org_member_counts";

/// A scope holding at least 1/50 of all members is listed by walking the primary key: a
/// page of 50 then reads about 2,500 rows. (At 1/20, a province of a national database —
/// 安徽省 is 4 % of it — read its whole home-path range and sorted it: seconds at 10M.)
const SCAN_BY_ID_SHARE: u64 = 50;

/// A name prefix matching at least this many members is common (王 matches 7 % of
/// people): in a large scope, walking the newest ids meets a page of them long before
/// reading and sorting all its matches from the name index would end. Rarer prefixes use
/// the index, whose matches are then few.
const COMMON_NAME_MATCHES: i64 = 100_000;

/// Counts a prefix's matches, stopping at [`COMMON_NAME_MATCHES`]: a bounded index range.
const NAME_MATCHES_UP_TO: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM memberships \
    WHERE name >= $1 AND name < $2 LIMIT 100000) AS m";

/// Sums the trigger-kept counts of the subtree's unions (see migration 0004).
const COUNT_MEMBERS: &str = "SELECT CAST(COALESCE(SUM(c.held), 0) AS BIGINT) FROM org_member_counts c \
    JOIN orgs o ON o.id = c.org_id WHERE o.path >= $1 AND o.path < $2";
const COUNT_MEMBERS_BY_OCCUPATION: &str = "SELECT c.occupation, CAST(SUM(c.held) AS BIGINT) \
    FROM org_occupation_counts c JOIN orgs o ON o.id = c.org_id WHERE o.path >= $1 AND o.path < $2 \
    GROUP BY c.occupation HAVING SUM(c.held) > 0 ORDER BY c.occupation";
const RENAME_ORG: &str = "UPDATE orgs SET name = $2 WHERE id = $1";

/// Members and their changes.
#[async_trait]
pub trait MemberStore: Send + Sync {
    /// A page of members matching the query, newest first.
    async fn search_members(&self, query: &MemberQuery) -> Result<Vec<MembershipRecord>>;
    /// Members holding their membership within a subtree.
    async fn count_members(&self, within: &OrgPath) -> Result<u64>;
    /// Members holding their membership within a subtree, per occupation code (codes
    /// without members left out), by code.
    async fn count_members_by_occupation(&self, within: &OrgPath) -> Result<Vec<(String, u64)>>;
    /// One membership with its sealed identifiers.
    async fn membership_detail(&self, id: i64) -> Result<Option<MembershipDetail>>;
    /// Its history, oldest first.
    async fn membership_events(&self, id: i64) -> Result<Vec<EventRecord>>;
    /// Applies a lifecycle action; `false` when the membership is not in a state it
    /// applies to. Reactivating while the person holds another membership is
    /// `Constraint("memberships_one_held_key")`.
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
    /// Renames an org (a name taken among its siblings is `Constraint("orgs_parent_name_key")`).
    async fn rename_org(&self, id: OrgId, name: &str) -> Result<()>;
}

/// Appends the optional conditions of a member query; values are always bound.
///
/// With `$scan_by_id`, the scope condition is written so no index can serve it
/// (`home_path || ''`): the database then walks the primary key newest first and stops at
/// the page's end. That is the fast plan when the scope holds a large share of all members
/// (a province officer's list); for a small scope the home-path index range is.
macro_rules! push_member_conditions {
    ($qb:expr, $q:expr, $scan_by_id:expr) => {{
        let q: &MemberQuery = $q;
        $qb.push(" WHERE 1 = 1");
        if let Some(path) = &q.within {
            let column = if $scan_by_id { " AND home_path || '' " } else { " AND home_path " };
            $qb.push(column).push(">= ").push_bind(path.as_str().to_owned());
            $qb.push(column).push("< ").push_bind(path.subtree_upper_bound());
        }
        if let Some(prefix) = &q.name_prefix {
            // A range, not LIKE: it uses the name index on both databases — unless the
            // primary key is being walked, where the index would only be in the way.
            let column = if $scan_by_id { " AND name || '' " } else { " AND name " };
            $qb.push(column).push(">= ").push_bind(prefix.clone());
            $qb.push(column).push("< ").push_bind(format!("{prefix}\u{10FFFF}"));
        }
        if let Some(number) = &q.member_number {
            $qb.push(" AND member_number = ").push_bind(number.clone());
        }
        if let Some(bidx) = &q.id_number_bidx {
            $qb.push(" AND id_number_bidx = ").push_bind(bidx.clone());
        }
        if let Some(bidx) = &q.mobile_bidx {
            $qb.push(" AND mobile_bidx = ").push_bind(bidx.clone());
        }
        if let Some(occupation) = &q.occupation {
            $qb.push(" AND occupation = ").push_bind(occupation.clone());
        }
        if let Some(status) = &q.status {
            $qb.push(" AND status = ").push_bind(status.clone());
        }
        if let Some(from) = q.joined_from {
            $qb.push(" AND joined_at >= ").push_bind(from);
        }
        if let Some(to) = q.joined_to {
            $qb.push(" AND joined_at < ").push_bind(to);
        }
        if q.in_pool {
            $qb.push(" AND in_pool");
        }
        if let Some(before) = q.before_id {
            $qb.push(" AND id < ").push_bind(before);
        }
        if let Some(from) = q.from_id {
            $qb.push(" AND id >= ").push_bind(from);
        }
        // A name prefix is served by the name index and a sort of its matches; `id + 0`
        // keeps PostgreSQL's generic plans from walking the whole primary key instead,
        // hoping to meet the rare name early.
        let order = if q.name_prefix.is_some() && !$scan_by_id {
            " ORDER BY id + 0 DESC LIMIT "
        } else {
            " ORDER BY id DESC LIMIT "
        };
        $qb.push(order).push_bind(i64::from(q.limit));
    }};
}

#[async_trait]
impl MemberStore for SqlStore {
    async fn search_members(&self, query: &MemberQuery) -> Result<Vec<MembershipRecord>> {
        let selective =
            query.member_number.is_some() || query.id_number_bidx.is_some() || query.mobile_bidx.is_some();
        let scan_by_id = match &query.within {
            Some(within) if !selective => {
                // The trigger-kept counts make this choice two cheap sums.
                let share = self.count_members(within).await?;
                let total: i64 = on_pool!(&self.pools, read, |p| sqlx::query_scalar(COUNT_ALL_MEMBERS)
                    .fetch_one(p)
                    .await?);
                let large = share.saturating_mul(SCAN_BY_ID_SHARE) >= u64::try_from(total).unwrap_or(0);
                match &query.name_prefix {
                    Some(prefix) if large => {
                        let matches: i64 =
                            on_pool!(&self.pools, read, |p| sqlx::query_scalar(NAME_MATCHES_UP_TO)
                                .bind(prefix.clone())
                                .bind(format!("{prefix}\u{10FFFF}"))
                                .fetch_one(p)
                                .await?);
                        matches >= COMMON_NAME_MATCHES
                    }
                    _ => large,
                }
            }
            _ => false,
        };
        if !scan_by_id {
            return Ok(on_pool!(&self.pools, read, |p| {
                let mut qb = QueryBuilder::new(SELECT_MEMBERS);
                push_member_conditions!(qb, query, false);
                qb.build_query_as().fetch_all(p).await?
            }));
        }
        // Walk the primary key newest first in windows of ids, so each query is an index
        // range of bounded size whatever the planner thinks of the other filters.
        let newest: Option<i64> =
            on_pool!(&self.pools, read, |p| sqlx::query_scalar(MAX_MEMBERSHIP_ID).fetch_one(p).await?);
        let mut below = query.before_id.unwrap_or(i64::MAX).min(newest.unwrap_or(0).saturating_add(1));
        let mut found = Vec::new();
        while found.len() < query.limit as usize && below > 0 {
            let window = MemberQuery {
                before_id: Some(below),
                from_id: Some(below.saturating_sub(ID_WINDOW)),
                limit: query.limit - u32::try_from(found.len()).unwrap_or(query.limit),
                ..query.clone()
            };
            let page: Vec<MembershipRecord> = on_pool!(&self.pools, read, |p| {
                let mut qb = QueryBuilder::new(SELECT_MEMBERS);
                push_member_conditions!(qb, &window, true);
                qb.build_query_as().fetch_all(p).await?
            });
            found.extend(page);
            below = below.saturating_sub(ID_WINDOW);
        }
        Ok(found)
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
        tx.commit().await?;
        Ok(true)
    }

    async fn rename_org(&self, id: OrgId, name: &str) -> Result<()> {
        let changed = on_pool!(&self.pools, write, |p| sqlx::query(RENAME_ORG)
            .bind(id.0)
            .bind(name)
            .execute(p)
            .await?
            .rows_affected());
        if changed == 1 { Ok(()) } else { Err(StoreError::NotFound("org")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Postgres, Sqlite};

    /// The search statement's text on each database, as the planner receives it.
    fn texts(query: &MemberQuery, scan_by_id: bool) -> [String; 2] {
        let mut sqlite = QueryBuilder::<Sqlite>::new(SELECT_MEMBERS);
        push_member_conditions!(sqlite, query, scan_by_id);
        let mut postgres = QueryBuilder::<Postgres>::new(SELECT_MEMBERS);
        push_member_conditions!(postgres, query, scan_by_id);
        [sqlite.sql().as_str().to_owned(), postgres.sql().as_str().to_owned()]
    }

    /// The member list and search are the statements the scale figures (Q) were measured
    /// with: their text, and so their plans, must not change by accident.
    #[test]
    fn the_member_search_sql_is_pinned() {
        let within = Some(OrgPath::parse("/1/2/").unwrap());
        let head = "SELECT id, member_number, status, home_org_id, home_path, in_pool, name, occupation, \
                    region_code, joined_at FROM memberships WHERE 1 = 1";
        let scope = MemberQuery { within: within.clone(), limit: 50, ..MemberQuery::default() };
        assert_eq!(
            texts(&scope, false),
            [
                format!("{head} AND home_path >= ? AND home_path < ? ORDER BY id DESC LIMIT ?"),
                format!("{head} AND home_path >= $1 AND home_path < $2 ORDER BY id DESC LIMIT $3"),
            ]
        );
        let window = MemberQuery {
            within: within.clone(),
            name_prefix: Some("王".to_owned()),
            before_id: Some(900),
            from_id: Some(800),
            limit: 50,
            ..MemberQuery::default()
        };
        assert_eq!(
            texts(&window, true),
            [
                format!(
                    "{head} AND home_path || '' >= ? AND home_path || '' < ? AND name || '' >= ? \
                     AND name || '' < ? AND id < ? AND id >= ? ORDER BY id DESC LIMIT ?"
                ),
                format!(
                    "{head} AND home_path || '' >= $1 AND home_path || '' < $2 AND name || '' >= $3 \
                     AND name || '' < $4 AND id < $5 AND id >= $6 ORDER BY id DESC LIMIT $7"
                ),
            ]
        );
        let filters = MemberQuery {
            within,
            name_prefix: Some("王".to_owned()),
            occupation: Some("truck_driver".to_owned()),
            status: Some("active".to_owned()),
            joined_from: Some(1),
            joined_to: Some(2),
            in_pool: true,
            before_id: Some(900),
            limit: 50,
            ..MemberQuery::default()
        };
        assert_eq!(
            texts(&filters, false),
            [
                format!(
                    "{head} AND home_path >= ? AND home_path < ? AND name >= ? AND name < ? \
                     AND occupation = ? AND status = ? AND joined_at >= ? AND joined_at < ? AND in_pool \
                     AND id < ? ORDER BY id + 0 DESC LIMIT ?"
                ),
                format!(
                    "{head} AND home_path >= $1 AND home_path < $2 AND name >= $3 AND name < $4 \
                     AND occupation = $5 AND status = $6 AND joined_at >= $7 AND joined_at < $8 AND in_pool \
                     AND id < $9 ORDER BY id + 0 DESC LIMIT $10"
                ),
            ]
        );
        let identifiers = MemberQuery {
            member_number: Some("34".to_owned()),
            id_number_bidx: Some("a".to_owned()),
            mobile_bidx: Some("b".to_owned()),
            limit: 1000,
            ..MemberQuery::default()
        };
        assert_eq!(
            texts(&identifiers, false),
            [
                format!(
                    "{head} AND member_number = ? AND id_number_bidx = ? AND mobile_bidx = ? ORDER BY id DESC LIMIT ?"
                ),
                format!(
                    "{head} AND member_number = $1 AND id_number_bidx = $2 AND mobile_bidx = $3 \
                     ORDER BY id DESC LIMIT $4"
                ),
            ]
        );
    }
}
