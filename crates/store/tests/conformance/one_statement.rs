//! A keyed instant join on PostgreSQL in one statement (`joining::postgres`), with ids
//! taken ahead from the sequences: every outcome answered as before (on both databases,
//! SQLite being the reference), the same rows as a join in a transaction, one member under
//! 50 concurrent submissions of one ID, and ids never handed out twice across a restart.

use std::collections::BTreeSet;
use std::sync::Arc;

use huiji_core::joining::Landing;
use huiji_core::roster::RosterState::NotMember;
use huiji_core::{Decision, Occupation, OrgId, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{
    EntryOutcome, Idempotency, KeyedRequest, KeyedSubmit, NewApplication, NewRosterEntry, NewRosterImport,
    SqlStore, Store, SubmitOutcome, both_databases,
};
use sqlx::Connection;

use crate::fixtures::{AT, application, sealed, seeded};

pub(crate) fn render(outcome: &SubmitOutcome) -> Option<(u16, String)> {
    match outcome {
        SubmitOutcome::Pending { existing: true, .. } => None,
        SubmitOutcome::AlreadyMember => Some((409, "already_member".to_owned())),
        other => Some((201, format!("{other:?}"))),
    }
}

pub(crate) fn request<'a>(platform_id: i64, key: &'a str, hash: &'a str) -> KeyedRequest<'a> {
    KeyedRequest { platform_id, key, request_hash: hash, now: AT, expires_at: Timestamp(AT.0 + 86_400_000) }
}

/// The receiving union and a platform's instant application of person `id` landing there.
pub(crate) async fn platform_join(
    store: &Arc<dyn Store>,
) -> (i64, i64, impl Fn(&str, &str) -> NewApplication) {
    let (receiving, _) = seeded(store).await;
    let platform = store.ensure_platform("huolala", AT).await.unwrap().id;
    store.set_webhook(platform, Some("https://example.invalid/hook"), Some(b"secret")).await.unwrap();
    let make = move |id: &str, mobile: &str| {
        let mut app = application(id, mobile, receiving, Landing::Union(OrgId(receiving)), Decision::Approve);
        app.platform_id = Some(platform);
        app.channel = huiji_core::Channel::Platform;
        app
    };
    (receiving, platform, make)
}

both_databases!(a_keyed_instant_join_answers_every_outcome_as_before, |db: TestDb| async move {
    let store = db.dyn_store();
    let (receiving, platform, make) = platform_join(&store).await;
    // A new member, with its answer stored under the key.
    let new = make("id-a", "m-a");
    let first = store.submit_keyed(&new, AT, &request(platform, "k-a", "h"), &render).await.unwrap();
    let KeyedSubmit::Submitted {
        outcome: SubmitOutcome::Approved { membership_id, .. },
        answer: Some((201, body)),
    } = first
    else {
        panic!("a new person is approved with the answer stored, got {first:?}")
    };
    // The same key and body: the original 201, byte for byte; another body: refused.
    let retry = store.submit_keyed(&new, AT, &request(platform, "k-a", "h"), &render).await.unwrap();
    assert_eq!(retry, KeyedSubmit::Earlier(Idempotency::Replay { status: 201, body: body.clone() }));
    let other = store.submit_keyed(&make("id-x", "m-x"), AT, &request(platform, "k-a", "h2"), &render).await;
    assert_eq!(other.unwrap(), KeyedSubmit::Earlier(Idempotency::Mismatch));
    assert!(store.memberships_by_mobile("bidx:m-x").await.unwrap().is_empty(), "the mismatch kept nothing");
    // Already a member (the same proven mobile), under a new key: told, nothing written.
    let again = store.submit_keyed(&new, AT, &request(platform, "k-a2", "h"), &render).await.unwrap();
    assert_eq!(
        again,
        KeyedSubmit::Submitted {
            outcome: SubmitOutcome::AlreadyMember,
            answer: Some((409, "already_member".to_owned()))
        }
    );
    assert_eq!(store.memberships_by_mobile("bidx:m-a").await.unwrap().len(), 1);
    assert_eq!(store.applications_by_mobile("bidx:m-a").await.unwrap().len(), 1);
    // The same ID with another mobile: a review flagged as holding a membership.
    let held =
        store.submit_keyed(&make("id-a", "m-other"), AT, &request(platform, "k-a3", "h"), &render).await;
    let KeyedSubmit::Submitted {
        outcome: SubmitOutcome::Pending { application_id, existing: false }, ..
    } = held.unwrap()
    else {
        panic!("a held membership with another mobile is reviewed")
    };
    let record = store.application(application_id).await.unwrap().unwrap();
    assert_eq!((record.status.code(), record.membership_id), ("pending_review", None));
    // An open application of the same platform is found again, whatever the decision now.
    let mut waiting = make("id-w", "m-w");
    waiting.decision = Decision::Review;
    let SubmitOutcome::Pending { application_id: open, existing: false } =
        store.submit_application(&waiting, AT).await.unwrap()
    else {
        panic!("a review is pending")
    };
    let found = store.submit_keyed(&make("id-w", "m-w"), AT, &request(platform, "k-w", "h"), &render).await;
    assert_eq!(
        found.unwrap(),
        KeyedSubmit::Submitted {
            outcome: SubmitOutcome::Pending { application_id: open, existing: true },
            answer: None
        }
    );
    assert!(store.memberships_by_mobile("bidx:m-w").await.unwrap().is_empty());
    // A landing union that does not exist: an error, and nothing kept, not even the key.
    let mut lost = make("id-l", "m-l");
    lost.landing = Some(Landing::Union(OrgId(987_654_321)));
    assert!(store.submit_keyed(&lost, AT, &request(platform, "k-l", "h"), &render).await.is_err());
    assert!(store.applications_by_mobile("bidx:m-l").await.unwrap().is_empty());
    let found = store.submit_keyed(&make("id-l", "m-l"), AT, &request(platform, "k-l", "h"), &render).await;
    assert!(matches!(found.unwrap(), KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, .. }));
    let member = store.membership(membership_id).await.unwrap().unwrap();
    assert_eq!((member.status.code(), member.home_org_id), ("active", receiving));
    assert!(store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
});

both_databases!(fifty_keyed_submissions_of_one_id_make_one_member, |db: TestDb| async move {
    let store = db.dyn_store();
    let (_, platform, make) = platform_join(&store).await;
    let new = make("id-50", "m-50");
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (store, new) = (store.clone(), new.clone());
            tokio::spawn(async move {
                let key = format!("k-{i}");
                store.submit_keyed(&new, AT, &request(platform, &key, "h"), &render).await.unwrap()
            })
        })
        .collect();
    let mut approved = 0;
    for task in tasks {
        match task.await.unwrap() {
            KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, answer: Some((201, _)) } => {
                approved += 1
            }
            KeyedSubmit::Submitted { outcome: SubmitOutcome::AlreadyMember, answer: Some((409, _)) } => {}
            other => panic!("a member, or told so, not {other:?}"),
        }
    }
    assert_eq!(approved, 1, "one member");
    assert_eq!(store.memberships_by_mobile("bidx:m-50").await.unwrap().len(), 1);
    assert_eq!(store.applications_by_mobile("bidx:m-50").await.unwrap().len(), 1);
    assert!(store.verify_stats().await.unwrap().is_empty());
});

