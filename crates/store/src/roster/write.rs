//! Writing imports and entries, keeping states current, purging.

use std::collections::HashMap;

use huiji_core::Timestamp;
use huiji_core::roster::RosterState;

use super::insert::{Batch, SQLITE_BIND_LIMIT, Sorted, bidx, insert, sqlite_chunks, sqlite_inserts};
use super::{EntryOutcome, NewRosterEntry, NewRosterImport, RosterCounts, RosterImportStatus, state};
use sqlx::QueryBuilder;

use crate::db::{Pools, SqlStore, on_pool};
use crate::tx::{Tx, on_tx};
use crate::{Result, StoreError};

/// Where the person with the blind index `$b` stands, as SQL: a held membership, else an
/// open application, else neither (a macro so statements stay whole `const` strings).
macro_rules! state_of {
    ($b:literal) => {
        concat!(
            "CASE WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.id_number_bidx = ",
            $b,
            " AND m.status IN ",
            crate::members::held_statuses!(),
            ") THEN 'member' WHEN EXISTS (SELECT 1 FROM applications a WHERE a.id_number_bidx = ",
            $b,
            " AND a.status = 'pending_review') THEN 'pending' ELSE 'not_member' END"
        )
    };
}

pub(crate) use state_of;

const START: &str = "INSERT INTO roster_imports (org_id, org_path, source, file_name, actor, status, started_at, \
    heartbeat_at) SELECT id, path, $2, $3, $4, 'running', $5, $5 FROM orgs WHERE id = $1 RETURNING id";

/// Every write of a running import's progress is a sign of life too.
const TOUCH: &str = "UPDATE roster_imports SET heartbeat_at = $2 WHERE id = $1 AND status = 'running'";

const INTERRUPT_STALE: &str = "UPDATE roster_imports SET status = 'interrupted', message = $2, finished_at = $3 \
    WHERE status = 'running' AND heartbeat_at < $1";

const IMPORT_OWNER: &str = "SELECT source, org_id, org_path FROM roster_imports WHERE id = $1";

/// [`IMPORT_OWNER`] for a batch on PostgreSQL: the import's row locked as a foreign key's
/// check would lock it (the entries' references are plain columns since migration 0081),
/// once a batch instead of three times a row. SQLite's write transaction excludes every
/// other writer already.
const IMPORT_OWNER_LOCKED: &str =
    "SELECT source, org_id, org_path FROM roster_imports WHERE id = $1 FOR KEY SHARE";

const SET_MOBILE: &str = "UPDATE roster_entries SET mobile_ct = $2, mobile_bidx = $3 WHERE id = $1";

const SET_EMPLOYER: &str =
    "UPDATE roster_entries SET employer_name = $2, employer_credit_code = $3 WHERE id = $1";

const UPDATE_IMPORT: &str = "UPDATE roster_imports SET status = $2, rows_read = $3, imported = $4, \
    duplicates_in_file = $5, already_on_roster = $6, updated = $7, rejected = $8, members = $9, pending = $10, \
    not_members = $11, report = COALESCE($12, report), finished_at = $13, heartbeat_at = $14 WHERE id = $1";

/// Refreshes the roster entries of the person of application `$application` (a macro, so
/// the instant approval can put it in its one statement, `joining::tail`).
macro_rules! refresh_application {
    ($application:expr) => {
        concat!(
            "UPDATE roster_entries SET state = ",
            $crate::roster::state_of!("roster_entries.id_number_bidx"),
            " WHERE id_number_bidx = (SELECT id_number_bidx FROM applications WHERE id = ",
            $application,
            ")"
        )
    };
}
pub(crate) use refresh_application;

const REFRESH: &str = refresh_application!("$1");

/// The same for the person of a membership whose status changed (a withdrawal, an
/// expulsion, a death, a reinstatement): a member who leaves is `not_member` again.
const REFRESH_MEMBERSHIP: &str = concat!(
    "UPDATE roster_entries SET state = ",
    state_of!("roster_entries.id_number_bidx"),
    " WHERE id_number_bidx = (SELECT id_number_bidx FROM memberships WHERE id = $1)"
);

