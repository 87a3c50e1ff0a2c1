//! The review queue on both databases: queues by the reviewer's subtree, details,
//! approvals and rejections (also at once), and the escalation of overdue reviews.

use huiji_core::joining::Landing;
use huiji_core::{AutoApproval, Decision, LifecycleAction, MembershipStatus, Org, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{NewApplication, ReviewOutcome, both_databases};

use crate::fixtures::{AT, DAY, by_code, ids, member, pending, sealed, to_org, tree};

/// The start of a review queue's keyset.
const FIRST: (i64, i64) = (0, 0);

// ---------------------------------------------------------------------------------------
// The review queue
// ---------------------------------------------------------------------------------------

both_databases!(review_queues_follow_the_reviewers_subtree, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let fd = |name: &str, id: &str| {
        to_org(&t.feidong_trucks, name, id, Landing::Union(t.feidong_trucks.id), Decision::Review)
    };
    let a = pending(&store, &fd("王晓明", "id-a"), AT).await;
    // Same submission time as `a`: the id breaks the tie.
    let d = pending(&store, &fd("王小红", "id-d"), AT).await;
    let wuhu = to_org(&t.wuhu_trucks, "李四", "id-b", Landing::Union(t.wuhu_trucks.id), Decision::Review);
    let b = pending(&store, &wuhu, Timestamp(AT.0 + 1000)).await;
    let c = pending(&store, &fd("张三", "id-c"), Timestamp(AT.0 + 2000)).await;
    assert!(a < d);

    let queue = |within: Org| {
        let store = store.clone();
        async move { ids(&store.review_queue(&within.path, FIRST, 100).await.unwrap(), |q| q.application.id) }
    };
    assert_eq!(queue(t.feidong_trucks.clone()).await, [a, d, c]);
    assert_eq!(queue(t.feidong.clone()).await, [a, d, c]);
    assert_eq!(queue(t.hefei.clone()).await, [a, d, c]);
    assert_eq!(queue(t.wuhu.clone()).await, [b]);
    assert_eq!(queue(t.wuhu_trucks.clone()).await, [b]);
    assert_eq!(queue(t.root.clone()).await, [a, d, b, c], "oldest first across the province");
    assert_eq!(queue(t.hefei_trucks.clone()).await, Vec::<i64>::new(), "a sibling subtree sees nothing");
    assert_eq!(store.count_pending(&t.feidong.path).await.unwrap(), 3);
    assert_eq!(store.count_pending(&t.hefei.path).await.unwrap(), 3);
    assert_eq!(store.count_pending(&t.wuhu.path).await.unwrap(), 1);
    assert_eq!(store.count_pending(&t.root.path).await.unwrap(), 4);
    assert_eq!(store.count_pending(&t.hefei_trucks.path).await.unwrap(), 0);

    let items = store.review_queue(&t.feidong.path, FIRST, 100).await.unwrap();
    let first = &items[0];
    assert_eq!(first.application.name, "王晓明");
    assert_eq!(first.application.status.code(), "pending_review");
    assert_eq!(first.application.receiving_org_id, t.feidong_trucks.id.0);
    assert_eq!(first.application.landing_org_id, Some(t.feidong_trucks.id.0));
    assert_eq!(first.application.created_at, AT.0);
    assert_eq!(first.application.review_deadline, Some(AT.0 + 3 * DAY));
    assert_eq!(first.reviewer_org_id, Some(t.feidong_trucks.id.0));
    assert_eq!((first.escalated_at, first.holds_membership), (None, false));

    // Pages of one, each after the previous one's (created_at, id), add up to the queue.
    let mut after = FIRST;
    let mut paged = Vec::new();
    loop {
        let page = store.review_queue(&t.root.path, after, 1).await.unwrap();
        assert!(page.len() <= 1);
        let Some(item) = page.first() else { break };
        after = (item.application.created_at, item.application.id);
        paged.push(item.application.id);
    }
    assert_eq!(paged, [a, d, b, c]);
    let page = store.review_queue(&t.root.path, FIRST, 2).await.unwrap();
    assert_eq!(ids(&page, |q| q.application.id), [a, d]);
    let last = &page[1].application;
    let rest = store.review_queue(&t.root.path, (last.created_at, last.id), 10).await.unwrap();
    assert_eq!(ids(&rest, |q| q.application.id), [b, c]);
});

