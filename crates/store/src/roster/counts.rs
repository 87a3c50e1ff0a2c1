//! The coverage rollup (`roster_counts`, migration 0080): entries per importing union,
//! occupation and state. Triggers follow state changes and the purge; an import batch
//! adds its new entries here, in its own transaction.

use std::collections::BTreeMap;

use huiji_core::Occupation;
use huiji_core::roster::RosterState;
use sqlx::QueryBuilder;

use crate::Result;
use crate::tx::{Tx, on_tx};

const ADD: &str = "INSERT INTO roster_counts (org_id, org_path, occupation, state, entries) ";

/// New entries of one batch, by occupation and state.
#[derive(Debug, Default)]
pub(super) struct Tally(BTreeMap<(&'static str, &'static str), i64>);

impl Tally {
    /// One more new entry.
    pub(super) fn add(&mut self, occupation: Occupation, state: RosterState) {
        *self.0.entry((occupation.code(), state.code())).or_default() += 1;
    }
}

/// Adds a batch's tally to the union's counts: one statement, its rows in key order so
/// that two imports into one union take the counter rows in the same order.
pub(super) async fn add(tx: &mut Tx, org_id: i64, org_path: &str, tally: &Tally) -> Result<()> {
    if tally.0.is_empty() {
        return Ok(());
    }
    on_tx!(tx, |c| {
        let mut q = QueryBuilder::new(ADD);
        q.push_values(&tally.0, |mut row, ((occupation, state), entries)| {
            row.push_bind(org_id)
                .push_bind(org_path)
                .push_bind(*occupation)
                .push_bind(*state)
                .push_bind(i32::try_from(*entries).unwrap_or(i32::MAX));
        });
        q.push(
            " ON CONFLICT (org_id, org_path, occupation, state) \
             DO UPDATE SET entries = roster_counts.entries + excluded.entries",
        );
        q.build().execute(c).await?;
    });
    Ok(())
}
