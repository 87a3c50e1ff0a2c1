//! The leaderboards: unions summed over their subtrees from the per-union totals (or,
//! once the window has closed, from the frozen snapshot), people from the best attempts.

use huiji_core::contest::ContestId;
use huiji_core::{MembershipId, OrgId, OrgPath, Timestamp};

use super::{BoardEntry, ContestRecord, Frozen, UnionBoard, UnionTotals};
use crate::db::{SqlStore, on_pool};
use crate::tx::on_tx;
use crate::{Result, StoreError};

/// A union and each union directly below it, with their subtrees' members (held now),
/// participants and summed best scores.
const LIVE_UNIONS: &str = "SELECT c.id, c.name, \
    (SELECT CAST(COALESCE(SUM(m.held), 0) AS BIGINT) FROM orgs o JOIN org_member_counts m ON m.org_id = o.id \
     WHERE o.path >= c.path AND o.path < c.path || ':') AS members, \
    (SELECT CAST(COALESCE(SUM(t.participants), 0) AS BIGINT) FROM contest_org_totals t \
     WHERE t.contest_id = $1 AND t.path >= c.path AND t.path < c.path || ':') AS participants, \
    (SELECT CAST(COALESCE(SUM(t.correct_sum), 0) AS BIGINT) FROM contest_org_totals t \
     WHERE t.contest_id = $1 AND t.path >= c.path AND t.path < c.path || ':') AS correct_sum \
    FROM orgs c WHERE c.id = $2 OR c.parent_id = $2";

/// The same from the snapshot taken when the window closed.
const FROZEN_UNIONS: &str = "SELECT c.id, c.name, \
    (SELECT CAST(COALESCE(SUM(f.members), 0) AS BIGINT) FROM contest_frozen f \
     WHERE f.contest_id = $1 AND f.path >= c.path AND f.path < c.path || ':') AS members, \
    (SELECT CAST(COALESCE(SUM(f.participants), 0) AS BIGINT) FROM contest_frozen f \
     WHERE f.contest_id = $1 AND f.path >= c.path AND f.path < c.path || ':') AS participants, \
    (SELECT CAST(COALESCE(SUM(f.correct_sum), 0) AS BIGINT) FROM contest_frozen f \
     WHERE f.contest_id = $1 AND f.path >= c.path AND f.path < c.path || ':') AS correct_sum \
    FROM orgs c WHERE c.id = $2 OR c.parent_id = $2";

/// The columns a [`BoardRow`] reads, for `concat!`.
macro_rules! board_columns {
    () => {
        "SELECT b.membership_id, m.name, m.member_number, b.home_org_id, o.name AS union_name, b.correct, \
         b.millis FROM contest_best b JOIN memberships m ON m.id = b.membership_id \
         JOIN orgs o ON o.id = b.home_org_id "
    };
}

/// The whole contest's board walks the rank index from its top.
const PEOPLE: &str = concat!(
    board_columns!(),
    "WHERE b.contest_id = $1 AND b.correct >= 0 ORDER BY b.correct DESC, b.millis, b.membership_id LIMIT $2"
);

const PEOPLE_WITHIN: &str = concat!(
    board_columns!(),
    "WHERE b.contest_id = $1 AND b.home_path >= $2 AND b.home_path < $3 AND b.correct >= 0 \
     ORDER BY b.correct DESC, b.millis, b.membership_id LIMIT $4"
);

const BEST_OF: &str =
    concat!(board_columns!(), "WHERE b.contest_id = $1 AND b.membership_id = $2 AND b.correct >= 0");

const BETTER_THAN: &str = "SELECT COUNT(*) FROM contest_best WHERE contest_id = $1 \
    AND (correct > $2 OR (correct = $2 AND millis < $3))";

const UNFINISHED: &str =
    "SELECT COUNT(*) FROM contest_attempts WHERE finished_at IS NULL AND contest_id = $1";

const MARK_FROZEN: &str =
    "UPDATE contests SET frozen_at = $2 WHERE id = $1 AND frozen_at IS NULL RETURNING org_path";

/// Every union of the organiser's subtree with members or participants, as it stands.
const SNAPSHOT: &str = "INSERT INTO contest_frozen (contest_id, org_id, path, members, participants, correct_sum) \
    SELECT $1, o.id, o.path, COALESCE(m.held, 0), COALESCE(t.participants, 0), COALESCE(t.correct_sum, 0) \
    FROM orgs o LEFT JOIN org_member_counts m ON m.org_id = o.id \
    LEFT JOIN contest_org_totals t ON t.contest_id = $1 AND t.org_id = o.id \
    WHERE o.path >= $2 AND o.path < $3 AND (m.held > 0 OR t.participants > 0)";

