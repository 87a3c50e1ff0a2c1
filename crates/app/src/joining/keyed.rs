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

use super::submit::{BindingCheck, Prepared, answer_now, finish, prepare};
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
    let request = idempotency::request(app, platform_id, key.key, key.request_hash);
    // Where the store checks the proven mobile's binding as it writes, the join does not
    // read it first (a reader's round trip a join: BENCHMARKS.md, "J on SQLite — the
    // mobile's binding checked as the join is written"); when the store finds it bound,
    // nothing was written, and the join is decided again with the binding read.
    let mut check = if app.store().checks_mobile_binding_as_it_writes() {
        BindingCheck::StoreMayCheck
    } else {
        BindingCheck::ReadFirst
    };
    let (prepared, submitted) = loop {
        let prepared = Arc::new(
            prepare(
                app,
                form,
                Channel::Platform,
                None,
                source.clone(),
                proof.clone(),
                Some(origin.clone()),
                check,
            )
            .await?,
        );
        let submitted = submit(app, &prepared, &request, render).await?;
        match submitted {
            KeyedSubmit::MobileBoundElsewhere if check == BindingCheck::StoreMayCheck => {
                check = BindingCheck::ReadFirst;
            }
            submitted => break (prepared, submitted),
        }
    };
    let (outcome, answer) = match submitted {
        KeyedSubmit::Earlier(earlier) => return Ok(KeyedAnswer::from(earlier)),
        KeyedSubmit::Submitted { outcome, answer } => (outcome, answer),
        KeyedSubmit::MobileBoundElsewhere => {
            return Err(JoinError::Internal("the store refused a binding that was read".to_owned()));
        }
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

/// The prepared join with its key, through the group-commit writer.
async fn submit(
    app: &App,
    prepared: &Arc<Prepared>,
    request: &huiji_store::KeyedRequest<'_>,
    render: &'static RenderJoin<'static>,
) -> Result<KeyedSubmit, JoinError> {
    // The renderer owns what it reads: the group-commit writer runs it in its batch.
    let in_transaction: SharedRenderAnswer = {
        let (app, prepared) = (app.clone(), prepared.clone());
        Arc::new(move |outcome: &SubmitOutcome| answer_now(&app, &prepared, outcome).map(|o| render(&o)))
    };
    Ok(app
        .store()
        .submit_keyed_batched(
            prepared.application.clone(),
            prepared.now,
            OwnedKeyedRequest::of(request),
            in_transaction,
            prepared.binding,
        )
        .await?)
}

impl From<Idempotency> for KeyedAnswer {
    fn from(earlier: Idempotency) -> KeyedAnswer {
        KeyedAnswer::Earlier(earlier)
    }
}