const PURGE: &str = "DELETE FROM roster_entries WHERE state = 'not_member' AND last_seen_at < $1";

pub(super) async fn start(store: &SqlStore, new: &NewRosterImport, at: Timestamp) -> Result<i64> {
    let id: Option<i64> = on_pool!(&store.pools, write, |p| sqlx::query_scalar(START)
        .bind(new.org.0)
        .bind(&new.source)
        .bind(&new.file_name)
        .bind(&new.actor)
        .bind(at.millis())
        .fetch_optional(p)
        .await?);
    id.ok_or(StoreError::NotFound("importing union"))
}

/// An entry the source already lists: id, mobile and employer as stored, state.
type Existing = (i64, Option<String>, Option<String>, Option<String>, String);

/// [`Existing`] with the ID blind index it was found by, as [`EXISTING_AMONG`] reads it.
type ListedRow = (String, i64, Option<String>, Option<String>, Option<String>, String);

/// Values per IN list on SQLite (the source takes one more).
const SQLITE_IN_LIST: usize = SQLITE_BIND_LIMIT - 1;

/// The page cache of SQLite's writer connection while it writes roster entries, in KiB
/// (negative in the PRAGMA): the two indexes keyed by a random blind index touch pages
/// all over a table of a million entries; with the default 2 MB every batch re-read and
/// re-wrote most of them.
const SQLITE_IMPORT_CACHE: &str = "PRAGMA cache_size = -98304";

/// PostgreSQL plans the batch's statements for the arrays at hand, never with a generic
/// plan made while the table was small and unanalysed (the suspect when the lookup of
/// listed entries took 0.5–2 s a batch late in a run of a million rows).
const POSTGRES_CUSTOM_PLANS: &str = "SET LOCAL plan_cache_mode = force_custom_plan";

const LISTED_ANY: &str = "SELECT id_number_bidx, id, mobile_bidx, employer_name, employer_credit_code, state \
    FROM roster_entries WHERE source = $1 AND id_number_bidx = ANY($2::text[])";

const LISTED_IN: &str = "SELECT id_number_bidx, id, mobile_bidx, employer_name, employer_credit_code, state \
    FROM roster_entries WHERE source = ";

const SEEN_ANY: &str =
    "UPDATE roster_entries SET last_import_id = $1, last_seen_at = $2 WHERE id = ANY($3::bigint[])";

const SEEN_IN: &str = "UPDATE roster_entries SET last_import_id = ";

