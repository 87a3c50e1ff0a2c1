//! Writing imports and entries, keeping states current, purging.

use std::collections::{HashMap, HashSet};

use huiji_core::Timestamp;
use huiji_core::roster::RosterState;

use super::{EntryOutcome, NewRosterEntry, NewRosterImport, RosterCounts, RosterImportStatus, state};
use sqlx::QueryBuilder;

use crate::db::{SqlStore, on_pool};
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

const START: &str = "INSERT INTO roster_imports (org_id, org_path, source, file_name, actor, status, started_at, \
    heartbeat_at) SELECT id, path, $2, $3, $4, 'running', $5, $5 FROM orgs WHERE id = $1 RETURNING id";

/// Every write of a running import's progress is a sign of life too.
const TOUCH: &str = "UPDATE roster_imports SET heartbeat_at = $2 WHERE id = $1 AND status = 'running'";

const INTERRUPT_STALE: &str = "UPDATE roster_imports SET status = 'interrupted', message = $2, finished_at = $3 \
    WHERE status = 'running' AND heartbeat_at < $1";

const IMPORT_OWNER: &str = "SELECT source, org_id, org_path FROM roster_imports WHERE id = $1";

const SET_MOBILE: &str = "UPDATE roster_entries SET mobile_ct = $2, mobile_bidx = $3 WHERE id = $1";

const SET_EMPLOYER: &str =
    "UPDATE roster_entries SET employer_name = $2, employer_credit_code = $3 WHERE id = $1";

const UPDATE_IMPORT: &str = "UPDATE roster_imports SET status = $2, rows_read = $3, imported = $4, \
    duplicates_in_file = $5, already_on_roster = $6, updated = $7, rejected = $8, members = $9, pending = $10, \
    not_members = $11, report = COALESCE($12, report), finished_at = $13, heartbeat_at = $14 WHERE id = $1";

const REFRESH: &str = concat!(
    "UPDATE roster_entries SET state = ",
    state_of!("roster_entries.id_number_bidx"),
    " WHERE id_number_bidx = (SELECT id_number_bidx FROM applications WHERE id = $1)"
);

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

/// Rows per statement: an INSERT binds 14 values a row, so 500 rows stay well below
/// SQLite's 32,766 and PostgreSQL's 65,535 bound values.
const ROWS_PER_STATEMENT: usize = 500;

const EXISTING_AMONG: &str = "SELECT id_number_bidx, id, mobile_bidx, employer_name, employer_credit_code, state \
    FROM roster_entries WHERE source = ";

const MEMBERS_AMONG: &str = concat!(
    "SELECT DISTINCT id_number_bidx FROM memberships WHERE status IN ",
    crate::members::held_statuses!(),
    " AND id_number_bidx IN ("
);

const PENDING_AMONG: &str = "SELECT DISTINCT id_number_bidx FROM applications WHERE status = 'pending_review' AND id_number_bidx IN (";

const INSERT_MANY: &str = "INSERT INTO roster_entries (source, import_id, last_import_id, org_id, org_path, name, \
    id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, occupation, region_code, employer_name, \
    employer_credit_code, state, created_at, last_seen_at) ";

const SEEN_MANY: &str = "UPDATE roster_entries SET last_import_id = ";

