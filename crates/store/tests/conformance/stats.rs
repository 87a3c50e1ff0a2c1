//! Statistics on both databases: the rollups kept with each change equal a recount from
//! the base tables after joins (instant and reviewed), leavings, retentions, transfers
//! across and within subtrees and distributions from a pool, spread over months; a
//! rebuild changes nothing; moves count only across a subtree's edge; a parent's members
//! are the sum of its children's; a rolled-back approval leaves no trace.

use std::sync::Arc;

use huiji_core::joining::Landing;
use huiji_core::stats::{day_key, month_key};
use huiji_core::{Decision, LifecycleAction, MembershipStatus, Occupation, Timestamp, TransferStatus};
use huiji_store::testing::TestDb;
use huiji_store::{FlowTally, MembershipTally, Period, ReviewOutcome, Store, both_databases};

use crate::fixtures::{AT, DAY, Tree, member, pending, to_org, tree};

/// What the scenario did, to check the figures against.
struct Done {
    joined: i64,
    withdrawn: i64,
    /// The membership moved from 肥东 to 芜湖 and the day it moved.
    across: (i64, Timestamp),
    /// Members still in 合肥's pool.
    in_pool: i64,
}

/// Applications over 120 days before [`AT`] to four unions of two cities, some approved at
/// once and some by an officer days later, then leavings, a retention, a transfer out of
/// 合肥's subtree, one within it and a distribution from 合肥's pool.
async fn scenario(store: &Arc<dyn Store>, t: &Tree) -> Done {
    let pool = crate::fixtures::by_code(store, "3401").await;
    let unions = [&t.feidong_trucks, &t.hefei_trucks, &t.wuhu_trucks];
    let mut members = Vec::new();
    let mut joined = 0;
    for i in 0..24i64 {
        let at = Timestamp(AT.0 - (120 - i * 5) * DAY + i * 3_600_000);
        let id = format!("stats-{i}");
        if i % 6 == 5 {
            let new = to_org(&t.hefei_trucks, "李四", &id, Landing::Pool(pool.id), Decision::Approve);
            members.push(member(store, &new, at).await);
        } else if i % 4 == 3 {
            let org = unions[usize::try_from(i).unwrap() % 3];
            let new = to_org(org, "张三", &id, Landing::Union(org.id), Decision::Review);
            let application = pending(store, &new, at).await;
            let decided = Timestamp(at.0 + 2 * DAY);
            let outcome = store.approve_application(application, "user:reviewer", decided).await.unwrap();
            assert!(matches!(outcome, ReviewOutcome::Approved { .. }));
            members.push(store.memberships_by_mobile(&format!("bidx:m-{id}")).await.unwrap().remove(0));
        } else {
            let org = unions[usize::try_from(i).unwrap() % 3];
            let new = to_org(org, "王五", &id, Landing::Union(org.id), Decision::Approve);
            members.push(member(store, &new, at).await);
        }
        joined += 1;
    }
    let later = |days: i64| Timestamp(AT.0 - 20 * DAY + days * DAY);
    let mut withdrawn = 0;
    for (m, action) in
        [(0, LifecycleAction::Withdraw), (1, LifecycleAction::Expel), (2, LifecycleAction::Deceased)]
    {
        assert!(store.apply_lifecycle(members[m].id, action, "user:a", "原因", later(1)).await.unwrap());
        withdrawn += i64::from(action == LifecycleAction::Withdraw);
    }
    assert!(
        store
            .apply_lifecycle(members[4].id, LifecycleAction::Retain, "user:a", "失业", later(2))
            .await
            .unwrap()
    );
    // Across: 肥东 (合肥) → 芜湖. Within: 合肥市货车 → 肥东货车, both in 合肥.
    let feidong_member = members.iter().skip(5).find(|m| m.home_org_id == t.feidong_trucks.id.0).unwrap();
    let hefei_member = members.iter().skip(5).find(|m| m.home_org_id == t.hefei_trucks.id.0).unwrap();
    for (m, to, day) in [(feidong_member, &t.wuhu_trucks, 3), (hefei_member, &t.feidong_trucks, 4)] {
        let id = store.request_transfer(m.id, to.id, "member", "工作调动", later(day)).await.unwrap();
        assert!(
            store.answer_transfer(id, TransferStatus::Requested, true, "user:b", later(day)).await.unwrap()
        );
    }
    let pooled = members.iter().find(|m| m.home_org_id == pool.id.0).unwrap();
    assert!(
        store
            .move_membership(pooled.id, pool.id, t.hefei_trucks.id, "distributed", "user:c", later(5))
            .await
            .unwrap()
    );
    // Withdrawn after moving: the leaving counts where it then lived.
    assert!(
        store
            .apply_lifecycle(feidong_member.id, LifecycleAction::Withdraw, "user:a", "退会", later(6))
            .await
            .unwrap()
    );
    withdrawn += 1;
    let in_pool = i64::try_from(members.iter().filter(|m| m.home_org_id == pool.id.0).count()).unwrap() - 1;
    Done { joined, withdrawn, across: (feidong_member.id, later(3)), in_pool }
}

