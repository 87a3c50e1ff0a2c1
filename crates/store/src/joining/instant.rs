//! An instant approval in the fewest calls to the database (issue 14 item 3): the
//! application and its membership in one call, then everything else the join writes —
//! its number, the decision, the `joined` event, the webhook, the rollups, the roster, the
//! welcome and the `Idempotency-Key`'s answer — in one more (`tail`).
//!
//! Why: on SQLite each statement is a hand-off from a tokio task to sqlx's worker thread
//! and back, and those hand-offs (not SQL) were most of a join's time (BENCHMARKS.md, "J —
//! where a join's time goes"); sqlx-sqlite runs a string of several statements in one
//! hand-off, binding `$N` by number in each. On PostgreSQL each statement is a round trip;
//! there the same statements are one statement of data-modifying CTEs. Those see the
//! database as it was before the statement (not each other's writes), so every statement
//! here reads only rows written by earlier calls and takes what this one changes (status,
//! number, decision) from its parameters; the SQLite text runs the same statements in
//! order. The same writes as `approve_in` and the `stats`/`roster`/`notices` hooks it
//! calls for an officer's approval: the conformance test
//! `instant::an_instant_join_writes_what_an_officers_approval_writes` compares the two and
//! checks the rollups against their recount, on both databases.

use huiji_core::Timestamp;

use super::NewApplication;
use crate::batch::{Opening, open, opening_then};
use crate::tx::Tx;
use crate::{Result, StoreError};

/// Binds an application's 25 values as `INSERT_APPLICATION` (in `joining.rs`) numbers
/// them, `$1`–`$25`; the instant insert below uses the same numbers.
macro_rules! bind_application {
    ($query:expr, $app:expr, $at:expr, $holds:expr) => {
        $query
            .bind($app.channel.code())
            .bind($app.source.as_deref())
            .bind($app.receiving_org.0)
            .bind($app.landing.map(|l| l.org().0))
            .bind(matches!($app.landing, Some(huiji_core::joining::Landing::Pool(_))))
            .bind(&$app.name)
            .bind(&$app.id_number.ciphertext)
            .bind(&$app.id_number.blind_index)
            .bind(&$app.mobile.ciphertext)
            .bind(&$app.mobile.blind_index)
            .bind($app.sex.code())
            .bind($app.occupation.code())
            .bind(&$app.region_code)
            .bind($app.employer_name.as_deref())
            .bind($app.employer_credit_code.as_deref())
            .bind(&$app.consent_version)
            .bind($at.millis())
            .bind($app.mobile_verified)
            .bind($holds)
            .bind($app.review_deadline.millis())
            .bind($app.consent_at.millis())
            .bind($app.platform_id)
            .bind($app.external_ref.as_deref())
            .bind($app.mobile_bound_elsewhere)
            .bind($app.real_name.code())
    };
}
pub(super) use bind_application;

/// The application's columns, as `INSERT_APPLICATION` stores them.
macro_rules! application_columns_in {
    () => {
        "status, channel, source, receiving_org_id, \
         landing_org_id, landing_in_pool, name, id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, \
         occupation, region_code, employer_name, employer_credit_code, consent_version, consent_at, \
         mobile_verified, holds_membership, review_deadline, created_at, reviewer_org_id, reviewer_path, \
         platform_id, external_ref, mobile_bound_elsewhere, real_name_check"
    };
}

/// Their values from [`bind_application`]'s parameters (pending; the tail approves it).
macro_rules! application_values {
    () => {
        "'pending_review', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $21, \
         $18, $19, $20, $17, $3, (SELECT path FROM orgs WHERE id = $3), $22, $23, $24, $25"
    };
}
pub(super) use {application_columns_in, application_values};

/// The application, as `INSERT_APPLICATION` stores it (pending; the tail approves it).
macro_rules! insert_application {
    () => {
        concat!(
            "INSERT INTO applications (",
            $crate::joining::instant::application_columns_in!(),
            ") VALUES (",
            $crate::joining::instant::application_values!(),
            ")"
        )
    };
}
pub(super) use insert_application;

/// What the person already has, in one round trip: a held membership (kind 0, with its
/// mobile's blind index) and their open application from the same submitter (kind 1, with
/// its id) — the platform (`$platform`, 0 for none), or on the H5 form the same proven
/// mobile (`$mobile`). Another submitter's application is none of its business.
macro_rules! already_there {
    ($id:literal, $platform:literal, $mobile:literal) => {
        concat!(
            "SELECT 0 AS kind, mobile_bidx, CAST(0 AS BIGINT) AS id FROM memberships WHERE id_number_bidx = ",
            $id,
            " AND status IN ",
            crate::members::held_statuses!(),
            " UNION ALL SELECT 1, '', id FROM applications WHERE id_number_bidx = ",
            $id,
            " AND status = 'pending_review' AND COALESCE(platform_id, 0) = ",
            $platform,
            " AND (platform_id IS NOT NULL OR mobile_bidx = ",
            $mobile,
            ")"
        )
    };
}
pub(super) use already_there;

/// [`already_there`] with [`bind_application`]'s parameters.
macro_rules! already_there_bound {
    () => {
        already_there!("$8", "COALESCE($22, 0)", "$10")
    };
}

/// The membership's columns and values from the application's parameters (the person as
/// the application stores them, at the landing org `$4`), for the application
/// `$application`, selected from `$from` where `$condition`.
macro_rules! membership_from_parameters {
    ($application:literal, $from:literal, $condition:literal) => {
        concat!(
            "INSERT INTO memberships (status, home_org_id, home_path, in_pool, name, id_number_ct, \
             id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, application_id, joined_at) \
             SELECT 'active', o.id, o.path, $5, $6, $7, $8, $9, $10, $11, $12, $13, ",
            $application,
            ", $17 FROM ",
            $from,
            " WHERE o.id = $4",
            $condition
        )
    };
}

