//! Distribution (分流) from a turnover pool on both databases.

use huiji_core::joining::Landing;
use huiji_core::{Decision, LifecycleAction, OrgKind, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{MemberQuery, OrgFilter, both_databases};

use crate::fixtures::{AT, DAY, ids, member, to_org, tree};

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
    assert_eq!((moved.status.code(), moved.member_number.as_ref()), ("active", m.member_number.as_ref()));

    let events = store.membership_events(m.id).await.unwrap();
    assert_eq!(events.iter().map(|e| e.kind.code()).collect::<Vec<_>>(), ["joined", "distributed"]);
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