fn held(tallies: &[MembershipTally]) -> i64 {
    tallies.iter().filter(|t| t.status.is_held()).map(|t| t.members).sum()
}

fn sum(tallies: &[FlowTally], f: impl Fn(&huiji_core::stats::Flows) -> i64) -> i64 {
    tallies.iter().map(|t| f(&t.flows)).sum()
}

both_databases!(rollups_equal_a_recount_and_survive_a_rebuild, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let done = scenario(&store, &t).await;
    let diffs = store.verify_stats().await.unwrap();
    assert!(diffs.is_empty(), "{diffs:#?}");

    let all = (month_key(Timestamp(AT.0 - 400 * DAY).china_date()), month_key(AT.china_date()));
    let before = store.flow_tallies(&t.root.path, Period::Month, all.0, all.1).await.unwrap();
    let now_before = store.membership_tallies(&t.root.path).await.unwrap();
    assert_eq!(sum(&before, |f| f.joined), done.joined);
    assert_eq!(sum(&before, |f| f.withdrawn), done.withdrawn);
    assert_eq!((sum(&before, |f| f.expelled), sum(&before, |f| f.deceased)), (1, 1));
    // The province contains both ends of every move.
    assert_eq!((sum(&before, |f| f.moved_in), sum(&before, |f| f.moved_out)), (0, 0));
    assert_eq!(held(&now_before), i64::try_from(store.count_members(&t.root.path).await.unwrap()).unwrap());
    assert_eq!(held(&now_before), done.joined - done.withdrawn - 2);
    let retained: i64 =
        now_before.iter().filter(|m| m.status == MembershipStatus::Retained).map(|m| m.members).sum();
    assert_eq!(retained, 1);
    let by_occupation = store.count_members_by_occupation(&t.root.path).await.unwrap();
    assert_eq!(
        by_occupation,
        vec![(Occupation::TruckDriver.code().to_owned(), u64::try_from(held(&now_before)).unwrap())]
    );

    store.rebuild_stats().await.unwrap();
    assert!(store.verify_stats().await.unwrap().is_empty());
    let mut after = store.flow_tallies(&t.root.path, Period::Month, all.0, all.1).await.unwrap();
    let mut now_after = store.membership_tallies(&t.root.path).await.unwrap();
    let mut before = before;
    let mut now_before = now_before;
    for v in [&mut before, &mut after] {
        v.sort_by_key(|f| (f.period, f.occupation, f.channel, f.platform_id));
    }
    for v in [&mut now_before, &mut now_after] {
        v.sort_by_key(|m| (m.occupation, m.channel, m.platform_id, m.status));
    }
    assert_eq!((before, now_before), (after, now_after));
});

