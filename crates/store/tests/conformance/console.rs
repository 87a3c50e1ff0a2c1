//! The officer console on both databases: accounts and sessions, the review queue and its
//! escalation, member search, lifecycle changes, distribution and renaming.

use std::sync::Arc;

use huiji_core::joining::Landing;
use huiji_core::org::Level;
use huiji_core::{
    AutoApproval, Decision, LifecycleAction, MembershipStatus, Org, OrgId, OrgKind, Role, Timestamp,
};
use huiji_store::testing::TestDb;
use huiji_store::{
    MemberQuery, MembershipRecord, NewApplication, NewOrg, NewUser, OrgFilter, ReviewOutcome, Store,
    StoreError, SubmitOutcome, both_databases,
};

use crate::fixtures::{AT, application, sealed, seeded};

pub(crate) const DAY: i64 = 86_400_000;
/// The start of a review queue's keyset.
const FIRST: (i64, i64) = (0, 0);

/// The orgs of the Anhui tree these tests use, checked against the brief's description.
pub(crate) struct Tree {
    /// 安徽省总工会, the root.
    pub(crate) root: Org,
    /// 合肥市总工会 ("3401"), with the city's turnover pool.
    pub(crate) hefei: Org,
    /// 肥东县总工会 ("340122").
    pub(crate) feidong: Org,
    /// 肥东县货车司机工会联合会 ("340122T").
    pub(crate) feidong_trucks: Org,
    /// 合肥市货车司机工会联合会 ("3401T").
    pub(crate) hefei_trucks: Org,
    /// 芜湖市总工会 ("3402").
    pub(crate) wuhu: Org,
    /// 芜湖's truckers' federation ("3402T").
    pub(crate) wuhu_trucks: Org,
}

pub(crate) async fn by_code(store: &Arc<dyn Store>, code: &str) -> Org {
    store.org_by_join_code(code).await.unwrap().unwrap_or_else(|| panic!("no org with join code {code}"))
}

pub(crate) async fn tree(store: &Arc<dyn Store>) -> Tree {
    seeded(store).await;
    let tree = Tree {
        root: store
            .orgs(&OrgFilter::default())
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.parent.is_none())
            .unwrap(),
        hefei: by_code(store, "3401").await,
        feidong: by_code(store, "340122").await,
        feidong_trucks: by_code(store, "340122T").await,
        hefei_trucks: by_code(store, "3401T").await,
        wuhu: by_code(store, "3402").await,
        wuhu_trucks: by_code(store, "3402T").await,
    };
    assert_eq!(tree.root.name, "安徽省总工会");
    assert_eq!(tree.hefei.name, "合肥市总工会");
    assert_eq!(tree.feidong.name, "肥东县总工会");
    assert_eq!(tree.feidong_trucks.name, "肥东县货车司机工会联合会");
    assert_eq!(tree.hefei_trucks.name, "合肥市货车司机工会联合会");
    assert_eq!(tree.wuhu.name, "芜湖市总工会");
    assert_eq!(tree.feidong_trucks.parent, Some(tree.feidong.id));
    assert_eq!(tree.feidong.parent, Some(tree.hefei.id));
    assert_eq!(tree.hefei.parent, Some(tree.root.id));
    assert!(tree.wuhu.path.contains(&tree.wuhu_trucks.path));
    assert!(!tree.hefei.path.contains(&tree.wuhu_trucks.path));
    tree
}

/// An application to a receiving org, under its join code.
pub(crate) fn to_org(
    org: &Org,
    name: &str,
    id: &str,
    landing: Landing,
    decision: Decision,
) -> NewApplication {
    NewApplication {
        source: org.join_code.clone(),
        name: name.to_owned(),
        ..application(id, &format!("m-{id}"), org.id.0, landing, decision)
    }
}

async fn pending(store: &Arc<dyn Store>, new: &NewApplication, at: Timestamp) -> i64 {
    match store.submit_application(new, at).await.unwrap() {
        SubmitOutcome::Pending { application_id, existing: false } => application_id,
        other => panic!("expected a new pending application, got {other:?}"),
    }
}

pub(crate) async fn member(store: &Arc<dyn Store>, new: &NewApplication, at: Timestamp) -> MembershipRecord {
    match store.submit_application(new, at).await.unwrap() {
        SubmitOutcome::Approved { membership_id, .. } => {
            store.membership(membership_id).await.unwrap().unwrap()
        }
        other => panic!("expected an approval, got {other:?}"),
    }
}

