//! The figures other areas keep that the statistics page sums for a subtree and has no
//! query of its own area for: contest participation (from the contest's own per-union
//! totals, kept in the attempt's transaction).

use huiji_core::OrgPath;

use crate::Result;
use crate::db::{SqlStore, on_pool};

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
