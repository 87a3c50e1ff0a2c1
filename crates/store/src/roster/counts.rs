//! The coverage rollup (`roster_counts`, migration 0080): entries per importing union,
//! occupation and state. Triggers follow state changes and the purge; an import batch
//! adds its new entries here, in its own transaction. `huiji stats verify` recounts it,
//! and the entries' states, from the base tables; `huiji stats rebuild` rebuilds both.

use std::collections::BTreeMap;

use huiji_core::Occupation;
use huiji_core::roster::RosterState;
use sqlx::QueryBuilder;

use super::write::state_of;
use crate::db::SqlStore;
use crate::tx::{Tx, on_tx};
use crate::{Result, StatsMismatch};

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

/// The rollup rebuilt from the entries, each entry's state first recomputed from where its
/// person stands now (`huiji stats rebuild`, in the rollups' rebuild transaction): a state
/// left stale by a repair outside huiji would otherwise be counted as it is.
pub(crate) const REBUILD: [&str; 3] = [
    concat!(
        "UPDATE roster_entries SET state = ",
        state_of!("roster_entries.id_number_bidx"),
        " WHERE state <> ",
        state_of!("roster_entries.id_number_bidx")
    ),
    "DELETE FROM roster_counts",
    "INSERT INTO roster_counts (org_id, org_path, occupation, state, entries) \
     SELECT org_id, org_path, occupation, state, COUNT(*) FROM roster_entries \
     GROUP BY org_id, org_path, occupation, state",
];

const STORED: &str = "SELECT org_id, org_path, occupation, state, CAST(entries AS BIGINT) FROM roster_counts \
    WHERE entries <> 0";

const RECOUNT: &str = "SELECT org_id, org_path, occupation, state, COUNT(*) FROM roster_entries \
    GROUP BY org_id, org_path, occupation, state";

/// Entries whose stored state is not where their person stands now, by the two states.
const STALE: &str = concat!(
    "SELECT state, actual, COUNT(*) FROM (SELECT state, ",
    state_of!("roster_entries.id_number_bidx"),
    " AS actual FROM roster_entries) s WHERE state <> actual GROUP BY state, actual"
);

/// A rollup row's key: union, its path, occupation, state.
type Key = (i64, String, String, String);

/// A rollup row: its key's parts and the entries.
type Row = (i64, String, String, String, i64);

/// Stale entries: the state stored, the state recomputed, how many.
type StaleRow = (String, String, i64);

/// Every difference between the rollup and a recount of the entries, and every entry whose
/// state is stale (`huiji stats verify`), read in one snapshot.
pub(crate) async fn verify(store: &SqlStore) -> Result<Vec<StatsMismatch>> {
    let mut tx = store.begin_snapshot().await?;
    let (stored, recounted, stale): (Vec<Row>, Vec<Row>, Vec<StaleRow>) = on_tx!(&mut tx, |c| (
        sqlx::query_as(STORED).fetch_all(&mut *c).await?,
        sqlx::query_as(RECOUNT).fetch_all(&mut *c).await?,
        sqlx::query_as(STALE).fetch_all(&mut *c).await?,
    ));
    let map = |rows: Vec<Row>| -> BTreeMap<Key, i64> {
        rows.into_iter()
            .map(|(org, path, occupation, state, n)| ((org, path, occupation, state), n))
            .collect()
    };
    let mut out = Vec::new();
    crate::stats::compare("roster_counts", &map(stored), &map(recounted), &mut out);
    out.extend(stale.into_iter().map(|(state, actual, n)| StatsMismatch {
        table: "roster_entries.state",
        key: format!("{state} → {actual}"),
        stored: format!("{n} entries {state}"),
        recounted: format!("{n} entries {actual}"),
    }));
    Ok(out)
}
