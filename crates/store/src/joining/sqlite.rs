//! SQLite: the keyed instant joins waiting for the group-commit writer, written by ONE
//! statement of its batch (issue 14, J on SQLite).
//!
//! Why: a join written on its own in the batch was two calls to sqlx's worker thread
//! (the probe and inserts, the tail), about eleven messages back — each a wake-up of the
//! writer's thread, a system call on both sides — and the writer's thread and sqlx's are
//! the one path every join waits for (BENCHMARKS.md, "J — the join's tail as one
//! trigger"). Here the joins that arrive while the writer is busy are gathered into one
//! job: one multi-row INSERT, a row of bound values a join, into the `join_rows` view,
//! whose triggers (migrations 0087, 0091) write each join — key and answer, application,
//! membership, event, webhook, rollups, roster, welcome — with the statements the store
//! makes for one join. Two calls a batch, however many joins it holds.
//!
//! The ids are taken inside the batch's transaction, on SQLite's one write connection: the
//! largest id plus one is what SQLite itself would give the next row, and nothing else can
//! write meanwhile, so the member number and the `Idempotency-Key`'s answer are made before
//! the statement, as PostgreSQL's batches (`batched`) make them.
//!
//! A join the statement does not write is answered "not written", and its caller runs it
//! as a job of its own (`submit_in`, as before), which answers every case as it always did.
//! The first trigger leaves a row out (`RAISE(IGNORE)`, which skips the row's other two)
//! when the person already has a membership or an open application of the submitter, when
//! the landing union is gone, when an on-approval benefit programme may grant (it has
//! statements of its own), when the key was used or when the proven mobile is bound to
//! another identity (migration 0088: the caller need not read that first —
//! `MobileBinding::Assumed`). The rows of one statement see the earlier rows' writes (one
//! connection, one transaction), so a second join of a person, a key or a mobile in the
//! batch is left out by the same gates. A statement that fails is rolled back to its
//! savepoint: all of its joins run alone.
//!
//! An answer means durable: the callers hear "written" only after the batch's commit.

use std::sync::{Arc, Mutex};

use huiji_core::joining::Landing;
use huiji_core::notice::NoticeKind;
use huiji_core::stats::{day_key, month_key};
use huiji_core::{Decision, Timestamp};
use sqlx::QueryBuilder;
use sqlx::Sqlite;
use sqlx::query_builder::Separated;
use tokio::sync::oneshot;

use super::{INSTANT, KeyedSubmit, NewApplication, OwnedKeyedRequest, SharedRenderAnswer, SubmitOutcome};
use crate::batch::{Opening, Tally, opening_then};
use crate::db::{Pools, SqlStore};
use crate::tx::Tx;
use crate::{Result, StoreError};

/// The most joins one statement writes; the rest wait for the next batch. As
/// PostgreSQL's (`batched::MAX_ROWS`): a bigger one only holds its early callers longer.
const MAX_ROWS: usize = 64;

/// The keyed instant joins waiting for the writer, shared by the store's clones.
#[derive(Debug, Default)]
pub(crate) struct SqliteJoins {
    waiting: Mutex<Vec<Waiting>>,
}

/// A join written: its outcome and the answer stored under its key.
type Written = (SubmitOutcome, (u16, String));

/// A join waiting, with where its answer goes: its outcome and answer once written and
/// committed; dropped (or `None`) when not written.
struct Waiting {
    app: Arc<NewApplication>,
    /// The application's landing union (an instant approval has one).
    landing: Landing,
    at: Timestamp,
    request: Arc<OwnedKeyedRequest>,
    render: SharedRenderAnswer,
    written: oneshot::Sender<Option<Written>>,
}

impl std::fmt::Debug for Waiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Waiting(..)")
    }
}

/// Whether this store writes keyed instant joins together ([`join`]): SQLite with the
/// group-commit writer on.
pub(super) fn writes_joins_together(store: &SqlStore) -> bool {
    matches!(store.pools, Pools::Sqlite { .. }) && store.writer.is_some()
}

