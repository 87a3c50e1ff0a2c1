//! A world to run use cases in: an app over a fresh database with a small union tree
//! (the province, two cities, an enterprise union in each) and officers made on demand.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use huiji_app::App;
use huiji_app::audit::Officer;
use huiji_app::testing::{TestClock, TestRandom, test_keyring};
use huiji_core::org::Level;
use huiji_core::{AutoApproval, CivilDate, Org, OrgId, OrgKind, Role, Timestamp, UserId};
use huiji_store::testing::TestDb;
use huiji_store::{AuditQuery, AuditRecord, NewOrg, NewUser, Store};

/// 2025-06-10 12:00 in China.
pub const NOW: Timestamp = Timestamp(1_749_528_000_000);

/// The app, its clock and the tree.
pub struct World {
    pub app: App,
    pub clock: Arc<TestClock>,
    pub root: Org,
    pub hefei: Org,
    pub hefei_firm: Org,
    pub wuhu: Org,
    pub wuhu_firm: Org,
    _db: TestDb,
}

async fn org(store: &Arc<dyn Store>, parent: Option<OrgId>, kind: OrgKind, name: &str, region: &str) -> Org {
    let new = NewOrg {
        parent,
        kind,
        name: name.to_owned(),
        region: region.parse().unwrap(),
        occupations: Vec::new(),
        turnover_pool: false,
        join_code: None,
        credit_code: None,
        auto_approval: AutoApproval::Off,
        review_days: 3,
    };
    store.create_org(&new, NOW).await.unwrap()
}

impl World {
    pub async fn new(db: TestDb) -> World {
        let store = db.dyn_store();
        let clock = Arc::new(TestClock(AtomicI64::new(NOW.0)));
        let app = App::new(store.clone(), clock.clone(), test_keyring(), "http://localhost")
            .with_random(Arc::new(TestRandom::seeded_by(&db.url)));
        let root = org(&store, None, OrgKind::Federation(Level::Province), "安徽省总工会", "34").await;
        let hefei =
            org(&store, Some(root.id), OrgKind::Federation(Level::City), "合肥市总工会", "3401").await;
        let wuhu = org(&store, Some(root.id), OrgKind::Federation(Level::City), "芜湖市总工会", "3402").await;
        let hefei_firm =
            org(&store, Some(hefei.id), OrgKind::Enterprise, "合肥示例机械有限公司工会", "340104").await;
        let wuhu_firm =
            org(&store, Some(wuhu.id), OrgKind::Enterprise, "芜湖示例汽车有限公司工会", "340202").await;
        World { app, clock, root, hefei, hefei_firm, wuhu, wuhu_firm, _db: db }
    }

    /// An account with this role at `org`, as the use cases see it.
    pub async fn officer(&self, username: &str, org: &Org, role: Role) -> Officer {
        let user = NewUser {
            username: username.to_owned(),
            org: org.id,
            role,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
            can_reveal: false,
        };
        let id = self.app.store().create_user(&user, NOW).await.unwrap();
        Officer {
            user: UserId(id),
            username: username.to_owned(),
            role,
            org: org.id,
            scope: org.path.clone(),
            client_addr: Some("127.0.0.1".to_owned()),
            can_reveal: false,
        }
    }

    /// Moves the clock to noon of a day.
    pub fn set_day(&self, day: CivilDate) {
        self.clock.0.store(Timestamp::china_day_start(day).0 + 12 * 3_600_000, Ordering::SeqCst);
    }

    /// The audit records with this action, oldest first.
    pub async fn audit(&self, action: &str) -> Vec<AuditRecord> {
        let query = AuditQuery {
            within: self.root.path.clone(),
            action: Some(action.to_owned()),
            actor_name: None,
            from: None,
            to: None,
            before_id: None,
            limit: 1_000,
        };
        let mut records = self.app.store().audit_records(&query).await.unwrap();
        records.reverse();
        records
    }
}

/// 合肥市货车司机工会联合会 under 合肥市总工会 with the given policy: it receives and
/// lands Hefei's truck drivers (QR join code 3401T).
pub(crate) async fn truckers(world: &World, policy: AutoApproval) -> Org {
    let new = NewOrg {
        parent: Some(world.hefei.id),
        kind: OrgKind::IndustryFederation(Level::City),
        name: "合肥市货车司机工会联合会".to_owned(),
        region: "3401".parse().unwrap(),
        occupations: vec![huiji_core::Occupation::TruckDriver],
        turnover_pool: false,
        join_code: Some("3401T".to_owned()),
        credit_code: None,
        auto_approval: policy,
        review_days: 3,
    };
    world.app.store().create_org(&new, world.app.now()).await.unwrap()
}
