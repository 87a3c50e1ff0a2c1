//! Fixtures shared by the conformance modules: a seeded Anhui tree and applications with
//! stand-in sealed values (the store never looks inside them).

use std::sync::Arc;

use huiji_core::joining::Landing;
use huiji_core::{Channel, Decision, RegionTable, Timestamp};
use huiji_fixtures::tree;
use huiji_store::{NewApplication, Sealed, Store};

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
        sex: "male",
        occupation: "truck_driver",
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
