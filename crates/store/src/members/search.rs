//! The member list and search (the figures Q): one statement of bound conditions, and the
//! choice between the home-path index and a walk of the primary key.

use huiji_core::OrgPath;
use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::db::{Pools, SqlStore, on_pool};
use crate::{MemberStore, MembershipRecord, Result};

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

/// A page of members matching the query, newest first (`MemberStore::search_members`).
pub(crate) async fn search(store: &SqlStore, query: &MemberQuery) -> Result<Vec<MembershipRecord>> {
    if matches!(store.pools, Pools::Postgres(_))
        && let Some(pieces) = status_in_scope(query)
    {
        return Ok(on_pool!(&store.pools, read, |p| {
            let mut statement = statement(&pieces);
            statement.build_query_as().fetch_all(p).await?
        }));
    }
    let selective =
        query.member_number.is_some() || query.id_number_bidx.is_some() || query.mobile_bidx.is_some();
    let scan_by_id = match &query.within {
        Some(within) if !selective => {
            // The trigger-kept counts make this choice two cheap sums.
            let share = store.count_members(within).await?;
            let total: i64 =
                on_pool!(&store.pools, read, |p| sqlx::query_scalar(COUNT_ALL_MEMBERS).fetch_one(p).await?);
            let large = share.saturating_mul(SCAN_BY_ID_SHARE) >= u64::try_from(total).unwrap_or(0);
            match &query.name_prefix {
                Some(prefix) if large => {
                    let matches: i64 =
                        on_pool!(&store.pools, read, |p| sqlx::query_scalar(NAME_MATCHES_UP_TO)
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
        return page(store, query).await;
    }
    walk(store, query).await
}

/// PostgreSQL plans each window's statement as if its filters (`… || ''`, which it
/// cannot estimate) matched almost nothing, so as if the whole window had to be read —
/// and then a parallel scan looks cheaper. But a page of a common prefix fills after a
/// few thousand rows: at 10,000,000 members the name prefix 王 in 安徽省 read its window
/// in 2.5 ms without workers and 27 ms with them (launching them costs more than the
/// scan), which made that page 115 ms p95 (BENCHMARKS.md, Q at 10 M on PostgreSQL).
const NO_PARALLEL_WORKERS: &str = "SET LOCAL max_parallel_workers_per_gather = 0";

/// Walks the primary key newest first in windows of ids, so each query is an index
/// range of bounded size whatever the planner thinks of the other filters. The windows
/// are read in one transaction: one snapshot, so a member changing while the page is
/// read is neither shown twice nor skipped.
async fn walk(store: &SqlStore, query: &MemberQuery) -> Result<Vec<MembershipRecord>> {
    let postgres = matches!(store.pools, Pools::Postgres(_));
    Ok(on_pool!(&store.pools, read, |p| {
        let mut tx = p.begin().await?;
        if postgres {
            sqlx::query(NO_PARALLEL_WORKERS).execute(&mut *tx).await?;
        }
        let newest: Option<i64> = sqlx::query_scalar(MAX_MEMBERSHIP_ID).fetch_one(&mut *tx).await?;
        let mut below = query.before_id.unwrap_or(i64::MAX).min(newest.unwrap_or(0).saturating_add(1));
        let mut found = Vec::new();
        while found.len() < query.limit as usize && below > 0 {
            let window = MemberQuery {
                before_id: Some(below),
                from_id: Some(below.saturating_sub(ID_WINDOW)),
                limit: query.limit - u32::try_from(found.len()).unwrap_or(query.limit),
                ..query.clone()
            };
            let pieces = conditions(&window, true);
            let mut statement = statement(&pieces);
            found.extend(statement.build_query_as().fetch_all(&mut *tx).await?);
            below = below.saturating_sub(ID_WINDOW);
        }
        tx.commit().await?;
        found
    }))
}

/// The search as one statement over the indexes (a small scope, or a selective filter).
async fn page(store: &SqlStore, query: &MemberQuery) -> Result<Vec<MembershipRecord>> {
    let pieces = conditions(query, false);
    Ok(on_pool!(&store.pools, read, |p| {
        let mut statement = statement(&pieces);
        statement.build_query_as().fetch_all(p).await?
    }))
}

/// A piece of the search statement: SQL text, or a value bound in its place.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Sql(&'static str),
    Text(String),
    Int(i64),
}

/// The conditions, order and limit of a member query, after [`SELECT_MEMBERS`]; values
/// are always bound.
///
/// With `scan_by_id`, the scope condition is written so no index can serve it
/// (`home_path || ''`): the database then walks the primary key newest first and stops at
/// the page's end. That is the fast plan when the scope holds a large share of all members
/// (a province officer's list); for a small scope the home-path index range is.
fn conditions(q: &MemberQuery, scan_by_id: bool) -> Vec<Piece> {
    let mut pieces = vec![Piece::Sql(" WHERE 1 = 1")];
    if let Some(path) = &q.within {
        let (from, to) = if scan_by_id {
            (" AND home_path || '' >= ", " AND home_path || '' < ")
        } else {
            (" AND home_path >= ", " AND home_path < ")
        };
        pieces.extend([Piece::Sql(from), Piece::Text(path.as_str().to_owned())]);
        pieces.extend([Piece::Sql(to), Piece::Text(path.subtree_upper_bound())]);
    }
    if let Some(prefix) = &q.name_prefix {
        // A range, not LIKE: it uses the name index on both databases — unless the
        // primary key is being walked, where the index would only be in the way.
        let (from, to) = if scan_by_id {
            (" AND name || '' >= ", " AND name || '' < ")
        } else {
            (" AND name >= ", " AND name < ")
        };
        pieces.extend([Piece::Sql(from), Piece::Text(prefix.clone())]);
        pieces.extend([Piece::Sql(to), Piece::Text(format!("{prefix}\u{10FFFF}"))]);
    }
    if let Some(number) = &q.member_number {
        pieces.extend([Piece::Sql(" AND member_number = "), Piece::Text(number.clone())]);
    }
    if let Some(bidx) = &q.id_number_bidx {
        pieces.extend([Piece::Sql(" AND id_number_bidx = "), Piece::Text(bidx.clone())]);
    }
    if let Some(bidx) = &q.mobile_bidx {
        pieces.extend([Piece::Sql(" AND mobile_bidx = "), Piece::Text(bidx.clone())]);
    }
    if let Some(occupation) = &q.occupation {
        pieces.extend([Piece::Sql(" AND occupation = "), Piece::Text(occupation.clone())]);
    }
    if let Some(status) = &q.status {
        pieces.extend([Piece::Sql(" AND status = "), Piece::Text(status.clone())]);
    }
    if let Some(from) = q.joined_from {
        pieces.extend([Piece::Sql(" AND joined_at >= "), Piece::Int(from)]);
    }
    if let Some(to) = q.joined_to {
        pieces.extend([Piece::Sql(" AND joined_at < "), Piece::Int(to)]);
    }
    if q.in_pool {
        pieces.push(Piece::Sql(" AND in_pool"));
    }
    if let Some(before) = q.before_id {
        pieces.extend([Piece::Sql(" AND id < "), Piece::Int(before)]);
    }
    if let Some(from) = q.from_id {
        pieces.extend([Piece::Sql(" AND id >= "), Piece::Int(from)]);
    }
    // A name prefix is served by the name index and a sort of its matches; `id + 0`
    // keeps PostgreSQL's generic plans from walking the whole primary key instead,
    // hoping to meet the rare name early.
    let order = if q.name_prefix.is_some() && !scan_by_id {
        " ORDER BY id + 0 DESC LIMIT "
    } else {
        " ORDER BY id DESC LIMIT "
    };
    pieces.extend([Piece::Sql(order), Piece::Int(i64::from(q.limit))]);
    pieces
}

/// PostgreSQL: a status and an occupation in a scope, and nothing else (the console's
/// filter form), read as the page's ids from `(status, occupation, home_path, id)` —
/// index-only, the scope's matches sorted by id — then only those rows. The walk over id
/// windows fetched every match of the whole country from the heap to test its scope; at
/// 10,000,000 members a rare status (retained) made that 137 ms p50 (migration 0083).
fn status_in_scope(q: &MemberQuery) -> Option<Vec<Piece>> {
    let (Some(within), Some(status), Some(occupation)) = (&q.within, &q.status, &q.occupation) else {
        return None;
    };
    let other_filters = q.name_prefix.is_some()
        || q.member_number.is_some()
        || q.id_number_bidx.is_some()
        || q.mobile_bidx.is_some()
        || q.joined_from.is_some()
        || q.joined_to.is_some()
        || q.in_pool
        || q.from_id.is_some();
    if other_filters {
        return None;
    }
    let mut pieces = vec![
        Piece::Sql(" WHERE id IN (SELECT id FROM memberships WHERE status = "),
        Piece::Text(status.clone()),
        Piece::Sql(" AND occupation = "),
        Piece::Text(occupation.clone()),
        Piece::Sql(" AND home_path >= "),
        Piece::Text(within.as_str().to_owned()),
        Piece::Sql(" AND home_path < "),
        Piece::Text(within.subtree_upper_bound()),
    ];
    if let Some(before) = q.before_id {
        pieces.extend([Piece::Sql(" AND id < "), Piece::Int(before)]);
    }
    pieces.extend([
        Piece::Sql(" ORDER BY id DESC LIMIT "),
        Piece::Int(i64::from(q.limit)),
        Piece::Sql(") ORDER BY id DESC"),
    ]);
    Some(pieces)
}

/// The search statement on either database: each value becomes that database's
/// placeholder (`?` on SQLite, `$N` on PostgreSQL) and is bound.
fn statement<DB>(pieces: &[Piece]) -> QueryBuilder<DB>
where
    DB: Database,
    DB::Arguments: Default,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
{
    let mut statement = QueryBuilder::new(SELECT_MEMBERS);
    for piece in pieces {
        match piece {
            Piece::Sql(sql) => statement.push(sql),
            Piece::Text(text) => statement.push_bind(text.clone()),
            Piece::Int(int) => statement.push_bind(*int),
        };
    }
    statement
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Postgres, Sqlite};

    /// The search statement's text on each database, as the planner receives it.
    fn texts(query: &MemberQuery, scan_by_id: bool) -> [String; 2] {
        let pieces = conditions(query, scan_by_id);
        [
            statement::<Sqlite>(&pieces).sql().as_str().to_owned(),
            statement::<Postgres>(&pieces).sql().as_str().to_owned(),
        ]
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

    /// The status-in-scope statement reads ids from its index first; other filters keep
    /// the general statement.
    #[test]
    fn a_status_and_occupation_in_a_scope_read_their_ids_first() {
        let query = MemberQuery {
            within: Some(OrgPath::parse("/1/2/").unwrap()),
            status: Some("retained".to_owned()),
            occupation: Some("courier".to_owned()),
            before_id: Some(900),
            limit: 50,
            ..MemberQuery::default()
        };
        let pieces = status_in_scope(&query).unwrap();
        assert_eq!(
            statement::<Postgres>(&pieces).sql().as_str(),
            "SELECT id, member_number, status, home_org_id, home_path, in_pool, name, occupation, \
             region_code, joined_at FROM memberships WHERE id IN (SELECT id FROM memberships \
             WHERE status = $1 AND occupation = $2 AND home_path >= $3 AND home_path < $4 AND id < $5 \
             ORDER BY id DESC LIMIT $6) ORDER BY id DESC"
        );
        assert!(status_in_scope(&MemberQuery { in_pool: true, ..query.clone() }).is_none());
        assert!(
            status_in_scope(&MemberQuery { name_prefix: Some("王".to_owned()), ..query.clone() }).is_none()
        );
        assert!(status_in_scope(&MemberQuery { occupation: None, ..query.clone() }).is_none());
        assert!(status_in_scope(&MemberQuery { within: None, ..query }).is_none());
    }
}
