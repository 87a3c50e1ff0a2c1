//! Benefit programmes after they start, in the console, on both databases: a grant from
//! the member's page (offered programmes, the refusal said there, nothing for viewers),
//! the insurer's policy numbers uploaded on the programme's page (a second upload
//! changes nothing), and the sponsor's admins changing the programme (a quota below the
//! grants refused) or closing it after a confirmation (nothing granted from today) —
//! both audited.

use huiji_core::Role;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::console::transfers::county_member;
use crate::support::console::Console;
use crate::support::{TestApp, main_of};

/// A multipart body with the CSRF token and one CSV file.
fn upload_body(csrf: &str, file: &str) -> (String, Vec<u8>) {
    let boundary = "----huijienrolboundary7Qx";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"回传.csv\"\r\nContent-Type: text/csv\r\n\r\n\
         {file}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body.into_bytes())
}

async fn upload(console: &Console, id: i64, file: &str) -> (u16, String) {
    let (content_type, body) = upload_body(&console.csrf, file);
    let response = console
        .http
        .post(format!("{}/console/benefits/{id}/enrol", console.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn audited(app: &TestApp, action: &str) -> usize {
    let root = app.store().org(huiji_core::OrgId(1)).await.unwrap().unwrap();
    let query = huiji_store::AuditQuery {
        within: root.path,
        action: Some(action.to_owned()),
        actor_name: None,
        from: None,
        to: None,
        before_id: None,
        limit: 10,
    };
    app.store().audit_records(&query).await.unwrap().len()
}

both_databases!(grants_from_the_member_page_policy_uploads_changes_and_closing, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let hefei = app.store().org_by_join_code("3401").await.unwrap().unwrap();
    let admin = app.officer("hefei", Some("3401"), Role::Admin).await;
    let org = hefei.id.to_string();
    let fields = [
        ("org", org.as_str()),
        ("name", "货车司机意外险"),
        ("kind", "insurance_gift"),
        ("mode", "officer"),
        ("quota", "3"),
        ("provider", "中国人寿"),
        ("hotline", "95519"),
    ];
    assert_eq!(admin.post("/console/benefits", &fields).await.0, 303);
    let root = app.store().org(huiji_core::OrgId(1)).await.unwrap().unwrap();
    let id = app.store().programmes_for(&root.path, 10).await.unwrap()[0].id.0;
    let programme = id.to_string();

    // The member's page offers the programme; a reviewer grants it there.
    let (first, first_id, _) = county_member(&app, "340122", 41).await;
    let (second, _, _) = county_member(&app, "340122", 42).await;
    let member_page = format!("/console/members/{}", first.id);
    let reviewer = app.officer("feidong", Some("340122"), Role::Reviewer).await;
    let (status, page) = reviewer.get(&member_page).await;
    assert_eq!(status, 200);
    assert!(main_of(&page).contains("尚未享有福利") && page.contains(&format!("<option value=\"{id}\">")));
    let grant = format!("{member_page}/benefits");
    let (status, page) = reviewer.post(&grant, &[("programme", &programme)]).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    let main = main_of(&page);
    assert!(main.contains("已发放") && main.contains("货车司机意外险"), "{main}");
    assert!(!main.contains(&format!("<option value=\"{id}\">")), "no longer offered: {main}");
    let (status, page) = reviewer.post(&grant, &[("programme", &programme)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("您已领取过该项目"), "{}", main_of(&page));
    let viewer = app.officer("feidong-viewer", Some("340122"), Role::Viewer).await;
    let (_, page) = viewer.get(&member_page).await;
    assert!(page.contains("货车司机意外险") && !page.contains("发放给该会员"), "viewers see, no form");
    assert_eq!(viewer.post(&grant, &[("programme", &programme)]).await.0, 403);
    let wuhu = app.officer("wuhu", Some("3402"), Role::Admin).await;
    assert_eq!(wuhu.post(&grant, &[("programme", &programme)]).await.0, 404);

    // The insurer's policy numbers: one row enrolled, a stranger's refused; again: unchanged.
    let file = format!("身份证号,保单号\r\n{first_id},PA2026-0001\r\n11010519491231002X,PA2026-0002\r\n");
    let (status, page) = upload(&reviewer, id, &file).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    assert!(page.contains("共 2 行：已登记 1，无变化 0，未导入 1"), "{}", main_of(&page));
    assert!(page.contains("第 3 行：本级及下级没有该人的发放记录"), "{}", main_of(&page));
    let held = app.store().member_grants(first.id).await.unwrap();
    assert_eq!(held[0].grant.policy_number.as_deref(), Some("PA2026-0001"));
    let (_, page) = upload(&reviewer, id, &file).await;
    assert!(page.contains("已登记 0，无变化 1，未导入 1"), "{}", main_of(&page));
    assert_eq!(upload(&viewer, id, &file).await.0, 403);
    assert_eq!(audited(&app, "benefit.enrol_import").await, 2);

    // Changes: the sponsor's admins only; a quota below the grants held is refused.
    let edit = format!("/console/benefits/{id}/edit");
    let change = |quota: &'static str| {
        [
            ("name", "货车司机意外伤害保险"),
            ("provider", "中国人寿"),
            ("hotline", "95519"),
            ("until", ""),
            ("quota", quota),
        ]
    };
    assert_eq!(reviewer.post(&edit, &change("5")).await.0, 403);
    let number = second.member_number.clone().unwrap();
    assert_eq!(reviewer.post(&format!("/console/benefits/{id}/grant"), &[("number", &number)]).await.0, 303);
    let (status, page) = admin.post(&edit, &change("1")).await;
    assert_eq!(status, 422);
    assert!(page.contains("总名额不能少于已发放的数量"), "{}", main_of(&page));
    assert_eq!(admin.post(&edit, &change("5")).await.0, 303);
    let record = app.store().programme(huiji_core::benefit::ProgrammeId(id)).await.unwrap().unwrap();
    assert_eq!(
        (record.name.as_str(), record.quota.total, record.quota.granted),
        ("货车司机意外伤害保险", 5, 2)
    );

    // Closing asks first; then nothing more is granted.
    let close = format!("/console/benefits/{id}/close");
    assert_eq!(reviewer.post(&close, &[]).await.0, 403);
    let (status, page) = admin.post(&close, &[]).await;
    assert_eq!(status, 200);
    assert!(page.contains("确认结束") && page.contains("今天起不再发放"), "{}", main_of(&page));
    assert!(
        app.store()
            .programme(huiji_core::benefit::ProgrammeId(id))
            .await
            .unwrap()
            .unwrap()
            .rules
            .period
            .until()
            .is_none()
    );
    assert_eq!(admin.post(&close, &[("confirm", "yes")]).await.0, 303);
    let (third, _, _) = county_member(&app, "340122", 43).await;
    let (_, page) = reviewer.get(&format!("/console/members/{}", third.id)).await;
    assert!(!page.contains(&format!("<option value=\"{id}\">")), "a closed programme is not offered");
    let number = third.member_number.clone().unwrap();
    let (status, page) =
        reviewer.post(&format!("/console/benefits/{id}/grant"), &[("number", &number)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("该项目不在有效期内"), "{}", main_of(&page));
    assert_eq!((audited(&app, "benefit.edit").await, audited(&app, "benefit.close").await), (1, 1));
});
