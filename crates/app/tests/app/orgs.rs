//! Admins' changes to the tree: only admins, only their subtree (another city's union is
//! not found), join codes chosen by the scheme, and every change audited once.

use huiji_app::orgs::manage::{OrgChangeError, create_child, rename, set_review_policy};
use huiji_core::org::JoinCode;
use huiji_core::{AutoApproval, ChildError, ChildRequest, Occupation, OrgKind, Role, child_kinds};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::support::World;

fn industry<'a>(name: &'a str, occupations: &'a [String]) -> ChildRequest<'a> {
    ChildRequest { kind: "industry_federation", name, credit_code: "", occupations }
}

both_databases!(only_admins_of_the_subtree_change_it_and_each_change_is_audited, |db: TestDb| async move {
    let w = World::new(db).await;
    let app = &w.app;
    let hefei = w.officer("hf-admin", &w.hefei, Role::Admin).await;
    let reviewer = w.officer("hf-rev", &w.hefei, Role::Reviewer).await;
    let wuhu = w.officer("wh-admin", &w.wuhu, Role::Admin).await;

    let refused = rename(app, &reviewer, w.hefei_firm.id, "新名字工会").await;
    assert!(matches!(refused, Err(OrgChangeError::Forbidden)), "{refused:?}");
    let refused = rename(app, &wuhu, w.hefei_firm.id, "新名字工会").await;
    assert!(matches!(refused, Err(OrgChangeError::NotFound)), "{refused:?}");
    let refused = rename(app, &hefei, w.hefei_firm.id, "  ").await;
    assert!(matches!(refused, Err(OrgChangeError::Invalid(ChildError::NameLength))), "{refused:?}");

    let renamed = rename(app, &hefei, w.hefei_firm.id, " 合肥示例机械股份有限公司工会 ").await.unwrap();
    assert_eq!(renamed.name, "合肥示例机械股份有限公司工会");
    let same = rename(app, &hefei, w.hefei_firm.id, "合肥示例机械股份有限公司工会").await.unwrap();
    assert_eq!(same.name, renamed.name);
    let records = w.audit("org.rename").await;
    assert_eq!(records.len(), 1, "the same name again records nothing");
    assert_eq!(records[0].reason.as_deref(), Some("合肥示例机械有限公司工会 → 合肥示例机械股份有限公司工会"));

    // Enterprise unions receive no applications: no policy to set.
    let refused = set_review_policy(app, &hefei, w.hefei_firm.id, Some(AutoApproval::Off), 3).await;
    assert!(matches!(refused, Err(OrgChangeError::ReceivesNoApplications)), "{refused:?}");
    let refused = set_review_policy(app, &hefei, w.hefei.id, None, 3).await;
    assert!(matches!(refused, Err(OrgChangeError::NoPolicy)), "{refused:?}");
    let refused = set_review_policy(app, &hefei, w.hefei.id, Some(AutoApproval::Off), 31).await;
    assert!(matches!(refused, Err(OrgChangeError::ReviewDays)), "{refused:?}");
    let set = set_review_policy(app, &hefei, w.hefei.id, Some(AutoApproval::AllVerified), 5).await.unwrap();
    assert_eq!((set.auto_approval, set.review_days), (AutoApproval::AllVerified, 5));
    let stored = app.store().org(w.hefei.id).await.unwrap().unwrap();
    assert_eq!((stored.auto_approval, stored.review_days), (AutoApproval::AllVerified, 5));
    assert_eq!(w.audit("org.policy").await.len(), 1);
});

both_databases!(new_industry_federations_take_the_next_free_join_code, |db: TestDb| async move {
    let w = World::new(db).await;
    let app = &w.app;
    let hefei = w.officer("hf-admin", &w.hefei, Role::Admin).await;
    assert!(child_kinds(&w.hefei).contains(&huiji_core::OrgKindCode::IndustryFederation));

    let couriers = ["courier".to_owned()];
    let none: [String; 0] = [];
    let refused = create_child(app, &hefei, w.hefei.id, &industry("合肥市快递员工会联合会", &none)).await;
    assert!(matches!(refused, Err(OrgChangeError::Invalid(ChildError::NoOccupation))), "{refused:?}");
    let first =
        create_child(app, &hefei, w.hefei.id, &industry("合肥市快递员工会联合会", &couriers)).await.unwrap();
    let second = create_child(app, &hefei, w.hefei.id, &industry("合肥市快递员第二工会联合会", &couriers))
        .await
        .unwrap();
    let region = w.hefei.region;
    assert_eq!(
        first.join_code.as_deref(),
        Some(JoinCode::for_industry(region, Occupation::Courier).as_str())
    );
    assert_eq!(
        second.join_code.as_deref(),
        Some(JoinCode::candidates(region, Occupation::Courier)[1].as_str())
    );
    assert!(matches!(first.kind, OrgKind::IndustryFederation(_)));
    assert_eq!(first.parent, Some(w.hefei.id));

    let taken = create_child(app, &hefei, w.hefei.id, &industry("合肥市快递员工会联合会", &couriers)).await;
    assert!(matches!(taken, Err(OrgChangeError::NameTaken)), "{taken:?}");
    let wuhu = w.officer("wh-admin", &w.wuhu, Role::Admin).await;
    let refused = create_child(app, &wuhu, w.hefei.id, &industry("别处的工会", &couriers)).await;
    assert!(matches!(refused, Err(OrgChangeError::NotFound)), "{refused:?}");

    let records = w.audit("org.create").await;
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].scope_path, w.hefei.path.as_str(), "the parent's admins see it");
    assert_eq!(records[0].subject.as_deref(), Some(format!("org:{}", first.id).as_str()));
});