pub(crate) fn ids<T>(items: &[T], id: impl Fn(&T) -> i64) -> Vec<i64> {
    items.iter().map(id).collect()
}

// ---------------------------------------------------------------------------------------
// Accounts and sessions
// ---------------------------------------------------------------------------------------

pub(crate) async fn one_org(store: &Arc<dyn Store>) -> OrgId {
    let org = NewOrg {
        parent: None,
        kind: OrgKind::Federation(Level::Province),
        name: "安徽省总工会".to_owned(),
        region: "34".parse().unwrap(),
        occupations: Vec::new(),
        turnover_pool: false,
        join_code: None,
        credit_code: None,
        auto_approval: AutoApproval::Off,
        review_days: 3,
    };
    store.create_org(&org, AT).await.unwrap().id
}

pub(crate) fn user(username: &str, org: OrgId, role: Role) -> NewUser {
    NewUser {
        username: username.to_owned(),
        org,
        role,
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt${username}"),
        can_reveal: false,
    }
}

both_databases!(accounts_round_trip_and_are_listed_by_username, |db: TestDb| async move {
    let store = db.dyn_store();
    let org = one_org(&store).await;
    let zhang = store.create_user(&user("zhang", org, Role::Admin), AT).await.unwrap();
    let li = store.create_user(&user("li", org, Role::Reviewer), AT).await.unwrap();
    let an = store.create_user(&user("an", org, Role::Viewer), AT).await.unwrap();
    assert!(zhang != li && li != an && zhang != an);

    let record = store.user_by_username("zhang").await.unwrap().unwrap();
    assert_eq!(record.id, zhang);
    assert_eq!(record.username, "zhang");
    assert_eq!(record.org_id, org.0);
    assert_eq!((record.role.as_str(), record.role()), ("admin", Role::Admin));
    assert_eq!(record.password_hash, user("zhang", org, Role::Admin).password_hash);
    assert!(!record.disabled);
    assert_eq!((record.failed_logins, record.locked_until), (0, None));
    assert_eq!(record.created_at, AT.0);
    assert_eq!(store.user_by_username("li").await.unwrap().unwrap().role(), Role::Reviewer);
    assert_eq!(store.user_by_username("an").await.unwrap().unwrap().role(), Role::Viewer);
    assert_eq!(store.user_by_username("nobody").await.unwrap(), None);
    assert_eq!(store.user_by_username("ZHANG").await.unwrap(), None, "usernames match exactly");

    let users = store.users().await.unwrap();
    assert_eq!(users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["an", "li", "zhang"]);
    assert_eq!(ids(&users, |u| u.id), [an, li, zhang]);
});

/// A taken username is reported by the constraint's name, and nothing is stored.
async fn a_taken_username_is_a_named_constraint_body(db: TestDb) {
    let store = db.dyn_store();
    let org = one_org(&store).await;
    store.create_user(&user("zhang", org, Role::Admin), AT).await.unwrap();
    let error = store.create_user(&user("zhang", org, Role::Viewer), AT).await.unwrap_err();
    assert!(matches!(error, StoreError::Constraint("users_username_key")), "{error:?}");
    assert_eq!(store.users().await.unwrap().len(), 1);
    assert_eq!(store.user_by_username("zhang").await.unwrap().unwrap().role(), Role::Admin);
}

mod a_taken_username_is_a_named_constraint {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        a_taken_username_is_a_named_constraint_body(TestDb::sqlite().await).await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(db) = TestDb::postgres().await {
            a_taken_username_is_a_named_constraint_body(db).await;
        }
    }
}

