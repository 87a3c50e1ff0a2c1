//! The personal invite link on both databases: `/i/{code}` opens the join form of the
//! union the rules pick, region preset, nothing personal shown; joining through it is
//! attributed to the campaign; unknown and expired codes are pages that say so; the
//! unsubscribe link asks first and then suppresses the mobile.

use std::io::Cursor;

use huiji_app::actor::Actor;
use huiji_app::campaign::{self, CreateRequest};
use huiji_app::roster::import::{self, CancelFlag, ImportRequest};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;
use huiji_tabular::{Limits, Table};
use huiji_vault::Field;

use crate::support::{TestApp, form, id_number, main_of, with};

/// Lists truck drivers of 肥东县 (ID sequence, mobile) on 合肥市总工会's roster.
pub(crate) async fn roster(app: &TestApp, people: &[(u32, &str)]) {
    let mut text = "姓名,身份证号,手机号,从业类型,区县代码\r\n".to_owned();
    for (n, mobile) in people {
        text.push_str(&format!(
            "王晓明,{},{mobile},货车司机,340122\r\n",
            id_number("340122", "19900101", *n)
        ));
    }
    let table = Table::from_reader(Cursor::new(text.into_bytes()), None, Limits::default()).unwrap();
    let hefei = app.store().org_by_join_code("3401").await.unwrap().unwrap();
    let request = ImportRequest {
        org: Some(hefei.id),
        source: "市交通运输局".to_owned(),
        file_name: "roster.csv".to_owned(),
        report_name: "roster.report.csv".to_owned(),
        default_occupation: None,
    };
    let summary = import::import(
        &app.state.app,
        &Actor::Operator,
        &request,
        table,
        Box::new(std::io::sink()),
        CancelFlag::default(),
    )
    .await
    .unwrap();
    assert_eq!(summary.counts.rejected, 0);
}

/// Makes, queues and sends a campaign for 合肥市总工会; its id and the invite codes sent,
/// in order.
pub(crate) async fn sent_campaign(app: &TestApp) -> (i64, Vec<String>) {
    let hefei = app.store().org_by_join_code("3401").await.unwrap().unwrap();
    let request = CreateRequest {
        org: Some(hefei.id),
        name: "货车司机入会邀请".to_owned(),
        text: "{surname}师傅您好，诚邀您加入工会：{link}".to_owned(),
        ..CreateRequest::default()
    };
    let id = campaign::create(&app.state.app, &Actor::Operator, &request).await.unwrap();
    campaign::queue(&app.state.app, &Actor::Operator, id).await.unwrap();
    campaign::deliver::deliver_due(&app.state.app).await.unwrap();
    let mut outbox = app.store().sms_outbox(1000).await.unwrap();
    outbox.reverse();
    let codes = outbox
        .iter()
        .filter_map(|m| m.body.find("/i/").map(|at| m.body[at + 3..at + 16].to_owned()))
        .collect();
    (id, codes)
}

both_databases!(invite_links_open_the_join_form_and_attribute_the_join, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    roster(&app, &[(1, "13800138001"), (2, "13800138002")]).await;
    let (id, codes) = sent_campaign(&app).await;
    assert_eq!(codes.len(), 2);

    let (status, _, page) = app.get(&format!("/i/{}", codes[0])).await;
    let main = main_of(&page);
    assert_eq!(status, 200, "{main}");
    assert!(main.contains("肥东县货车司机工会联合会"), "the union the rules pick: {main}");
    assert!(main.contains(r#"value="340122" selected"#), "region preset: {main}");
    assert!(main.contains(&format!(r#"action="/i/{}""#, codes[0])), "{main}");
    assert!(
        !page.contains("13800138001") && !page.contains("1380****") && !page.contains("王晓明"),
        "nothing personal"
    );
    assert!(page.contains(&format!("/i/{}/unsubscribe", codes[0])));

    let id1 = id_number("340122", "19900101", 1);
    let (status, page) = app.join(&format!("/i/{}", codes[0]), &form(&id1, "13800138001")).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    let view = campaign::funnel(&app.state.app, &Actor::Operator, id).await.unwrap();
    assert_eq!((view.total.sent, view.total.clicked, view.total.applied), (2, 1, 1));
    let by_mobile = app
        .store()
        .applications_by_mobile(&app.state.app.keys().blind_index(Field::Mobile, "13800138001").to_hex())
        .await
        .unwrap();
    assert_eq!(by_mobile[0].channel, huiji_core::Channel::Invite);

    // Unknown and malformed codes: a page that says so, with a way to join anyway.
    for bad in ["zzzzzzzzzzzzz", "nope"] {
        let (status, content_type, page) = app.get(&format!("/i/{bad}")).await;
        assert_eq!(status, 404);
        assert!(content_type.starts_with("text/html"));
        assert!(main_of(&page).contains("邀请链接无效") && main_of(&page).contains(r#"href="/join""#));
    }
    // Thirty days on, the links have expired.
    app.advance(30 * 86_400_000);
    let (status, _, page) = app.get(&format!("/i/{}", codes[1])).await;
    assert_eq!(status, 410);
    assert!(main_of(&page).contains("邀请链接已过期"), "{}", main_of(&page));
    let (status, _) =
        app.post(&format!("/i/{}", codes[1]), &with(form(&id1, "13800138002"), "action", "submit")).await;
    assert_eq!(status, 410, "an expired invite takes no application");
});

both_databases!(the_unsubscribe_link_asks_then_suppresses, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    roster(&app, &[(1, "13800138001")]).await;
    let (_, codes) = sent_campaign(&app).await;
    let path = format!("/i/{}/unsubscribe", codes[0]);
    let bidx = app.state.app.keys().blind_index(Field::Mobile, "13800138001").to_hex();
    let (status, _, page) = app.get(&path).await;
    assert_eq!(status, 200);
    assert!(main_of(&page).contains("确认退订"));
    assert!(!app.store().is_suppressed(&bidx).await.unwrap(), "opening the link changes nothing");
    for _ in 0..2 {
        let (status, page) = app.post(&path, &[]).await;
        assert_eq!(status, 200);
        assert!(main_of(&page).contains("已退订"));
    }
    assert!(app.store().is_suppressed(&bidx).await.unwrap());
    let (status, _) = app.post("/i/zzzzzzzzzzzzz/unsubscribe", &[]).await;
    assert_eq!(status, 404);
});