/// Every column of the rows a join wrote, as JSON without the ids and personal values that
/// differ between two people (PostgreSQL's `to_jsonb` of each row).
async fn rows_of(url: &str, application_id: i64, membership_id: i64) -> Vec<String> {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let queries = [
        "SELECT (to_jsonb(a) - 'id' - 'membership_id' - 'id_number_ct' - 'id_number_bidx' - 'mobile_ct' \
         - 'mobile_bidx')::text FROM applications a WHERE id = $1",
        "SELECT (to_jsonb(m) - 'id' - 'member_number' - 'application_id' - 'id_number_ct' - 'id_number_bidx' \
         - 'mobile_ct' - 'mobile_bidx')::text FROM memberships m WHERE id = $2",
        "SELECT (to_jsonb(e) - 'id' - 'membership_id' - 'reason')::text FROM membership_events e \
         WHERE membership_id = $2 ORDER BY id",
        "SELECT (to_jsonb(w) - 'id' - 'application_id' - 'membership_id' - 'member_number')::text \
         FROM webhook_events w WHERE application_id = $1 ORDER BY id",
        "SELECT (to_jsonb(n) - 'id' - 'application_id' - 'membership_id')::text FROM notices n \
         WHERE application_id = $1 ORDER BY id",
        "SELECT state FROM roster_entries r JOIN applications a ON a.id_number_bidx = r.id_number_bidx \
         WHERE a.id = $1",
    ];
    let mut rows = Vec::new();
    for sql in queries {
        let found: Vec<String> = sqlx::query_scalar(sql)
            .bind(application_id)
            .bind(membership_id)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert!(!found.is_empty(), "{sql}");
        rows.extend(found);
    }
    rows
}