/// A keyed instant join on SQLite with the group-commit writer on, written together with
/// the others waiting: `None` when this is not one (PostgreSQL, no writer, not an instant
/// approval) or when the statement did not write it — the caller then runs the join as a
/// job of its own.
pub(super) async fn join(
    store: &SqlStore,
    app: &Arc<NewApplication>,
    at: Timestamp,
    request: &Arc<OwnedKeyedRequest>,
    render: &SharedRenderAnswer,
) -> Result<Option<KeyedSubmit>> {
    // The same test as `writes_joins_together`, which the store's promise to check an
    // assumed binding as it writes rests on.
    let (true, Decision::Approve, Some(landing)) = (writes_joins_together(store), app.decision, app.landing)
    else {
        return Ok(None);
    };
    let (written, answer) = oneshot::channel();
    let waiting =
        Waiting { app: app.clone(), landing, at, request: request.clone(), render: render.clone(), written };
    let first = match store.sqlite_joins.waiting.lock() {
        Ok(mut queue) => {
            queue.push(waiting);
            queue.len() == 1
        }
        Err(_) => return Ok(None),
    };
    // The first join to wait queues the job that takes them all; the others find it queued.
    if first {
        tokio::spawn(take_waiting(store.clone()));
    }
    Ok(match answer.await {
        Ok(Some((outcome, answer))) => Some(KeyedSubmit::Submitted { outcome, answer: Some(answer) }),
        // Not written, or its batch did not commit: the caller runs it alone.
        Ok(None) | Err(_) => None,
    })
}

/// What one job of the writer did with the joins it took: each one's answer, to be sent
/// once the batch has committed, and whether joins were left waiting for another job.
struct Taken {
    answers: Vec<(Waiting, Option<Written>)>,
    more: bool,
}

impl Taken {
    fn tally(&self) -> Tally {
        let left_out = self.answers.iter().filter(|(_, answer)| answer.is_none()).count();
        Tally { jobs: self.answers.len().max(1) as u64, left_out: left_out as u64 }
    }
}

/// Queues a job that takes the joins waiting (up to [`MAX_ROWS`]) and writes them, then,
/// after its batch commits, answers them; again while joins are left waiting. A job that
/// failed answers nothing (its callers run their joins alone).
async fn take_waiting(store: SqlStore) {
    loop {
        let joins = store.sqlite_joins.clone();
        let taken = store
            .write_tallied(
                move |tx, opening| Box::pin(async move { write_waiting(tx, opening, &joins).await }),
                |_| true,
                Taken::tally,
            )
            .await;
        match taken {
            Ok(taken) => {
                for (waiting, answer) in taken.answers {
                    // The caller may have gone; the join stands.
                    let _ = waiting.written.send(answer);
                }
                if !taken.more {
                    return;
                }
            }
            Err(error) => {
                // Nothing of the job was kept; the joins still waiting run alone too, so
                // that none waits for a job that is not queued.
                tracing::debug!(%error, "joins written together did not commit; each runs alone");
                if let Ok(mut queue) = store.sqlite_joins.waiting.lock() {
                    queue.clear();
                }
                return;
            }
        }
    }
}