#[derive(sqlx::FromRow)]
struct UnionRow {
    id: i64,
    name: String,
    members: i64,
    participants: i64,
    correct_sum: i64,
}

impl From<UnionRow> for UnionTotals {
    fn from(row: UnionRow) -> UnionTotals {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        UnionTotals {
            org: OrgId(row.id),
            name: row.name,
            members: count(row.members),
            participants: count(row.participants),
            correct_sum: count(row.correct_sum),
        }
    }
}

#[derive(sqlx::FromRow)]
struct BoardRow {
    membership_id: i64,
    name: String,
    member_number: Option<String>,
    home_org_id: i64,
    union_name: String,
    correct: i32,
    millis: i64,
}

impl From<BoardRow> for BoardEntry {
    fn from(row: BoardRow) -> BoardEntry {
        BoardEntry {
            membership: MembershipId(row.membership_id),
            name: row.name,
            member_number: row.member_number,
            union: OrgId(row.home_org_id),
            union_name: row.union_name,
            correct: u32::try_from(row.correct).unwrap_or(0),
            millis: row.millis,
        }
    }
}

pub(super) async fn unions(
    store: &SqlStore,
    contest: &ContestRecord,
    node: OrgId,
) -> Result<Option<UnionBoard>> {
    let sql = if contest.frozen_at.is_some() { FROZEN_UNIONS } else { LIVE_UNIONS };
    let rows: Vec<UnionRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(sql)
        .bind(contest.id.0)
        .bind(node.0)
        .fetch_all(p)
        .await?);
    let (mut nodes, mut children): (Vec<UnionTotals>, Vec<UnionTotals>) =
        rows.into_iter().map(UnionTotals::from).partition(|row| row.org == node);
    children.sort_by_key(|child| child.org);
    Ok(nodes.pop().map(|node| UnionBoard { node, children }))
}

pub(super) async fn people(
    store: &SqlStore,
    contest: &ContestRecord,
    within: &OrgPath,
    limit: u32,
) -> Result<Vec<BoardEntry>> {
    let (whole, contest) = (contest.org_path == *within, contest.id);
    let rows: Vec<BoardRow> = if whole {
        on_pool!(&store.pools, read, |p| sqlx::query_as(PEOPLE)
            .bind(contest.0)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?)
    } else {
        on_pool!(&store.pools, read, |p| sqlx::query_as(PEOPLE_WITHIN)
            .bind(contest.0)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?)
    };
    Ok(rows.into_iter().map(BoardEntry::from).collect())
}

pub(super) async fn best_of(
    store: &SqlStore,
    contest: ContestId,
    membership: MembershipId,
) -> Result<Option<BoardEntry>> {
    let row: Option<BoardRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(BEST_OF)
        .bind(contest.0)
        .bind(membership.0)
        .fetch_optional(p)
        .await?);
    Ok(row.map(BoardEntry::from))
}

pub(super) async fn better_than(
    store: &SqlStore,
    contest: ContestId,
    correct: u32,
    millis: i64,
) -> Result<u64> {
    let n: i64 = on_pool!(&store.pools, read, |p| sqlx::query_scalar(BETTER_THAN)
        .bind(contest.0)
        .bind(i32::try_from(correct).unwrap_or(i32::MAX))
        .bind(millis)
        .fetch_one(p)
        .await?);
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(super) async fn freeze(store: &SqlStore, contest: ContestId, at: Timestamp) -> Result<Frozen> {
    let mut tx = store.begin_write().await?;
    let unfinished: i64 =
        on_tx!(&mut tx, |c| sqlx::query_scalar(UNFINISHED).bind(contest.0).fetch_one(c).await?);
    if unfinished > 0 {
        return Ok(Frozen::Unfinished);
    }
    let path: Option<String> = on_tx!(&mut tx, |c| sqlx::query_scalar(MARK_FROZEN)
        .bind(contest.0)
        .bind(at.millis())
        .fetch_optional(c)
        .await?);
    let Some(path) = path else { return Ok(Frozen::Already) };
    let path =
        OrgPath::parse(&path).ok_or_else(|| StoreError::Corrupt(format!("contest {contest}: org_path")))?;
    on_tx!(&mut tx, |c| sqlx::query(SNAPSHOT)
        .bind(contest.0)
        .bind(path.as_str())
        .bind(path.subtree_upper_bound())
        .execute(c)
        .await?
        .rows_affected());
    tx.commit().await?;
    Ok(Frozen::Now)
}
