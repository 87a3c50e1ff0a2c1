//! The console speaks in words, not codes (issue 13 item 6): statuses, channels and roles
//! through the one label table, member histories link the application, and the audit log
//! reads as sentences with the records it names labelled and linked.

use huiji_core::{AutoApproval, Role};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::support::{TestApp, form, id_number, main_of, with};

both_databases!(statuses_channels_roles_and_the_audit_log_read_as_words, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let feidong = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    app.store().set_review_policy(feidong.id, AutoApproval::Off, 3).await.unwrap();
    let mobile = "13712340001";
    let first = id_number("340122", "19800101", 1);
    let fields = with(with(form(&first, mobile), "city", "3401"), "region_code", "340122");
    let (_, body) = app.join("/j/340122T", &fields).await;
    assert!(body.contains("申请已提交"), "{}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, mobile).to_hex();
    let application = app.store().applications_by_mobile(&bidx).await.unwrap()[0].id;

    let admin = app.officer("anhui_words", None, Role::Admin).await;
    let detail = format!("/console/applications/{application}");
    let (status, _) =
        admin.post(&format!("{detail}/reject"), &[("preset", "other"), ("reason", "资料不全")]).await;
    assert!(status == 303 || status == 200, "{status}");
    let (_, page) = admin.get(&detail).await;
    let main = main_of(&page);
    assert!(main.contains("未通过") && main.contains("扫码入会"), "{main}");
    assert!(!main.contains(">rejected") && !main.contains(">qr"), "no codes: {main}");
    assert!(page.contains("管理员") && !page.contains("· admin"), "the header names the role");

    // A policy change: both policies and both deadlines in words.
    let (status, _) = admin
        .post(
            &format!("/console/orgs/{}/policy", feidong.id),
            &[("auto_approval", "all_verified"), ("review_days", "5")],
        )
        .await;
    assert!(status == 303 || status == 200, "{status}");

    let (_, page) = admin.get("/console/audit").await;
    let main = main_of(&page);
    let link = format!("<a href=\"/console/applications/{application}\">入会申请 #{application}</a>");
    assert!(main.contains(&link), "the rejection names its application: {main}");
    assert!(main.contains("anhui_words</strong>（工作人员） 拒绝入会申请"), "{main}");
    assert!(main.contains("理由：其他：资料不全"), "{main}");
    assert!(main.contains("全部人工审核") && main.contains("审核期限 3 天"), "{main}");
    assert!(main.contains("手机验证即批准（马上入会）") && main.contains("审核期限 5 天"), "{main}");
    assert!(
        !main.contains("(officer)") && !main.contains("application:") && !main.contains("policy:"),
        "{main}"
    );
    let (_, page) = admin.get("/console/audit?lang=en").await;
    assert!(page.contains(&format!("application #{application}</a>")), "{}", main_of(&page));

    // A member's history links the application the membership came from.
    let second = id_number("340122", "19800101", 2);
    let (_, body) = app.join("/j/340122T", &form(&second, "13712340002")).await;
    assert!(body.contains("入会成功"), "{}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, "13712340002").to_hex();
    let member = app.store().memberships_by_mobile(&bidx).await.unwrap().remove(0);
    let joined_from = app.store().applications_by_mobile(&bidx).await.unwrap()[0].id;
    let (_, page) = admin.get(&format!("/console/members/{}", member.id)).await;
    let main = main_of(&page);
    assert!(
        main.contains(&format!("href=\"/console/applications/{joined_from}\">入会申请 #{joined_from}</a>")),
        "{main}"
    );
    assert!(!main.contains(&format!("application {joined_from}")), "{main}");
});