both_databases!(sessions_live_until_expiry_and_end_with_the_account, |db: TestDb| async move {
    let store = db.dyn_store();
    let org = one_org(&store).await;
    let zhang = store.create_user(&user("zhang", org, Role::Admin), AT).await.unwrap();
    let li = store.create_user(&user("li", org, Role::Viewer), AT).await.unwrap();
    let expires = Timestamp(AT.0 + 3_600_000);

    store.create_session("hash-1", zhang, "csrf-1", AT, expires).await.unwrap();
    store.create_session("hash-li", li, "csrf-li", AT, expires).await.unwrap();
    let session = store.session("hash-1", AT).await.unwrap().unwrap();
    assert_eq!((session.user.id, session.user.username.as_str()), (zhang, "zhang"));
    assert_eq!(session.user.role(), Role::Admin);
    assert_eq!(session.csrf_token, "csrf-1");
    assert_eq!(session.expires_at, expires.0);
    assert!(store.session("hash-1", Timestamp(expires.0 - 1)).await.unwrap().is_some());
    assert!(store.session("hash-1", expires).await.unwrap().is_none(), "expired at expires_at");
    assert!(store.session("hash-1", Timestamp(expires.0 + 1)).await.unwrap().is_none());
    assert!(store.session("no-such-hash", AT).await.unwrap().is_none());
    assert!(store.session("csrf-1", AT).await.unwrap().is_none(), "found by token hash only");

    // Disabling ends the account's sessions (and only its own) and keeps new ones out.
    assert!(store.set_user_disabled("zhang", true).await.unwrap());
    assert!(store.user_by_username("zhang").await.unwrap().unwrap().disabled);
    assert!(store.session("hash-1", AT).await.unwrap().is_none());
    assert!(store.session("hash-li", AT).await.unwrap().is_some());
    store.create_session("hash-2", zhang, "csrf-2", AT, expires).await.unwrap();
    assert!(store.session("hash-2", AT).await.unwrap().is_none(), "a disabled account has no session");
    assert!(!store.set_user_disabled("nobody", true).await.unwrap());
    assert!(!store.set_user_disabled("nobody", false).await.unwrap());

    // Enabled again: the sessions it lost stay lost; a new login works.
    assert!(store.set_user_disabled("zhang", false).await.unwrap());
    assert!(!store.user_by_username("zhang").await.unwrap().unwrap().disabled);
    assert!(store.session("hash-1", AT).await.unwrap().is_none());
    store.create_session("hash-3", zhang, "csrf-3", AT, expires).await.unwrap();
    assert_eq!(store.session("hash-3", AT).await.unwrap().unwrap().csrf_token, "csrf-3");

    // A new password ends every session of the account.
    store.create_session("hash-4", zhang, "csrf-4", AT, expires).await.unwrap();
    store.set_password(zhang, "$argon2id$new").await.unwrap();
    assert_eq!(store.user_by_username("zhang").await.unwrap().unwrap().password_hash, "$argon2id$new");
    assert!(store.session("hash-3", AT).await.unwrap().is_none());
    assert!(store.session("hash-4", AT).await.unwrap().is_none());
    assert!(store.session("hash-li", AT).await.unwrap().is_some());

    // Logout removes the one session.
    store.create_session("hash-5", zhang, "csrf-5", AT, expires).await.unwrap();
    store.create_session("hash-6", zhang, "csrf-6", AT, expires).await.unwrap();
    store.delete_session("hash-5", AT).await.unwrap();
    assert!(store.session("hash-5", AT).await.unwrap().is_none());
    assert!(store.session("hash-6", AT).await.unwrap().is_some());
    store.delete_session("no-such-hash", AT).await.unwrap();
});

