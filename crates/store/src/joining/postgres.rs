//! PostgreSQL: an instant join in ONE round trip (issue 14, J on PostgreSQL).
//!
//! Why: on PostgreSQL a join was `BEGIN`, the probe and insert, the tail, `COMMIT` — four
//! round trips, each a wake-up of a backend and of the app on a small machine. Here the
//! ids are taken ahead from the sequences in blocks the process keeps (`IdsAhead`), so the
//! member number and the `Idempotency-Key`'s answer are known before anything is sent, and
//! the whole join — the key with its answer, application, membership, event, webhook,
//! rollups, roster, welcome — is one statement of data-modifying CTEs sent outside a
//! transaction block: a statement is its own transaction, so it commits (durably,
//! `synchronous_commit` stays on) or leaves nothing.
//!
//! CTEs see the database as it was before the statement, not each other's writes, so the
//! application is inserted already approved and the membership already numbered, and every
//! rollup takes its key from the parameters — the same rows `instant` and an officer's
//! approval write (checked by the conformance tests `instant::*` and `one_statement::*`).
//! Each write is gated on the one before it through its `RETURNING` rows: nothing is
//! written unless the person has nothing (`already_there`), the landing org exists, no
//! on-approval benefit programme may grant (it has its own statements), and the
//! `Idempotency-Key`'s row was stored. In every other case the statement writes nothing and the
//! join runs as before in a transaction (`submit_in`), which answers each case as it
//! always did: already a member, an open application, a missing landing org, the key's
//! earlier use. A race on one person still ends in a unique violation of the membership
//! (the whole statement is undone) and the caller's retry.

use std::collections::VecDeque;
use std::sync::Mutex;

use huiji_core::notice::NoticeKind;
use huiji_core::stats::{day_key, month_key};
use huiji_core::{Decision, Timestamp};

use super::batched::Row;
use super::flows::joined_flow_insert;
use super::instant::{already_there, application_columns_in, bind_application};
use super::{INSTANT, KeyedSubmit, NewApplication, RenderAnswer, SubmitOutcome, member_number};
use crate::db::{Pools, SqlStore};
use crate::platform::idempotency::KeyedRequest;
use crate::{Result, StoreError};

/// How many (application, membership) id pairs one trip to the sequences takes. A
/// restart loses at most this many of each (gaps, which sequences have anyway).
const BLOCK: i64 = 64;

/// Takes a block of ids from both identity sequences, in one round trip. `nextval` is
/// never rolled back and its commit is flushed before the answer, so an id taken here is
/// never handed out again, by this process or another, also after a crash.
const TAKE_IDS: &str = "SELECT nextval(pg_get_serial_sequence('applications', 'id')), \
    nextval(pg_get_serial_sequence('memberships', 'id')) FROM generate_series(1, $1)";

/// Ids taken ahead from the sequences, shared by the store's clones.
#[derive(Debug, Default)]
pub(crate) struct IdsAhead(Mutex<VecDeque<(i64, i64)>>);

impl IdsAhead {
    /// The next (application, membership) ids, taking a block when none are left.
    async fn next(&self, pool: &sqlx::PgPool) -> Result<(i64, i64)> {
        if let Some(ids) = self.0.lock().ok().and_then(|mut ids| ids.pop_front()) {
            return Ok(ids);
        }
        let mut taken: VecDeque<(i64, i64)> =
            sqlx::query_as(TAKE_IDS).bind(BLOCK).fetch_all(pool).await?.into();
        let first = taken.pop_front().ok_or_else(|| StoreError::Corrupt("no ids taken".to_owned()))?;
        if let Ok(mut ids) = self.0.lock() {
            ids.extend(taken);
        }
        Ok(first)
    }
}

/// The application's values for [`application_columns_in`], approved at once: as
/// `instant::application_values` with the status `approved` and no review deadline
/// (what the officer's and the instant `approve` leave).
macro_rules! approved_application_values {
    () => {
        "'approved', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $21, \
         $18, $19, NULL, $17, $3, (SELECT path FROM orgs WHERE id = $3), $22, $23, $24, $25"
    };
}

/// The platform's `platform_id` rollup key, as `stats::maintain` makes it.
macro_rules! rollup_platform {
    () => {
        "CASE WHEN $1 = 'platform' THEN COALESCE($22, 0) ELSE 0 END"
    };
}

/// [`joined_flow_insert`] for one join, keyed from the parameters (union `$4`, occupation
/// `$12`, channel `$1`, platform `$22`).
macro_rules! joined_flow_of {
    ($table:literal, $period:literal, $value:literal) => {
        joined_flow_insert!($table, $period, $value, "$4", concat!("$12, $1, ", rollup_platform!()), "m")
    };
}

