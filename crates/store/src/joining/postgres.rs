//! PostgreSQL: an instant join in ONE round trip (issue 14, J on PostgreSQL).
//!
//! Why: on PostgreSQL a join was `BEGIN`, the probe and insert, the tail, `COMMIT` — four
//! round trips, each a wake-up of a backend and of the app on a small machine. Here the
//! ids are taken ahead from the sequences in blocks the process keeps (`IdsAhead`), so the
//! member number and the `Idempotency-Key`'s answer are known before anything is sent, and
//! the whole join — the key with its answer, application, membership, event, webhook,
//! rollups, roster, welcome — is one statement of data-modifying CTEs sent outside a
//! transaction block: a statement is its own transaction, so it commits (durably,
//! `synchronous_commit` stays on) or leaves nothing. That statement is `batched`'s, which
//! writes the joins that arrive together at once; a join is a batch of one when alone.
//!
//! CTEs see the database as it was before the statement, not each other's writes, so the
//! application is inserted already approved and the membership already numbered, and every
//! rollup takes its key from the parameters — the same rows `instant` and an officer's
//! approval write (checked by the conformance tests `instant::*` and `one_statement::*`).
//! Each write is gated: nothing is written unless the person has nothing
//! (`already_there`), the landing org exists, no on-approval benefit programme may grant
//! (it has its own statements), and the `Idempotency-Key`'s row was stored. In every other
//! case the statement writes nothing and the join runs as before in a transaction
//! (`submit_in`), which answers each case as it always did: already a member, an open
//! application, a missing landing org, the key's earlier use. A race on one person still
//! ends in a unique violation of the membership (the whole statement is undone) and the
//! caller's retry.

use std::collections::VecDeque;
use std::sync::Mutex;

use huiji_core::{Decision, Timestamp};

use super::batched::{Row, write_rows};
use super::{KeyedSubmit, NewApplication, RenderAnswer, SubmitOutcome, member_number};
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

/// A keyed instant join on PostgreSQL in one statement, when it can be one: `None` when
/// this is not one (SQLite, the group-commit writer is on, not an instant approval, a
/// renderer without an answer) or when the statement wrote nothing — the caller then runs
/// the join in a transaction as before. The answer is stored under the key in the same
/// statement and returned. The statement is the batch's (`batched`): the joins waiting
/// are written together, and one the batch left out is written here as a batch of one.
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
    let row = Row::of(
        app,
        at,
        request,
        (application_id, membership_id),
        member_number.as_str().to_owned(),
        (status, body.clone()),
    );
    let written = match &store.join_batches {
        Some(batches) if batches.write(row.clone()).await => true,
        // Left out of its batch, or no batches: alone, where its own error is its caller's.
        _ => !write_rows(pool, &[&row]).await?.is_empty(),
    };
    Ok(written.then_some(KeyedSubmit::Submitted { outcome, answer: Some((status, body)) }))
}