both_databases!(logout_sweeps_expired_sessions, |db: TestDb| async move {
    let store = db.dyn_store();
    let org = one_org(&store).await;
    let zhang = store.create_user(&user("zhang", org, Role::Admin), AT).await.unwrap();
    let short = Timestamp(AT.0 + 1000);
    let long = Timestamp(AT.0 + 3_600_000);
    store.create_session("old", zhang, "csrf-old", AT, short).await.unwrap();
    store.create_session("live", zhang, "csrf-live", AT, long).await.unwrap();
    // While the expired row is still stored its token hash is taken.
    assert!(store.create_session("old", zhang, "again", AT, long).await.is_err());
    store.delete_session("other", short).await.unwrap();
    // Swept: the hash is free again; the live session was not swept.
    store.create_session("old", zhang, "again", short, long).await.unwrap();
    assert_eq!(store.session("old", short).await.unwrap().unwrap().csrf_token, "again");
    assert_eq!(store.session("live", short).await.unwrap().unwrap().csrf_token, "csrf-live");
});

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
    assert_eq!(first.application.status, "pending_review");
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
    new.sex = "female";
    new.occupation = "courier";
    new.mobile_verified = false;
    new.employer_name = Some("合肥某物流有限公司".to_owned());
    new.employer_credit_code = Some("91340100MA2N0XXX1X".to_owned());
    let id = pending(&store, &new, AT).await;

    let detail = store.application_detail(id).await.unwrap().unwrap();
    assert_eq!(detail.item.application.id, id);
    assert_eq!(detail.item.application.name, "王小红");
    assert_eq!(detail.item.application.occupation, "courier");
    assert_eq!(detail.item.application.channel, "qr");
    assert_eq!(detail.item.reviewer_org_id, Some(t.feidong_trucks.id.0));
    assert_eq!(detail.reviewer_path, t.feidong_trucks.path.as_str());
    assert_eq!(detail.id_number_ct, b"ct:id-x".to_vec());
    assert_eq!(detail.id_number_bidx, "bidx:id-x");
    assert_eq!(detail.mobile_ct, b"ct:m-id-x".to_vec());
    assert_eq!(detail.sex, "female");
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
    assert_eq!(membership.status(), Some(MembershipStatus::Active));
    assert_eq!((membership.name.as_str(), membership.in_pool), ("王晓明", false));
    assert_eq!(membership.joined_at, decided.0);

    let app = store.application(a).await.unwrap().unwrap();
    assert_eq!(app.status, "approved");
    assert_eq!(app.membership_id, Some(membership.id));
    assert_eq!((app.decided_at, app.review_deadline), (Some(decided.0), None));
    let detail = store.application_detail(a).await.unwrap().unwrap();
    assert_eq!(detail.decided_by.as_deref(), Some("user:zhang"));

    let events = store.membership_events(membership.id).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "joined");
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
    assert_eq!(store.application(a).await.unwrap().unwrap().status, "approved");
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
    assert_eq!(app.status, "rejected");
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
    assert_eq!(store.application(second).await.unwrap().unwrap().status, "pending_review");
    assert_eq!(store.count_pending(&t.wuhu.path).await.unwrap(), 1);
    assert!(store.memberships_by_mobile("bidx:another-mobile").await.unwrap().is_empty());
    let held = store.membership(first.id).await.unwrap().unwrap();
    assert_eq!((held.status.as_str(), held.home_org_id), ("active", t.feidong_trucks.id.0));

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
    assert_eq!(moved.item.application.status, "pending_review");
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
// Member search
// ---------------------------------------------------------------------------------------