both_databases!(moves_count_only_across_a_subtrees_edge, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let done = scenario(&store, &t).await;
    let day = day_key(done.across.1.china_date());
    let flows = |org: huiji_core::Org| {
        let store = store.clone();
        async move { store.flow_tallies(&org.path, Period::Day, day, day).await.unwrap() }
    };
    // 肥东 → 芜湖 that day: out of 合肥 and 肥东, into 芜湖.
    let hefei = flows(t.hefei.clone()).await;
    assert_eq!((sum(&hefei, |f| f.moved_in), sum(&hefei, |f| f.moved_out)), (0, 1));
    let wuhu = flows(t.wuhu.clone()).await;
    assert_eq!((sum(&wuhu, |f| f.moved_in), sum(&wuhu, |f| f.moved_out)), (1, 0));
    let root = flows(t.root.clone()).await;
    assert_eq!((sum(&root, |f| f.moved_in), sum(&root, |f| f.moved_out)), (0, 0));
    // 合肥市货车 → 肥东货车 the next day: within 合肥, into 肥东.
    let next = day_key(Timestamp(done.across.1.0 + DAY).china_date());
    let feidong = store.flow_tallies(&t.feidong.path, Period::Day, next, next).await.unwrap();
    assert_eq!(sum(&feidong, |f| f.moved_in), 1);
    let hefei = store.flow_tallies(&t.hefei.path, Period::Day, next, next).await.unwrap();
    assert_eq!((sum(&hefei, |f| f.moved_in), sum(&hefei, |f| f.moved_out)), (0, 0));
    assert_eq!(store.membership(done.across.0).await.unwrap().unwrap().home_org_id, t.wuhu_trucks.id.0);
});

both_databases!(a_parents_members_are_its_own_and_its_childrens, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let done = scenario(&store, &t).await;
    for parent in [&t.root, &t.hefei, &t.feidong] {
        let children = store.child_tallies(parent.id, 0).await.unwrap();
        let own = store.membership_tallies(&parent.path).await.unwrap();
        let mut children_sum = 0;
        for child in &children {
            let org = store.org(child.org).await.unwrap().unwrap();
            let theirs = held(&store.membership_tallies(&org.path).await.unwrap());
            assert_eq!(child.held, theirs, "{}", child.name);
            children_sum += theirs;
        }
        let at_parent = store.count_members(&parent.path).await.unwrap();
        // 合肥's turnover pool is the city federation itself: its members are its own.
        let pool_here = if parent.id == t.hefei.id { done.in_pool } else { 0 };
        assert_eq!(held(&own), i64::try_from(at_parent).unwrap());
        assert_eq!(held(&own), children_sum + pool_here, "{}", parent.name);
    }
    // A county never sees its sibling's members.
    let feidong = held(&store.membership_tallies(&t.feidong.path).await.unwrap());
    let wuhu = held(&store.membership_tallies(&t.wuhu.path).await.unwrap());
    let root = held(&store.membership_tallies(&t.root.path).await.unwrap());
    assert!(feidong > 0 && wuhu > 0 && feidong + wuhu < root);
    // Net growth since a month: every join less every leaving, per child subtree.
    let cities = store.child_tallies(t.root.id, 0).await.unwrap();
    assert_eq!(cities.iter().map(|c| c.net).sum::<i64>(), root);
});

both_databases!(a_rolled_back_approval_counts_nothing, |db: TestDb| async move {
    let store = db.dyn_store();
    let t = tree(&store).await;
    let new =
        to_org(&t.feidong_trucks, "赵六", "stats-rb", Landing::Union(t.feidong_trucks.id), Decision::Review);
    let application = pending(&store, &new, AT).await;
    assert!(matches!(
        store.reject_application(application, "user:r", "不符合", AT).await.unwrap(),
        ReviewOutcome::Rejected
    ));
    // The approval's transaction inserts a membership, finds the decision made and rolls
    // everything back — the rollups with it.
    assert!(matches!(
        store.approve_application(application, "user:r", AT).await.unwrap(),
        ReviewOutcome::NotPending
    ));
    assert!(store.membership_tallies(&t.root.path).await.unwrap().is_empty());
    assert!(store.verify_stats().await.unwrap().is_empty());
});