/// Writes a batch of entries in one transaction, set-wise: one INSERT of the batch
/// (on SQLite, one per bind-limit's worth of rows) that skips the people the source
/// lists already and reads each new person's state from memberships and applications by
/// index as it goes; then, only for the rows that did not go in, one lookup and one
/// UPDATE of when they were last seen — and a statement per row only where a mobile or
/// employer changed. A fresh file is a handful of statements per ten thousand rows.
pub(super) async fn add(
    store: &SqlStore,
    import_id: i64,
    entries: &[NewRosterEntry],
    at: Timestamp,
) -> Result<Vec<EntryOutcome>> {
    let started = std::time::Instant::now();
    let sorted = Sorted::new(entries);
    // Made before the transaction: see `sqlite_inserts`.
    let sqlite = matches!(store.pools, Pools::Sqlite { .. }).then(|| sqlite_inserts(import_id, at, &sorted));
    let mut tx = store.begin_write().await?;
    match &mut tx {
        Tx::Sqlite(t) => {
            sqlx::query(SQLITE_IMPORT_CACHE).execute(&mut **t).await?;
        }
        Tx::Postgres(t) => {
            sqlx::query(POSTGRES_CUSTOM_PLANS).execute(&mut **t).await?;
        }
    }
    let owner_of = match &tx {
        Tx::Sqlite(_) => IMPORT_OWNER,
        Tx::Postgres(_) => IMPORT_OWNER_LOCKED,
    };
    let owner: Option<(String, i64, String)> =
        on_tx!(&mut tx, |c| sqlx::query_as(owner_of).bind(import_id).fetch_optional(c).await?);
    let (source, org_id, org_path) = owner.ok_or(StoreError::NotFound("roster import"))?;
    let batch = Batch { source: &source, import_id, org_id, org_path: &org_path, at };
    let added = insert(&mut tx, &batch, &sorted, sqlite).await?;
    // The coverage rollup: the entries this batch added (each person once), in the same
    // transaction.
    let mut tally = super::counts::Tally::default();
    let mut previous = None;
    for &i in sorted.order() {
        let key = bidx(entries, i);
        if previous != Some(key)
            && let (Some(Some(state)), Some(entry)) = (added.get(i), entries.get(i))
        {
            tally.add(entry.occupation, *state);
        }
        previous = Some(key);
    }
    super::counts::add(&mut tx, org_id, &org_path, &tally).await?;
    let inserted = started.elapsed();
    // The rest in key order, so that their lookups sweep the index too.
    let rest: Vec<&str> = sorted
        .order()
        .iter()
        .filter(|&&i| added.get(i).is_some_and(Option::is_none))
        .map(|&i| bidx(entries, i))
        .collect();
    let mut listed = listed(&mut tx, &source, &rest).await?;
    let seen: Vec<i64> = listed.values().map(|e| e.0).collect();
    seen_again(&mut tx, import_id, at, &seen).await?;
    let mut outcomes = Vec::with_capacity(entries.len());
    for (entry, state) in entries.iter().zip(&added) {
        let outcome = match state {
            Some(state) => EntryOutcome::New(*state),
            None => match listed.remove(&entry.id_number.blind_index) {
                Some(found) => again(&mut tx, entry, found).await?,
                // Listed meanwhile by a concurrent import of the same source, not yet visible.
                None => {
                    EntryOutcome::Existing { state: RosterState::NotMember, mobile: false, employer: false }
                }
            },
        };
        outcomes.push(outcome);
    }
    tx.commit().await?;
    tracing::debug!(
        import_id,
        rows = entries.len(),
        listed = rest.len(),
        insert_ms = inserted.as_millis(),
        total_ms = started.elapsed().as_millis(),
        "roster batch written"
    );
    Ok(outcomes)
}

/// The entries the source lists already among `bidxs`, by ID blind index.
async fn listed(tx: &mut Tx, source: &str, bidxs: &[&str]) -> Result<HashMap<String, Existing>> {
    let mut found: Vec<ListedRow> = Vec::new();
    if bidxs.is_empty() {
        return Ok(HashMap::new());
    }
    match tx {
        Tx::Postgres(t) => {
            found = sqlx::query_as(LISTED_ANY).bind(source).bind(bidxs).fetch_all(&mut **t).await?;
        }
        Tx::Sqlite(t) => {
            for chunk in sqlite_chunks(bidxs, SQLITE_IN_LIST) {
                let mut q = QueryBuilder::new(LISTED_IN);
                q.push_bind(source).push(" AND id_number_bidx IN (");
                let mut list = q.separated(", ");
                for bidx in chunk {
                    list.push_bind(*bidx);
                }
                q.push(")");
                found.extend(q.build_query_as::<ListedRow>().fetch_all(&mut **t).await?);
            }
        }
    }
    Ok(found.into_iter().map(|(bidx, id, m, n, c, s)| (bidx, (id, m, n, c, s))).collect())
}