both_databases!(member_search_filters_and_pages, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let fd = Landing::Union(t.feidong_trucks.id);
    let wang = member(&store, &to_org(&t.feidong_trucks, "王晓明", "id-1", fd, Decision::Approve), AT).await;
    let hong = NewApplication {
        sex: "female",
        occupation: "courier",
        ..to_org(&t.feidong_trucks, "王小红", "id-2", fd, Decision::Approve)
    };
    let hong = member(&store, &hong, Timestamp(AT.0 + DAY)).await;
    let li = member(
        &store,
        &to_org(&t.feidong_trucks, "李四", "id-3", fd, Decision::Approve),
        Timestamp(AT.0 + 2 * DAY),
    )
    .await;
    let pooled = to_org(&t.hefei_trucks, "张三", "id-4", Landing::Pool(t.hefei.id), Decision::Approve);
    let zhang = member(&store, &pooled, Timestamp(AT.0 + 3 * DAY)).await;
    let wuhu = to_org(&t.wuhu_trucks, "王五", "id-5", Landing::Union(t.wuhu_trucks.id), Decision::Approve);
    let wu = member(&store, &wuhu, Timestamp(AT.0 + 4 * DAY)).await;
    assert!(zhang.in_pool && !wang.in_pool);

    let search = |query: MemberQuery| {
        let store = store.clone();
        async move { ids(&store.search_members(&MemberQuery { limit: 100, ..query }).await.unwrap(), |m| m.id) }
    };
    let within = |org: &Org| MemberQuery { within: Some(org.path.clone()), ..MemberQuery::default() };

    // Scope, newest first.
    assert_eq!(search(within(&t.feidong_trucks)).await, [li.id, hong.id, wang.id]);
    assert_eq!(search(within(&t.feidong)).await, [li.id, hong.id, wang.id]);
    assert_eq!(search(within(&t.hefei)).await, [zhang.id, li.id, hong.id, wang.id]);
    assert_eq!(search(within(&t.wuhu)).await, [wu.id]);
    assert_eq!(search(within(&t.root)).await, [wu.id, zhang.id, li.id, hong.id, wang.id]);
    assert_eq!(search(MemberQuery::default()).await, [wu.id, zhang.id, li.id, hong.id, wang.id]);
    assert!(search(within(&t.hefei_trucks)).await.is_empty(), "receiving org but not the home union");
    let records =
        store.search_members(&MemberQuery { limit: 100, ..within(&t.feidong_trucks) }).await.unwrap();
    assert_eq!(records[0], li);

    // Name prefix (Chinese), alone and within a scope.
    let prefix =
        |org: &Org, prefix: &str| MemberQuery { name_prefix: Some(prefix.to_owned()), ..within(org) };
    assert_eq!(search(prefix(&t.feidong_trucks, "王")).await, [hong.id, wang.id]);
    assert_eq!(search(prefix(&t.root, "王")).await, [wu.id, hong.id, wang.id]);
    assert_eq!(search(prefix(&t.root, "王晓")).await, [wang.id]);
    assert_eq!(search(prefix(&t.root, "王晓明")).await, [wang.id]);
    assert_eq!(search(prefix(&t.root, "李")).await, [li.id]);
    assert!(search(prefix(&t.root, "赵")).await.is_empty());
    assert!(search(prefix(&t.root, "王晓明明")).await.is_empty());

    // Exact identifiers.
    let number = wang.member_number.clone().unwrap();
    assert_eq!(
        search(MemberQuery { member_number: Some(number), ..MemberQuery::default() }).await,
        [wang.id]
    );
    assert!(
        search(MemberQuery { member_number: Some("34250000000".to_owned()), ..MemberQuery::default() })
            .await
            .is_empty()
    );
    let by_id = MemberQuery { id_number_bidx: Some("bidx:id-2".to_owned()), ..MemberQuery::default() };
    assert_eq!(search(by_id).await, [hong.id]);
    let by_mobile = MemberQuery { mobile_bidx: Some("bidx:m-id-3".to_owned()), ..MemberQuery::default() };
    assert_eq!(search(by_mobile).await, [li.id]);
    let wrong_scope = MemberQuery { mobile_bidx: Some("bidx:m-id-3".to_owned()), ..within(&t.wuhu) };
    assert!(search(wrong_scope).await.is_empty());
    let occupation = MemberQuery { occupation: Some("courier".to_owned()), ..within(&t.root) };
    assert_eq!(search(occupation).await, [hong.id]);

    // Joined in [from, to).
    let joined =
        MemberQuery { joined_from: Some(AT.0 + DAY), joined_to: Some(AT.0 + 2 * DAY), ..within(&t.root) };
    assert_eq!(search(joined).await, [hong.id]);
    let since = MemberQuery { joined_from: Some(AT.0 + 3 * DAY), ..within(&t.root) };
    assert_eq!(search(since).await, [wu.id, zhang.id]);
    let until = MemberQuery { joined_to: Some(AT.0 + DAY), ..within(&t.root) };
    assert_eq!(search(until).await, [wang.id]);

    // Turnover pool.
    assert_eq!(search(MemberQuery { in_pool: true, ..within(&t.root) }).await, [zhang.id]);
    assert!(search(MemberQuery { in_pool: true, ..within(&t.feidong) }).await.is_empty());

    // Status.
    assert!(store.apply_lifecycle(li.id, LifecycleAction::Retain, "user:zhang", "失业", AT).await.unwrap());
    assert!(store.apply_lifecycle(wu.id, LifecycleAction::Withdraw, "user:zhang", "退会", AT).await.unwrap());
    let status = |code: &str| MemberQuery { status: Some(code.to_owned()), ..within(&t.root) };
    assert_eq!(search(status("retained")).await, [li.id]);
    assert_eq!(search(status("withdrawn")).await, [wu.id]);
    assert_eq!(search(status("active")).await, [zhang.id, hong.id, wang.id]);
    let combined = MemberQuery {
        status: Some("active".to_owned()),
        name_prefix: Some("王".to_owned()),
        ..within(&t.root)
    };
    assert_eq!(search(combined).await, [hong.id, wang.id]);

    // Keyset pages of one, newest first, add up to everything without overlap.
    let mut before_id = None;
    let mut paged = Vec::new();
    loop {
        let page =
            store.search_members(&MemberQuery { before_id, limit: 1, ..within(&t.root) }).await.unwrap();
        assert!(page.len() <= 1);
        let Some(m) = page.first() else { break };
        before_id = Some(m.id);
        paged.push(m.id);
    }
    assert_eq!(paged, [wu.id, zhang.id, li.id, hong.id, wang.id]);
    let page = MemberQuery { before_id: Some(li.id), limit: 1, ..within(&t.root) };
    assert_eq!(ids(&store.search_members(&page).await.unwrap(), |m| m.id), [hong.id]);

    // Counts hold memberships only (active and retained).
    assert_eq!(store.count_members(&t.feidong_trucks.path).await.unwrap(), 3);
    assert_eq!(store.count_members(&t.hefei.path).await.unwrap(), 4);
    assert_eq!(store.count_members(&t.wuhu.path).await.unwrap(), 0, "withdrawn is not counted");
    assert_eq!(store.count_members(&t.root.path).await.unwrap(), 4);
    assert_eq!(store.count_members(&t.hefei_trucks.path).await.unwrap(), 0);
    let by_occupation = store.count_members_by_occupation(&t.root.path).await.unwrap();
    assert_eq!(by_occupation, [("courier".to_owned(), 1), ("truck_driver".to_owned(), 3)]);
    assert!(
        store.count_members_by_occupation(&t.wuhu.path).await.unwrap().is_empty(),
        "withdrawn is not counted"
    );

    // The detail carries the sealed identifiers.
    let detail = store.membership_detail(hong.id).await.unwrap().unwrap();
    assert_eq!(detail.record, hong);
    assert_eq!((detail.id_number_ct, detail.mobile_ct), (b"ct:id-2".to_vec(), b"ct:m-id-2".to_vec()));
    assert_eq!(detail.sex, "female");
    assert!(store.membership_detail(999_999).await.unwrap().is_none());
});

