//! An instant approval in few database calls (issue 14 item 3, `joining::instant`) writes
//! what an officer's approval writes, on both databases: the membership and its number,
//! the decision, the `joined` event, the platform's webhook, the welcome notice, the
//! rollups (equal to a recount) and, with a key, its answer — and a key met again keeps
//! nothing of the attempt.

use std::sync::Arc;

use huiji_core::joining::Landing;
use huiji_core::notice::NoticeKind;
use huiji_core::webhook::WebhookKind;
use huiji_core::{Decision, EventKind, OrgId, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{
    Idempotency, KeyedRequest, KeyedSubmit, NoticeAbout, ReviewOutcome, Store, SubmitOutcome, both_databases,
};
use sqlx::Connection;

use crate::fixtures::{AT, application, seeded};

fn render(outcome: &SubmitOutcome) -> Option<(u16, String)> {
    match outcome {
        SubmitOutcome::Pending { existing: true, .. } => None,
        other => Some((201, format!("{other:?}"))),
    }
}

fn request<'a>(platform_id: i64, key: &'a str, hash: &'a str) -> KeyedRequest<'a> {
    KeyedRequest { platform_id, key, request_hash: hash, now: AT, expires_at: Timestamp(AT.0 + 86_400_000) }
}

/// What a join wrote about membership `membership_id` of application `application_id`,
/// apart from who decided: (number, event kinds with their unions and reasons, the
/// webhook's kind, status and number, the welcome notices' unions).
async fn written(
    store: &Arc<dyn Store>,
    application_id: i64,
    membership_id: i64,
) -> (
    Option<String>,
    Vec<(EventKind, Option<i64>, Option<i64>, Option<String>, i64)>,
    Vec<(WebhookKind, Option<String>, Option<String>)>,
    Vec<(NoticeKind, Option<i64>, i64)>,
) {
    let membership = store.membership(membership_id).await.unwrap().unwrap();
    let events = store
        .membership_events(membership_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.from_org_id, e.to_org_id, e.reason, e.at))
        .collect();
    let webhooks = store
        .webhook_events(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|w| w.application_id == Some(application_id))
        .map(|w| (w.kind, w.status, w.member_number))
        .collect();
    let about = NoticeAbout { application: Some(application_id), ..NoticeAbout::default() };
    let notices = store
        .notices_about(about)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.kind, n.membership_id, n.org_id))
        .collect();
    (membership.member_number, events, webhooks, notices)
}

/// An application's columns a decision sets or leaves, as text, read past the store:
/// status, reviewer union and path, deadline, decision time and reason, escalation,
/// whether it has a membership, and the landing.
async fn decision_columns(db: &TestDb, application_id: i64) -> Vec<String> {
    const SQL: &str = "SELECT status, COALESCE(CAST(reviewer_org_id AS TEXT), '-'), COALESCE(reviewer_path, '-'), \
        COALESCE(CAST(review_deadline AS TEXT), '-'), COALESCE(CAST(decided_at AS TEXT), '-'), \
        COALESCE(decision_reason, '-'), COALESCE(CAST(escalated_at AS TEXT), '-'), \
        CASE WHEN membership_id IS NULL THEN 'none' ELSE 'some' END, COALESCE(CAST(landing_org_id AS TEXT), '-'), \
        CASE WHEN holds_membership THEN 'held' ELSE 'new' END FROM applications WHERE id = $1";
    let row: (String, String, String, String, String, String, String, String, String, String) =
        if db.url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            sqlx::query_as(SQL).bind(application_id).fetch_one(&mut conn).await.unwrap()
        } else {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::query_as(SQL).bind(application_id).fetch_one(&mut conn).await.unwrap()
        };
    vec![row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9]
}

