//! The figures other areas keep that the statistics page sums for a subtree and has no
//! query of its own area for: contest participation (from the contest's own per-union
//! totals, kept in the attempt's transaction) and legal-aid cases by category (one index
//! range of the subtree's cases: they number thousands, not millions).

use huiji_core::case::CaseCategory;
use huiji_core::{OrgPath, Timestamp};

use super::CaseTally;
use crate::Result;
use crate::db::{SqlStore, on_pool};

/// One category's legal-aid cases within a subtree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CategoryCases {
    /// The category.
    pub category: CaseCategory,
    /// Open now.
    pub open: i64,
    /// Open past a deadline now (see [`CaseTally::overdue`]).
    pub overdue: i64,
    /// Closed since the date asked for.
    pub closed: i64,
    /// Recovered in those (fen).
    pub recovered_fen: i64,
}

/// Legal-aid cases handled in the subtree (`$1`, `$2`), by category: open, open past a
/// deadline at `$3` (the first response not given by its due time, or the resolution's
/// passed — core's `CaseDues::overdue`, a due instant itself still in time), closed since
/// `$4`, and the amounts recovered in those.
const CASE_TALLY: &str = "SELECT category, \
    CAST(COALESCE(SUM(CASE WHEN status IN ('submitted', 'accepted', 'in_progress') THEN 1 ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN status IN ('submitted', 'accepted', 'in_progress') AND (resolution_due < $3 \
    OR (first_response_at IS NULL AND response_due < $3)) THEN 1 ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN status = 'closed' AND ended_at >= $4 THEN 1 ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN status = 'closed' AND ended_at >= $4 THEN COALESCE(recovered_fen, 0) \
    ELSE 0 END), 0) AS BIGINT) FROM cases WHERE org_path >= $1 AND org_path < $2 GROUP BY category";

/// One contest's participants within a subtree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestTally {
    /// The contest's id.
    pub contest: i64,
    /// Its name.
    pub name: String,
    /// Its first day (`YYYY-MM-DD`).
    pub starts_on: String,
    /// Its last day.
    pub ends_on: String,
    /// Members of the subtree who finished at least one attempt.
    pub participants: i64,
}

/// Contests with participants in the subtree (`$1`, `$2`: its path range), newest first:
/// sums of the contest's per-union totals, one index range per contest.
const CONTEST_PARTICIPATION: &str = "SELECT c.id, c.name, c.open_from, c.open_until, \
    CAST(SUM(t.participants) AS BIGINT) FROM contests c JOIN contest_org_totals t ON t.contest_id = c.id \
    WHERE t.path >= $1 AND t.path < $2 GROUP BY c.id, c.name, c.open_from, c.open_until \
    HAVING SUM(t.participants) > 0 ORDER BY c.id DESC LIMIT $3";

impl SqlStore {
    pub(crate) async fn case_tally_rows(
        &self,
        within: &OrgPath,
        since: Timestamp,
        now: Timestamp,
    ) -> Result<CaseTally> {
        let rows: Vec<(String, i64, i64, i64, i64)> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(CASE_TALLY)
                .bind(within.as_str())
                .bind(within.subtree_upper_bound())
                .bind(now.millis())
                .bind(since.millis())
                .fetch_all(p)
                .await?);
        let mut tally = CaseTally::default();
        for (code, open, overdue, closed, recovered_fen) in rows {
            let category: CaseCategory =
                code.parse().map_err(|_| crate::StoreError::Corrupt(format!("case category {code}")))?;
            tally.open += open;
            tally.overdue += overdue;
            tally.closed += closed;
            tally.recovered_fen += recovered_fen;
            tally.by_category.push(CategoryCases { category, open, overdue, closed, recovered_fen });
        }
        tally.by_category.sort_by_key(|c| CaseCategory::ALL.iter().position(|k| *k == c.category));
        Ok(tally)
    }

    pub(crate) async fn contest_participation_rows(
        &self,
        within: &OrgPath,
        limit: u32,
    ) -> Result<Vec<ContestTally>> {
        let rows: Vec<(i64, String, String, String, i64)> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(CONTEST_PARTICIPATION)
                .bind(within.as_str())
                .bind(within.subtree_upper_bound())
                .bind(i64::from(limit))
                .fetch_all(p)
                .await?);
        Ok(rows
            .into_iter()
            .map(|(contest, name, open_from, open_until, participants)| ContestTally {
                contest,
                name,
                starts_on: open_from,
                ends_on: open_until,
                participants,
            })
            .collect())
    }
}