// ---------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------

both_databases!(lifecycle_changes_follow_the_rules_and_are_recorded, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let home = t.feidong_trucks.id;
    let m = member(
        &store,
        &to_org(&t.feidong_trucks, "王晓明", "id-l", Landing::Union(home), Decision::Approve),
        AT,
    )
    .await;
    let status = |id: i64| {
        let store = store.clone();
        async move { store.membership(id).await.unwrap().unwrap().status() }
    };
    let step = |days: i64| Timestamp(AT.0 + days * DAY);

    assert!(
        store.apply_lifecycle(m.id, LifecycleAction::Retain, "user:zhang", "失业", step(1)).await.unwrap()
    );
    assert_eq!(status(m.id).await, Some(MembershipStatus::Retained));
    assert!(
        !store.apply_lifecycle(m.id, LifecycleAction::Retain, "user:zhang", "again", step(1)).await.unwrap()
    );
    assert!(
        store.apply_lifecycle(m.id, LifecycleAction::Reactivate, "user:li", "再就业", step(2)).await.unwrap()
    );
    assert_eq!(status(m.id).await, Some(MembershipStatus::Active));
    assert!(
        !store.apply_lifecycle(m.id, LifecycleAction::Reactivate, "user:li", "again", step(2)).await.unwrap()
    );
    assert!(
        store
            .apply_lifecycle(m.id, LifecycleAction::Withdraw, "user:zhang", "本人申请", step(3))
            .await
            .unwrap()
    );
    assert_eq!(status(m.id).await, Some(MembershipStatus::Withdrawn));
    for action in [
        LifecycleAction::Reactivate,
        LifecycleAction::Retain,
        LifecycleAction::Withdraw,
        LifecycleAction::Expel,
        LifecycleAction::Deceased,
    ] {
        assert!(!store.apply_lifecycle(m.id, action, "user:zhang", "no", step(4)).await.unwrap(), "{action}");
    }
    assert_eq!(status(m.id).await, Some(MembershipStatus::Withdrawn));
    assert!(
        !store.apply_lifecycle(999_999, LifecycleAction::Retain, "user:zhang", "x", step(4)).await.unwrap()
    );

    let events = store.membership_events(m.id).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["joined", "retain", "reactivate", "withdraw"]);
    assert!(events.windows(2).all(|w| w[0].id < w[1].id));
    let expected = [
        ("instant", None, 0),
        ("user:zhang", Some("失业"), 1),
        ("user:li", Some("再就业"), 2),
        ("user:zhang", Some("本人申请"), 3),
    ];
    for (event, (actor, reason, day)) in events.iter().zip(expected) {
        assert_eq!(event.actor, actor, "{event:?}");
        assert_eq!(event.at, step(day).0, "{event:?}");
        if event.kind != "joined" {
            assert_eq!(event.reason.as_deref(), reason, "{event:?}");
            assert_eq!((event.from_org_id, event.to_org_id), (Some(home.0), Some(home.0)), "{event:?}");
        }
    }

    // Other endings, from active and from retained.
    let expel = member(
        &store,
        &to_org(&t.feidong_trucks, "李四", "id-e", Landing::Union(home), Decision::Approve),
        AT,
    )
    .await;
    assert!(
        store.apply_lifecycle(expel.id, LifecycleAction::Expel, "user:zhang", "违纪", step(1)).await.unwrap()
    );
    assert_eq!(status(expel.id).await, Some(MembershipStatus::Expelled));
    let died = member(
        &store,
        &to_org(&t.feidong_trucks, "张三", "id-x", Landing::Union(home), Decision::Approve),
        AT,
    )
    .await;
    assert!(
        store.apply_lifecycle(died.id, LifecycleAction::Retain, "user:zhang", "退休", step(1)).await.unwrap()
    );
    assert!(
        store
            .apply_lifecycle(died.id, LifecycleAction::Deceased, "user:zhang", "病故", step(2))
            .await
            .unwrap()
    );
    assert_eq!(status(died.id).await, Some(MembershipStatus::Deceased));

    // A withdrawn person joins anew: a new membership, the old one kept as it was.
    let again = to_org(&t.feidong_trucks, "王晓明", "id-l", Landing::Union(home), Decision::Approve);
    let rejoined = member(&store, &again, step(10)).await;
    assert_ne!(rejoined.id, m.id);
    assert_eq!(status(m.id).await, Some(MembershipStatus::Withdrawn));
});

