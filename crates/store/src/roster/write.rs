//! Writing imports and entries, keeping states current, purging.

use huiji_core::Timestamp;
use huiji_core::roster::RosterState;

use super::{EntryOutcome, NewRosterEntry, NewRosterImport, RosterCounts, RosterImportStatus, state};
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

const START: &str = "INSERT INTO roster_imports (org_id, org_path, source, file_name, actor, status, started_at) \
    SELECT id, path, $2, $3, $4, 'running', $5 FROM orgs WHERE id = $1 RETURNING id";

const IMPORT_OWNER: &str = "SELECT source, org_id, org_path FROM roster_imports WHERE id = $1";

const EXISTING: &str = "SELECT id, mobile_bidx, employer_name, employer_credit_code, state FROM roster_entries \
    WHERE source = $1 AND id_number_bidx = $2";

const INSERT: &str = concat!(
    "INSERT INTO roster_entries (source, import_id, last_import_id, org_id, org_path, name, id_number_ct, \
     id_number_bidx, mobile_ct, mobile_bidx, occupation, region_code, employer_name, employer_credit_code, \
     state, created_at, last_seen_at) \
     VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, ",
    state_of!("$7"),
    ", $14, $14) ON CONFLICT (source, id_number_bidx) DO NOTHING RETURNING state"
);

/// Seen again: the retention period counts from now.
const SEEN: &str = "UPDATE roster_entries SET last_import_id = $2, last_seen_at = $3 WHERE id = $1";

const SET_MOBILE: &str = "UPDATE roster_entries SET mobile_ct = $2, mobile_bidx = $3 WHERE id = $1";

const SET_EMPLOYER: &str =
    "UPDATE roster_entries SET employer_name = $2, employer_credit_code = $3 WHERE id = $1";

const UPDATE_IMPORT: &str = "UPDATE roster_imports SET status = $2, rows_read = $3, imported = $4, \
    duplicates_in_file = $5, already_on_roster = $6, updated = $7, rejected = $8, members = $9, pending = $10, \
    not_members = $11, report = COALESCE($12, report), finished_at = $13 WHERE id = $1";

const REFRESH: &str = concat!(
    "UPDATE roster_entries SET state = ",
    state_of!("roster_entries.id_number_bidx"),
    " WHERE id_number_bidx = (SELECT id_number_bidx FROM applications WHERE id = $1)"
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

type Existing = (i64, Option<String>, Option<String>, Option<String>, String);

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
    for entry in entries {
        let existing: Option<Existing> = on_tx!(&mut tx, |c| sqlx::query_as(EXISTING)
            .bind(&source)
            .bind(&entry.id_number.blind_index)
            .fetch_optional(c)
            .await?);
        let outcome = match existing {
            Some(found) => again(&mut tx, import_id, entry, found, at).await?,
            None => {
                let added: Option<String> = on_tx!(&mut tx, |c| sqlx::query_scalar(INSERT)
                    .bind(&source)
                    .bind(import_id)
                    .bind(org_id)
                    .bind(&org_path)
                    .bind(entry.name.as_deref())
                    .bind(&entry.id_number.ciphertext)
                    .bind(&entry.id_number.blind_index)
                    .bind(entry.mobile.as_ref().map(|m| &m.ciphertext))
                    .bind(entry.mobile.as_ref().map(|m| &m.blind_index))
                    .bind(entry.occupation.code())
                    .bind(entry.region.map(|r| r.to_string()))
                    .bind(entry.employer_name.as_deref())
                    .bind(entry.employer_credit_code.as_deref())
                    .bind(at.millis())
                    .fetch_optional(c)
                    .await?);
                match added {
                    Some(code) => EntryOutcome::New(state(&code)?),
                    // Listed meanwhile by a concurrent import of the same source.
                    None => EntryOutcome::Existing {
                        state: RosterState::NotMember,
                        mobile: false,
                        employer: false,
                    },
                }
            }
        };
        outcomes.push(outcome);
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// A person the source already lists: the retention clock restarts, and a given mobile
/// or employer that differs replaces the stored one.
async fn again(
    tx: &mut Tx,
    import_id: i64,
    entry: &NewRosterEntry,
    (id, mobile_bidx, employer_name, credit_code, code): Existing,
    at: Timestamp,
) -> Result<EntryOutcome> {
    on_tx!(tx, |c| {
        sqlx::query(SEEN).bind(id).bind(import_id).bind(at.millis()).execute(c).await?;
    });
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
        .execute(p)
        .await?
        .rows_affected());
    if changed == 0 {
        return Err(StoreError::NotFound("roster import"));
    }
    Ok(())
}

pub(super) async fn refresh(tx: &mut Tx, application_id: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(REFRESH).bind(application_id).execute(c).await?;
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