#[tokio::test]
async fn a_one_statement_join_writes_the_rows_a_transaction_writes() {
    let Some(db) = TestDb::postgres().await else { return };
    let store = db.dyn_store();
    let (receiving, platform, make) = platform_join(&store).await;
    let hefei = store.org_by_join_code("3401").await.unwrap().unwrap();
    let import = NewRosterImport {
        org: hefei.id,
        source: "交通运输局".to_owned(),
        file_name: "roster.csv".to_owned(),
        actor: "operator".to_owned(),
    };
    let import = store.start_roster_import(&import, AT).await.unwrap();
    let entry = |id: &str| NewRosterEntry {
        name: Some("王晓明".to_owned()),
        id_number: sealed(id),
        mobile: None,
        occupation: Occupation::TruckDriver,
        region: "340104".parse().ok(),
        employer_name: None,
        employer_credit_code: None,
    };
    let added = store.add_roster_entries(import, &[entry("id-one"), entry("id-tx")], AT).await.unwrap();
    assert_eq!(added, [EntryOutcome::New(NotMember), EntryOutcome::New(NotMember)]);
    // One statement (a keyed join) and a transaction (the same join without a key).
    let one = store.submit_keyed(&make("id-one", "m-one"), AT, &request(platform, "k", "h"), &render).await;
    let KeyedSubmit::Submitted {
        outcome: SubmitOutcome::Approved { application_id, membership_id, .. }, ..
    } = one.unwrap()
    else {
        panic!("approved")
    };
    let SubmitOutcome::Approved { application_id: tx_application, membership_id: tx_membership, .. } =
        store.submit_application(&make("id-tx", "m-tx"), AT).await.unwrap()
    else {
        panic!("approved")
    };
    let one = rows_of(&db.url, application_id, membership_id).await;
    assert_eq!(one, rows_of(&db.url, tx_application, tx_membership).await);
    assert!(one.iter().any(|row| row.contains(&format!("\"home_org_id\": {receiving}"))), "{one:?}");
    assert_eq!(one.last().map(String::as_str), Some("member"));
    let events = store.membership_events(membership_id).await.unwrap();
    assert_eq!(events[0].reason.as_deref(), Some(format!("application {application_id}").as_str()));
    assert!(store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
}

#[tokio::test]
async fn the_join_is_one_statement_with_ids_taken_ahead() {
    let Some(db) = TestDb::postgres().await else { return };
    let store = db.dyn_store();
    let (_, platform, make) = platform_join(&store).await;
    let one = store.submit_keyed(&make("id-1", "m-1"), AT, &request(platform, "k-1", "h"), &render).await;
    let KeyedSubmit::Submitted {
        outcome: SubmitOutcome::Approved { application_id, membership_id, .. }, ..
    } = one.unwrap()
    else {
        panic!("approved")
    };
    // The ids came from a block taken ahead: a join in a transaction would have taken the
    // next value after the block.
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let last: (i64, i64) = sqlx::query_as(
        "SELECT pg_sequence_last_value(pg_get_serial_sequence('applications', 'id')::regclass), \
         pg_sequence_last_value(pg_get_serial_sequence('memberships', 'id')::regclass)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!((application_id, membership_id), (1, 1));
    assert_eq!(last, (64, 64));
}

#[tokio::test]
async fn ids_taken_ahead_are_never_handed_out_twice_across_a_restart() {
    let Some(db) = TestDb::postgres().await else { return };
    let first = db.dyn_store();
    let (_, platform, make) = platform_join(&first).await;
    let mut made = Vec::new();
    let join = |store: Arc<dyn Store>, n: usize| {
        let make = &make;
        async move {
            let key = format!("k-{n}");
            let new = make(&format!("id-{n}"), &format!("m-{n}"));
            match store.submit_keyed(&new, AT, &request(platform, &key, "h"), &render).await.unwrap() {
                KeyedSubmit::Submitted {
                    outcome: SubmitOutcome::Approved { application_id, membership_id, member_number },
                    ..
                } => (application_id, membership_id, member_number.as_str().to_owned()),
                other => panic!("approved, not {other:?}"),
            }
        }
    };
    made.push(join(first.clone(), 0).await);
    made.push(join(first.clone(), 1).await);
    // Another process (or this one after a restart) takes its own block.
    let second = Arc::new(SqlStore::connect(&db.url).await.unwrap());
    made.push(join(second.clone(), 2).await);
    // The first's block is still its own; an officer's approval takes the next free id.
    made.push(join(first.clone(), 3).await);
    let mut reviewed = make("id-r", "m-r");
    reviewed.decision = Decision::Review;
    let SubmitOutcome::Pending { application_id: later, .. } =
        first.submit_application(&reviewed, AT).await.unwrap()
    else {
        panic!("pending")
    };
    first.approve_application(later, "user:officer", AT).await.unwrap();
    second.close().await;
    let third = Arc::new(SqlStore::connect(&db.url).await.unwrap());
    made.push(join(third.clone(), 4).await);
    third.close().await;

    let memberships: BTreeSet<i64> = made.iter().map(|(_, m, _)| *m).collect();
    let numbers: BTreeSet<&str> = made.iter().map(|(.., n)| n.as_str()).collect();
    let applications: BTreeSet<i64> = made.iter().map(|(a, ..)| *a).collect();
    assert_eq!((memberships.len(), numbers.len(), applications.len()), (5, 5, 5), "{made:?}");
    assert_eq!(made.iter().map(|(_, m, _)| *m).collect::<Vec<_>>(), [1, 2, 65, 3, 130]);
    let officer = first.application(later).await.unwrap().unwrap().membership_id.unwrap();
    assert_eq!(officer, 129, "the officer's membership follows the blocks taken");
    assert!(first.verify_stats().await.unwrap().is_empty());
}