// ---------------------------------------------------------------------------------------
// Distribution from the pool
// ---------------------------------------------------------------------------------------

both_databases!(pool_members_are_distributed_keeping_their_seniority, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let township = store
        .orgs(&OrgFilter { within: Some(t.hefei.path.clone()), ..OrgFilter::default() })
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.kind == OrgKind::Township)
        .unwrap();
    let pooled = to_org(&t.hefei_trucks, "张三", "id-p", Landing::Pool(t.hefei.id), Decision::Approve);
    let m = member(&store, &pooled, AT).await;
    assert_eq!((m.home_org_id, m.in_pool), (t.hefei.id.0, true));
    let at = Timestamp(AT.0 + 5 * DAY);

    assert!(
        store.move_membership(m.id, t.hefei.id, township.id, "distributed", "user:zhang", at).await.unwrap()
    );
    let moved = store.membership(m.id).await.unwrap().unwrap();
    assert_eq!(moved.home_org_id, township.id.0);
    assert_eq!(moved.home_path, township.path.as_str());
    assert!(!moved.in_pool);
    assert_eq!(moved.joined_at, AT.0, "seniority is kept");
    assert_eq!((moved.status.as_str(), moved.member_number.as_ref()), ("active", m.member_number.as_ref()));

    let events = store.membership_events(m.id).await.unwrap();
    assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["joined", "distributed"]);
    let distributed = &events[1];
    assert_eq!((distributed.from_org_id, distributed.to_org_id), (Some(t.hefei.id.0), Some(township.id.0)));
    assert_eq!((distributed.actor.as_str(), distributed.at), ("user:zhang", at.0));

    // No longer in the pool: a second distribution from it does nothing.
    assert!(
        !store.move_membership(m.id, t.hefei.id, township.id, "distributed", "user:li", at).await.unwrap()
    );
    assert!(
        !store
            .move_membership(m.id, t.hefei.id, t.hefei_trucks.id, "distributed", "user:li", at)
            .await
            .unwrap()
    );
    assert_eq!(store.membership_events(m.id).await.unwrap().len(), 2);
    assert_eq!(store.membership(m.id).await.unwrap().unwrap().home_org_id, township.id.0);
    let pool = MemberQuery {
        within: Some(t.hefei.path.clone()),
        in_pool: true,
        limit: 10,
        ..MemberQuery::default()
    };
    assert!(store.search_members(&pool).await.unwrap().is_empty());
    let there = MemberQuery { within: Some(township.path.clone()), limit: 10, ..MemberQuery::default() };
    assert_eq!(ids(&store.search_members(&there).await.unwrap(), |m| m.id), [m.id]);

    // An ended membership does not move.
    let other = to_org(&t.hefei_trucks, "李四", "id-q", Landing::Pool(t.hefei.id), Decision::Approve);
    let gone = member(&store, &other, AT).await;
    assert!(
        store.apply_lifecycle(gone.id, LifecycleAction::Withdraw, "user:zhang", "退会", at).await.unwrap()
    );
    assert!(
        !store
            .move_membership(gone.id, t.hefei.id, township.id, "distributed", "user:zhang", at)
            .await
            .unwrap()
    );
    assert_eq!(store.membership(gone.id).await.unwrap().unwrap().home_org_id, t.hefei.id.0);
});