/// The join as one statement. Parameters: `$1`–`$25` the application as
/// `bind_application` numbers them; `$26` application id, `$27` membership id, `$28`
/// member number, `$29` actor, `$30` the event's reason, `$31` day, `$32` month, `$33`
/// year (rollup keys), `$34` the welcome's notice kind, `$35`–`$41` the key's platform,
/// key, request hash, status, body, time and expiry.
/// Answers the number of applications written: 1 joined, 0 nothing written.
const JOIN: &str = concat!(
    "WITH p AS (",
    already_there!("$8", "COALESCE($22, 0)", "$10"),
    "), g AS (SELECT o.id, o.path FROM orgs o WHERE o.id = $4 AND NOT EXISTS (SELECT 1 FROM p) \
     AND NOT EXISTS (SELECT 1 FROM benefit_programmes WHERE grant_mode = 'on_approval' AND granted < quota)), \
     k AS (INSERT INTO idempotency_keys \
     (platform_id, key, request_hash, status_code, response_body, created_at, expires_at) \
     SELECT $35, $36, $37, $38, $39, $40, $41 FROM g ON CONFLICT (platform_id, key) DO NOTHING \
     RETURNING 1), \
     go AS (SELECT g.id, g.path FROM g, k), \
     a AS (INSERT INTO applications (id, membership_id, decided_at, decided_by, ",
    application_columns_in!(),
    ") SELECT $26, $27, $17, $29, ",
    approved_application_values!(),
    " FROM go RETURNING id), \
     m AS (INSERT INTO memberships (id, member_number, status, home_org_id, home_path, in_pool, name, \
     id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, application_id, \
     joined_at) SELECT $27, $28, 'active', go.id, go.path, $5, $6, $7, $8, $9, $10, $11, $12, $13, $26, $17 \
     FROM go RETURNING id), \
     e AS (INSERT INTO membership_events (membership_id, kind, from_org_id, to_org_id, actor, reason, at) \
     SELECT id, 'joined', NULL, $4, $29, $30, $17 FROM m), \
     w AS (INSERT INTO webhook_events (platform_id, kind, application_id, membership_id, status, reason, \
     member_number, occurred_at, next_attempt_at) \
     SELECT p.id, 'application.decided', a.id, $27, 'approved', NULL, $28, $17, $17 \
     FROM a JOIN platforms p ON p.id = $22 WHERE p.webhook_url IS NOT NULL), \
     fd AS (",
    joined_flow_of!("stats_daily_flows", "day", "$31"),
    "), fm AS (",
    joined_flow_of!("stats_monthly_flows", "month", "$32"),
    "), fy AS (",
    joined_flow_of!("stats_yearly_flows", "year", "$33"),
    "), sm AS (INSERT INTO stats_memberships (org_id, occupation, channel, platform_id, status, members) \
     SELECT $4, $12, $1, ",
    rollup_platform!(),
    ", 'active', 1 FROM m ON CONFLICT (org_id, occupation, channel, platform_id, status) DO UPDATE SET \
     members = stats_memberships.members + 1), \
     sr AS (INSERT INTO stats_review_daily (org_id, day, received, decided, instant) \
     SELECT $3, $31, 1, 1, 1 FROM a ON CONFLICT (org_id, day) DO UPDATE SET \
     received = stats_review_daily.received + 1, decided = stats_review_daily.decided + 1, \
     instant = stats_review_daily.instant + 1), \
     r AS (UPDATE roster_entries SET state = 'member' WHERE id_number_bidx = $8 AND EXISTS (SELECT 1 FROM m)), \
     wl AS (INSERT INTO notices (kind, application_id, membership_id, org_id, created_at, next_attempt_at) \
     SELECT $34, id, $27, $4, $17, $17 FROM a) \
     SELECT COUNT(*) FROM a"
);

/// A keyed instant join on PostgreSQL in one statement, when it can be one: `None` when
/// this is not one (SQLite, the group-commit writer is on, not an instant approval, a
/// renderer without an answer) or when the statement wrote nothing — the caller then runs
/// the join in a transaction as before. The answer is stored under the key in the same
/// statement and returned.
pub(super) async fn join(
    store: &SqlStore,
    app: &NewApplication,
    at: Timestamp,
    request: &KeyedRequest<'_>,
    render: &RenderAnswer<'_>,
) -> Result<Option<KeyedSubmit>> {
    let (Pools::Postgres(pool), None, Decision::Approve, Some(_)) =
        (&store.pools, &store.writer, app.decision, app.landing)
    else {
        return Ok(None);
    };
    let (application_id, membership_id) = store.ids_ahead.next(pool).await?;
    let member_number = member_number(membership_id, &app.region_code, at)?;
    let outcome =
        SubmitOutcome::Approved { application_id, membership_id, member_number: member_number.clone() };
    // Nothing to store under the key: the transaction decides.
    let Some((status, body)) = render(&outcome) else { return Ok(None) };
    if let Some(batches) = &store.join_batches {
        let row = Row::of(
            app,
            at,
            request,
            (application_id, membership_id),
            member_number.to_string(),
            (status, body.clone()),
        );
        if batches.write(row).await {
            return Ok(Some(KeyedSubmit::Submitted { outcome, answer: Some((status, body)) }));
        }
    }
    let date = at.china_date();
    let joined: i64 = bind_application!(sqlx::query_scalar(JOIN), app, at, false)
        .bind(application_id)
        .bind(membership_id)
        .bind(member_number.as_str())
        .bind(INSTANT)
        .bind(format!("application {application_id}"))
        .bind(day_key(date))
        .bind(month_key(date))
        .bind(i64::from(date.year()))
        .bind(NoticeKind::Welcome.code())
        .bind(request.platform_id)
        .bind(request.key)
        .bind(request.request_hash)
        .bind(i32::from(status))
        .bind(&body)
        .bind(request.now.millis())
        .bind(request.expires_at.millis())
        .fetch_one(pool)
        .await?;
    Ok((joined == 1).then_some(KeyedSubmit::Submitted { outcome, answer: Some((status, body)) }))
}
