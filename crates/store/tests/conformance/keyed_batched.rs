//! Keyed platform joins through the group-commit writer (issue 14, figure J), on both
//! databases: many keyed joins share one batch, each commits with its own answer under
//! its own key, one ID number makes one member however many keys ask at once, one key
//! used by many at once makes one join, and the rollups still equal a recount.

use std::sync::Arc;

use huiji_core::joining::Landing;
use huiji_core::{Decision, OrgId, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{
    Idempotency, JoinStore, KeyedSubmit, MobileBinding, NewApplication, OwnedKeyedRequest,
    SharedRenderAnswer, SqlStore, Store, SubmitOutcome, both_databases,
};

use crate::fixtures::{AT, application, seeded};
use crate::group_commit::hold_the_writer;

/// The answer a door would render: the outcome itself, as text.
fn render() -> SharedRenderAnswer {
    Arc::new(|outcome: &SubmitOutcome| match outcome {
        SubmitOutcome::Pending { existing: true, .. } => None,
        SubmitOutcome::AlreadyMember => Some((409, "already_member".to_owned())),
        other => Some((201, format!("{other:?}"))),
    })
}

fn request(platform_id: i64, key: &str, hash: &str) -> OwnedKeyedRequest {
    OwnedKeyedRequest {
        platform_id,
        key: key.to_owned(),
        request_hash: hash.to_owned(),
        now: AT,
        expires_at: Timestamp(AT.0 + 86_400_000),
    }
}

/// A store on the test's database with one group-commit writer (PostgreSQL has none by
/// default), seeded, with a platform.
async fn writer_of(db: &TestDb) -> (Arc<SqlStore>, Arc<dyn Store>, i64, i64) {
    let store = Arc::new(SqlStore::connect_group_committed(&db.url, 1).await.unwrap());
    let dyn_store: Arc<dyn Store> = store.clone();
    let (receiving, _) = seeded(&dyn_store).await;
    let platform = dyn_store.ensure_platform("huolala", AT).await.unwrap().id;
    (store, dyn_store, receiving, platform)
}

fn platform_application(platform: i64, receiving: i64, id: &str, mobile: &str) -> NewApplication {
    let mut new = application(id, mobile, receiving, Landing::Union(OrgId(receiving)), Decision::Approve);
    new.platform_id = Some(platform);
    new
}

/// Sends every submission from its own task while the writer is held, then releases it.
async fn in_one_batch(
    store: &Arc<SqlStore>,
    submissions: Vec<(NewApplication, OwnedKeyedRequest)>,
) -> Vec<KeyedSubmit> {
    let (release, held) = hold_the_writer(store).await;
    let tasks: Vec<_> = submissions
        .into_iter()
        .map(|(new, request)| {
            let store = store.clone();
            tokio::spawn(async move {
                store.submit_keyed_batched(new, AT, request, render(), MobileBinding::Read).await.unwrap()
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    release.send(()).unwrap();
    held.await.unwrap();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

both_databases!(keyed_joins_in_one_batch_each_commit_with_their_answer, |db: TestDb| async move {
    let (store, dyn_store, receiving, platform) = writer_of(&db).await;
    let submissions: Vec<_> = (0..20)
        .map(|i| {
            let new = platform_application(platform, receiving, &format!("id-{i}"), &format!("m-{i}"));
            (new, request(platform, &format!("k-{i}"), "h"))
        })
        .collect();
    let answers = in_one_batch(&store, submissions.clone()).await;
    let seen = store.write_batches();
    assert!(seen.sizes.iter().skip(4).any(|(_, n)| *n >= 1), "the 20 shared a batch: {seen:?}");
    for ((new, request), answer) in submissions.into_iter().zip(answers) {
        let KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, answer: Some((201, body)) } =
            answer
        else {
            panic!("expected an approval with its answer, got {answer:?}")
        };
        // Committed with its answer: the retry replays it byte for byte.
        let retry = dyn_store
            .submit_keyed_batched(new.clone(), AT, request.clone(), render(), MobileBinding::Read)
            .await
            .unwrap();
        assert_eq!(retry, KeyedSubmit::Earlier(Idempotency::Replay { status: 201, body }));
        let other = OwnedKeyedRequest { request_hash: "other".to_owned(), ..request };
        let mismatch =
            dyn_store.submit_keyed_batched(new, AT, other, render(), MobileBinding::Read).await.unwrap();
        assert_eq!(mismatch, KeyedSubmit::Earlier(Idempotency::Mismatch));
    }
    for i in 0..20 {
        assert_eq!(dyn_store.memberships_by_mobile(&format!("bidx:m-{i}")).await.unwrap().len(), 1);
    }
    assert!(dyn_store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
});

both_databases!(fifty_keyed_joins_of_one_id_in_one_batch_make_one_member, |db: TestDb| async move {
    let (store, dyn_store, receiving, platform) = writer_of(&db).await;
    let submissions: Vec<_> = (0..50)
        .map(|i| {
            // Every fifth proves the same mobile as the first: told it is a member; the
            // others are reviewed, flagged.
            let mobile = if i % 5 == 0 { "same".to_owned() } else { format!("m-{i}") };
            (
                platform_application(platform, receiving, "id-one", &mobile),
                request(platform, &format!("k-{i}"), "h"),
            )
        })
        .collect();
    let answers = in_one_batch(&store, submissions.clone()).await;
    let (mut approved, mut reviewed, mut found) = (0, 0, 0);
    for ((new, request), answer) in submissions.into_iter().zip(answers) {
        let (status, body) = match answer {
            KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, answer: Some(answer) } => {
                approved += 1;
                answer
            }
            KeyedSubmit::Submitted {
                outcome: SubmitOutcome::Pending { existing: false, .. },
                answer: Some(a),
            } => {
                reviewed += 1;
                a
            }
            KeyedSubmit::Submitted { outcome: SubmitOutcome::AlreadyMember, answer: Some(answer) } => answer,
            // The platform's open application for the person, made earlier in the batch:
            // nothing was written, and the door reads it before answering.
            KeyedSubmit::Submitted {
                outcome: SubmitOutcome::Pending { existing: true, .. },
                answer: None,
            } => {
                found += 1;
                continue;
            }
            other => panic!("every caller gets its own answer, not {other:?}"),
        };
        let retry =
            dyn_store.submit_keyed_batched(new, AT, request, render(), MobileBinding::Read).await.unwrap();
        assert_eq!(retry, KeyedSubmit::Earlier(Idempotency::Replay { status, body }));
    }
    assert_eq!((approved, reviewed), (1, 1), "one member, one flagged review; {found} found that review");
    assert_eq!(found, 39);
    let mut members = dyn_store.memberships_by_mobile("bidx:same").await.unwrap().len();
    for i in 0..50 {
        members += dyn_store.memberships_by_mobile(&format!("bidx:m-{i}")).await.unwrap().len();
    }
    assert_eq!(members, 1);
    assert!(dyn_store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
});

both_databases!(one_key_used_at_once_in_one_batch_makes_one_join, |db: TestDb| async move {
    let (store, dyn_store, receiving, platform) = writer_of(&db).await;
    let new = platform_application(platform, receiving, "id-burst", "m-burst");
    let answers = in_one_batch(&store, vec![(new, request(platform, "burst", "h")); 30]).await;
    let mut bodies = Vec::new();
    let mut first = 0;
    for answer in answers {
        match answer {
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
    assert_eq!(dyn_store.memberships_by_mobile("bidx:m-burst").await.unwrap().len(), 1);
});

both_databases!(a_rolled_back_join_in_a_batch_leaves_its_neighbours_whole, |db: TestDb| async move {
    // A keyed join opens its savepoint in its own first call (`batch::Opening`): the joins
    // after one that met a used key (rolled back at its last call) and before it keep
    // everything, and the rolled-back ones keep nothing.
    let (store, dyn_store, receiving, platform) = writer_of(&db).await;
    let used = platform_application(platform, receiving, "id-used", "m-used");
    dyn_store
        .submit_keyed_batched(used, AT, request(platform, "k-used", "h"), render(), MobileBinding::Read)
        .await
        .unwrap();
    let submissions: Vec<_> = (0..12)
        .map(|i| {
            let new = platform_application(platform, receiving, &format!("id-{i}"), &format!("m-{i}"));
            let key = if i % 3 == 1 { "k-used".to_owned() } else { format!("k-{i}") };
            (new, request(platform, &key, "h-other"))
        })
        .collect();
    let answers = in_one_batch(&store, submissions).await;
    for (i, answer) in answers.into_iter().enumerate() {
        let members = dyn_store.memberships_by_mobile(&format!("bidx:m-{i}")).await.unwrap().len();
        let applications = dyn_store.applications_by_mobile(&format!("bidx:m-{i}")).await.unwrap().len();
        if i % 3 == 1 {
            assert_eq!(answer, KeyedSubmit::Earlier(Idempotency::Mismatch));
            assert_eq!((members, applications), (0, 0), "join {i} kept nothing");
        } else {
            assert!(matches!(answer, KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, .. }));
            assert_eq!((members, applications), (1, 1), "join {i} kept everything");
        }
    }
    assert!(dyn_store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
});

both_databases!(an_assumed_binding_is_checked_before_anything_is_written, |db: TestDb| async move {
    // A join decided as though its proven mobile were free (`MobileBinding::Assumed`) is
    // written only when it is: SQLite's statement checks it row by row, elsewhere the
    // store reads it first. A bound one writes nothing, its key included.
    let (store, dyn_store, receiving, platform) = writer_of(&db).await;
    assert_eq!(dyn_store.checks_mobile_binding_as_it_writes(), db.url.starts_with("sqlite:"));
    let held = platform_application(platform, receiving, "id-held", "m-held");
    let member = dyn_store.submit_keyed_batched(
        held,
        AT,
        request(platform, "k-held", "h"),
        render(),
        MobileBinding::Read,
    );
    assert!(matches!(
        member.await.unwrap(),
        KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, .. }
    ));

    let other = platform_application(platform, receiving, "id-other", "m-held");
    let refused = dyn_store
        .submit_keyed_batched(
            other.clone(),
            AT,
            request(platform, "k-other", "h"),
            render(),
            MobileBinding::Assumed,
        )
        .await
        .unwrap();
    assert_eq!(refused, KeyedSubmit::MobileBoundElsewhere);
    assert_eq!(dyn_store.applications_by_mobile("bidx:m-held").await.unwrap().len(), 1);

    // The same application decided on the binding read (flagged, for review) is written
    // under the same key: the refused attempt kept none (a kept key would replay).
    let flagged = NewApplication { mobile_bound_elsewhere: true, decision: Decision::Review, ..other };
    let reviewed = dyn_store
        .submit_keyed_batched(flagged, AT, request(platform, "k-other", "h"), render(), MobileBinding::Read)
        .await
        .unwrap();
    assert!(
        matches!(
            reviewed,
            KeyedSubmit::Submitted { outcome: SubmitOutcome::Pending { existing: false, .. }, .. }
        ),
        "{reviewed:?}"
    );

    // A free mobile, assumed, is written as it was decided; in a batch too.
    let free: Vec<_> = (0..4)
        .map(|i| {
            let new = platform_application(platform, receiving, &format!("id-f{i}"), &format!("m-f{i}"));
            (new, request(platform, &format!("k-f{i}"), "h"))
        })
        .collect();
    for (new, key) in free {
        let answer =
            store.submit_keyed_batched(new, AT, key, render(), MobileBinding::Assumed).await.unwrap();
        assert!(matches!(answer, KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, .. }));
    }
    assert!(dyn_store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
});