// ---------------------------------------------------------------------------------------
// Renaming
// ---------------------------------------------------------------------------------------

both_databases!(orgs_are_renamed_unless_a_sibling_has_the_name, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let siblings: Vec<Org> = store
        .orgs(&OrgFilter { within: Some(t.feidong.path.clone()), ..OrgFilter::default() })
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.parent == Some(t.feidong.id) && o.id != t.feidong_trucks.id)
        .collect();
    let sibling = siblings.first().unwrap();

    store.rename_org(t.feidong_trucks.id, "肥东县货车司机工会").await.unwrap();
    let renamed = store.org(t.feidong_trucks.id).await.unwrap().unwrap();
    assert_eq!(renamed.name, "肥东县货车司机工会");
    assert_eq!(renamed, Org { name: "肥东县货车司机工会".to_owned(), ..t.feidong_trucks.clone() });
    assert_eq!(store.org_by_join_code("340122T").await.unwrap().unwrap().name, "肥东县货车司机工会");
    // Keeping its own name is no conflict.
    store.rename_org(t.feidong_trucks.id, "肥东县货车司机工会").await.unwrap();

    let error = store.rename_org(t.feidong_trucks.id, &sibling.name).await.unwrap_err();
    assert!(matches!(error, StoreError::Constraint("orgs_parent_name_key")), "{error:?}");
    assert_eq!(store.org(t.feidong_trucks.id).await.unwrap().unwrap().name, "肥东县货车司机工会");
    // A name used elsewhere in the tree is fine.
    store.rename_org(t.feidong_trucks.id, &t.hefei_trucks.name).await.unwrap();
    assert_eq!(store.org(t.feidong_trucks.id).await.unwrap().unwrap().name, t.hefei_trucks.name);

    let error = store.rename_org(t.feidong_trucks.id, "  ").await.unwrap_err();
    assert!(matches!(error, StoreError::Constraint("orgs_name_check")), "{error:?}");
    let error = store.rename_org(OrgId(999_999), "无名工会").await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error:?}");
});

// ---------------------------------------------------------------------------------------
// Concurrent decisions
// ---------------------------------------------------------------------------------------

/// Officers acting on one membership at once: one change, one event.
async fn concurrent_lifecycle_changes_apply_once_body(db: TestDb) {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let landing = Landing::Union(t.feidong_trucks.id);
    let mut members = Vec::new();
    for i in 0..10 {
        let new = to_org(&t.feidong_trucks, "王晓明", &format!("id-c{i}"), landing, Decision::Approve);
        members.push(member(&store, &new, AT).await);
    }
    let mut tasks = Vec::new();
    for m in &members {
        for officer in 0..8 {
            let store = store.clone();
            let id = m.id;
            tasks.push(tokio::spawn(async move {
                let actor = format!("user:{officer}");
                (id, store.apply_lifecycle(id, LifecycleAction::Retain, &actor, "失业", AT).await.unwrap())
            }));
        }
    }
    let mut applied = std::collections::HashMap::<i64, usize>::new();
    for task in tasks {
        let (id, done) = task.await.unwrap();
        *applied.entry(id).or_default() += usize::from(done);
    }
    for m in &members {
        let events = store.membership_events(m.id).await.unwrap();
        let retains = events.iter().filter(|e| e.kind == "retain").count();
        assert_eq!((applied[&m.id], retains), (1, 1), "membership {}: {events:?}", m.id);
        assert_eq!(store.membership(m.id).await.unwrap().unwrap().status(), Some(MembershipStatus::Retained));
    }
}

mod concurrent_lifecycle_changes_apply_once {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        concurrent_lifecycle_changes_apply_once_body(TestDb::sqlite().await).await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(db) = TestDb::postgres().await {
            concurrent_lifecycle_changes_apply_once_body(db).await;
        }
    }
}

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
                assert_eq!(app.status, "approved", "{id}: {app:?}");
                assert!(app.membership_id.is_some() && app.decision_reason.is_none(), "{id}: {app:?}");
            }
            (ReviewOutcome::NotPending, ReviewOutcome::Rejected) => {
                assert_eq!(app.status, "rejected", "{id}: {app:?}");
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