/// The writer's job: takes the joins waiting, their ids, and writes them in one
/// statement inside the job's savepoint (opened with `opening` in the first call).
async fn write_waiting(tx: &mut Tx, opening: &mut Option<Opening>, joins: &SqliteJoins) -> Result<Taken> {
    let (taken, more) = match joins.waiting.lock() {
        Ok(mut queue) => {
            let first = queue.len().min(MAX_ROWS);
            let rest = queue.split_off(first);
            let taken = std::mem::replace(&mut *queue, rest);
            (taken, !queue.is_empty())
        }
        Err(_) => return Err(StoreError::Corrupt("the joins' queue is poisoned".to_owned())),
    };
    let Tx::Sqlite(t) = tx else {
        return Err(StoreError::Corrupt("SQLite's joins on PostgreSQL".to_owned()));
    };
    let (last_application, last_membership): (i64, i64) =
        sqlx::query_as(last_ids(opening.take())).fetch_one(&mut **t).await?;
    let mut made = Vec::with_capacity(taken.len());
    for (n, waiting) in taken.iter().enumerate() {
        let next = i64::try_from(n + 1).unwrap_or(i64::MAX);
        let ids = (last_application + next, last_membership + next);
        let member_number = super::member_number(ids.1, &waiting.app.region_code, waiting.at)?;
        let outcome = SubmitOutcome::Approved {
            application_id: ids.0,
            membership_id: ids.1,
            member_number: member_number.clone(),
        };
        // Nothing to store under the key: left out, the transaction decides.
        let answer = (waiting.render)(&outcome);
        made.push((ids, member_number, outcome, answer));
    }
    let rows: Vec<Row<'_>> = taken
        .iter()
        .zip(&made)
        .filter_map(|(waiting, (ids, number, _, answer))| {
            Some(Row::of(waiting, *ids, number.as_str(), answer.as_ref()?))
        })
        .collect();
    let written: Vec<i64> = if rows.is_empty() {
        Vec::new()
    } else {
        let mut statement = QueryBuilder::new(INSERT_JOIN_ROWS);
        statement.push_values(&rows, |mut values, row| row.bind(&mut values));
        statement.push(WRITTEN_SINCE).push_bind(last_application);
        statement.build_query_scalar().fetch_all(&mut **t).await?
    };
    let answers = taken
        .into_iter()
        .zip(made)
        .map(|(waiting, ((application_id, _), _, outcome, answer))| {
            let is_written = written.contains(&application_id);
            (waiting, answer.filter(|_| is_written).map(|answer| (outcome, answer)))
        })
        .collect();
    Ok(Taken { answers, more })
}

/// The largest application and membership ids: the next ones are what SQLite would give.
macro_rules! last_ids {
    () => {
        "SELECT COALESCE((SELECT MAX(id) FROM applications), 0), COALESCE((SELECT MAX(id) FROM memberships), 0)"
    };
}

/// [`last_ids!`] with the batch's savepoint step first: one call.
const fn last_ids(opening: Option<Opening>) -> &'static str {
    opening_then!(opening, last_ids!())
}

/// The joins into the `join_rows` view, a row of bound values each ([`Row::bind`], in
/// this order), whose triggers write each or leave it out.
///
/// Why values and not one JSON array (as first written): SQLite looked each of a row's 39
/// fields up by name in its JSON object, one after another — an eighth of the
/// instructions of a join (callgrind), on the one thread every join waits for
/// (BENCHMARKS.md, "J on SQLite — the joins' values bound, the write connection kept"). A
/// statement text for each number of rows (1 to [`MAX_ROWS`]), each prepared once and
/// kept by the write connection's statement cache.
const INSERT_JOIN_ROWS: &str = "INSERT INTO join_rows (channel, source, receiving_org, landing_org, in_pool, \
    name, id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, employer_name, \
    employer_credit_code, consent_version, consent_at, mobile_verified, platform_id, external_ref, \
    mobile_bound_elsewhere, real_name_check, application_id, membership_id, member_number, at, actor, reason, \
    day, month, year, notice_kind, key_platform, key, request_hash, status_code, response_body, key_at, \
    key_expires_at) ";

/// Then the ids of the applications written: every id past the largest before the
/// statement was taken by one of its rows (nothing else writes meanwhile), and exists only
/// if its row was written. Its one parameter: that largest id.
const WRITTEN_SINCE: &str = "; SELECT id FROM applications WHERE id > ";

/// One join as the statement reads it: the application as decided and everything made
/// before the statement (ids, number, the key's answer).
struct Row<'a> {
    channel: &'static str,
    source: Option<&'a str>,
    receiving_org: i64,
    landing_org: i64,
    in_pool: bool,
    name: &'a str,
    id_number_ct: &'a [u8],
    id_number_bidx: &'a str,
    mobile_ct: &'a [u8],
    mobile_bidx: &'a str,
    sex: &'static str,
    occupation: &'static str,
    region_code: &'a str,
    employer_name: Option<&'a str>,
    employer_credit_code: Option<&'a str>,
    consent_version: &'a str,
    consent_at: i64,
    mobile_verified: bool,
    platform_id: Option<i64>,
    external_ref: Option<&'a str>,
    mobile_bound_elsewhere: bool,
    real_name_check: Option<&'static str>,
    application_id: i64,
    membership_id: i64,
    member_number: &'a str,
    at: i64,
    reason: String,
    day: i64,
    month: i64,
    year: i64,
    key_platform: i64,
    key: &'a str,
    request_hash: &'a str,
    status_code: u16,
    response_body: &'a str,
    key_at: i64,
    key_expires_at: i64,
}