both_databases!(an_instant_join_writes_what_an_officers_approval_writes, |db: TestDb| async move {
    let store = db.dyn_store();
    let (receiving, _) = seeded(&store).await;
    let platform = store.ensure_platform("huolala", AT).await.unwrap().id;
    store.set_webhook(platform, Some("https://example.invalid/hook"), Some(b"secret")).await.unwrap();
    let union = Landing::Union(OrgId(receiving));
    let mut instant = application("id-i", "m-i", receiving, union, Decision::Approve);
    instant.platform_id = Some(platform);
    let mut reviewed = application("id-r", "m-r", receiving, union, Decision::Review);
    reviewed.platform_id = Some(platform);

    let first = store.submit_keyed(&instant, AT, &request(platform, "k-i", "h"), &render).await.unwrap();
    let KeyedSubmit::Submitted {
        outcome: SubmitOutcome::Approved { application_id, membership_id, member_number },
        answer: Some((201, body)),
    } = first
    else {
        panic!("expected an approval with its answer, got {first:?}")
    };
    let SubmitOutcome::Pending { application_id: later, existing: false } =
        store.submit_application(&reviewed, AT).await.unwrap()
    else {
        panic!("expected a pending application")
    };
    let ReviewOutcome::Approved { member_number: later_number } =
        store.approve_application(later, "user:officer", AT).await.unwrap()
    else {
        panic!("expected the officer's approval")
    };
    let later_membership = store.application(later).await.unwrap().unwrap().membership_id.unwrap();

    let (number, events, webhooks, notices) = written(&store, application_id, membership_id).await;
    assert_eq!(number.as_deref(), Some(member_number.as_str()));
    assert_eq!(
        events,
        [(EventKind::Joined, None, Some(receiving), Some(format!("application {application_id}")), AT.0)]
    );
    assert_eq!(
        webhooks,
        [(
            WebhookKind::ApplicationDecided,
            Some("approved".to_owned()),
            Some(member_number.as_str().to_owned())
        )]
    );
    assert_eq!(notices, [(NoticeKind::Welcome, Some(membership_id), receiving)]);
    // The officer's approval, through the statements one by one, wrote the same.
    let (number, events, webhooks, notices) = written(&store, later, later_membership).await;
    assert_eq!(number.as_deref(), Some(later_number.as_str()));
    assert_eq!(
        events,
        [(EventKind::Joined, None, Some(receiving), Some(format!("application {later}")), AT.0)]
    );
    assert_eq!(
        webhooks,
        [(
            WebhookKind::ApplicationDecided,
            Some("approved".to_owned()),
            Some(later_number.as_str().to_owned())
        )]
    );
    assert_eq!(notices, [(NoticeKind::Welcome, Some(later_membership), receiving)]);

    let app = store.application(application_id).await.unwrap().unwrap();
    assert_eq!(
        (app.status.code(), app.membership_id, app.decided_at),
        ("approved", Some(membership_id), Some(AT.0))
    );
    assert_eq!(app.review_deadline, None);
    let events = store.membership_events(membership_id).await.unwrap();
    assert_eq!(events[0].actor, "instant");
    // The application rows themselves: the instant one is inserted already decided on
    // SQLite (`instant::insert_decided_application_if_new`), yet stores what the officer's
    // approval leaves, but for who decided.
    let (instant_row, officer_row) =
        (decision_columns(&db, application_id).await, decision_columns(&db, later).await);
    assert_eq!(instant_row, officer_row);
    assert_eq!(instant_row[0], "approved");
    assert!(store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
    // The answer was stored with the join.
    let retry = store.submit_keyed(&instant, AT, &request(platform, "k-i", "h"), &render).await.unwrap();
    assert_eq!(retry, KeyedSubmit::Earlier(Idempotency::Replay { status: 201, body }));
});

both_databases!(an_instant_join_meeting_its_key_keeps_nothing, |db: TestDb| async move {
    let store = db.dyn_store();
    let (receiving, _) = seeded(&store).await;
    let platform = store.ensure_platform("huolala", AT).await.unwrap().id;
    let union = Landing::Union(OrgId(receiving));
    let mut first = application("id-1", "m-1", receiving, union, Decision::Approve);
    first.platform_id = Some(platform);
    let mut second = application("id-2", "m-2", receiving, union, Decision::Approve);
    second.platform_id = Some(platform);
    let made = store.submit_keyed(&first, AT, &request(platform, "k", "h1"), &render).await.unwrap();
    assert!(matches!(made, KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, .. }));
    // Another person under the same key: the join runs to its last call, meets the key
    // there and is rolled back whole — no member, no application, no counts.
    let again = store.submit_keyed(&second, AT, &request(platform, "k", "h2"), &render).await.unwrap();
    assert_eq!(again, KeyedSubmit::Earlier(Idempotency::Mismatch));
    assert!(store.memberships_by_mobile("bidx:m-2").await.unwrap().is_empty());
    assert!(store.applications_by_mobile("bidx:m-2").await.unwrap().is_empty());
    assert!(store.verify_stats().await.unwrap().is_empty());
    // An unkeyed instant join (the H5 form) stores no key at all.
    let mut h5 = application("id-3", "m-3", receiving, union, Decision::Approve);
    h5.platform_id = None;
    assert!(matches!(store.submit_application(&h5, AT).await.unwrap(), SubmitOutcome::Approved { .. }));
    assert!(store.verify_stats().await.unwrap().is_empty());
});

