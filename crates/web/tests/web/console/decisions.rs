//! Decision SMS (issue 13 item 1): every decision — approval (single and batch),
//! rejection, escalation, a transfer's answer, a distribution — queues an SMS in its own
//! transaction and delivers it through the provider; `/status` shows the same facts. And
//! unions' contact details (item 8), shown to workers and in the SMS.

use std::sync::Arc;

use huiji_app::sms::HttpGatewaySms;
use huiji_core::notice::{NoticeDelivery, NoticeKind};
use huiji_core::{AutoApproval, Org, Role};
use huiji_store::testing::TestDb;
use huiji_store::{NoticeAbout, both_databases};

use crate::console::pool::{member, post_for_location};
use crate::console::transfers::{county_member, newest_into, org};
use crate::support::{TestApp, form, id_number, main_of, with};

/// Sets the union behind `code` to manual review (`days` to decide) and files an
/// application there from `1371111{seq}`; returns its id and mobile.
async fn pending(app: &TestApp, code: &str, days: u16, seq: u32) -> (i64, String) {
    let union = org(app, code).await;
    app.store().set_review_policy(union.id, AutoApproval::Off, days).await.unwrap();
    let id = id_number("340122", "19800101", seq);
    let mobile = format!("1371111{seq:04}");
    let (status, body) =
        app.join(&format!("/j/{code}"), &with(form(&id, &mobile), "region_code", "340122")).await;
    assert!(body.contains("申请已提交"), "{status}: {}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, &mobile).to_hex();
    (app.store().applications_by_mobile(&bidx).await.unwrap()[0].id, mobile)
}

/// The SMS the provider holds for `mobile`, oldest first.
async fn texts_to(app: &TestApp, mobile: &str) -> Vec<String> {
    let masked = format!("{}****{}", &mobile[..3], &mobile[7..]);
    let outbox = app.store().sms_outbox(1000).await.unwrap();
    outbox.into_iter().rev().filter(|m| m.mobile_masked == masked).map(|m| m.body).collect()
}

/// The one SMS to `mobile` containing `text`.
async fn text_to(app: &TestApp, mobile: &str, text: &str) -> String {
    let found: Vec<String> = texts_to(app, mobile).await.into_iter().filter(|b| b.contains(text)).collect();
    assert_eq!(found.len(), 1, "one SMS containing {text}: {found:?}");
    found[0].clone()
}

/// The /status page after an SMS check.
async fn status_page(app: &TestApp, mobile: &str) -> String {
    app.advance(61_000);
    assert_eq!(app.post("/status", &[("mobile", mobile), ("action", "send_code")]).await.0, 200);
    let code = app.sms_code(mobile).await;
    let (status, page) =
        app.post("/status", &[("mobile", mobile), ("sms_code", &code), ("action", "check")]).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    page
}

/// The union above the one with `code`.
async fn parent_of(app: &TestApp, union: &Org) -> Org {
    app.store().org(union.parent.unwrap()).await.unwrap().unwrap()
}

both_databases!(approvals_and_rejections_text_the_applicant, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let trucks = org(&app, "340122T").await;
    let county = parent_of(&app, &trucks).await;
    let admin = app.officer("fdadmin", Some("340122"), Role::Admin).await;
    let reviewer = app.officer("fd", Some("340122"), Role::Reviewer).await;

    // The county federation's contact details answer for the trucks federation below it.
    let contact = [("person", "张敏"), ("phone", "0551-67654321"), ("address", "肥东县店埠镇人民路1号")];
    let (status, location) =
        post_for_location(&admin, &format!("/console/orgs/{}/contact", county.id), &contact).await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("/console/orgs/{}?done=contact", county.id).as_str())
    );

    // A single approval, a batch approval: each applicant gets the welcome.
    let (single, single_mobile) = pending(&app, "340122T", 3, 1).await;
    let (batched, batched_mobile) = pending(&app, "340122T", 3, 2).await;
    assert!(texts_to(&app, &single_mobile).await.iter().all(|t| !t.contains("欢迎加入工会")));
    assert_eq!(reviewer.post(&format!("/console/applications/{single}/approve"), &[]).await.0, 200);
    let welcome = text_to(&app, &single_mobile, "欢迎加入工会").await;
    assert!(welcome.contains(&trucks.name), "{welcome}");
    let id = batched.to_string();
    let (status, _) = post_for_location(
        &reviewer,
        "/console/applications/batch-approve",
        &[("ids", &id), ("confirm", "yes")],
    )
    .await;
    assert_eq!(status, 303);
    text_to(&app, &batched_mobile, "欢迎加入工会").await;

    // A rejection: the reason, the union that decided, whom to ask and what to do next.
    let (rejected, mobile) = pending(&app, "340122T", 3, 3).await;
    let (status, _) = reviewer
        .post(
            &format!("/console/applications/{rejected}/reject"),
            &[("preset", "other"), ("reason", "工作地不在本县，请向工作地工会申请")],
        )
        .await;
    assert_eq!(status, 200);
    let text = text_to(&app, &mobile, "未通过").await;
    assert_eq!(
        text,
        format!(
            "【会籍】您的入会申请未通过{}审核，原因：其他：工作地不在本县，请向工作地工会申请。如有疑问请联系该工会（联系人：张敏，电话：0551-67654321，地址：肥东县店埠镇人民路1号）；如信息填写有误，可修改后重新申请：{base}/join。详情：{base}/status",
            trucks.name,
            base = app.base
        )
    );
    // Sent once: the notice is settled, and another round sends nothing.
    assert_eq!(huiji_app::notices::deliver_due(&app.state.app).await.unwrap(), 0);
    let notices =
        app.store().notices_about(NoticeAbout { application: Some(rejected), ..Default::default() }).await;
    let notices = notices.unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!((notices[0].kind, notices[0].delivery), (NoticeKind::Rejected, NoticeDelivery::Sent));
    assert_eq!(notices[0].body.as_deref(), Some(text.as_str()));

    // /status says the same: reason, contact, what next, and the SMS itself.
    let page = status_page(&app, &mobile).await;
    let main = main_of(&page);
    assert!(main.contains("未通过原因：其他：工作地不在本县，请向工作地工会申请"), "{main}");
    assert!(
        main.contains(huiji_core::notice::REJECTION_NEXT_ZH) && main.contains("href=\"/join\""),
        "{main}"
    );
    assert!(
        main.contains("张敏") && main.contains("tel:0551-67654321") && main.contains(&county.name),
        "{main}"
    );
    assert!(main.contains("短信通知") && main.contains("可修改后重新申请："), "{main}");
    // The approved member's status shows the home union's contact and the welcome.
    let page = status_page(&app, &single_mobile).await;
    assert!(main_of(&page).contains("欢迎加入工会") && main_of(&page).contains("张敏"), "{}", main_of(&page));
});

