//! Decision notices and unions' contact details on both databases: a decision's notice
//! is written by its own transaction (and not by a decision that did not happen), a claim
//! is exclusive while its lease lasts, a sent notice is settled once; contact details
//! answer for the unions below.

use huiji_core::joining::Landing;
use huiji_core::notice::{NoticeDelivery, NoticeKind};
use huiji_core::org::UnionContact;
use huiji_core::{Decision, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{ContactOf, NoticeAbout, NoticeAttempt, ReviewOutcome, both_databases};

use crate::fixtures::{AT, pending, to_org, tree};

both_databases!(decisions_queue_notices_that_are_claimed_and_settled_once, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let new = |name: &str, id: &str| {
        to_org(&t.feidong_trucks, name, id, Landing::Union(t.feidong_trucks.id), Decision::Review)
    };
    let rejected = pending(&store, &new("王晓明", "id-a"), AT).await;
    let approved = pending(&store, &new("李四", "id-b"), AT).await;
    let about = |id: i64| NoticeAbout { application: Some(id), ..NoticeAbout::default() };
    assert!(store.notices_about(about(rejected)).await.unwrap().is_empty(), "nothing while pending");

    let at = Timestamp(AT.0 + 1000);
    assert_eq!(
        store.reject_application(rejected, "user:fd", "资料不全", at).await.unwrap(),
        ReviewOutcome::Rejected
    );
    // A second decision of the same application does not happen, and queues nothing.
    assert_eq!(
        store.reject_application(rejected, "user:fd", "again", at).await.unwrap(),
        ReviewOutcome::NotPending
    );
    assert!(matches!(
        store.approve_application(approved, "user:fd", at).await.unwrap(),
        ReviewOutcome::Approved { .. }
    ));
    let notices = store.notices_about(about(rejected)).await.unwrap();
    assert_eq!(notices.len(), 1);
    let notice = &notices[0];
    assert_eq!(
        (notice.kind, notice.delivery, notice.attempts),
        (NoticeKind::Rejected, NoticeDelivery::Pending, 0)
    );
    assert_eq!(
        (notice.org_id, notice.org_name.as_str()),
        (t.feidong_trucks.id.0, t.feidong_trucks.name.as_str())
    );
    assert_eq!(notice.decision_reason.as_deref(), Some("资料不全"));
    assert!(notice.mobile_ct.is_some() && notice.member_number.is_none());
    let welcome = store.notices_about(about(approved)).await.unwrap().remove(0);
    assert_eq!(welcome.kind, NoticeKind::Welcome);
    assert!(welcome.member_number.is_some() && welcome.membership_id.is_some());

    // One claim takes both; a second claim within the lease takes nothing.
    let lease = Timestamp(at.0 + 60_000);
    let claimed = store.claim_notices(at, lease, 10, None).await.unwrap();
    assert_eq!(claimed.iter().map(|n| n.id).collect::<Vec<_>>(), [notice.id, welcome.id]);
    assert!(claimed.iter().all(|n| n.attempts == 1));
    assert!(store.claim_notices(at, lease, 10, None).await.unwrap().is_empty());
    // A failed attempt waits for its retry; then only this decision's is claimed.
    let retry = NoticeAttempt::RetryAt(Timestamp(at.0 + 30_000), "gateway answered 503".to_owned());
    assert!(store.settle_notice(notice.id, &retry, at).await.unwrap());
    assert!(store.claim_notices(at, lease, 10, Some(about(rejected))).await.unwrap().is_empty());
    let later = Timestamp(at.0 + 30_000);
    let claimed =
        store.claim_notices(later, Timestamp(later.0 + 60_000), 10, Some(about(rejected))).await.unwrap();
    assert_eq!((claimed.len(), claimed[0].attempts), (1, 2));
    // Sent once: a second settlement changes nothing, and it is never claimed again.
    assert!(store.settle_notice(notice.id, &NoticeAttempt::Sent("text".to_owned()), later).await.unwrap());
    assert!(!store.settle_notice(notice.id, &NoticeAttempt::Sent("again".to_owned()), later).await.unwrap());
    let done = store.notices_about(about(rejected)).await.unwrap().remove(0);
    assert_eq!((done.delivery, done.body.as_deref()), (NoticeDelivery::Sent, Some("text")));
    let far = Timestamp(later.0 + 86_400_000);
    let left = store.claim_notices(far, Timestamp(far.0 + 60_000), 10, None).await.unwrap();
    assert_eq!(left.iter().map(|n| n.id).collect::<Vec<_>>(), [welcome.id], "the welcome's lease ran out");
    assert!(
        store.settle_notice(welcome.id, &NoticeAttempt::GiveUp("no mobile".to_owned()), far).await.unwrap()
    );
    assert_eq!(store.notices_about(about(approved)).await.unwrap()[0].delivery, NoticeDelivery::Failed);
});

