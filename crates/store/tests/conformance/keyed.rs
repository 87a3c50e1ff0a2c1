//! A platform's join and its `Idempotency-Key` answer in one transaction (issue 14), on
//! both databases: the answer commits with the join, a crash before the commit leaves no
//! key, and one key used by many at once makes one join, every caller getting its answer.

use std::sync::Arc;

use huiji_core::joining::Landing;
use huiji_core::{Decision, OrgId, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{
    Idempotency, KeyedRequest, KeyedSubmit, NewApplication, Store, SubmitOutcome, both_databases,
};

use crate::fixtures::{AT, application, seeded};

/// The answer a door would render: the outcome itself, as text.
fn render(outcome: &SubmitOutcome) -> Option<(u16, String)> {
    match outcome {
        SubmitOutcome::Pending { existing: true, .. } => None,
        SubmitOutcome::AlreadyMember => Some((409, "already_member".to_owned())),
        other => Some((201, format!("{other:?}"))),
    }
}

fn request<'a>(platform_id: i64, key: &'a str, hash: &'a str) -> KeyedRequest<'a> {
    KeyedRequest { platform_id, key, request_hash: hash, now: AT, expires_at: Timestamp(AT.0 + 86_400_000) }
}

async fn platform_application(store: &Arc<dyn Store>, id: &str) -> (i64, NewApplication) {
    let (receiving, _) = seeded(store).await;
    let platform = store.ensure_platform("huolala", AT).await.unwrap().id;
    let mut new = application(id, "m-1", receiving, Landing::Union(OrgId(receiving)), Decision::Approve);
    new.platform_id = Some(platform);
    (platform, new)
}

both_databases!(a_keyed_join_commits_with_its_answer, |db: TestDb| async move {
    let store = db.dyn_store();
    let (platform, new) = platform_application(&store, "id-k1").await;
    let first = store.submit_keyed(&new, AT, &request(platform, "k-1", "h"), &render).await.unwrap();
    let KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, answer: Some((201, body)) } = first
    else {
        panic!("expected an approval with its answer, got {first:?}")
    };
    // The answer was lost with the connection: the retry replays it, byte for byte,
    // instead of meeting the membership its own join made.
    let retry = store.submit_keyed(&new, AT, &request(platform, "k-1", "h"), &render).await.unwrap();
    assert_eq!(retry, KeyedSubmit::Earlier(Idempotency::Replay { status: 201, body: body.clone() }));
    // The same key with another request is refused; another key meets the membership.
    let other = store.submit_keyed(&new, AT, &request(platform, "k-1", "other"), &render).await.unwrap();
    assert_eq!(other, KeyedSubmit::Earlier(Idempotency::Mismatch));
    let fresh = store.submit_keyed(&new, AT, &request(platform, "k-2", "h"), &render).await.unwrap();
    assert_eq!(
        fresh,
        KeyedSubmit::Submitted {
            outcome: SubmitOutcome::AlreadyMember,
            answer: Some((409, "already_member".to_owned()))
        }
    );
    assert_eq!(store.memberships_by_mobile("bidx:m-1").await.unwrap().len(), 1);
    // A day later the key is forgotten and may name a new request.
    let later = KeyedRequest { now: Timestamp(AT.0 + 86_400_000), ..request(platform, "k-1", "new") };
    let reused = store.submit_keyed(&new, AT, &later, &render).await.unwrap();
    assert!(matches!(reused, KeyedSubmit::Submitted { answer: Some((409, _)), .. }), "{reused:?}");
});

both_databases!(a_join_that_never_committed_leaves_no_key, |db: TestDb| async move {
    let store = db.dyn_store();
    let (platform, new) = platform_application(&store, "id-k2").await;
    // The server dies inside the join's transaction (here: the renderer panics after
    // every statement of the join ran): nothing commits.
    let crashing = {
        let (store, new) = (store.clone(), new.clone());
        tokio::spawn(async move {
            let die = |_: &SubmitOutcome| -> Option<(u16, String)> { panic!("killed mid-transaction") };
            store.submit_keyed(&new, AT, &request(platform, "k-crash", "h"), &die).await
        })
    };
    assert!(crashing.await.is_err(), "the task died");
    assert!(store.memberships_by_mobile("bidx:m-1").await.unwrap().is_empty(), "no join committed");
    // The retry runs the join: no key was left to say "in progress".
    let retry = store.submit_keyed(&new, AT, &request(platform, "k-crash", "h"), &render).await.unwrap();
    assert!(
        matches!(retry, KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, answer: Some(_) }),
        "{retry:?}"
    );
    assert_eq!(store.memberships_by_mobile("bidx:m-1").await.unwrap().len(), 1);
});

both_databases!(one_key_used_at_once_makes_one_join, |db: TestDb| async move {
    let store = db.dyn_store();
    let (platform, new) = platform_application(&store, "id-k3").await;
    let tasks: Vec<_> = (0..30)
        .map(|_| {
            let (store, new) = (store.clone(), new.clone());
            tokio::spawn(async move {
                store.submit_keyed(&new, AT, &request(platform, "burst", "h"), &render).await.unwrap()
            })
        })
        .collect();
    let mut bodies = Vec::new();
    let mut first = 0;
    for task in tasks {
        match task.await.unwrap() {
            KeyedSubmit::Submitted { answer: Some((201, body)), .. } => {
                first += 1;
                bodies.push(body);
            }
            KeyedSubmit::Earlier(Idempotency::Replay { status: 201, body }) => bodies.push(body),
            other => panic!("every caller gets the one join's answer, not {other:?}"),
        }
    }
    assert_eq!(first, 1, "one join");
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    assert_eq!(store.memberships_by_mobile("bidx:m-1").await.unwrap().len(), 1);
});

both_databases!(a_request_refused_before_the_store_keeps_its_answer, |db: TestDb| async move {
    let store = db.dyn_store();
    let (platform, _) = platform_application(&store, "id-k4").await;
    let refused = request(platform, "k-422", "h");
    assert_eq!(store.answer_idempotently(&refused, 422, "{\"invalid\"}").await.unwrap(), None);
    assert_eq!(
        store.answer_idempotently(&refused, 201, "something else").await.unwrap(),
        Some(Idempotency::Replay { status: 422, body: "{\"invalid\"}".to_owned() })
    );
});
