//! The retention purge: what is past the period is read first, then blanked a chunk at a
//! time (see `PURGE_CHUNK`).

use huiji_core::Timestamp;

use super::PurgeCounts;
use crate::Result;
use crate::db::{SqlStore, on_pool};
use crate::tx::{Tx, on_tx};

const EMPTY: &[u8] = &[];

/// Rows purged per write transaction. What to purge is read first, without the write
/// lock; the rows are then blanked a chunk at a time, so a join (SQLite has one writer)
/// waits for one short chunk, never for the whole purge — at 10 million members the old
/// single transaction held the writer for half a minute every day.
const PURGE_CHUNK: usize = 500;

/// Withdrawn memberships whose withdrawal is past the period.
const WITHDRAWN_PAST: &str = "SELECT id FROM memberships WHERE status = 'withdrawn' AND purged_at IS NULL \
    AND id IN (SELECT membership_id FROM membership_events WHERE kind = 'withdraw' GROUP BY membership_id \
    HAVING MAX(at) < $1) ORDER BY id";
/// Rejected applications past the period, and the applications of purged memberships
/// (they hold the same identifiers).
const APPLICATIONS_PAST: &str = "SELECT id FROM applications WHERE purged_at IS NULL \
    AND ((status = 'rejected' AND decided_at < $1) \
    OR membership_id IN (SELECT id FROM memberships WHERE purged_at IS NOT NULL)) ORDER BY id";

// The writes re-check what can change between the read and the write (a membership's
// status); a rejection and a purge are final. The chunk's ids are `$1`: an array on
// PostgreSQL, a JSON array on SQLite (one bind either way).
macro_rules! blank_memberships {
    () => {
        "UPDATE memberships SET name = '', id_number_ct = $2, id_number_bidx = '', mobile_ct = $2, \
         mobile_bidx = '', purged_at = $3 WHERE status = 'withdrawn' AND purged_at IS NULL AND id "
    };
}
macro_rules! blank_applications {
    () => {
        "UPDATE applications SET name = '', id_number_ct = $2, id_number_bidx = '', mobile_ct = $2, \
         mobile_bidx = '', employer_name = NULL, employer_credit_code = NULL, purged_at = $3 \
         WHERE purged_at IS NULL AND "
    };
}
macro_rules! ids_pg {
    () => {
        "= ANY($1::bigint[])"
    };
}
macro_rules! ids_sqlite {
    () => {
        "IN (SELECT value FROM json_each($1))"
    };
}

const PURGE_MEMBERSHIPS: [&str; 2] =
    [concat!(blank_memberships!(), ids_pg!()), concat!(blank_memberships!(), ids_sqlite!())];
/// The applications of the memberships just purged, in the same transaction.
const PURGE_THEIR_APPLICATIONS: [&str; 2] = [
    concat!(
        blank_applications!(),
        "membership_id IN (SELECT id FROM memberships WHERE purged_at IS NOT NULL AND id ",
        ids_pg!(),
        ")"
    ),
    concat!(
        blank_applications!(),
        "membership_id IN (SELECT id FROM memberships WHERE purged_at IS NOT NULL AND id ",
        ids_sqlite!(),
        ")"
    ),
];
const PURGE_APPLICATIONS: [&str; 2] =
    [concat!(blank_applications!(), "id ", ids_pg!()), concat!(blank_applications!(), "id ", ids_sqlite!())];
const PURGE_OUTBOX: &str = "DELETE FROM sms_outbox WHERE created_at < $1";
const PURGE_CHALLENGES: &str = "DELETE FROM sms_challenges WHERE created_at < $1";

/// The retention purge (see `PrivacyStore::purge_personal_data`).
pub(super) async fn purge_personal_data(
    store: &SqlStore,
    cutoff: Timestamp,
    at: Timestamp,
) -> Result<PurgeCounts> {
    // Memberships first: the applications of purged memberships go with them.
    let withdrawn: Vec<i64> = on_pool!(&store.pools, read, |p| sqlx::query_scalar(WITHDRAWN_PAST)
        .bind(cutoff.millis())
        .fetch_all(p)
        .await?);
    let mut memberships = 0;
    let mut applications = 0;
    for chunk in withdrawn.chunks(PURGE_CHUNK) {
        let mut tx = store.begin_write().await?;
        memberships += blank(&mut tx, PURGE_MEMBERSHIPS, chunk, at).await?;
        applications += blank(&mut tx, PURGE_THEIR_APPLICATIONS, chunk, at).await?;
        tx.commit().await?;
    }
    let past: Vec<i64> = on_pool!(&store.pools, read, |p| sqlx::query_scalar(APPLICATIONS_PAST)
        .bind(cutoff.millis())
        .fetch_all(p)
        .await?);
    for chunk in past.chunks(PURGE_CHUNK) {
        let mut tx = store.begin_write().await?;
        applications += blank(&mut tx, PURGE_APPLICATIONS, chunk, at).await?;
        tx.commit().await?;
    }
    let mut tx = store.begin_write().await?;
    let outbox = on_tx!(&mut tx, |c| sqlx::query(PURGE_OUTBOX)
        .bind(cutoff.millis())
        .execute(c)
        .await?
        .rows_affected());
    let challenges = on_tx!(&mut tx, |c| sqlx::query(PURGE_CHALLENGES)
        .bind(cutoff.millis())
        .execute(c)
        .await?
        .rows_affected());
    tx.commit().await?;
    Ok(PurgeCounts { applications, memberships, outbox, challenges, cases: 0, roster: 0 })
}

/// Empties the personal data of a chunk of rows by id (one of the purge's writes,
/// `[PostgreSQL, SQLite]`); the rows stay, marked purged `at`.
async fn blank(tx: &mut Tx, [pg, sqlite]: [&'static str; 2], ids: &[i64], at: Timestamp) -> Result<u64> {
    let done = match tx {
        Tx::Postgres(t) => {
            sqlx::query(pg).bind(ids).bind(EMPTY).bind(at.millis()).execute(&mut **t).await?.rows_affected()
        }
        Tx::Sqlite(t) => sqlx::query(sqlite)
            .bind(crate::db::json_ids(ids))
            .bind(EMPTY)
            .bind(at.millis())
            .execute(&mut **t)
            .await?
            .rows_affected(),
    };
    Ok(done)
}