both_databases!(application_detail_returns_what_was_submitted, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let mut new =
        to_org(&t.feidong_trucks, "王小红", "id-x", Landing::Union(t.feidong_trucks.id), Decision::Review);
    new.sex = huiji_core::Sex::Female;
    new.occupation = huiji_core::Occupation::Courier;
    new.mobile_verified = false;
    new.employer_name = Some("合肥某物流有限公司".to_owned());
    new.employer_credit_code = Some("91340100MA2N0XXX1X".to_owned());
    let id = pending(&store, &new, AT).await;

    let detail = store.application_detail(id).await.unwrap().unwrap();
    assert_eq!(detail.item.application.id, id);
    assert_eq!(detail.item.application.name, "王小红");
    assert_eq!(detail.item.application.occupation.code(), "courier");
    assert_eq!(detail.item.application.channel.code(), "qr");
    assert_eq!(detail.item.reviewer_org_id, Some(t.feidong_trucks.id.0));
    assert_eq!(detail.reviewer_path, t.feidong_trucks.path.as_str());
    assert_eq!(detail.id_number_ct, b"ct:id-x".to_vec());
    assert_eq!(detail.id_number_bidx, "bidx:id-x");
    assert_eq!(detail.mobile_ct, b"ct:m-id-x".to_vec());
    assert_eq!(detail.sex.code(), "female");
    assert_eq!(detail.source.as_deref(), Some("340122T"));
    assert!(!detail.mobile_verified);
    assert_eq!(detail.employer_name.as_deref(), Some("合肥某物流有限公司"));
    assert_eq!(detail.employer_credit_code.as_deref(), Some("91340100MA2N0XXX1X"));
    assert_eq!(detail.decided_by, None);
    assert!(store.application_detail(id + 1000).await.unwrap().is_none());
});

both_databases!(approving_makes_a_member_once, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let new =
        to_org(&t.feidong_trucks, "王晓明", "id-a", Landing::Union(t.feidong_trucks.id), Decision::Review);
    let a = pending(&store, &new, AT).await;
    let other =
        to_org(&t.feidong_trucks, "李四", "id-o", Landing::Union(t.feidong_trucks.id), Decision::Review);
    let o = pending(&store, &other, AT).await;
    let decided = Timestamp(AT.0 + DAY);

    let outcome = store.approve_application(a, "user:zhang", decided).await.unwrap();
    let ReviewOutcome::Approved { member_number } = outcome else { panic!("expected approval: {outcome:?}") };
    assert!(member_number.as_str().starts_with("3425"), "{}", member_number.as_str());
    let membership = store.membership_by_number(member_number.as_str()).await.unwrap().unwrap();
    assert_eq!(membership.home_org_id, t.feidong_trucks.id.0);
    assert_eq!(membership.home_path, t.feidong_trucks.path.as_str());
    assert_eq!(Some(membership.status), Some(MembershipStatus::Active));
    assert_eq!((membership.name.as_str(), membership.in_pool), ("王晓明", false));
    assert_eq!(membership.joined_at, decided.0);

    let app = store.application(a).await.unwrap().unwrap();
    assert_eq!(app.status.code(), "approved");
    assert_eq!(app.membership_id, Some(membership.id));
    assert_eq!((app.decided_at, app.review_deadline), (Some(decided.0), None));
    let detail = store.application_detail(a).await.unwrap().unwrap();
    assert_eq!(detail.decided_by.as_deref(), Some("user:zhang"));

    let events = store.membership_events(membership.id).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind.code(), "joined");
    assert_eq!((events[0].from_org_id, events[0].to_org_id), (None, Some(t.feidong_trucks.id.0)));
    assert_eq!((events[0].actor.as_str(), events[0].at), ("user:zhang", decided.0));

    // Gone from the queue; the other application is still there.
    let queue = store.review_queue(&t.feidong.path, FIRST, 10).await.unwrap();
    assert_eq!(ids(&queue, |q| q.application.id), [o]);
    assert_eq!(store.count_pending(&t.feidong.path).await.unwrap(), 1);

    // Decided already: nothing more happens.
    assert_eq!(store.approve_application(a, "user:li", decided).await.unwrap(), ReviewOutcome::NotPending);
    assert_eq!(
        store.reject_application(a, "user:li", "重复", decided).await.unwrap(),
        ReviewOutcome::NotPending
    );
    assert_eq!(store.memberships_by_mobile("bidx:m-id-a").await.unwrap().len(), 1);
    assert_eq!(store.application(a).await.unwrap().unwrap().status.code(), "approved");
    assert_eq!(
        store.approve_application(999_999, "user:li", decided).await.unwrap(),
        ReviewOutcome::NotPending
    );
});

