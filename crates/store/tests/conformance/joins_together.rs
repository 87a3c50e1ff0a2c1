//! SQLite: keyed instant joins waiting for the group-commit writer are written together by
//! one statement of its batch (`joining::sqlite`, migration 0087): each with the rows one
//! join written alone has, counted as a recount counts; a join the statement leaves out (a
//! person or a key met again) and every join of a failed statement is answered as it
//! would be alone.

use std::sync::Arc;

use huiji_core::Timestamp;
use huiji_core::roster::RosterState::NotMember;
use huiji_store::testing::TestDb;
use huiji_store::{
    EntryOutcome, Idempotency, JoinStore, KeyedSubmit, MobileBinding, NewApplication, NewRosterEntry,
    NewRosterImport, OwnedKeyedRequest, SharedRenderAnswer, SqlStore, Store, SubmitOutcome,
};
use sqlx::Row;

use crate::fixtures::{AT, sealed};
use crate::group_commit::hold_the_writer;
use crate::one_statement::{platform_join, render, request};

fn shared_render() -> SharedRenderAnswer {
    Arc::new(render)
}

fn owned(platform: i64, key: &str, hash: &str) -> OwnedKeyedRequest {
    OwnedKeyedRequest {
        platform_id: platform,
        key: key.to_owned(),
        request_hash: hash.to_owned(),
        now: AT,
        expires_at: Timestamp(AT.0 + 86_400_000),
    }
}

/// Submits every join from its own task while the writer is held, so they all wait
/// together; the answers in order.
async fn together(
    store: &Arc<SqlStore>,
    joins: Vec<(NewApplication, OwnedKeyedRequest)>,
) -> Vec<huiji_store::Result<KeyedSubmit>> {
    let joins = joins.into_iter().map(|(app, request)| (app, request, MobileBinding::Read)).collect();
    together_bound(store, joins).await
}

