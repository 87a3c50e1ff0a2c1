//! Benefit programmes in the console, on both databases: admins create one (viewers and
//! other cities cannot see or act), its page shows the figures, officers grant by member
//! number and in batch, refusals are said on the page, a grant is revoked with a reason,
//! and the masked export is a workbook (the full one needs `pii.reveal`).

use huiji_core::Role;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::console::transfers::county_member;
use crate::support::{TestApp, main_of};

/// The id in a `Location: /console/benefits/{id}?…` redirect's target, read from the list.
async fn programme_id(app: &TestApp, name: &str) -> i64 {
    let root = app.store().org(huiji_core::OrgId(1)).await.unwrap().unwrap();
    let all = app.store().programmes_for(&root.path, 100).await.unwrap();
    all.iter().find(|p| p.name == name).expect("the programme").id.0
}

both_databases!(admins_create_and_officers_grant_within_their_subtree, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let hefei = app.store().org_by_join_code("3401").await.unwrap().unwrap();
    let admin = app.officer("hefei", Some("3401"), Role::Admin).await;
    let (status, page) = admin.get("/console/benefits").await;
    assert_eq!(status, 200);
    assert!(page.contains("新建项目"), "{}", main_of(&page));
    let org = hefei.id.to_string();
    let fields = [
        ("org", org.as_str()),
        ("name", "四季送清凉"),
        ("kind", "seasonal_care"),
        ("mode", "officer"),
        ("quota", "2"),
        ("provider", "合肥市总工会"),
        ("hotline", "12351"),
        ("occupations", "truck_driver"),
    ];
    let (status, _) = admin.post("/console/benefits", &fields).await;
    assert_eq!(status, 303);
    let (status, page) = admin.post("/console/benefits", &fields).await;
    assert_eq!(status, 422);
    assert!(page.contains("该工会已有同名项目"), "{}", main_of(&page));
    let (status, page) =
        admin.post("/console/benefits", &[("org", org.as_str()), ("name", "x"), ("quota", "0")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("应为1到10000000之间的整数"), "{}", main_of(&page));
    let id = programme_id(&app, "四季送清凉").await;
    let path = format!("/console/benefits/{id}");

    // Viewers read but neither create nor grant; another city sees nothing.
    let viewer = app.officer("feidong-viewer", Some("340122"), Role::Viewer).await;
    assert_eq!(viewer.get(&path).await.0, 200);
    assert_eq!(viewer.post("/console/benefits", &fields).await.0, 403);
    assert_eq!(viewer.post(&format!("{path}/grant"), &[("number", "1")]).await.0, 403);
    let wuhu = app.officer("wuhu", Some("3402"), Role::Admin).await;
    assert_eq!(wuhu.get(&path).await.0, 404);
    let (_, list) = wuhu.get("/console/benefits").await;
    assert!(!list.contains("四季送清凉"));

    // One member by number; a second time is refused on the page.
    let (first, _, _) = county_member(&app, "340122", 31).await;
    let number = first.member_number.clone().unwrap();
    let reviewer = app.officer("feidong", Some("340122"), Role::Reviewer).await;
    assert_eq!(reviewer.post(&format!("{path}/grant"), &[("number", &number)]).await.0, 303);
    let (status, page) = reviewer.post(&format!("{path}/grant"), &[("number", &number)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("您已领取过该项目"), "{}", main_of(&page));
    // A batch over the county's members: one more granted, the rest over quota.
    county_member(&app, "340122", 32).await;
    county_member(&app, "340122", 33).await;
    let (status, _) = reviewer.post(&format!("{path}/batch"), &[("occupation", "truck_driver")]).await;
    assert_eq!(status, 303);
    let (status, page) = reviewer.get(&path).await;
    assert_eq!(status, 200);
    let main = main_of(&page);
    assert!(main.contains("<li>总名额 <b>2</b></li>") && main.contains("<li>剩余 <b>0</b></li>"), "{main}");
    assert!(main.contains("王**") && !main.contains("王晓明"), "masked: {main}");

    // Revocation needs a reason; with one it frees the place.
    let grant = app.store().member_grants(first.id).await.unwrap()[0].grant.id.0;
    let step = format!("/console/benefits/grants/{grant}");
    let programme = id.to_string();
    let (status, page) =
        reviewer.post(&step, &[("programme", &programme), ("action", "revoke"), ("reason", "")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("撤销须填写原因"), "{}", main_of(&page));
    let done =
        reviewer.post(&step, &[("programme", &programme), ("action", "revoke"), ("reason", "已离职")]).await;
    assert_eq!(done.0, 303);
    let (_, page) = reviewer.get(&path).await;
    assert!(main_of(&page).contains("<li>剩余 <b>1</b></li>") && page.contains("已离职"));

    // The masked workbook; the full one needs pii.reveal.
    let (status, file) = reviewer.get(&format!("{path}/export.xlsx")).await;
    assert_eq!(status, 200);
    assert!(file.starts_with("PK"), "an XLSX file");
    assert_eq!(reviewer.post(&format!("{path}/insurer.xlsx"), &[("reason", "投保")]).await.0, 403);
    let audit = app.store();
    let root = audit.org(huiji_core::OrgId(1)).await.unwrap().unwrap();
    let query = huiji_store::AuditQuery {
        within: root.path,
        action: Some("export.benefit_grants".to_owned()),
        actor_name: None,
        from: None,
        to: None,
        before_id: None,
        limit: 10,
    };
    assert_eq!(audit.audit_records(&query).await.unwrap().len(), 1);
});
