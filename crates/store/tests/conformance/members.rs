//! Members on both databases: search, detail, and lifecycle changes (also at once).

use huiji_core::joining::Landing;
use huiji_core::{Decision, LifecycleAction, MembershipStatus, Org, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{MemberQuery, NewApplication, both_databases};

use crate::fixtures::{AT, DAY, ids, member, to_org, tree};

// ---------------------------------------------------------------------------------------
// Member search
// ---------------------------------------------------------------------------------------

both_databases!(member_search_filters_and_pages, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let fd = Landing::Union(t.feidong_trucks.id);
    let wang = member(&store, &to_org(&t.feidong_trucks, "王晓明", "id-1", fd, Decision::Approve), AT).await;
    let hong = NewApplication {
        sex: huiji_core::Sex::Female,
        occupation: huiji_core::Occupation::Courier,
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
    // A status and an occupation in a scope (PostgreSQL reads their ids from an index
    // first), with and without other filters, and paged.
    let status_occupation = |org: &Org, status: &str, occupation: &str| MemberQuery {
        status: Some(status.to_owned()),
        occupation: Some(occupation.to_owned()),
        ..within(org)
    };
    assert_eq!(search(status_occupation(&t.root, "active", "truck_driver")).await, [zhang.id, wang.id]);
    assert_eq!(search(status_occupation(&t.feidong, "active", "truck_driver")).await, [wang.id]);
    assert_eq!(search(status_occupation(&t.hefei, "retained", "truck_driver")).await, [li.id]);
    assert_eq!(search(status_occupation(&t.wuhu, "withdrawn", "truck_driver")).await, [wu.id]);
    assert!(search(status_occupation(&t.wuhu, "active", "truck_driver")).await.is_empty());
    assert!(search(status_occupation(&t.root, "retained", "courier")).await.is_empty());
    let pooled_drivers =
        MemberQuery { in_pool: true, ..status_occupation(&t.root, "active", "truck_driver") };
    assert_eq!(search(pooled_drivers).await, [zhang.id]);
    let first = MemberQuery { limit: 1, ..status_occupation(&t.root, "active", "truck_driver") };
    let first = ids(&store.search_members(&first).await.unwrap(), |m| m.id);
    assert_eq!(first, [zhang.id]);
    let next = MemberQuery {
        before_id: Some(zhang.id),
        limit: 1,
        ..status_occupation(&t.root, "active", "truck_driver")
    };
    assert_eq!(ids(&store.search_members(&next).await.unwrap(), |m| m.id), [wang.id]);

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
    assert_eq!(detail.sex.code(), "female");
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
        async move { Some(store.membership(id).await.unwrap().unwrap().status) }
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
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.code()).collect();
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
        if event.kind.code() != "joined" {
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
        let retains = events.iter().filter(|e| e.kind.code() == "retain").count();
        assert_eq!((applied[&m.id], retains), (1, 1), "membership {}: {events:?}", m.id);
        assert_eq!(
            Some(store.membership(m.id).await.unwrap().unwrap().status),
            Some(MembershipStatus::Retained)
        );
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
