//! Federations' SMS signatures on both databases: only admins of the root set them, only
//! for federations, checked like the provider checks them and audited; a campaign takes
//! the console's signature before `huiji.toml`'s, and the federation's name without
//! either.

use huiji_app::actor::Actor;
use huiji_app::campaign::{self, CampaignError, CampaignSettings, CreateRequest, signatures};
use huiji_core::Role;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::support::World;

both_databases!(root_admins_set_signatures_that_campaigns_take_first, |db: TestDb| async move {
    let world = World::new(db).await;
    let file = CampaignSettings {
        signatures: [(world.hefei.id, "合肥总工会".to_owned())].into_iter().collect(),
        ..CampaignSettings::default()
    };
    let app = world.app.clone().with_campaigns(file);
    let signed = |app: huiji_app::App| {
        let hefei = world.hefei.id;
        async move {
            let request = CreateRequest {
                org: Some(hefei),
                name: "邀请".to_owned(),
                text: "诚邀您加入工会：{link}".to_owned(),
                ..CreateRequest::default()
            };
            let id = campaign::create(&app, &Actor::Operator, &request).await.unwrap();
            campaign::visible(&app, &Actor::Operator, id).await.unwrap().signature
        }
    };
    assert_eq!(signed(world.app.clone()).await, "合肥市总工会", "neither: the federation's name");
    assert_eq!(signed(app.clone()).await, "合肥总工会", "the file's");

    let province = Actor::Officer(Box::new(world.officer("ah-admin", &world.root, Role::Admin).await));
    let city = Actor::Officer(Box::new(world.officer("hf-admin", &world.hefei, Role::Admin).await));
    let refused = signatures::set_signature(&app, &city, world.hefei.id, "合肥工会").await;
    assert!(matches!(refused, Err(CampaignError::Forbidden)), "a city admin may not: {refused:?}");
    assert!(matches!(signatures::signatures(&app, &city).await, Err(CampaignError::Forbidden)));
    let firm = signatures::set_signature(&app, &province, world.hefei_firm.id, "示例工会").await;
    assert!(matches!(firm, Err(CampaignError::NotFound)), "only federations sign: {firm:?}");
    let bad = signatures::set_signature(&app, &province, world.hefei.id, "【合 肥】").await;
    assert!(matches!(bad, Err(CampaignError::Text(_))), "{bad:?}");

    signatures::set_signature(&app, &province, world.hefei.id, "【合肥工会】").await.unwrap();
    assert_eq!(signed(app.clone()).await, "合肥工会", "the console's before the file's");
    let rows = signatures::signatures(&app, &province).await.unwrap();
    let row = rows.iter().find(|r| r.org == world.hefei.id).unwrap();
    assert_eq!((row.console.as_deref(), row.configured.as_deref()), (Some("合肥工会"), Some("合肥总工会")));
    // Removed: the file's again.
    signatures::set_signature(&app, &province, world.hefei.id, "  ").await.unwrap();
    assert_eq!(signed(app.clone()).await, "合肥总工会");
    let audit = world.audit("campaign.signature").await;
    let subjects: Vec<_> = audit.iter().filter_map(|r| r.subject.clone()).collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(
        subjects.iter().any(|s| s.ends_with("【合肥工会】"))
            && subjects.iter().any(|s| s.ends_with("removed"))
    );
});
