//! Logging in and the review queue, through the real HTTP app with a cookie jar.

use huiji_core::{AutoApproval, Role};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::support::console::PASSWORD;
use crate::support::{TestApp, form, id_number, main_of, with};

/// Sets a union to manual review and files one application there; returns its id.
async fn pending(app: &TestApp, code: &str, region: &str, seq: u32) -> i64 {
    let org = app.store().org_by_join_code(code).await.unwrap().unwrap();
    app.store().set_review_policy(org.id, AutoApproval::Off, 3).await.unwrap();
    let id = id_number(region, "19800101", seq);
    let mobile = format!("1371234{:04}", seq);
    let city = &region[..4];
    let fields =
        crate::support::with(crate::support::with(form(&id, &mobile), "city", city), "region_code", region);
    let (status, body) = app.join(&format!("/j/{code}"), &fields).await;
    assert!(body.contains("申请已提交"), "{status}: {}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, &mobile).to_hex();
    app.store().applications_by_mobile(&bidx).await.unwrap()[0].id
}

both_databases!(login_logout_and_throttling, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    // Anonymous visitors go to the login page.
    let anonymous = app.browser();
    let response = anonymous.get(format!("{}/console/applications", app.base)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/console/login");

    let console = app.officer("hefei", Some("3401"), Role::Reviewer).await;
    let (status, page) = console.get("/console/applications").await;
    assert_eq!(status, 200);
    assert!(page.contains("合肥市总工会") && page.contains("hefei"));

    // The session cookie is HttpOnly and SameSite.
    let browser = app.browser();
    let token = app.login_token(&browser).await;
    let response = app.post_login(&browser, &token, "hefei", PASSWORD).await;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("huiji_session="))
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");

    // Logout needs the CSRF token, then ends the session.
    let (status, _) = console.post_raw("/console/logout", &[("csrf", "wrong")]).await;
    assert_eq!(status, 403);
    let (status, _) = console.post("/console/logout", &[]).await;
    assert_eq!(status, 303);
    assert_eq!(console.get("/console/applications").await.0, 303);

    // Five wrong passwords lock the account, even against the right one.
    assert!(app.login("hefei", "wrong password").await.is_none());
    for _ in 0..4 {
        assert!(app.login("hefei", "wrong password").await.is_none());
    }
    assert!(app.login("hefei", PASSWORD).await.is_none(), "locked");
    app.advance(5 * 60 * 1000 + 1);
    assert!(app.login("hefei", PASSWORD).await.is_some(), "unlocked after five minutes");
    // Unknown users and disabled users are refused alike.
    assert!(app.login("nobody", PASSWORD).await.is_none());
    app.store().set_user_disabled("hefei", true).await.unwrap();
    assert!(app.login("hefei", PASSWORD).await.is_none());
});

both_databases!(changing_the_password_ends_sessions, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let console = app.officer("feidong", Some("340122"), Role::Viewer).await;
    let (status, page) = console
        .post("/console/password", &[("current", PASSWORD), ("new", "short"), ("repeat", "short")])
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("至少10个字符"));
    let (status, _) = console
        .post(
            "/console/password",
            &[("current", PASSWORD), ("new", "a much better one"), ("repeat", "a much better one")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(console.get("/console/applications").await.0, 303, "the old session ended");
    assert!(app.login("feidong", PASSWORD).await.is_none());
    assert!(app.login("feidong", "a much better one").await.is_some());
});

both_databases!(the_queue_shows_the_subtree_oldest_first_and_decides, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let feidong = pending(&app, "340122T", "340122", 1).await;
    app.advance(1000);
    let wuhu = pending(&app, "3402T", "340202", 2).await;
    let county = app.officer("fd", Some("340122"), Role::Reviewer).await;
    let city = app.officer("hf", Some("3401"), Role::Reviewer).await;
    let root = app.officer("ah", None, Role::Admin).await;

    let (_, page) = county.get("/console/applications").await;
    assert!(page.contains(&format!("/console/applications/{feidong}\"")));
    assert!(!page.contains(&format!("/console/applications/{wuhu}\"")));
    let (_, page) = root.get("/console/applications").await;
    let (a, b) = (page.find(&format!("/{feidong}\"")).unwrap(), page.find(&format!("/{wuhu}\"")).unwrap());
    assert!(a < b, "oldest first");
    assert!(page.contains("王*"), "names are masked in the list");

    // The detail shows masked identifiers; another subtree gets a 404.
    let (status, detail) = county.get(&format!("/console/applications/{feidong}")).await;
    assert_eq!(status, 200);
    assert!(detail.contains("3401**********") && detail.contains("137****0001"), "{}", main_of(&detail));
    assert_eq!(county.get(&format!("/console/applications/{wuhu}")).await.0, 404);
    assert_eq!(county.post(&format!("/console/applications/{wuhu}/approve"), &[]).await.0, 404);

    // Reject needs a reason; approve makes a member.
    let (_, page) =
        city.post(&format!("/console/applications/{feidong}/reject"), &[("preset", "other")]).await;
    assert!(page.contains("请选择或填写拒绝理由"));
    let (status, page) = city.post(&format!("/console/applications/{feidong}/approve"), &[]).await;
    assert_eq!(status, 200);
    assert!(page.contains("已批准，会员号"), "{}", main_of(&page));
    let (_, page) = city.post(&format!("/console/applications/{feidong}/approve"), &[]).await;
    assert!(page.contains("该申请已处理"));
    let (_, page) = root
        .post(
            &format!("/console/applications/{wuhu}/reject"),
            &[("preset", "not_our_scope"), ("reason", "属地不符")],
        )
        .await;
    assert!(page.contains("已拒绝") && page.contains("不属于本会承接范围：属地不符"));
    let record = app.store().application(wuhu).await.unwrap().unwrap();
    assert_eq!(record.status.code(), "rejected");
});