both_databases!(rejecting_records_the_reason, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let new =
        to_org(&t.feidong_trucks, "王晓明", "id-r", Landing::Union(t.feidong_trucks.id), Decision::Review);
    let r = pending(&store, &new, AT).await;
    let decided = Timestamp(AT.0 + DAY);
    assert_eq!(
        store.reject_application(r, "user:zhang", "身份证与本人不符", decided).await.unwrap(),
        ReviewOutcome::Rejected
    );
    let app = store.application(r).await.unwrap().unwrap();
    assert_eq!(app.status.code(), "rejected");
    assert_eq!(app.decision_reason.as_deref(), Some("身份证与本人不符"));
    assert_eq!((app.decided_at, app.membership_id, app.review_deadline), (Some(decided.0), None, None));
    assert_eq!(store.application_detail(r).await.unwrap().unwrap().decided_by.as_deref(), Some("user:zhang"));
    assert_eq!(store.count_pending(&t.root.path).await.unwrap(), 0);
    assert!(store.memberships_by_mobile("bidx:m-id-r").await.unwrap().is_empty());
    assert_eq!(store.approve_application(r, "user:li", decided).await.unwrap(), ReviewOutcome::NotPending);
    assert_eq!(
        store.reject_application(r, "user:li", "again", decided).await.unwrap(),
        ReviewOutcome::NotPending
    );
    assert_eq!(
        store.application(r).await.unwrap().unwrap().decision_reason.as_deref(),
        Some("身份证与本人不符")
    );

    // The person may apply again; the rejected application shows in their history, to
    // officers whose subtree reviews it.
    let again = pending(&store, &new, Timestamp(AT.0 + 2 * DAY)).await;
    let history = store.applications_of_person("bidx:id-r", again, &t.feidong.path).await.unwrap();
    assert_eq!(ids(&history, |q| q.application.id), [r]);
    assert!(
        store
            .applications_of_person("bidx:id-r", r, &t.root.path)
            .await
            .unwrap()
            .iter()
            .any(|q| q.application.id == again)
    );
    // Another county's officer sees none of it.
    let feixi = by_code(&store, "340123").await;
    assert!(store.applications_of_person("bidx:id-r", again, &feixi.path).await.unwrap().is_empty());
    assert!(store.applications_of_person("bidx:id-r", again, &t.wuhu.path).await.unwrap().is_empty());
});

/// An officer approves the review a person holding a membership under another mobile was
/// queued for: the store must answer `AlreadyMember` and leave it pending.
async fn approving_a_second_membership_is_refused_body(db: TestDb) {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let landing = Landing::Union(t.feidong_trucks.id);
    let first =
        member(&store, &to_org(&t.feidong_trucks, "王晓明", "id-h", landing, Decision::Approve), AT).await;
    let flagged = NewApplication {
        mobile: sealed("another-mobile"),
        ..to_org(&t.wuhu_trucks, "王晓明", "id-h", Landing::Union(t.wuhu_trucks.id), Decision::Approve)
    };
    let second = pending(&store, &flagged, AT).await;
    let queued = store.review_queue(&t.wuhu.path, FIRST, 10).await.unwrap();
    assert_eq!(ids(&queued, |q| q.application.id), [second]);
    assert!(queued[0].holds_membership);

    let outcome = store.approve_application(second, "user:zhang", Timestamp(AT.0 + DAY)).await;
    assert!(matches!(outcome, Ok(ReviewOutcome::AlreadyMember)), "{outcome:?}");
    assert_eq!(store.application(second).await.unwrap().unwrap().status.code(), "pending_review");
    assert_eq!(store.count_pending(&t.wuhu.path).await.unwrap(), 1);
    assert!(store.memberships_by_mobile("bidx:another-mobile").await.unwrap().is_empty());
    let held = store.membership(first.id).await.unwrap().unwrap();
    assert_eq!((held.status.code(), held.home_org_id), ("active", t.feidong_trucks.id.0));

    // Once the first membership has ended, the same approval goes through.
    assert!(
        store
            .apply_lifecycle(first.id, LifecycleAction::Withdraw, "user:zhang", "转会", Timestamp(AT.0 + DAY))
            .await
            .unwrap()
    );
    let outcome = store.approve_application(second, "user:zhang", Timestamp(AT.0 + 2 * DAY)).await.unwrap();
    assert!(matches!(outcome, ReviewOutcome::Approved { .. }), "{outcome:?}");
}