both_databases!(a_claim_takes_no_more_notices_than_its_limit, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let at = Timestamp(AT.0 + 1000);
    for n in 0..30 {
        let new = to_org(
            &t.feidong_trucks,
            "王晓明",
            &format!("id-{n}"),
            Landing::Union(t.feidong_trucks.id),
            Decision::Review,
        );
        let id = pending(&store, &new, AT).await;
        assert_eq!(
            store.reject_application(id, "user:fd", "资料不全", at).await.unwrap(),
            ReviewOutcome::Rejected
        );
    }
    // However the planner runs the claim (PostgreSQL may rescan an `IN` subquery that locks
    // with SKIP LOCKED, leasing every due row), one claim leases its limit and no more.
    let lease = Timestamp(at.0 + 60_000);
    let first = store.claim_notices(at, lease, 12, None).await.unwrap();
    assert_eq!(first.len(), 12);
    let rest = store.claim_notices(at, lease, 100, None).await.unwrap();
    assert_eq!(rest.len(), 18);
    assert!(first.iter().all(|n| rest.iter().all(|r| r.id != n.id)), "no notice is claimed twice");
});

both_databases!(contact_details_answer_for_the_unions_below, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    assert_eq!(store.contact_for(&t.feidong_trucks.path).await.unwrap(), None);
    let county = UnionContact::parse("肥东县店埠镇", "0551-67654321", "张敏").unwrap();
    store.set_org_contact(t.feidong.id, &county, "user:fd", AT).await.unwrap();
    let city = UnionContact::parse("", "0551-62345678", "").unwrap();
    store.set_org_contact(t.hefei.id, &city, "user:hf", AT).await.unwrap();
    assert_eq!(store.org_contact(t.feidong.id).await.unwrap(), county);
    assert_eq!(store.org_contact(t.feidong_trucks.id).await.unwrap(), UnionContact::default());
    let found = store.contact_for(&t.feidong_trucks.path).await.unwrap().unwrap();
    assert_eq!((found.org_id, found.contact), (t.feidong.id.0, county.clone()), "the nearest union above");
    assert_eq!(store.contact_for(&t.hefei_trucks.path).await.unwrap().unwrap().contact, city);
    assert_eq!(store.contact_for(&t.wuhu_trucks.path).await.unwrap(), None, "another city's are not theirs");
    // Replaced, and emptied: an empty row answers for nobody.
    store.set_org_contact(t.feidong.id, &UnionContact::default(), "user:fd", AT).await.unwrap();
    assert_eq!(store.contact_for(&t.feidong_trucks.path).await.unwrap().unwrap().contact, city);
});

