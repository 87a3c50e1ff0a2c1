//! Campaigns in the console on both databases: an officer makes a campaign within their
//! subtree and sends it; the page shows the funnel per union and the messages masked;
//! another subtree's campaign is not found; viewers cannot make or send one; the join
//! codes' scans count.

use huiji_core::Role;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::support::{TestApp, main_of};
use crate::worker::invite::roster;

both_databases!(officers_make_send_and_follow_campaigns_in_their_subtree, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    roster(&app, &[(1, "13800138001"), (2, "13800138002")]).await;
    let admin = app.officer("hefei-admin", Some("3401"), Role::Admin).await;
    let hefei = app.store().org_by_join_code("3401").await.unwrap().unwrap();
    let wuhu = app.store().org_by_join_code("3402").await.unwrap().unwrap();
    let (status, page) = admin.get("/console/campaigns").await;
    assert_eq!(status, 200);
    assert!(main_of(&page).contains("新建邀请活动"));

    // Outside the subtree: refused like a missing union.
    let fields = |org: String, text: &'static str| {
        vec![
            ("org", org),
            ("name", "货车司机入会邀请".to_owned()),
            ("text", text.to_owned()),
            ("occupation", "truck_driver".to_owned()),
            ("region", String::new()),
            ("source", String::new()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.post("/console/campaigns", &borrowed).await
        }
    };
    let (status, _) = post(fields(wuhu.id.0.to_string(), "您好 {link}")).await;
    assert_eq!(status, 404);
    let (status, page) = post(fields(hefei.id.0.to_string(), "欢迎入会")).await;
    assert_eq!(status, 422);
    assert!(main_of(&page).contains("{link}"), "the text's problem is said: {}", main_of(&page));
    let (status, page) =
        post(fields(hefei.id.0.to_string(), "{surname}师傅您好，诚邀您加入工会：{link}")).await;
    assert_eq!(status, 303, "{}", main_of(&page));
    let campaigns = app.store().campaigns(&hefei.path, 10).await.unwrap();
    let id = campaigns[0].id;

    let (status, page) = admin.get(&format!("/console/campaigns/{id}")).await;
    assert_eq!(status, 200);
    assert!(main_of(&page).contains("【合肥市总工会】"), "{}", main_of(&page));
    let (status, _) = admin.post(&format!("/console/campaigns/{id}/send"), &[]).await;
    assert_eq!(status, 303);
    huiji_app::campaign::deliver::deliver_due(&app.state.app).await.unwrap();
    let (_, page) = admin.get(&format!("/console/campaigns/{id}")).await;
    let main = main_of(&page);
    assert!(main.contains("肥东县货车司机工会联合会"), "funnel per union: {main}");
    assert!(main.contains("138****8001") && !main.contains("13800138001"), "masked: {main}");
    assert!(main.contains("<th>合计</th><td>2</td><td>0</td><td>0</td><td>2</td>"), "{main}");

    // Another subtree's officer and a viewer.
    let other = app.officer("wuhu-admin", Some("3402"), Role::Admin).await;
    assert_eq!(other.get(&format!("/console/campaigns/{id}")).await.0, 404);
    assert_eq!(other.post(&format!("/console/campaigns/{id}/send"), &[]).await.0, 404);
    let viewer = app.officer("hefei-viewer", Some("3401"), Role::Viewer).await;
    assert_eq!(viewer.get(&format!("/console/campaigns/{id}")).await.0, 200);
    assert_eq!(viewer.post(&format!("/console/campaigns/{id}/send"), &[]).await.0, 403);

    // A QR scan counts on the list page's join codes.
    assert_eq!(app.get("/j/3401T").await.0, 200);
    let (_, page) = admin.get("/console/campaigns").await;
    assert!(main_of(&page).contains("<td>3401T</td><td>1</td>"), "{}", main_of(&page));
});

both_databases!(a_campaign_text_may_break_lines, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let admin = app.officer("hefei-admin", Some("3401"), Role::Admin).await;
    let hefei = app.store().org_by_join_code("3401").await.unwrap().unwrap();
    let org = hefei.id.0.to_string();
    // What a browser's textarea sends: CR LF between the lines.
    let fields = [
        ("org", org.as_str()),
        ("name", "分两行的邀请"),
        ("text", "{surname}师傅您好：\r\n诚邀您加入工会 {link}"),
        ("occupation", ""),
        ("region", ""),
        ("source", ""),
    ];
    let (status, page) = admin.post("/console/campaigns", &fields).await;
    assert_eq!(status, 303, "{}", main_of(&page));
    let campaigns = app.store().campaigns(&hefei.path, 10).await.unwrap();
    let (_, page) = admin.get(&format!("/console/campaigns/{}", campaigns[0].id)).await;
    assert!(main_of(&page).contains("师傅您好：\n诚邀您加入工会"), "{}", main_of(&page));
});
