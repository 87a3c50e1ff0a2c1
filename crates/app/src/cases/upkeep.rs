//! The background work of cases: escalating overdue cases to the parent federation (the
//! review escalation's pattern, with core deciding which deadline was missed) and the
//! retention purge of ended cases' personal data.

use huiji_store::{Escalated, Store, StoreError};

use crate::App;
use crate::ports::Clock;

/// Cases one escalation round reads at most (the next round takes the rest).
const BATCH: u32 = 500;

/// Moves every open case past a deadline it has not escalated for to the parent
/// federation; returns how many moved. Any number of instances may run it: each move is
/// a compare-and-set.
///
/// # Errors
///
/// The store's.
pub async fn escalate_overdue(app: &App) -> Result<u64, StoreError> {
    let now = app.now();
    let mut moved = 0;
    for case in app.store().cases_past_due(now, BATCH).await? {
        let clock = huiji_core::case::CaseClock {
            submitted_at: case.submitted_at,
            first_response_at: case.first_response_at,
            ended_at: case.ended_at,
        };
        let Some(overdue) = case.dues.escalation(&clock, now, case.escalated_for) else { continue };
        let outcome =
            app.store().escalate_case(case.id, case.org, case.escalated_for, overdue.missed(), now).await?;
        if let Escalated::To(_) = outcome {
            moved += 1;
        }
    }
    Ok(moved)
}

/// Empties the personal data (description, party, mobile, notes) of cases ended more
/// than `days` ago; counts, categories, amounts and outcomes stay.
///
/// # Errors
///
/// The store's.
pub async fn purge_ended(store: &dyn Store, clock: &dyn Clock, days: u32) -> Result<u64, StoreError> {
    let now = clock.now();
    store.purge_cases(now.plus_days(-i64::from(days)), now).await
}
