//! Fixtures shared by the conformance modules: a seeded Anhui tree and the orgs of it the
//! tests use, applications with stand-in sealed values (the store never looks inside
//! them), members, and officers.

use std::sync::Arc;

use huiji_core::joining::Landing;
use huiji_core::org::Level;
use huiji_core::{AutoApproval, Channel, Decision, Org, OrgId, OrgKind, RegionTable, Role, Timestamp};
use huiji_fixtures::tree;
use huiji_store::{
    MembershipRecord, NewApplication, NewOrg, NewUser, OrgFilter, Sealed, Store, SubmitOutcome,
};

/// The time the fixtures act at (2025-11-30).
pub const AT: Timestamp = Timestamp(1_764_460_800_000);

/// A stand-in for an encrypted value and its blind index.
pub fn sealed(value: &str) -> Sealed {
    Sealed { ciphertext: format!("ct:{value}").into_bytes(), blind_index: format!("bidx:{value}") }
}

/// Seeds Anhui's tree; returns the ids of 合肥市货车司机工会联合会 (3401T) and of
/// 合肥市总工会's pool (3401).
pub async fn seeded(store: &Arc<dyn Store>) -> (i64, i64) {
    let plan = tree::anhui(RegionTable::national()).unwrap();
    store.create_tree(&plan, AT).await.unwrap();
    let receiving = store.org_by_join_code("3401T").await.unwrap().unwrap();
    let pool = store.org_by_join_code("3401").await.unwrap().unwrap();
    assert!(pool.turnover_pool);
    (receiving.id.0, pool.id.0)
}

/// A truck driver's application through 3401T.
pub fn application(
    id: &str,
    mobile: &str,
    receiving: i64,
    landing: Landing,
    decision: Decision,
) -> NewApplication {
    NewApplication {
        channel: Channel::Qr,
        source: Some("3401T".to_owned()),
        receiving_org: huiji_core::OrgId(receiving),
        landing: Some(landing),
        name: "王晓明".to_owned(),
        id_number: sealed(id),
        mobile: sealed(mobile),
        sex: huiji_core::Sex::Male,
        occupation: huiji_core::Occupation::TruckDriver,
        region_code: "340104".to_owned(),
        employer_name: None,
        employer_credit_code: None,
        consent_version: "1".to_owned(),
        mobile_verified: true,
        decision,
        review_deadline: Timestamp(AT.0 + 3 * 86_400_000),
        mobile_bound_elsewhere: false,
        real_name: huiji_core::RealNameCheck::NotConfigured,
        consent_at: AT,
        platform_id: None,
        external_ref: None,
    }
}

pub(crate) const DAY: i64 = 86_400_000;

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

pub(crate) async fn pending(store: &Arc<dyn Store>, new: &NewApplication, at: Timestamp) -> i64 {
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