/// Writes a batch of entries in one transaction, a few statements per 500 rows rather
/// than two per row: which of them the source lists already, which of the new people
/// hold a membership or an open application, one multi-row INSERT, one UPDATE for those
/// seen again — and a statement per row only where a mobile or employer changed.
pub(super) async fn add(
    store: &SqlStore,
    import_id: i64,
    entries: &[NewRosterEntry],
    at: Timestamp,
) -> Result<Vec<EntryOutcome>> {
    let mut tx = store.begin_write().await?;
    let owner: Option<(String, i64, String)> =
        on_tx!(&mut tx, |c| sqlx::query_as(IMPORT_OWNER).bind(import_id).fetch_optional(c).await?);
    let (source, org_id, org_path) = owner.ok_or(StoreError::NotFound("roster import"))?;
    let mut outcomes = Vec::with_capacity(entries.len());
    for chunk in entries.chunks(ROWS_PER_STATEMENT) {
        let listed: Vec<ListedRow> = on_tx!(&mut tx, |c| {
            let mut q = QueryBuilder::new(EXISTING_AMONG);
            q.push_bind(source.as_str()).push(" AND id_number_bidx IN (");
            let mut list = q.separated(", ");
            for entry in chunk {
                list.push_bind(entry.id_number.blind_index.as_str());
            }
            q.push(")");
            q.build_query_as().fetch_all(c).await?
        });
        let mut listed: HashMap<String, Existing> =
            listed.into_iter().map(|(bidx, id, m, n, c, s)| (bidx, (id, m, n, c, s))).collect();
        let new: Vec<&NewRosterEntry> =
            chunk.iter().filter(|e| !listed.contains_key(&e.id_number.blind_index)).collect();
        let states = if new.is_empty() { HashMap::new() } else { states_of(&mut tx, &new).await? };
        let added: HashSet<String> = if new.is_empty() {
            HashSet::new()
        } else {
            let rows: Vec<(String,)> = on_tx!(&mut tx, |c| {
                let mut q = QueryBuilder::new(INSERT_MANY);
                q.push_values(&new, |mut row, entry| {
                    let state =
                        states.get(&entry.id_number.blind_index).copied().unwrap_or(RosterState::NotMember);
                    row.push_bind(source.as_str())
                        .push_bind(import_id)
                        .push_bind(import_id)
                        .push_bind(org_id)
                        .push_bind(org_path.as_str())
                        .push_bind(entry.name.as_deref())
                        .push_bind(entry.id_number.ciphertext.as_slice())
                        .push_bind(entry.id_number.blind_index.as_str())
                        .push_bind(entry.mobile.as_ref().map(|m| m.ciphertext.as_slice()))
                        .push_bind(entry.mobile.as_ref().map(|m| m.blind_index.as_str()))
                        .push_bind(entry.occupation.code())
                        .push_bind(entry.region.map(|r| r.to_string()))
                        .push_bind(entry.employer_name.as_deref())
                        .push_bind(entry.employer_credit_code.as_deref())
                        .push_bind(state.code())
                        .push_bind(at.millis())
                        .push_bind(at.millis());
                });
                q.push(" ON CONFLICT (source, id_number_bidx) DO NOTHING RETURNING id_number_bidx");
                q.build_query_as().fetch_all(c).await?
            });
            rows.into_iter().map(|(bidx,)| bidx).collect()
        };
        // The coverage rollup: the entries this batch added, in the same transaction.
        let mut tally = super::counts::Tally::default();
        for entry in new.iter().filter(|e| added.contains(&e.id_number.blind_index)) {
            let state = states.get(&entry.id_number.blind_index).copied().unwrap_or(RosterState::NotMember);
            tally.add(entry.occupation, state);
        }
        super::counts::add(&mut tx, org_id, &org_path, &tally).await?;
        let seen: Vec<i64> = listed.values().map(|e| e.0).collect();
        if !seen.is_empty() {
            on_tx!(&mut tx, |c| {
                let mut q = QueryBuilder::new(SEEN_MANY);
                q.push_bind(import_id)
                    .push(", last_seen_at = ")
                    .push_bind(at.millis())
                    .push(" WHERE id IN (");
                let mut ids = q.separated(", ");
                for id in &seen {
                    ids.push_bind(*id);
                }
                q.push(")");
                q.build().execute(c).await?;
            });
        }
        for entry in chunk {
            let bidx = &entry.id_number.blind_index;
            let outcome = match listed.remove(bidx) {
                Some(found) => again(&mut tx, entry, found).await?,
                None if added.contains(bidx) => {
                    EntryOutcome::New(states.get(bidx).copied().unwrap_or(RosterState::NotMember))
                }
                // Listed meanwhile by a concurrent import of the same source.
                None => {
                    EntryOutcome::Existing { state: RosterState::NotMember, mobile: false, employer: false }
                }
            };
            outcomes.push(outcome);
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// Where each of `entries` stands, by ID blind index: a held membership outranks an open
/// application; the people absent from the map are neither. Read in the writing
/// transaction, so on SQLite no join can come between; on PostgreSQL a join committing
/// meanwhile refreshes the entry itself once it is there.
async fn states_of(tx: &mut Tx, entries: &[&NewRosterEntry]) -> Result<HashMap<String, RosterState>> {
    let mut states = HashMap::new();
    for (sql, state) in [(PENDING_AMONG, RosterState::Pending), (MEMBERS_AMONG, RosterState::Member)] {
        let found: Vec<(String,)> = on_tx!(tx, |c| {
            let mut q = QueryBuilder::new(sql);
            let mut list = q.separated(", ");
            for entry in entries {
                list.push_bind(entry.id_number.blind_index.as_str());
            }
            q.push(")");
            q.build_query_as().fetch_all(c).await?
        });
        // Members last: their state replaces a pending one.
        states.extend(found.into_iter().map(|(bidx,)| (bidx, state)));
    }
    Ok(states)
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
