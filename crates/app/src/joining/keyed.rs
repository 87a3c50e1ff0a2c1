//! A platform's join with its `Idempotency-Key`, in ONE transaction: the key, the join
//! (application, membership, number, events, counts, the queued welcome SMS and webhook)
//! and the answer the door renders are committed together by the store
//! (`JoinStore::submit_keyed`). So an acknowledged join always has its answer to replay,
//! and a join the database never committed left no key: after a crash a retry gets the
//! original 201 or runs the join — never `idempotency_in_progress`, never
//! `already_member` for its own join.

use std::sync::Arc;

use huiji_core::Channel;
use huiji_core::joining::JoinForm;
use huiji_store::{Idempotency, KeyedSubmit, OwnedKeyedRequest, SharedRenderAnswer, SubmitOutcome};

use super::submit::{answer_now, finish, prepare};
use super::{JoinError, JoinOutcome, MobileProof, PlatformOrigin};
use crate::App;
use crate::platform::idempotency::{self, KeyedAnswer};

/// How a door turns an outcome into the answer it sends (and a replay sends again, byte
/// for byte): `(status, body)`. Called inside the join's transaction, so it only formats.
/// [`join_keyed`] takes it `'static` (a door passes a plain function): that transaction
/// may be a group-commit batch, run by the writer's task.
pub type RenderJoin<'a> = dyn Fn(&JoinOutcome) -> (u16, String) + Send + Sync + 'a;

/// The request's key as the platform sent it.
#[derive(Clone, Copy, Debug)]
pub struct IdempotencyKey<'a> {
    /// The key.
    pub key: &'a str,
    /// The hash of the canonical request body.
    pub request_hash: &'a str,
}

/// Takes a platform's join request through every rule and stores it with its answer in
/// one commit. A key used before answers what that use left instead, and a request
/// refused before the store (invalid fields, an unserved region) is not stored here: the
/// door answers it with [`idempotency::answer`].
///
/// # Errors
///
/// Invalid fields, an unserved region, or our side's failure; nothing is stored then.
pub async fn join_keyed(
    app: &App,
    form: &JoinForm<'_>,
    source: Option<String>,
    proof: MobileProof,
    origin: PlatformOrigin,
    key: IdempotencyKey<'_>,
    render: &'static RenderJoin<'static>,
) -> Result<KeyedAnswer, JoinError> {
    let platform_id = origin.platform_id;
    let prepared = Arc::new(prepare(app, form, Channel::Platform, None, source, proof, Some(origin)).await?);
    let request = idempotency::request(app, platform_id, key.key, key.request_hash);
    // The renderer owns what it reads: the group-commit writer runs it in its batch.
    let in_transaction: SharedRenderAnswer = {
        let (app, prepared) = (app.clone(), prepared.clone());
        Arc::new(move |outcome: &SubmitOutcome| answer_now(&app, &prepared, outcome).map(|o| render(&o)))
    };
    let submitted = app
        .store()
        .submit_keyed_batched(
            prepared.application.clone(),
            prepared.now,
            OwnedKeyedRequest::of(&request),
            in_transaction,
        )
        .await?;
    let (outcome, answer) = match submitted {
        KeyedSubmit::Earlier(earlier) => return Ok(KeyedAnswer::from(earlier)),
        KeyedSubmit::Submitted { outcome, answer } => (outcome, answer),
    };
    if matches!(outcome, SubmitOutcome::Approved { .. }) {
        // The welcome SMS was queued in the join's transaction; the notice job sends it
        // now, in rounds with other joins' — this answer waits for no second commit.
        app.notices_due().notify_one();
    }
    if let Some((status, body)) = answer {
        return Ok(KeyedAnswer::First { status, body });
    }
    // An outcome that wrote nothing and names what was not read before: read it, answer,
    // and store that answer in a commit of its own.
    let prepared = Arc::try_unwrap(prepared).unwrap_or_else(|shared| (*shared).clone());
    let (status, body) = render(&finish(app, prepared, outcome).await?);
    Ok(idempotency::answer(app, &request, status, body).await?)
}

impl From<Idempotency> for KeyedAnswer {
    fn from(earlier: Idempotency) -> KeyedAnswer {
        KeyedAnswer::Earlier(earlier)
    }
}