both_databases!(the_contacts_of_many_unions_are_read_together, |db: TestDb| async move {
    // `contacts_for` (a round of welcome SMS): each path answered as `contact_for` answers
    // it, in the order asked, a path asked twice answered twice, and none asked, none read.
    let store = db.dyn_store();
    let t = tree(&store).await;
    assert_eq!(store.contacts_for(&[]).await.unwrap(), Vec::<Option<ContactOf>>::new());
    let county = UnionContact::parse("肥东县店埠镇", "0551-67654321", "张敏").unwrap();
    store.set_org_contact(t.feidong.id, &county, "user:fd", AT).await.unwrap();
    let city = UnionContact::parse("", "0551-62345678", "").unwrap();
    store.set_org_contact(t.hefei.id, &city, "user:hf", AT).await.unwrap();
    let paths = [
        t.wuhu_trucks.path.clone(),
        t.feidong_trucks.path.clone(),
        t.hefei_trucks.path.clone(),
        t.feidong.path.clone(),
        t.feidong_trucks.path.clone(),
    ];
    let found = store.contacts_for(&paths).await.unwrap();
    assert_eq!(found.len(), paths.len());
    for (path, got) in paths.iter().zip(&found) {
        assert_eq!(got, &store.contact_for(path).await.unwrap(), "{path:?}");
    }
    let contact = |n: usize| found[n].as_ref().map(|c| (c.org_id, c.contact.clone()));
    assert_eq!(contact(0), None, "another city's are not theirs");
    assert_eq!(contact(1), Some((t.feidong.id.0, county.clone())), "the nearest union above");
    assert_eq!(contact(2), Some((t.hefei.id.0, city.clone())));
    assert_eq!(contact(3), Some((t.feidong.id.0, county.clone())), "a union's own");
    assert_eq!(contact(4), contact(1));
});

both_databases!(a_round_of_notices_is_settled_in_one_call, |db: TestDb| async move {
    // `settle_notices`: the delivery job's round settled together, each notice as
    // `settle_notice` would, and one settled meanwhile answered `false`.
    let store = db.dyn_store();
    let t = tree(&store).await;
    let at = Timestamp(AT.0 + 1000);
    let mut ids = Vec::new();
    for n in 0..3 {
        let new = to_org(
            &t.feidong_trucks,
            "王晓明",
            &format!("id-{n}"),
            Landing::Union(t.feidong_trucks.id),
            Decision::Review,
        );
        let id = pending(&store, &new, AT).await;
        assert_eq!(
            store.reject_application(id, "user:fd", "资料不全", at).await.unwrap(),
            ReviewOutcome::Rejected
        );
        ids.push(id);
    }
    let claimed = store.claim_notices(at, Timestamp(at.0 + 60_000), 10, None).await.unwrap();
    assert_eq!(claimed.len(), 3);
    let (a, b, c) = (claimed[0].id, claimed[1].id, claimed[2].id);
    assert!(store.settle_notice(c, &NoticeAttempt::Sent("first".to_owned()), at).await.unwrap());
    let retry_at = Timestamp(at.0 + 30_000);
    let round = [
        (a, NoticeAttempt::Sent("sent".to_owned())),
        (b, NoticeAttempt::RetryAt(retry_at, "gateway answered 503".to_owned())),
        (c, NoticeAttempt::Sent("again".to_owned())),
    ];
    assert_eq!(store.settle_notices(&round, at).await.unwrap(), [true, true, false]);
    assert!(store.settle_notices(&[], at).await.unwrap().is_empty());
    let about = |id: i64| NoticeAbout { application: Some(id), ..NoticeAbout::default() };
    let state = |n: &huiji_store::NoticeRecord| (n.delivery, n.body.clone());
    let first = store.notices_about(about(ids[0])).await.unwrap().remove(0);
    assert_eq!(state(&first), (NoticeDelivery::Sent, Some("sent".to_owned())));
    let third = store.notices_about(about(ids[2])).await.unwrap().remove(0);
    assert_eq!(state(&third), (NoticeDelivery::Sent, Some("first".to_owned())), "settled once");
    // The retried one is due again at its time, not before.
    assert!(store.claim_notices(at, Timestamp(at.0 + 60_000), 10, None).await.unwrap().is_empty());
    let again = store.claim_notices(retry_at, Timestamp(retry_at.0 + 60_000), 10, None).await.unwrap();
    assert_eq!(again.iter().map(|n| n.id).collect::<Vec<_>>(), [b]);
    // Given up: failed, kept pending no more, never claimed again.
    let gave_up = [(b, NoticeAttempt::GiveUp("number not reachable".to_owned()))];
    assert_eq!(store.settle_notices(&gave_up, retry_at).await.unwrap(), [true]);
    let second = store.notices_about(about(ids[1])).await.unwrap().remove(0);
    assert_eq!(state(&second), (NoticeDelivery::Failed, None));
    let later = Timestamp(retry_at.0 + 3_600_000);
    assert!(store.claim_notices(later, Timestamp(later.0 + 60_000), 10, None).await.unwrap().is_empty());
});
