//! Background work of a running server. Each job is one statement the database makes
//! safe to run from any number of instances at once.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::AppState;

/// Escalates overdue reviews to the parent federation (DESIGN.md: manual review has a
/// deadline and is escalated when overdue) now and then every `every`, until the handle
/// is aborted. A failed round is logged and the next one tried, so a database hiccup does
/// not end the job.
pub fn spawn_escalation(state: AppState, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match state.store.escalate_overdue(state.clock.now()).await {
                Ok(0) => {}
                Ok(moved) => tracing::info!(moved, "overdue reviews escalated to the parent federation"),
                Err(error) => tracing::warn!(%error, "escalating overdue reviews failed; trying again later"),
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// Forgets expired `Idempotency-Key`s every `every`, so the table holds about a day of
/// platform requests.
pub fn spawn_idempotency_purge(state: AppState, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match state.store.purge_idempotency(state.clock.now()).await {
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
pub fn spawn_retention(state: AppState, days: u32, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match huiji_app::privacy::purge(state.store.as_ref(), state.clock.as_ref(), days, "retention job")
                .await
            {
                Ok(counts) if counts == huiji_store::PurgeCounts::default() => {}
                Ok(counts) => tracing::info!(?counts, days, "personal data past the retention period purged"),
                Err(error) => tracing::warn!(%error, "retention purge failed; trying again later"),
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// Re-reads the key file every [`huiji_app::keys::RELOAD_EVERY`], so a key rotation reaches
/// this server without a restart.
pub fn spawn_key_reload(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(huiji_app::keys::RELOAD_EVERY).await;
            match state.keyring.reload() {
                Ok(true) => tracing::info!(key = %state.keyring.get().current.0, "key file reloaded"),
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "key file not reloaded"),
            }
        }
    })
}