/// [`together`] with each join's mobile binding as its caller knew it.
async fn together_bound(
    store: &Arc<SqlStore>,
    joins: Vec<(NewApplication, OwnedKeyedRequest, MobileBinding)>,
) -> Vec<huiji_store::Result<KeyedSubmit>> {
    let (release, held) = hold_the_writer(store).await;
    let tasks: Vec<_> = joins
        .into_iter()
        .map(|(app, request, binding)| {
            let store = store.clone();
            tokio::spawn(async move {
                store.submit_keyed_batched(app, AT, request, shared_render(), binding).await
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

/// Every column of a join's rows but those that name the person or the join itself.
async fn rows_of(url: &str, application_id: i64, membership_id: i64, key: &str) -> Vec<String> {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let person = ["id_number_ct", "id_number_bidx", "mobile_ct", "mobile_bidx"];
    let tables: [(&str, &str, i64, &[&str]); 5] = [
        ("applications", "id = ?1", application_id, &["id", "membership_id"]),
        ("memberships", "id = ?1", membership_id, &["id", "member_number", "application_id"]),
        ("membership_events", "membership_id = ?1", membership_id, &["id", "membership_id", "reason"]),
        (
            "webhook_events",
            "application_id = ?1",
            application_id,
            &["id", "application_id", "membership_id", "member_number"],
        ),
        ("notices", "application_id = ?1", application_id, &["id", "application_id", "membership_id"]),
    ];
    let mut rows = Vec::new();
    for (table, condition, id, own) in tables {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
            .bind(table)
            .fetch_all(&pool)
            .await
            .unwrap();
        let shown: Vec<String> = columns
            .iter()
            .filter(|c| !own.contains(&c.as_str()) && !person.contains(&c.as_str()))
            .map(|c| format!("'{c}=' || quote({c})"))
            .collect();
        let sql = format!("SELECT {} FROM {table} WHERE {condition} ORDER BY id", shown.join(" || ' ' || "));
        // Built from the table's own column names, in this test only.
        let found: Vec<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_all(&pool).await.unwrap();
        assert!(!found.is_empty(), "{sql}");
        rows.extend(found.into_iter().map(|row| format!("{table}: {row}")));
    }
    let state: String = sqlx::query_scalar(
        "SELECT state FROM roster_entries r JOIN applications a ON a.id_number_bidx = r.id_number_bidx WHERE a.id = ?1",
    )
    .bind(application_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    rows.push(state);
    let key_row =
        sqlx::query("SELECT status_code, created_at, expires_at FROM idempotency_keys WHERE key = ?1")
            .bind(key)
            .fetch_one(&pool)
            .await
            .unwrap();
    rows.push(format!(
        "key {} {} {}",
        key_row.get::<i64, _>(0),
        key_row.get::<i64, _>(1),
        key_row.get::<i64, _>(2)
    ));
    pool.close().await;
    rows
}

fn approved(answer: &huiji_store::Result<KeyedSubmit>) -> (i64, i64, String, String) {
    match answer {
        Ok(KeyedSubmit::Submitted {
            outcome: SubmitOutcome::Approved { application_id, membership_id, member_number },
            answer: Some((201, body)),
        }) => (*application_id, *membership_id, member_number.as_str().to_owned(), body.clone()),
        other => panic!("a new person is a member, not {other:?}"),
    }
}

#[tokio::test]
async fn joins_waiting_are_written_by_one_statement_with_the_rows_one_join_writes() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let dyn_store: Arc<dyn Store> = store.clone();
    let (_, platform, make) = platform_join(&dyn_store).await;
    let hefei = dyn_store.org_by_join_code("3401").await.unwrap().unwrap();
    let import = NewRosterImport {
        org: hefei.id,
        source: "交通运输局".to_owned(),
        file_name: "roster.csv".to_owned(),
        actor: "operator".to_owned(),
    };
    let import = dyn_store.start_roster_import(&import, AT).await.unwrap();
    let entry = |id: &str| NewRosterEntry {
        name: Some("王晓明".to_owned()),
        id_number: sealed(id),
        mobile: None,
        occupation: huiji_core::Occupation::TruckDriver,
        region: "340104".parse().ok(),
        employer_name: None,
        employer_credit_code: None,
    };
    let added = dyn_store.add_roster_entries(import, &[entry("id-0"), entry("id-alone")], AT).await.unwrap();
    assert_eq!(added, [EntryOutcome::New(NotMember), EntryOutcome::New(NotMember)]);
    // One join alone, in a transaction of its own (no key batching): what a join writes.
    let alone = dyn_store
        .submit_keyed(&make("id-alone", "m-alone"), AT, &request(platform, "k-alone", "h"), &render)
        .await;
    let (alone_application, alone_membership, ..) = approved(&alone);
    let before = store.write_batches();

    let joins = (0..20)
        .map(|i| (make(&format!("id-{i}"), &format!("m-{i}")), owned(platform, &format!("k-{i}"), "h")))
        .collect();
    let answers = together(&store, joins).await;
    let mut numbers = Vec::new();
    for answer in &answers {
        let (_, _, number, body) = approved(answer);
        assert!(body.contains(&number), "the answer names its own member: {body}");
        numbers.push(number);
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 20);
    let seen = store.write_batches();
    assert_eq!(seen.jobs - before.jobs, 21, "the held job and the 20 joins: {seen:?}");
    assert_eq!((seen.rolled_back, seen.uncommitted), (before.rolled_back, before.uncommitted), "{seen:?}");
    assert!(seen.sizes.iter().skip(4).any(|(_, n)| *n >= 1), "the 20 were one write: {seen:?}");

    let (application_id, membership_id, ..) = approved(&answers[0]);
    assert_eq!(
        rows_of(&db.url, application_id, membership_id, "k-0").await,
        rows_of(&db.url, alone_application, alone_membership, "k-alone").await
    );
    for (i, answer) in answers.iter().enumerate() {
        // Committed with its answer: the retry replays it.
        let (.., body) = approved(answer);
        let again = dyn_store
            .submit_keyed(
                &make(&format!("id-{i}"), &format!("m-{i}")),
                AT,
                &request(platform, &format!("k-{i}"), "h"),
                &render,
            )
            .await
            .unwrap();
        assert_eq!(again, KeyedSubmit::Earlier(Idempotency::Replay { status: 201, body }));
    }
    assert!(dyn_store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
}

#[tokio::test]
async fn a_join_the_statement_leaves_out_is_answered_as_alone() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let dyn_store: Arc<dyn Store> = store.clone();
    let (_, platform, make) = platform_join(&dyn_store).await;
    let before = store.write_batches();
    let answers = together(
        &store,
        vec![
            (make("id-a", "m-a"), owned(platform, "k-a", "h")),
            // The same person again, the same proven mobile: told it is a member.
            (make("id-a", "m-a"), owned(platform, "k-a2", "h")),
            // Someone else under the first one's key: refused, nothing kept.
            (make("id-b", "m-b"), owned(platform, "k-a", "h-other")),
            (make("id-c", "m-c"), owned(platform, "k-c", "h")),
        ],
    )
    .await;
    approved(&answers[0]);
    assert!(
        matches!(
            &answers[1],
            Ok(KeyedSubmit::Submitted { outcome: SubmitOutcome::AlreadyMember, answer: Some((409, _)) })
        ),
        "{:?}",
        answers[1]
    );
    assert!(matches!(&answers[2], Ok(KeyedSubmit::Earlier(Idempotency::Mismatch))), "{:?}", answers[2]);
    approved(&answers[3]);
    let seen = store.write_batches();
    // Two left out by the statement, and the refused one's own attempt undone.
    assert_eq!(seen.rolled_back - before.rolled_back, 3, "{seen:?}");
    assert!(dyn_store.applications_by_mobile("bidx:m-b").await.unwrap().is_empty());
    assert_eq!(dyn_store.memberships_by_mobile("bidx:m-a").await.unwrap().len(), 1);
    assert!(dyn_store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
    // A row left out by `join_row`'s first step runs none of the view's other triggers: one
    // welcome and one webhook event for each membership, none for anything else.
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    for sql in [
        "SELECT COUNT(*) FROM notices n WHERE n.kind = 'welcome' \
         AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.id = n.membership_id)",
        "SELECT COUNT(*) FROM memberships m WHERE (SELECT COUNT(*) FROM notices n \
         WHERE n.membership_id = m.id AND n.kind = 'welcome') <> 1",
        "SELECT COUNT(*) FROM memberships m WHERE (SELECT COUNT(*) FROM webhook_events w \
         WHERE w.membership_id = m.id) <> 1",
    ] {
        let stray: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        assert_eq!(stray, 0, "{sql}");
    }
    pool.close().await;
}

#[tokio::test]
async fn when_the_statement_fails_each_join_runs_alone_and_only_the_bad_one_fails() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let dyn_store: Arc<dyn Store> = store.clone();
    let (_, platform, make) = platform_join(&dyn_store).await;
    // A consent version never published breaks its foreign key, and with it the statement.
    let mut bad = make("id-bad", "m-bad");
    bad.consent_version = "no-such-version".to_owned();
    let mut joins: Vec<_> = (1..=6)
        .map(|i| (make(&format!("id-{i}"), &format!("m-{i}")), owned(platform, &format!("k-{i}"), "h")))
        .collect();
    joins.insert(3, (bad, owned(platform, "k-bad", "h")));
    let answers = together(&store, joins).await;
    for (i, answer) in answers.iter().enumerate() {
        if i == 3 {
            assert!(answer.is_err(), "the bad join fails as it would alone: {answer:?}");
        } else {
            approved(answer);
        }
    }
    assert!(dyn_store.applications_by_mobile("bidx:m-bad").await.unwrap().is_empty());
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys WHERE key = 'k-bad'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships").fetch_one(&pool).await.unwrap();
    pool.close().await;
    assert_eq!((keys, members), (0, 6));
    assert!(dyn_store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
}

#[tokio::test]
async fn a_mobile_bound_elsewhere_is_left_out_even_by_a_row_of_the_same_statement() {
    // The statement checks each row's proven mobile as it writes it: against a member
    // written before, and against the rows before it in the same statement. A join whose
    // binding was assumed then writes nothing and is told so; one whose binding was read
    // is written as its caller decided (alone, as before).
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let dyn_store: Arc<dyn Store> = store.clone();
    let (_, platform, make) = platform_join(&dyn_store).await;
    assert!(dyn_store.checks_mobile_binding_as_it_writes());
    let held = together(&store, vec![(make("id-held", "m-held"), owned(platform, "k-held", "h"))]).await;
    approved(&held[0]);
    let assumed = MobileBinding::Assumed;
    let answers = together_bound(
        &store,
        vec![
            (make("id-x", "m-held"), owned(platform, "k-x", "h"), assumed),
            (make("id-y", "m-new"), owned(platform, "k-y", "h"), assumed),
            (make("id-z", "m-new"), owned(platform, "k-z", "h"), assumed),
            (make("id-w", "m-w"), owned(platform, "k-w", "h"), assumed),
        ],
    )
    .await;
    assert!(matches!(answers[0], Ok(KeyedSubmit::MobileBoundElsewhere)), "{:?}", answers[0]);
    approved(&answers[1]);
    assert!(matches!(answers[2], Ok(KeyedSubmit::MobileBoundElsewhere)), "{:?}", answers[2]);
    approved(&answers[3]);
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    let kept: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM idempotency_keys WHERE key IN ('k-x', 'k-z')) \
         + (SELECT COUNT(*) FROM applications WHERE id_number_bidx IN ('bidx:id-x', 'bidx:id-z'))",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert_eq!(kept, 0, "a refused join keeps no key and no application");
    assert_eq!(dyn_store.applications_by_mobile("bidx:m-new").await.unwrap().len(), 1);
    assert!(dyn_store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
}
