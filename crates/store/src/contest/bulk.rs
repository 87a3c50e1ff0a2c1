//! Loading finished attempts in bulk — a contest's results brought over from another
//! system, or the synthetic half million of the leaderboard benchmark — and rebuilding
//! the boards' rollups from the attempts in one pass.

use huiji_core::contest::{ContestId, QuestionId};
use huiji_core::{MembershipId, OrgId, OrgPath, Timestamp};
use sqlx::QueryBuilder;

use crate::Result;
use crate::db::SqlStore;
use crate::tx::on_tx;

/// A finished attempt to load as it was.
#[derive(Clone, Debug)]
pub struct FinishedAttempt {
    /// Whose.
    pub membership: MembershipId,
    /// The member's home union then.
    pub home_org: OrgId,
    /// Its path.
    pub home_path: OrgPath,
    /// When it started.
    pub started_at: Timestamp,
    /// How long it took (ms).
    pub millis: i64,
    /// Its questions, in the order asked.
    pub questions: Vec<QuestionId>,
    /// Right answers.
    pub correct: u32,
}

/// Rows per statement: 13 values each, well below SQLite's 32,766.
const ROWS_PER_STATEMENT: usize = 500;

const DROP_BEST: &str = "DELETE FROM contest_best WHERE contest_id = $1";

/// Each member's best finished attempt: most right answers, then fastest, then first.
const RECOUNT_BEST: &str = "INSERT INTO contest_best (contest_id, membership_id, attempt_id, home_org_id, \
    home_path, correct, millis) SELECT contest_id, membership_id, id, home_org_id, home_path, correct, millis \
    FROM (SELECT contest_id, membership_id, id, home_org_id, home_path, correct, last_at - started_at AS millis, \
    ROW_NUMBER() OVER (PARTITION BY membership_id ORDER BY correct DESC, last_at - started_at, id) AS place \
    FROM contest_attempts WHERE contest_id = $1 AND finished_at IS NOT NULL) ranked WHERE place = 1";

/// The contest tables a bulk load fills, for fresh planner statistics.
const ANALYZE_CONTEST: [&str; 3] =
    ["ANALYZE contest_attempts", "ANALYZE contest_best", "ANALYZE contest_org_totals"];

const DROP_TOTALS: &str = "DELETE FROM contest_org_totals WHERE contest_id = $1";

const RECOUNT_TOTALS: &str = "INSERT INTO contest_org_totals (contest_id, org_id, path, participants, \
    correct_sum) SELECT contest_id, home_org_id, MIN(home_path), COUNT(*), SUM(correct) FROM contest_best \
    WHERE contest_id = $1 GROUP BY contest_id, home_org_id";

impl SqlStore {
    /// Loads finished attempts of a contest (no answers are kept for them), in batches;
    /// call [`SqlStore::recount_contest`] afterwards. Not atomic as a whole.
    pub async fn load_finished_attempts(
        &self,
        contest: ContestId,
        attempts: &[FinishedAttempt],
    ) -> Result<()> {
        for chunk in attempts.chunks(ROWS_PER_STATEMENT * 20) {
            let mut tx = self.begin_write().await?;
            for rows in chunk.chunks(ROWS_PER_STATEMENT) {
                on_tx!(&mut tx, |c| {
                    let mut qb = QueryBuilder::new(
                        "INSERT INTO contest_attempts (contest_id, membership_id, home_org_id, home_path, day, seed, \
                         question_ids, started_at, deadline, answered, correct, last_at, finished_at) ",
                    );
                    qb.push_values(rows, |mut row, a| {
                        let ids: Vec<String> = a.questions.iter().map(ToString::to_string).collect();
                        let ended = a.started_at.millis() + a.millis;
                        let count = i32::try_from(a.questions.len()).unwrap_or(i32::MAX);
                        row.push_bind(contest.0)
                            .push_bind(a.membership.0)
                            .push_bind(a.home_org.0)
                            .push_bind(a.home_path.as_str().to_owned())
                            .push_bind(a.started_at.china_date().to_string())
                            .push_bind(0i64)
                            .push_bind(ids.join(","))
                            .push_bind(a.started_at.millis())
                            .push_bind(ended)
                            .push_bind(count)
                            .push_bind(i32::try_from(a.correct).unwrap_or(i32::MAX))
                            .push_bind(ended)
                            .push_bind(ended);
                    });
                    qb.build().execute(c).await?.rows_affected()
                });
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Rebuilds a contest's best attempts and union totals from its finished attempts.
    pub async fn recount_contest(&self, contest: ContestId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for statement in [DROP_BEST, RECOUNT_BEST, DROP_TOTALS, RECOUNT_TOTALS] {
            on_tx!(&mut tx, |c| sqlx::query(statement).bind(contest.0).execute(c).await?.rows_affected());
        }
        tx.commit().await?;
        // A bulk load changes the tables' size at once, before the database's own
        // statistics catch up: without fresh ones PostgreSQL planned a city's board at
        // 357 ms instead of 10 ms (BENCHMARKS.md, the contest).
        let mut tx = self.begin_write().await?;
        for statement in ANALYZE_CONTEST {
            on_tx!(&mut tx, |c| sqlx::query(statement).execute(c).await?.rows_affected());
        }
        tx.commit().await?;
        Ok(())
    }
}
