//! An app over a fresh database with Anhui's union tree, a clock the tests move, and
//! members made the way the join service makes them (with stand-in sealed values: the
//! store never looks inside).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use huiji_app::App;
use huiji_app::actor::{Actor, Officer};
use huiji_app::testing::{TestClock, TestRandom, test_keyring};
use huiji_core::joining::Landing;
use huiji_core::{Channel, Decision, MembershipId, Org, RegionTable, Role, Timestamp};
use huiji_fixtures::tree;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_store::{NewApplication, Sealed, SubmitOutcome};

/// 2026-11-30 10:00 in China.
pub const NOW: Timestamp = Timestamp(1_796_004_000_000);

/// The app under test and what the tests reach behind it.
pub struct Setup {
    pub app: App,
    pub clock: Arc<TestClock>,
    pub db: TestDb,
}

impl Setup {
    /// An app over the Anhui tree at [`NOW`].
    pub async fn new(db: TestDb) -> Setup {
        let plan = tree::anhui(RegionTable::national()).unwrap();
        db.store.create_tree(&plan, Timestamp(0)).await.unwrap();
        let clock = Arc::new(TestClock(AtomicI64::new(NOW.0)));
        let app = App::new(db.dyn_store(), clock.clone(), test_keyring(), "http://huiji.test")
            .with_random(Arc::new(TestRandom::seeded_by(&db.url)));
        Setup { app, clock, db }
    }

    pub fn store(&self) -> Arc<dyn Store> {
        self.db.dyn_store()
    }

    /// Moves the clock forward.
    pub fn advance(&self, millis: i64) {
        self.clock.0.fetch_add(millis, Ordering::SeqCst);
    }

    /// The union with this join code.
    pub async fn org(&self, code: &str) -> Org {
        self.store().org_by_join_code(code).await.unwrap().unwrap_or_else(|| panic!("no org {code}"))
    }

    /// The tree's root, 安徽省总工会.
    pub async fn root(&self) -> Org {
        self.store().org(huiji_core::OrgId(1)).await.unwrap().unwrap()
    }

    /// A new member of `org`.
    pub async fn member(&self, org: &Org, tag: &str) -> MembershipId {
        let sealed = |v: String| Sealed { ciphertext: v.clone().into_bytes(), blind_index: v };
        let new = NewApplication {
            channel: Channel::Qr,
            source: org.join_code.clone(),
            receiving_org: org.id,
            landing: Some(Landing::Union(org.id)),
            name: "王晓明".to_owned(),
            id_number: sealed(format!("id-{tag}")),
            mobile: sealed(format!("m-{tag}")),
            sex: huiji_core::Sex::Male,
            occupation: huiji_core::Occupation::TruckDriver,
            region_code: org.region.to_string(),
            employer_name: None,
            employer_credit_code: None,
            consent_version: "1".to_owned(),
            mobile_verified: true,
            decision: Decision::Approve,
            review_deadline: Timestamp(NOW.0 + 3 * 86_400_000),
            mobile_bound_elsewhere: false,
            real_name: huiji_core::RealNameCheck::NotConfigured,
            consent_at: NOW,
            platform_id: None,
            external_ref: None,
        };
        match self.store().submit_application(&new, NOW).await.unwrap() {
            SubmitOutcome::Approved { membership_id, .. } => MembershipId(membership_id),
            other => panic!("expected an approval, got {other:?}"),
        }
    }
}

/// An officer of `org` with `role`.
pub fn officer(org: &Org, role: Role) -> Actor {
    Actor::Officer(Box::new(Officer {
        user: huiji_core::UserId(7),
        username: format!("{}-{}", org.id, role.code()),
        role,
        org: org.id,
        scope: org.path.clone(),
        client_addr: Some("127.0.0.1".to_owned()),
        can_reveal: false,
    }))
}