/// Restarts the retention clock of the entries this import listed again.
async fn seen_again(tx: &mut Tx, import_id: i64, at: Timestamp, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    match tx {
        Tx::Postgres(t) => {
            sqlx::query(SEEN_ANY).bind(import_id).bind(at.millis()).bind(ids).execute(&mut **t).await?;
        }
        Tx::Sqlite(t) => {
            for chunk in sqlite_chunks(ids, SQLITE_IN_LIST - 1) {
                let mut q = QueryBuilder::new(SEEN_IN);
                q.push_bind(import_id)
                    .push(", last_seen_at = ")
                    .push_bind(at.millis())
                    .push(" WHERE id IN (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build().execute(&mut **t).await?;
            }
        }
    }
    Ok(())
}

/// A person the source already lists (whose retention clock [`add`] restarted): a given
/// mobile or employer that differs replaces the stored one.
async fn again(
    tx: &mut Tx,
    entry: &NewRosterEntry,
    (id, mobile_bidx, employer_name, credit_code, code): Existing,
) -> Result<EntryOutcome> {
    let new_mobile = entry.mobile.as_ref().filter(|m| mobile_bidx.as_deref() != Some(m.blind_index.as_str()));
    if let Some(mobile) = new_mobile {
        on_tx!(tx, |c| {
            sqlx::query(SET_MOBILE)
                .bind(id)
                .bind(&mobile.ciphertext)
                .bind(&mobile.blind_index)
                .execute(c)
                .await?;
        });
    }
    let employer_given = entry.employer_name.is_some() || entry.employer_credit_code.is_some();
    let employer_changed =
        employer_given && (entry.employer_name != employer_name || entry.employer_credit_code != credit_code);
    if employer_changed {
        on_tx!(tx, |c| {
            sqlx::query(SET_EMPLOYER)
                .bind(id)
                .bind(entry.employer_name.as_deref())
                .bind(entry.employer_credit_code.as_deref())
                .execute(c)
                .await?;
        });
    }
    Ok(EntryOutcome::Existing {
        state: state(&code)?,
        mobile: new_mobile.is_some(),
        employer: employer_changed,
    })
}

pub(super) async fn update_import(
    store: &SqlStore,
    import_id: i64,
    status: RosterImportStatus,
    counts: &RosterCounts,
    report: Option<&str>,
    at: Timestamp,
) -> Result<()> {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let finished = (status != RosterImportStatus::Running).then_some(at.millis());
    let changed = on_pool!(&store.pools, write, |p| sqlx::query(UPDATE_IMPORT)
        .bind(import_id)
        .bind(status.code())
        .bind(n(counts.rows))
        .bind(n(counts.imported))
        .bind(n(counts.duplicates_in_file))
        .bind(n(counts.already_on_roster))
        .bind(n(counts.updated))
        .bind(n(counts.rejected))
        .bind(n(counts.members))
        .bind(n(counts.pending))
        .bind(n(counts.not_members))
        .bind(report)
        .bind(finished)
        .bind(at.millis())
        .execute(p)
        .await?
        .rows_affected());
    if changed == 0 {
        return Err(StoreError::NotFound("roster import"));
    }
    Ok(())
}

pub(super) async fn touch(store: &SqlStore, import_id: i64, at: Timestamp) -> Result<()> {
    on_pool!(&store.pools, write, |p| {
        sqlx::query(TOUCH).bind(import_id).bind(at.millis()).execute(p).await?;
    });
    Ok(())
}

pub(super) async fn interrupt_stale(
    store: &SqlStore,
    stale_before: Timestamp,
    message: &str,
    at: Timestamp,
) -> Result<u64> {
    Ok(on_pool!(&store.pools, write, |p| sqlx::query(INTERRUPT_STALE)
        .bind(stale_before.millis())
        .bind(message)
        .bind(at.millis())
        .execute(p)
        .await?
        .rows_affected()))
}

pub(super) async fn refresh(tx: &mut Tx, application_id: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(REFRESH).bind(application_id).execute(c).await?;
    });
    Ok(())
}

pub(super) async fn refresh_membership(tx: &mut Tx, membership_id: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(REFRESH_MEMBERSHIP).bind(membership_id).execute(c).await?;
    });
    Ok(())
}

pub(super) async fn purge(store: &SqlStore, cutoff: Timestamp) -> Result<u64> {
    Ok(on_pool!(&store.pools, write, |p| sqlx::query(PURGE)
        .bind(cutoff.millis())
        .execute(p)
        .await?
        .rows_affected()))
}

#[cfg(test)]
mod tests {
    use super::super::insert::sqlite_chunks;

    #[test]
    fn sqlite_chunks_are_full_then_powers_of_two() {
        let items: Vec<u32> = (0..23).collect();
        let sizes: Vec<usize> = sqlite_chunks(&items, 8).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, [8, 8, 4, 2, 1]);
        let joined: Vec<u32> = sqlite_chunks(&items, 8).concat();
        assert_eq!(joined, items, "every item once, in order");
        assert!(sqlite_chunks::<u32>(&[], 8).is_empty());
    }
}
