//! One submission's attempts: retried once after losing a race to the same person, each
//! the join's one transaction (its own, or a savepoint in a group-commit batch), with its
//! `Idempotency-Key`'s answer stored in the same commit.

use huiji_core::Timestamp;

use super::{KeyedSubmit, NewApplication, RenderAnswer, SubmitOutcome, submit_in};
use crate::batch::Opening;
use crate::db::SqlStore;
use crate::platform::idempotency::{self, KeyedRequest};
use crate::tx::Tx;
use crate::{Conflict, Result, StoreError};

/// A submission, retried once when a concurrent one of the same person won the race:
/// the database's unique indexes decided, so it is answered as if seen first.
pub(super) async fn submit_retried(
    store: &SqlStore,
    app: &NewApplication,
    at: Timestamp,
    keyed: Option<(&KeyedRequest<'_>, &RenderAnswer<'_>)>,
) -> Result<KeyedSubmit> {
    match submit_once(store, app, at, keyed).await {
        Err(StoreError::Conflict(
            Conflict::AlreadyMember | Conflict::PendingForPlatform | Conflict::PendingForMobile,
        )) => submit_once(store, app, at, keyed).await,
        other => other,
    }
}

/// One attempt at a submission: the join's ONE transaction, begun and committed here and
/// nowhere else. With a key, its answer is stored in the same commit, or the key's
/// earlier use is answered and nothing kept. Without one (the H5 form), the transaction
/// is a savepoint in the group-commit writer's batch ([`submit_batched`]).
async fn submit_once(
    store: &SqlStore,
    app: &NewApplication,
    at: Timestamp,
    keyed: Option<(&KeyedRequest<'_>, &RenderAnswer<'_>)>,
) -> Result<KeyedSubmit> {
    // A keyed join still commits on its own: the writer's jobs must own what they use,
    // and the door's renderer of the answer borrows the request (left for issue 14).
    if keyed.is_none() {
        let outcome = submit_batched(store, app, at).await?;
        return Ok(KeyedSubmit::Submitted { outcome, answer: None });
    }
    let Some((request, render)) = keyed else {
        return Err(StoreError::Corrupt("a keyed submission without its key".to_owned()));
    };
    // PostgreSQL without the writer: one statement, when the join can be one.
    if let Some(done) = super::postgres::join(store, app, at, request, render).await? {
        return Ok(done);
    }
    let mut tx = store.begin_write().await?;
    let submitted = keyed_in(&mut tx, app, at, request, render, &mut None).await?;
    if keeps(&submitted) {
        tx.commit().await?;
    }
    // Otherwise dropping the transaction rolls this attempt back.
    Ok(submitted)
}

/// A keyed submission inside the caller's transaction (its own, or its savepoint in a
/// batch, opened with `opening`): the join and its answer under the key, or the key's earlier use. What it
/// wrote is kept only when [`keeps`] says so.
pub(super) async fn keyed_in(
    tx: &mut Tx,
    app: &NewApplication,
    at: Timestamp,
    request: &KeyedRequest<'_>,
    render: &RenderAnswer<'_>,
    opening: &mut Option<Opening>,
) -> Result<KeyedSubmit> {
    let (outcome, stored) = submit_in(tx, app, at, Some((request, render)), opening).await?;
    if let Some(answer) = stored {
        return Ok(KeyedSubmit::Submitted { outcome, answer: Some(answer) });
    }
    // Not stored with the join: another outcome, or the key's row exists (answered by
    // `answer_in`, which meets it again and rolls this attempt back).
    let answer = render(&outcome);
    let earlier = match &answer {
        Some((status, body)) => idempotency::answer_in(tx, request, *status, body).await?,
        None if wrote(&outcome) => return Err(StoreError::Corrupt("a join without its answer".to_owned())),
        None => idempotency::earlier_in(tx, request).await?,
    };
    Ok(match earlier {
        Some(earlier) => KeyedSubmit::Earlier(earlier),
        None => KeyedSubmit::Submitted { outcome, answer },
    })
}

/// Whether a keyed submission's writes are kept: a join or an answer stored under its
/// key; never an attempt that met the key's earlier use (or wrote nothing).
pub(super) fn keeps(submitted: &KeyedSubmit) -> bool {
    match submitted {
        KeyedSubmit::Submitted { outcome, answer } => wrote(outcome) || answer.is_some(),
        KeyedSubmit::Earlier(_) | KeyedSubmit::MobileBoundElsewhere => false,
    }
}

/// An unkeyed submission through the group-commit writer: its own savepoint in a batch's
/// transaction, answered once the batch has committed. A member told so, or an open
/// application found, wrote nothing. A conflict rolls back this job alone, so the retry
/// in [`submit_retried`] runs in a later batch and sees the winner's rows.
async fn submit_batched(store: &SqlStore, app: &NewApplication, at: Timestamp) -> Result<SubmitOutcome> {
    let app = app.clone();
    store
        .write_opening(
            move |tx, opening| Box::pin(async move { Ok(submit_in(tx, &app, at, None, opening).await?.0) }),
            wrote,
        )
        .await
}

/// Whether a submission wrote anything: a member told so, or an open application found,
/// wrote nothing (and its transaction or savepoint is rolled back).
fn wrote(outcome: &SubmitOutcome) -> bool {
    !matches!(outcome, SubmitOutcome::AlreadyMember | SubmitOutcome::Pending { existing: true, .. })
}