impl<'a> Row<'a> {
    /// The row of a join approved with `(application, membership)` ids, its member number
    /// and its key's `answer`.
    fn of(
        waiting: &'a Waiting,
        (application_id, membership_id): (i64, i64),
        member_number: &'a str,
        answer: &'a (u16, String),
    ) -> Row<'a> {
        let app = &waiting.app;
        let landing = waiting.landing;
        let date = waiting.at.china_date();
        Row {
            channel: app.channel.code(),
            source: app.source.as_deref(),
            receiving_org: app.receiving_org.0,
            landing_org: landing.org().0,
            in_pool: matches!(landing, Landing::Pool(_)),
            name: &app.name,
            id_number_ct: &app.id_number.ciphertext,
            id_number_bidx: &app.id_number.blind_index,
            mobile_ct: &app.mobile.ciphertext,
            mobile_bidx: &app.mobile.blind_index,
            sex: app.sex.code(),
            occupation: app.occupation.code(),
            region_code: &app.region_code,
            employer_name: app.employer_name.as_deref(),
            employer_credit_code: app.employer_credit_code.as_deref(),
            consent_version: &app.consent_version,
            consent_at: app.consent_at.millis(),
            mobile_verified: app.mobile_verified,
            platform_id: app.platform_id,
            external_ref: app.external_ref.as_deref(),
            mobile_bound_elsewhere: app.mobile_bound_elsewhere,
            real_name_check: app.real_name.code(),
            application_id,
            membership_id,
            member_number,
            at: waiting.at.millis(),
            reason: format!("application {application_id}"),
            day: day_key(date),
            month: month_key(date),
            year: i64::from(date.year()),
            key_platform: waiting.request.platform_id,
            key: &waiting.request.key,
            request_hash: &waiting.request.request_hash,
            status_code: answer.0,
            response_body: &answer.1,
            key_at: waiting.request.now.millis(),
            key_expires_at: waiting.request.expires_at.millis(),
        }
    }

    /// The row's values in [`INSERT_JOIN_ROWS`]' order of columns.
    fn bind(&self, values: &mut Separated<'_, Sqlite, &'static str>) {
        values
            .push_bind(self.channel)
            .push_bind(self.source)
            .push_bind(self.receiving_org)
            .push_bind(self.landing_org)
            .push_bind(self.in_pool)
            .push_bind(self.name)
            .push_bind(self.id_number_ct)
            .push_bind(self.id_number_bidx)
            .push_bind(self.mobile_ct)
            .push_bind(self.mobile_bidx)
            .push_bind(self.sex)
            .push_bind(self.occupation)
            .push_bind(self.region_code)
            .push_bind(self.employer_name)
            .push_bind(self.employer_credit_code)
            .push_bind(self.consent_version)
            .push_bind(self.consent_at)
            .push_bind(self.mobile_verified)
            .push_bind(self.platform_id)
            .push_bind(self.external_ref)
            .push_bind(self.mobile_bound_elsewhere)
            .push_bind(self.real_name_check)
            .push_bind(self.application_id)
            .push_bind(self.membership_id)
            .push_bind(self.member_number)
            .push_bind(self.at)
            .push_bind(INSTANT)
            .push_bind(self.reason.as_str())
            .push_bind(self.day)
            .push_bind(self.month)
            .push_bind(self.year)
            .push_bind(NoticeKind::Welcome.code())
            .push_bind(self.key_platform)
            .push_bind(self.key)
            .push_bind(self.request_hash)
            .push_bind(i64::from(self.status_code))
            .push_bind(self.response_body)
            .push_bind(self.key_at)
            .push_bind(self.key_expires_at);
    }
}