mod approving_a_second_membership_is_refused {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        approving_a_second_membership_is_refused_body(TestDb::sqlite().await).await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(db) = TestDb::postgres().await {
            approving_a_second_membership_is_refused_body(db).await;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Escalation
// ---------------------------------------------------------------------------------------

both_databases!(overdue_reviews_move_up_one_level_at_a_time, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    store.set_review_policy(t.feidong.id, AutoApproval::Off, 7).await.unwrap();
    let feidong = store.org(t.feidong.id).await.unwrap().unwrap();
    let hefei_days = i64::from(t.hefei.review_days);
    let landing = Landing::Union(t.feidong_trucks.id);

    let late =
        pending(&store, &to_org(&t.feidong_trucks, "王晓明", "id-late", landing, Decision::Review), AT).await;
    let fresh = NewApplication {
        review_deadline: Timestamp(AT.0 + 30 * DAY),
        ..to_org(&t.feidong_trucks, "王小红", "id-fresh", landing, Decision::Review)
    };
    let fresh = pending(&store, &fresh, AT).await;
    let at_root = NewApplication {
        source: None,
        ..to_org(&t.root, "李四", "id-root", Landing::Union(t.hefei_trucks.id), Decision::Review)
    };
    let at_root = pending(&store, &at_root, AT).await;
    let deadline = AT.0 + 3 * DAY;

    // Not yet overdue: at the deadline itself nothing moves.
    assert_eq!(store.escalate_overdue(Timestamp(deadline - 1)).await.unwrap(), 0);
    assert_eq!(store.escalate_overdue(Timestamp(deadline)).await.unwrap(), 0);

    let now = Timestamp(deadline + 1);
    assert_eq!(store.escalate_overdue(now).await.unwrap(), 1, "the root's own review has nowhere to go");
    let moved = store.application_detail(late).await.unwrap().unwrap();
    assert_eq!(moved.item.reviewer_org_id, Some(t.feidong.id.0));
    assert_eq!(moved.reviewer_path, t.feidong.path.as_str());
    assert_eq!(moved.item.escalated_at, Some(now.0));
    assert_eq!(moved.item.application.review_deadline, Some(now.0 + i64::from(feidong.review_days) * DAY));
    assert_eq!(moved.item.application.review_deadline, Some(now.0 + 7 * DAY));
    assert_eq!(moved.item.application.status.code(), "pending_review");
    assert_eq!(moved.item.application.receiving_org_id, t.feidong_trucks.id.0, "the receiver is kept");

    let queue = |within: Org| {
        let store = store.clone();
        async move { ids(&store.review_queue(&within.path, FIRST, 100).await.unwrap(), |q| q.application.id) }
    };
    assert_eq!(queue(t.feidong_trucks.clone()).await, [fresh]);
    assert_eq!(queue(t.feidong.clone()).await, [late, fresh]);
    assert_eq!(store.count_pending(&t.feidong_trucks.path).await.unwrap(), 1);
    let untouched = store.application_detail(fresh).await.unwrap().unwrap();
    assert_eq!(
        (untouched.item.reviewer_org_id, untouched.item.escalated_at),
        (Some(t.feidong_trucks.id.0), None)
    );

    // Before the new deadline nothing moves again.
    assert_eq!(store.escalate_overdue(Timestamp(now.0 + 7 * DAY)).await.unwrap(), 0);
    assert_eq!(
        store.application_detail(late).await.unwrap().unwrap().item.reviewer_org_id,
        Some(t.feidong.id.0)
    );

    // Then on to the city federation, by its own review period, and then to the province.
    let later = Timestamp(now.0 + 7 * DAY + 1);
    assert_eq!(store.escalate_overdue(later).await.unwrap(), 1);
    let moved = store.application_detail(late).await.unwrap().unwrap();
    assert_eq!(moved.item.reviewer_org_id, Some(t.hefei.id.0));
    assert_eq!(moved.item.escalated_at, Some(later.0));
    assert_eq!(moved.item.application.review_deadline, Some(later.0 + hefei_days * DAY));
    assert_eq!(queue(t.feidong.clone()).await, [fresh]);
    assert_eq!(queue(t.hefei.clone()).await, [late, fresh]);

    let latest = Timestamp(later.0 + hefei_days * DAY + 1);
    assert_eq!(store.escalate_overdue(latest).await.unwrap(), 1);
    assert_eq!(
        store.application_detail(late).await.unwrap().unwrap().item.reviewer_org_id,
        Some(t.root.id.0)
    );
    assert_eq!(queue(t.hefei.clone()).await, [fresh]);

    // At the root a review stays, however late.
    let much_later = Timestamp(latest.0 + 365 * DAY);
    let moved_now = store.escalate_overdue(much_later).await.unwrap();
    assert_eq!(moved_now, 1, "only `fresh` (deadline +30 days) moves, to 肥东县总工会");
    for id in [late, at_root] {
        let detail = store.application_detail(id).await.unwrap().unwrap();
        assert_eq!(detail.item.reviewer_org_id, Some(t.root.id.0));
        assert_eq!(detail.reviewer_path, t.root.path.as_str());
    }
    assert_eq!(store.application_detail(at_root).await.unwrap().unwrap().item.escalated_at, None);
    assert_eq!(
        store.application_detail(at_root).await.unwrap().unwrap().item.application.review_deadline,
        Some(deadline)
    );
    assert_eq!(store.escalate_overdue(Timestamp(much_later.0 + 365 * DAY)).await.unwrap(), 1, "fresh again");

    // Decided applications never move.
    store.approve_application(fresh, "user:zhang", much_later).await.unwrap();
    store.reject_application(late, "user:zhang", "逾期", much_later).await.unwrap();
    store.reject_application(at_root, "user:zhang", "逾期", much_later).await.unwrap();
    assert_eq!(store.escalate_overdue(Timestamp(much_later.0 + 1000 * DAY)).await.unwrap(), 0);
});

/// The longest review period an org may have (30 days) must escalate like any other.
async fn escalation_to_a_parent_with_thirty_review_days_body(db: TestDb) {
    let store = db.dyn_store();
    let t = tree(&store).await;
    store.set_review_policy(t.feidong.id, AutoApproval::Off, 30).await.unwrap();
    let landing = Landing::Union(t.feidong_trucks.id);
    let late =
        pending(&store, &to_org(&t.feidong_trucks, "王晓明", "id-30", landing, Decision::Review), AT).await;
    let now = Timestamp(AT.0 + 3 * DAY + 1);
    let moved = store.escalate_overdue(now).await;
    assert!(matches!(moved, Ok(1)), "{moved:?}");
    let detail = store.application_detail(late).await.unwrap().unwrap();
    assert_eq!(detail.item.reviewer_org_id, Some(t.feidong.id.0));
    assert_eq!(detail.item.application.review_deadline, Some(now.0 + 30 * DAY));
}

mod escalation_to_a_parent_with_thirty_review_days {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        escalation_to_a_parent_with_thirty_review_days_body(TestDb::sqlite().await).await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(db) = TestDb::postgres().await {
            escalation_to_a_parent_with_thirty_review_days_body(db).await;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Concurrent decisions
// ---------------------------------------------------------------------------------------

/// Two officers deciding one application at once: exactly one decision, and it is what is stored.
async fn an_approval_and_a_rejection_at_once_agree_with_the_result_body(db: TestDb) {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let landing = Landing::Union(t.feidong_trucks.id);
    let mut apps = Vec::new();
    for i in 0..30 {
        let new = to_org(&t.feidong_trucks, "王晓明", &format!("id-r{i}"), landing, Decision::Review);
        apps.push((i, pending(&store, &new, AT).await));
    }
    let mut tasks = Vec::new();
    for &(i, id) in &apps {
        let approver = store.clone();
        let rejecter = store.clone();
        tasks.push((
            i,
            id,
            tokio::spawn(async move { approver.approve_application(id, "user:a", AT).await.unwrap() }),
            tokio::spawn(async move { rejecter.reject_application(id, "user:r", "不符", AT).await.unwrap() }),
        ));
    }
    for (i, id, approve, reject) in tasks {
        let (approve, reject) = (approve.await.unwrap(), reject.await.unwrap());
        let app = store.application(id).await.unwrap().unwrap();
        match (&approve, &reject) {
            (ReviewOutcome::Approved { .. }, ReviewOutcome::NotPending) => {
                assert_eq!(app.status.code(), "approved", "{id}: {app:?}");
                assert!(app.membership_id.is_some() && app.decision_reason.is_none(), "{id}: {app:?}");
            }
            (ReviewOutcome::NotPending, ReviewOutcome::Rejected) => {
                assert_eq!(app.status.code(), "rejected", "{id}: {app:?}");
                assert_eq!(app.membership_id, None, "{id}: {app:?}");
                let held = store.memberships_by_mobile(&format!("bidx:m-id-r{i}")).await.unwrap();
                assert!(held.is_empty());
            }
            other => panic!("application {id}: both or neither decided: {other:?}, stored {app:?}"),
        }
    }
}

mod an_approval_and_a_rejection_at_once_agree_with_the_result {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        an_approval_and_a_rejection_at_once_agree_with_the_result_body(TestDb::sqlite().await).await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(db) = TestDb::postgres().await {
            an_approval_and_a_rejection_at_once_agree_with_the_result_body(db).await;
        }
    }
}
