//! Background jobs run once per period across every instance sharing the database
//! (migration 0071): a job's period is claimed by inserting its row, which exactly one
//! instance manages; the others find the row there and skip the round.

use async_trait::async_trait;
use huiji_core::Timestamp;

use crate::Result;
use crate::db::{SqlStore, on_pool};

/// Inserts the claim unless the period is already someone's: the primary key decides, on
/// either database, so two instances racing for one period never both get it.
const CLAIM: &str = "INSERT INTO job_periods (job, period, claimed_at) VALUES ($1, $2, $3) \
    ON CONFLICT (job, period) DO NOTHING";

/// Claims older than this many periods are forgotten when a new one is claimed.
const KEEP_PERIODS: i64 = 100;

const FORGET: &str = "DELETE FROM job_periods WHERE job = $1 AND period < $2";

/// Periods of background jobs.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Claims `period` of `job` for this instance: `true` when it is this instance's to
    /// run, `false` when another instance (or an earlier round of this one) has it.
    async fn claim_job_period(&self, job: &str, period: i64, at: Timestamp) -> Result<bool>;
}

#[async_trait]
impl JobStore for SqlStore {
    async fn claim_job_period(&self, job: &str, period: i64, at: Timestamp) -> Result<bool> {
        let claimed = on_pool!(&self.pools, write, |p| sqlx::query(CLAIM)
            .bind(job)
            .bind(period)
            .bind(at.millis())
            .execute(p)
            .await?
            .rows_affected());
        if claimed == 1 {
            on_pool!(&self.pools, write, |p| {
                sqlx::query(FORGET).bind(job).bind(period.saturating_sub(KEEP_PERIODS)).execute(p).await?;
            });
        }
        Ok(claimed == 1)
    }
}