both_databases!(an_instant_join_probes_in_its_insert_call, |db: TestDb| async move {
    // `instant::probe_and_insert`: the held/open probe and the insert are one call, so
    // each of the probe's answers must still come out as before and write nothing else.
    let store = db.dyn_store();
    let (receiving, _) = seeded(&store).await;
    let platform = store.ensure_platform("huolala", AT).await.unwrap().id;
    let union = Landing::Union(OrgId(receiving));
    let approve = |id: &str, mobile: &str| {
        let mut app = application(id, mobile, receiving, union, Decision::Approve);
        app.platform_id = Some(platform);
        app
    };
    // Nothing there: inserted and approved.
    let SubmitOutcome::Approved { membership_id, .. } =
        store.submit_application(&approve("id-n", "m-n"), AT).await.unwrap()
    else {
        panic!("a new person is approved")
    };
    // A member with the membership's own proven mobile is told, and nothing is written.
    assert_eq!(
        store.submit_application(&approve("id-n", "m-n"), AT).await.unwrap(),
        SubmitOutcome::AlreadyMember
    );
    assert_eq!(store.applications_by_mobile("bidx:m-n").await.unwrap().len(), 1);
    // The same ID with another mobile is reviewed, not approved and not told.
    let SubmitOutcome::Pending { application_id: held, existing: false } =
        store.submit_application(&approve("id-n", "m-other"), AT).await.unwrap()
    else {
        panic!("a held membership with another mobile is reviewed")
    };
    let record = store.application(held).await.unwrap().unwrap();
    assert_eq!((record.status.code(), record.membership_id), ("pending_review", None));
    // An open application of the same platform is found again, whatever the decision now.
    let mut waiting = approve("id-w", "m-w");
    waiting.decision = Decision::Review;
    let SubmitOutcome::Pending { application_id: open, existing: false } =
        store.submit_application(&waiting, AT).await.unwrap()
    else {
        panic!("a reviewed application waits")
    };
    assert_eq!(
        store.submit_application(&approve("id-w", "m-w"), AT).await.unwrap(),
        SubmitOutcome::Pending { application_id: open, existing: true }
    );
    assert_eq!(store.applications_by_mobile("bidx:m-w").await.unwrap().len(), 1);
    assert!(store.memberships_by_mobile("bidx:m-w").await.unwrap().is_empty());
    assert_eq!(store.memberships_by_mobile("bidx:m-n").await.unwrap()[0].id, membership_id);
    assert!(store.verify_stats().await.unwrap().is_empty(), "the rollups equal a recount");
});

both_databases!(an_instant_join_to_a_missing_union_writes_nothing, |db: TestDb| async move {
    let store = db.dyn_store();
    let (receiving, _) = seeded(&store).await;
    let gone = application("id-g", "m-g", receiving, Landing::Union(OrgId(987_654)), Decision::Approve);
    assert!(store.submit_application(&gone, AT).await.is_err());
    assert!(store.applications_by_mobile("bidx:m-g").await.unwrap().is_empty());
    assert!(store.verify_stats().await.unwrap().is_empty());
});