both_databases!(batch_approval_skips_what_is_not_yours, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let mine = pending(&app, "340122T", "340122", 3).await;
    let also_mine = pending(&app, "340122T", "340122", 4).await;
    let theirs = pending(&app, "3402T", "340202", 5).await;
    let county = app.officer("fd", Some("340122"), Role::Reviewer).await;
    let ids = [mine.to_string(), also_mine.to_string(), theirs.to_string()];
    let fields: Vec<(&str, &str)> = ids.iter().map(|id| ("ids", id.as_str())).collect();
    // The first post asks to confirm how many will be approved; nothing is decided yet.
    let (status, page) = county.post("/console/applications/batch-approve", &fields).await;
    assert_eq!(status, 200);
    assert!(page.contains("请确认") && page.contains("批准所选的 3 份入会申请"), "{page}");
    assert_eq!(page.matches(r#"type="hidden" name="ids""#).count(), 3, "{page}");
    assert_eq!(app.store().application(mine).await.unwrap().unwrap().status.code(), "pending_review");
    let response = county
        .http
        .post(format!("{}/console/applications/batch-approve", county.base))
        .form(&[fields.as_slice(), &[("csrf", county.csrf.as_str()), ("confirm", "yes")]].concat())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, page) = county.get(&location).await;
    assert!(page.contains("已批准 2") && page.contains("未处理 1"), "{}", main_of(&page));
    assert_eq!(app.store().application(theirs).await.unwrap().unwrap().status.code(), "pending_review");
    assert_eq!(app.store().application(mine).await.unwrap().unwrap().status.code(), "approved");
});

both_databases!(viewers_read_but_change_nothing, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let id = pending(&app, "340122T", "340122", 6).await;
    let viewer = app.officer("v", Some("340122"), Role::Viewer).await;
    let (status, page) = viewer.get(&format!("/console/applications/{id}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains("/approve\""), "no buttons for viewers");
    assert_eq!(viewer.post(&format!("/console/applications/{id}/approve"), &[]).await.0, 403);
    assert_eq!(
        viewer.post(&format!("/console/applications/{id}/reject"), &[("preset", "duplicate")]).await.0,
        403
    );
    assert_eq!(app.store().application(id).await.unwrap().unwrap().status.code(), "pending_review");
});

both_databases!(overdue_reviews_escalate_to_the_parent, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let id = pending(&app, "340122T", "340122", 7).await;
    let industry = app.officer("ind", Some("340122T"), Role::Reviewer).await;
    assert!(industry.get("/console/applications").await.1.contains(&format!("/{id}\"")));
    app.advance(3 * 86_400_000 + 1);
    assert_eq!(industry.get("/console/applications").await.0, 303, "sessions last a working day");
    let industry = app.login("ind", PASSWORD).await.unwrap();
    let county = app.officer("cty", Some("340122"), Role::Reviewer).await;
    let (_, page) = industry.get("/console/applications").await;
    assert!(page.contains("已逾期"), "overdue is highlighted");
    let moved = app.store().escalate_overdue(app.state.app.now()).await.unwrap();
    assert_eq!(moved, 1);
    assert!(!industry.get("/console/applications").await.1.contains(&format!("/{id}\"")));
    let (_, page) = county.get("/console/applications").await;
    assert!(page.contains(&format!("/{id}\"")) && page.contains("已上报"));
});

