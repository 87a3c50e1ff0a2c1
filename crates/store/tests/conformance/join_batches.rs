//! PostgreSQL: keyed instant joins that arrive together are written by one statement
//! (`joining::batched`), and every join it leaves out — a second one of a person or a
//! key, one that must not be instant, a whole batch whose statement failed — is answered
//! as on its own. The joins are spawned together on the test's one thread, so they are
//! queued before the writer's task takes them.

use std::sync::Arc;

use huiji_core::Occupation;
use huiji_store::testing::TestDb;
use huiji_store::{Idempotency, KeyedSubmit, NewApplication, Store, SubmitOutcome};
use sqlx::Connection;

use crate::fixtures::AT;
use crate::one_statement::{platform_join, render, request};

/// Submits every `(application, key, request hash)` at once; the answers in order.
async fn at_once(
    store: &Arc<dyn Store>,
    platform: i64,
    joins: Vec<(NewApplication, String, &'static str)>,
) -> Vec<huiji_store::Result<KeyedSubmit>> {
    let tasks: Vec<_> = joins
        .into_iter()
        .map(|(app, key, hash)| {
            let store = store.clone();
            tokio::spawn(async move {
                store.submit_keyed(&app, AT, &request(platform, &key, hash), &render).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

async fn count(url: &str, sql: &'static str) -> i64 {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
}

#[tokio::test]
async fn joins_at_once_are_written_together_each_with_its_rows_and_counted_as_a_recount() {
    let Some(db) = TestDb::postgres().await else { return };
    let store = db.dyn_store();
    let (_, platform, make) = platform_join(&store).await;
    // One join first: its block of ids is taken, so the others queue without waiting.
    let first = store.submit_keyed(&make("id-0", "m-0"), AT, &request(platform, "k-0", "h"), &render).await;
    assert!(matches!(first.unwrap(), KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, .. }));
    let occupations = [Occupation::TruckDriver, Occupation::Courier, Occupation::DeliveryRider];
    let joins = (1..=40)
        .map(|i| {
            let mut app = make(&format!("id-{i}"), &format!("m-{i}"));
            app.occupation = occupations[i % 3];
            (app, format!("k-{i}"), "h")
        })
        .collect();
    let answers = at_once(&store, platform, joins).await;
    let mut numbers = Vec::new();
    for answer in answers {
        match answer.unwrap() {
            KeyedSubmit::Submitted {
                outcome: SubmitOutcome::Approved { member_number, .. },
                answer: Some((201, body)),
            } => {
                assert!(body.contains(member_number.as_str()), "the answer names its own member: {body}");
                numbers.push(member_number.as_str().to_owned());
            }
            other => panic!("every new person is a member, not {other:?}"),
        }
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 40, "40 member numbers");
    let seen = store.write_batches();
    assert!(seen.enabled);
    assert_eq!(seen.jobs, 41);
    assert!(
        seen.sizes.iter().skip(1).any(|(_, batches)| *batches > 0),
        "joins were written together: {seen:?}"
    );
    assert_eq!((seen.rolled_back, seen.uncommitted), (0, 0));
    // Each join's own rows: its key and answer, application, membership, event, webhook, welcome.
    for sql in [
        "SELECT COUNT(*) FROM idempotency_keys",
        "SELECT COUNT(*) FROM applications WHERE status = 'approved'",
        "SELECT COUNT(*) FROM memberships WHERE status = 'active'",
        "SELECT COUNT(*) FROM membership_events WHERE kind = 'joined'",
        "SELECT COUNT(*) FROM webhook_events",
        "SELECT COUNT(*) FROM notices WHERE kind = 'welcome'",
    ] {
        assert_eq!(count(&db.url, sql).await, 41, "{sql}");
    }
    let keyed = count(
        &db.url,
        "SELECT COUNT(*) FROM idempotency_keys k JOIN applications a ON a.external_ref IS NULL \
         AND k.response_body LIKE '%' || (SELECT member_number FROM memberships m WHERE m.application_id = a.id) || '%'",
    )
    .await;
    assert_eq!(keyed, 41, "each key holds the answer naming its own join's member");
    assert!(store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
}

#[tokio::test]
async fn a_batch_leaves_out_a_second_join_of_one_person_or_one_key_and_they_answer_as_alone() {
    let Some(db) = TestDb::postgres().await else { return };
    let store = db.dyn_store();
    let (_, platform, make) = platform_join(&store).await;
    let warm = store.submit_keyed(&make("id-0", "m-0"), AT, &request(platform, "k-0", "h"), &render).await;
    assert!(warm.is_ok());
    let answers = at_once(
        &store,
        platform,
        vec![
            (make("id-a", "m-a"), "k-a".to_owned(), "h"),
            // The same person under another key: told they are a member.
            (make("id-a", "m-a"), "k-a2".to_owned(), "h"),
            (make("id-b", "m-b"), "k-b".to_owned(), "h"),
            // The same request again (a platform's retry): the original answer.
            (make("id-b", "m-b"), "k-b".to_owned(), "h"),
            // The same key with another body: refused.
            (make("id-c", "m-c"), "k-b".to_owned(), "h2"),
        ],
    )
    .await;
    let answers: Vec<KeyedSubmit> = answers.into_iter().map(Result::unwrap).collect();
    let KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, answer: Some((201, _)) } =
        &answers[0]
    else {
        panic!("the first join of a person is written: {:?}", answers[0])
    };
    assert_eq!(
        answers[1],
        KeyedSubmit::Submitted {
            outcome: SubmitOutcome::AlreadyMember,
            answer: Some((409, "already_member".to_owned()))
        }
    );
    let KeyedSubmit::Submitted { answer: Some((201, original)), .. } = &answers[2] else {
        panic!("the first use of a key is written: {:?}", answers[2])
    };
    assert_eq!(answers[3], KeyedSubmit::Earlier(Idempotency::Replay { status: 201, body: original.clone() }));
    assert_eq!(answers[4], KeyedSubmit::Earlier(Idempotency::Mismatch));
    assert!(store.write_batches().rolled_back >= 3, "the three were left out by their batch");
    for (mobile, members) in [("bidx:m-a", 1), ("bidx:m-b", 1), ("bidx:m-c", 0)] {
        assert_eq!(store.memberships_by_mobile(mobile).await.unwrap().len(), members, "{mobile}");
    }
    assert_eq!(count(&db.url, "SELECT COUNT(*) FROM idempotency_keys").await, 4);
    assert!(store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
}

#[tokio::test]
async fn when_a_batch_statement_fails_each_join_runs_alone_and_only_the_bad_one_fails() {
    let Some(db) = TestDb::postgres().await else { return };
    let store = db.dyn_store();
    let (_, platform, make) = platform_join(&store).await;
    let warm = store.submit_keyed(&make("id-0", "m-0"), AT, &request(platform, "k-0", "h"), &render).await;
    assert!(warm.is_ok());
    // A consent version that was never published breaks its foreign key, and with it the
    // whole statement of whatever batch it is in.
    let mut bad = make("id-bad", "m-bad");
    bad.consent_version = "no-such-version".to_owned();
    let mut joins: Vec<_> =
        (1..=6).map(|i| (make(&format!("id-{i}"), &format!("m-{i}")), format!("k-{i}"), "h")).collect();
    joins.insert(3, (bad, "k-bad".to_owned(), "h"));
    let answers = at_once(&store, platform, joins).await;
    for (i, answer) in answers.into_iter().enumerate() {
        if i == 3 {
            assert!(answer.is_err(), "the bad join fails as it would alone");
        } else {
            assert!(
                matches!(
                    answer.unwrap(),
                    KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, .. }
                ),
                "join {i} is written"
            );
        }
    }
    let seen = store.write_batches();
    assert!(seen.uncommitted >= 1, "a statement failed: {seen:?}");
    assert!(store.applications_by_mobile("bidx:m-bad").await.unwrap().is_empty());
    assert_eq!(count(&db.url, "SELECT COUNT(*) FROM idempotency_keys WHERE key = 'k-bad'").await, 0);
    assert_eq!(count(&db.url, "SELECT COUNT(*) FROM memberships").await, 7);
    assert!(store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
}
