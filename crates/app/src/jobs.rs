//! Background work of a running server. Each job is one statement the database makes
//! safe to run from any number of instances at once; the escalation round and the
//! retention purge also run once per period across all of them ([`claim_period`]).

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::App;
use crate::webhooks::{self, DELIVERY_TIMEOUT};

/// Escalates overdue reviews and overdue legal-aid cases to the parent federation
/// (DESIGN.md: manual review has a deadline and is escalated when overdue; so are cases)
/// now and then every `every`, until the handle is aborted. A failed round is logged and
/// the next one tried, so a database hiccup does not end the job.
pub fn spawn_escalation(app: App, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if !claim_period(&app, ESCALATION, every).await {
                tokio::time::sleep(until_next_period(&app, every)).await;
                continue;
            }
            match app.store().escalate_overdue(app.now()).await {
                Ok(0) => {}
                Ok(moved) => {
                    tracing::info!(moved, "overdue reviews escalated to the parent federation");
                    // Each escalation queued the applicant's SMS in its transaction.
                    if let Err(error) = crate::notices::deliver_due(&app).await {
                        tracing::warn!(%error, "escalation SMS not delivered now; the notice job retries");
                    }
                }
                Err(error) => tracing::warn!(%error, "escalating overdue reviews failed; trying again later"),
            }
            match crate::cases::escalate_overdue(&app).await {
                Ok(0) => {}
                Ok(moved) => {
                    tracing::info!(moved, "overdue legal-aid cases escalated to the parent federation")
                }
                Err(error) => tracing::warn!(%error, "escalating overdue cases failed; trying again later"),
            }
            tokio::time::sleep(until_next_period(&app, every)).await;
        }
    })
}

/// The escalation round's name among the jobs' periods.
pub const ESCALATION: &str = "escalation";

/// The retention purge's name among the jobs' periods.
pub const RETENTION: &str = "retention";

/// Whether this instance runs `job` now: periods are `every` long, counted from the
/// epoch on the app's clock, and the first instance to claim a period runs it (the
/// database decides; see `huiji_store::JobStore`). Every instance tries once per `every`,
/// so each period is tried by each and run by one. A store failure skips the round.
pub async fn claim_period(app: &App, job: &str, every: Duration) -> bool {
    let now = app.now();
    let length = i64::try_from(every.as_millis()).unwrap_or(i64::MAX).max(1);
    match app.store().claim_job_period(job, now.millis().div_euclid(length), now).await {
        Ok(claimed) => claimed,
        Err(error) => {
            tracing::warn!(%error, job, "claiming the job's period failed; skipping this round");
            false
        }
    }
}

/// How long until the next period of length `every` starts (at least a millisecond), so
/// a round that took a while still tries every period.
fn until_next_period(app: &App, every: Duration) -> Duration {
    let length = u64::try_from(every.as_millis()).unwrap_or(u64::MAX).max(1);
    let into = u64::try_from(app.now().millis()).unwrap_or(0) % length;
    Duration::from_millis((length - into).max(1))
}

/// Sends the daily digests of waiting reviews that are due, now and then every `every`
/// (each account's day is claimed once, whichever instance gets there first).
pub fn spawn_review_digest(app: App, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match crate::accounts::digest::send_due(&app).await {
                Ok(round) if round.sent == 0 => {}
                Ok(round) => tracing::info!(sent = round.sent, "review digests sent"),
                Err(error) => tracing::warn!(%error, "review digests failed; trying again later"),
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// Forgets expired `Idempotency-Key`s every `every`, so the table holds about a day of
/// platform requests.
pub fn spawn_idempotency_purge(app: App, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match app.store().purge_idempotency(app.now()).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "expired idempotency keys forgotten"),
                Err(error) => tracing::warn!(%error, "purging idempotency keys failed; trying again later"),
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// Purges personal data past the retention period (`days`) now and then every `every`
/// (daily in production), until the handle is aborted. Any number of instances may run
/// it: a purge touches each row once.
pub fn spawn_retention(app: App, days: u32, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if !claim_period(&app, RETENTION, every).await {
                tokio::time::sleep(until_next_period(&app, every)).await;
                continue;
            }
            match crate::privacy::purge(app.store().as_ref(), app.clock().as_ref(), days, "retention job")
                .await
            {
                Ok(counts) if counts == huiji_store::PurgeCounts::default() => {}
                Ok(counts) => tracing::info!(?counts, days, "personal data past the retention period purged"),
                Err(error) => tracing::warn!(%error, "retention purge failed; trying again later"),
            }
            tokio::time::sleep(until_next_period(&app, every)).await;
        }
    })
}

/// Re-reads the key file every [`crate::keys::RELOAD_EVERY`], so a key rotation reaches
/// this server without a restart.
pub fn spawn_key_reload(app: App) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(crate::keys::RELOAD_EVERY).await;
            match app.keys().reload() {
                Ok(true) => tracing::info!(key = %app.keys().get().current.0, "key file reloaded"),
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "key file not reloaded"),
            }
        }
    })
}

/// Delivers due webhooks every `every` (and at once again while there is a backlog)
/// until the handle is aborted.
pub fn spawn_webhook_delivery(app: App, every: Duration) -> Result<JoinHandle<()>, reqwest::Error> {
    let client = crate::outbound::http_client(DELIVERY_TIMEOUT)?;
    Ok(tokio::spawn(async move {
        loop {
            match webhooks::deliver_due(&app, &client).await {
                Ok(n) if n == webhooks::delivery::BATCH as usize => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "claiming webhooks failed; trying again later"),
            }
            tokio::time::sleep(every).await;
        }
    }))
}