both_databases!(an_escalation_texts_the_applicant, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let trucks = org(&app, "340122T").await;
    let (id, mobile) = pending(&app, "340122T", 1, 4).await;
    app.advance(2 * 24 * 3600 * 1000);
    assert_eq!(app.store().escalate_overdue(app.state.app.now()).await.unwrap(), 1);
    // Queued by the escalation's transaction; nothing is sent before the delivery runs.
    assert!(texts_to(&app, &mobile).await.iter().all(|t| !t.contains("超过审核期限")));
    assert_eq!(huiji_app::notices::deliver_due(&app.state.app).await.unwrap(), 1);
    let parent = parent_of(&app, &trucks).await;
    let text = text_to(&app, &mobile, "超过审核期限").await;
    assert_eq!(
        text,
        format!(
            "【会籍】您的入会申请超过审核期限，已转由{}审核，请耐心等待。查询进度：{}/status",
            parent.name, app.base
        )
    );
    let page = status_page(&app, &mobile).await;
    assert!(
        main_of(&page).contains(&format!("已超过审核期限，现由 {}审核", parent.name)),
        "{}",
        main_of(&page)
    );
    assert_eq!(app.store().application(id).await.unwrap().unwrap().status.code(), "pending_review");
});

both_databases!(transfer_answers_and_distributions_text_the_member, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let wuhu_trucks = org(&app, "3402T").await;
    let wuhu = app.officer("wh", Some("3402T"), Role::Reviewer).await;
    // Two members ask to move to 芜湖; one is accepted, the other refused.
    let mut asked = Vec::new();
    for seq in [5, 6] {
        let (membership, _, mobile) = county_member(&app, "340122", seq).await;
        let page = status_page(&app, &mobile).await;
        let marker = "name=\"token\" value=\"";
        let start = page.find(marker).unwrap() + marker.len();
        let token: String = page[start..].chars().take_while(|c| *c != '"').collect();
        let (status, _) = app.post("/status/transfer", &[("token", &token), ("join_code", "3402T")]).await;
        assert_eq!(status, 200);
        asked.push((membership, mobile, newest_into(&app, &wuhu_trucks).await));
    }
    let (_, agreed_mobile, agreed) = &asked[0];
    let (refused_member, refused_mobile, refused) = &asked[1];
    assert_eq!(post_for_location(&wuhu, &format!("/console/transfers/{agreed}/accept"), &[]).await.0, 303);
    assert_eq!(post_for_location(&wuhu, &format!("/console/transfers/{refused}/reject"), &[]).await.0, 303);
    let text = text_to(&app, agreed_mobile, "已转入").await;
    assert_eq!(
        text,
        format!(
            "【会籍】您的工会会籍已转入{}，会员号不变。电子会员证：{}/status",
            wuhu_trucks.name, app.base
        )
    );
    let home = app.store().org(huiji_core::OrgId(refused_member.home_org_id)).await.unwrap().unwrap();
    let text = text_to(&app, refused_mobile, "未获同意").await;
    assert!(
        text.contains(&format!("转入{}的申请未获同意，会籍仍在{}", wuhu_trucks.name, home.name)),
        "{text}"
    );
    assert!(main_of(&status_page(&app, refused_mobile).await).contains("未获同意"));

    // A pool member distributed to a township union is told where they are now.
    let rider = member(&app, "delivery_rider", "341003", 7).await;
    let township = app
        .store()
        .orgs(&huiji_store::OrgFilter {
            kind: Some(huiji_core::OrgKindCode::Township),
            region: Some("341003".parse().unwrap()),
            limit: Some(1),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    let city = app.officer("hs", Some("3410"), Role::Reviewer).await;
    let fields = [("ids", rider.id.to_string()), ("to", township.id.0.to_string())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(post_for_location(&city, "/console/pool/distribute", &fields).await.0, 303);
    let text = text_to(&app, "13912340007", "分流至").await;
    assert!(text.contains(&format!("已由周转池分流至{}", township.name)), "{text}");
});

both_databases!(a_failed_sms_is_retried_and_sent_once, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (id, mobile) = pending(&app, "340122T", 3, 8).await;
    // Rejected straight in the store: queued, not yet delivered.
    app.store().reject_application(id, "user:fd", "资料不全", app.state.app.now()).await.unwrap();
    // A gateway nobody listens on: every send fails.
    let gateway = HttpGatewaySms::new("http://127.0.0.1:9/send", None).unwrap();
    let down = app.state.app.clone().with_sms(Arc::new(gateway));
    assert_eq!(huiji_app::notices::deliver_due(&down).await.unwrap(), 0);
    let about = NoticeAbout { application: Some(id), ..Default::default() };
    let notice = app.store().notices_about(about).await.unwrap().remove(0);
    assert_eq!((notice.delivery, notice.attempts), (NoticeDelivery::Pending, 1));
    // Not due again before the back-off; then the provider takes it, once.
    assert_eq!(huiji_app::notices::deliver_due(&app.state.app).await.unwrap(), 0);
    app.advance(31_000);
    assert_eq!(huiji_app::notices::deliver_due(&app.state.app).await.unwrap(), 1);
    assert_eq!(huiji_app::notices::deliver_due(&app.state.app).await.unwrap(), 0);
    assert_eq!(texts_to(&app, &mobile).await.iter().filter(|t| t.contains("资料不全")).count(), 1);
    let notice = app.store().notices_about(about).await.unwrap().remove(0);
    assert_eq!((notice.delivery, notice.attempts), (NoticeDelivery::Sent, 2));
});