/// SQLite: the application, only when [`already_there`] finds nothing (then the
/// submission is an instant approval; when the probe finds something, nothing is written
/// and the caller decides from the probe's rows, as before). Inserted already
/// decided (`approved` by `instant` at `$17`, no deadline), as the tail's approval leaves
/// it. Why: inserted pending, it put entries into the five indexes on pending
/// applications (review queues, deadlines, one pending per platform) only for the tail to
/// delete them again — ten B-tree writes a join, some on random pages (BENCHMARKS.md, "J —
/// less SQLite work per join"). Its `membership_id` is set by the tail
/// (`link_membership`, in the `join_tail` trigger), a column no index holds. The held membership's unique index
/// still decides a race with a concurrent join of the same person.
macro_rules! insert_decided_application_if_new {
    () => {
        concat!(
            "INSERT INTO applications (",
            application_columns_in!(),
            ", decided_at, decided_by) SELECT 'approved', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
             $14, $15, $16, $21, $18, $19, NULL, $17, $3, (SELECT path FROM orgs WHERE id = $3), $22, $23, $24, $25, \
             $17, 'instant' WHERE NOT EXISTS (",
            already_there_bound!(),
            ")"
        )
    };
}

/// SQLite: what the person already has (rows of kind 0 and 1), then — only when that is
/// nothing — the application (kind 2, its id) and its membership (kind 3), one hand-off.
/// The membership is inserted only when the application was (`changes()` of the INSERT
/// before; its id is `last_insert_rowid()`). The ids are read back with
/// `last_insert_rowid()` rather than `RETURNING`, which collects its rows in an ephemeral
/// table per statement.
macro_rules! probe_and_insert_sqlite {
    () => {
        concat!(
            already_there_bound!(),
            "; ",
            insert_decided_application_if_new!(),
            "; ",
            membership_from_parameters!("(SELECT last_insert_rowid())", "orgs o", " AND changes() = 1"),
            "; SELECT 2, '', m.application_id FROM memberships m WHERE m.id = last_insert_rowid() AND changes() = 1 \
             UNION ALL SELECT 3, '', last_insert_rowid() WHERE changes() = 1"
        )
    };
}

/// The SQLite text with the batch's savepoint step first, when the join is in a batch:
/// one hand-off fewer per join.
const fn probe_and_insert_sqlite(opening: Option<Opening>) -> &'static str {
    opening_then!(opening, probe_and_insert_sqlite!())
}

/// PostgreSQL: the same as one statement of CTEs, one round trip. The application's INSERT
/// reads the probe's rows rather than probing again (it would see the same snapshot).
const PROBE_AND_INSERT_POSTGRES: &str = concat!(
    "WITH p AS (",
    already_there_bound!(),
    "), a AS (INSERT INTO applications (",
    application_columns_in!(),
    ") SELECT ",
    application_values!(),
    " WHERE NOT EXISTS (SELECT 1 FROM p) RETURNING id), m AS (",
    membership_from_parameters!("a.id", "a, orgs o", ""),
    " RETURNING application_id, id) SELECT kind, mobile_bidx, id FROM p \
     UNION ALL SELECT 2, '', application_id FROM m UNION ALL SELECT 3, '', id FROM m"
);

/// What [`probe_and_insert`] did.
#[derive(Debug)]
pub(super) enum Probed {
    /// The person had nothing: `(application, membership)` were inserted, to be approved.
    Inserted((i64, i64)),
    /// What the person already has, as `ALREADY_THERE` answers (kind, mobile, id); nothing
    /// was written.
    Found(Vec<(i32, String, i64)>),
}

/// For a submission approved at once (`landing` being its landing org, checked by the
/// caller): what the person already has and, when that is nothing, the new application
/// and its membership — one call to the database, which on SQLite also takes the batch's
/// savepoint step (`opening`). The unique indexes still decide a race
/// with a concurrent submission of the same person (the caller retries on their
/// violation).
pub(super) async fn probe_and_insert(
    tx: &mut Tx,
    app: &NewApplication,
    at: Timestamp,
    opening: &mut Option<Opening>,
) -> Result<Probed> {
    if matches!(tx, Tx::Postgres(_)) {
        // One statement per prepared query on PostgreSQL: the step is a call of its own.
        open(tx, opening).await?;
    }
    let rows: Vec<(i32, String, i64)> = match tx {
        Tx::Sqlite(t) => {
            // Taken as it is sent: the step runs first in this call (binding can fail
            // only before anything is sent, and these values always encode).
            bind_application!(sqlx::query_as(probe_and_insert_sqlite(opening.take())), app, at, false)
                .fetch_all(&mut **t)
                .await?
        }
        Tx::Postgres(t) => {
            bind_application!(sqlx::query_as(PROBE_AND_INSERT_POSTGRES), app, at, false)
                .fetch_all(&mut **t)
                .await?
        }
    };
    let made = |kind| rows.iter().find(|(k, ..)| *k == kind).map(|(.., id)| *id);
    match (made(2), made(3)) {
        (Some(application), Some(membership)) => Ok(Probed::Inserted((application, membership))),
        // An application without its membership: the landing org is gone (an error rolls
        // the application back with the rest of the attempt).
        (Some(_), None) => Err(StoreError::NotFound("landing org")),
        (None, _) if rows.is_empty() => Err(StoreError::NotFound("landing org")),
        _ => Ok(Probed::Found(rows)),
    }
}