both_databases!(the_persons_other_applications_stay_in_the_officers_subtree, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    // One person applies in 肥西, is turned down, then applies in 肥东 with another mobile.
    let id = id_number("340123", "19800101", 8);
    let mut applications = Vec::new();
    for (code, region, mobile) in [("340123T", "340123", "13712340008"), ("340122T", "340122", "13712340009")]
    {
        let org = app.store().org_by_join_code(code).await.unwrap().unwrap();
        app.store().set_review_policy(org.id, AutoApproval::Off, 3).await.unwrap();
        let fields = with(form(&id, mobile), "region_code", region);
        let (_, body) = app.join(&format!("/j/{code}"), &fields).await;
        assert!(body.contains("申请已提交"), "{}", main_of(&body));
        let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, mobile).to_hex();
        applications.push(app.store().applications_by_mobile(&bidx).await.unwrap()[0].id);
        if applications.len() == 1 {
            let feixi = app.officer("fx", Some("340123"), Role::Reviewer).await;
            let reject = format!("/console/applications/{}/reject", applications[0]);
            feixi.post(&reject, &[("preset", "false_information")]).await;
            assert_eq!(
                app.store().application(applications[0]).await.unwrap().unwrap().status.code(),
                "rejected"
            );
        }
    }
    let (feixi_application, feidong_application) = (applications[0], applications[1]);

    // 肥东 sees its own application and nothing of 肥西's.
    let feidong = app.officer("fd", Some("340122"), Role::Reviewer).await;
    let (status, page) = feidong.get(&format!("/console/applications/{feidong_application}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains("同一身份证号的其他申请"), "{}", main_of(&page));
    assert!(!page.contains("肥西") && !page.contains(&format!("#{feixi_application}<")));

    // 合肥市 holds both counties and sees both.
    let hefei = app.officer("hf", Some("3401"), Role::Reviewer).await;
    let (_, page) = hefei.get(&format!("/console/applications/{feidong_application}")).await;
    assert!(page.contains("同一身份证号的其他申请") && page.contains("肥西县货车司机工会联合会"));
});

/// The welcome SMS to a mobile: the newest outbox message to it.
async fn welcome_to(app: &TestApp, mobile: &str) -> Option<String> {
    let masked = format!("{}****{}", &mobile[..3], &mobile[7..]);
    let outbox = app.store().sms_outbox(1000).await.unwrap();
    outbox
        .into_iter()
        .find(|m| m.mobile_masked == masked)
        .map(|m| m.body)
        .filter(|b| b.contains("欢迎加入工会"))
}

both_databases!(officer_approval_sends_the_welcome_sms, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let single = pending(&app, "340122T", "340122", 7).await;
    let batched = pending(&app, "340122T", "340122", 8).await;
    let county = app.officer("fd", Some("340122"), Role::Reviewer).await;
    assert_eq!(welcome_to(&app, "13712340007").await, None, "nothing before the decision");

    // A single approval: the welcome names the member number and the landing union.
    let (status, _) = county.post(&format!("/console/applications/{single}/approve"), &[]).await;
    assert_eq!(status, 200);
    let membership = app.store().application(single).await.unwrap().unwrap().membership_id.unwrap();
    let member = app.store().membership(membership).await.unwrap().unwrap();
    let number = member.member_number.unwrap();
    let landing = app.store().org(huiji_core::OrgId(member.home_org_id)).await.unwrap().unwrap();
    let text = welcome_to(&app, "13712340007").await.expect("a welcome SMS for the approved mobile");
    let grouped = huiji_core::MemberNumber::parse(&number).unwrap().grouped();
    assert_eq!(
        text,
        format!(
            "【会籍】欢迎加入工会！您的会员号是{grouped}，会籍在{}。电子会员证：{}/status",
            landing.name, app.base
        )
    );

    // A batch approval welcomes each member it makes.
    let id = batched.to_string();
    let response = county
        .http
        .post(format!("{}/console/applications/batch-approve", county.base))
        .form(&[("ids", id.as_str()), ("csrf", county.csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert!(welcome_to(&app, "13712340008").await.is_some(), "batch approval sends the welcome too");

    // A rejection sends nothing, and each decision is in the audit log.
    let rejected = pending(&app, "340122T", "340122", 9).await;
    let (status, _) =
        county.post(&format!("/console/applications/{rejected}/reject"), &[("preset", "duplicate")]).await;
    assert_eq!(status, 200);
    assert_eq!(welcome_to(&app, "13712340009").await, None);
    let receiving = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    let audited = |action: &str| {
        let query = huiji_store::AuditQuery {
            within: receiving.path.clone(),
            action: Some(action.to_owned()),
            actor_name: Some("fd".to_owned()),
            from: None,
            to: None,
            before_id: None,
            limit: 10,
        };
        let store = app.store().clone();
        async move { store.audit_records(&query).await.unwrap().len() }
    };
    assert_eq!(audited("application.approve").await, 2);
    assert_eq!(audited("application.reject").await, 1);
});
