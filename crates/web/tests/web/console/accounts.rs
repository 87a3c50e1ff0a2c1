//! Officer accounts in the console (issue 13 items 7, 9, 12): admins manage their
//! subtree's accounts (one-time passwords, the forced change, scoping, audit, names as
//! "who did it"), reveals and the full export, the header's counts and the daily digest.

use huiji_core::{AutoApproval, Role};
use huiji_store::testing::TestDb;
use huiji_store::{AuditQuery, both_databases};

use crate::support::console::{Console, PASSWORD, csrf_of};
use crate::support::{TestApp, form, id_number, main_of, with};

/// The one-time password on the page that shows it.
fn one_time_password(page: &str) -> String {
    let marker = "<code id=\"one-time-password\">";
    let start =
        page.find(marker).unwrap_or_else(|| panic!("no one-time password: {}", main_of(page))) + marker.len();
    page[start..].chars().take_while(|c| *c != '<').collect()
}

async fn org_id(app: &TestApp, code: &str) -> i64 {
    app.store().org_by_join_code(code).await.unwrap().unwrap().id.0
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    app.store().user_by_username(username).await.unwrap().unwrap().id
}

/// Creates an account in the browser; returns its one-time password.
async fn create(admin: &Console, username: &str, name: &str, mobile: &str, org: i64, role: &str) -> String {
    let org = org.to_string();
    let fields = [
        ("username", username),
        ("full_name", name),
        ("mobile", mobile),
        ("org", org.as_str()),
        ("role", role),
    ];
    let (status, page) = admin.post("/console/accounts", &fields).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    one_time_password(&page)
}

/// Logs in with a one-time password, is held on the password form until the officer
/// chose their own, and returns the console logged in with it.
async fn first_login(app: &TestApp, username: &str, one_time: &str, own: &str) -> Console {
    let http = app.browser();
    let token = app.login_token(&http).await;
    assert_eq!(app.post_login(&http, &token, username, one_time).await.status().as_u16(), 303);
    let console = Console { base: app.base.clone(), http, csrf: String::new() };
    for path in ["/console/applications", "/console/members", "/console/accounts"] {
        let response = console.http.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/console/password", "{path}");
    }
    let (status, page) = console.get("/console/password").await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"must-change\""), "{}", main_of(&page));
    let csrf = csrf_of(&page);
    let fields = [("current", one_time), ("new", own), ("repeat", own), ("csrf", csrf.as_str())];
    let (status, _) = console.post_raw("/console/password", &fields).await;
    assert_eq!(status, 303, "the change ends the session");
    app.login(username, own).await.expect("logs in with the password they chose")
}

async fn audited(app: &TestApp, within: &str, action: &str) -> Vec<huiji_store::AuditRecord> {
    let org = app.store().org_by_join_code(within).await.unwrap().unwrap();
    let query = AuditQuery {
        within: org.path,
        action: Some(action.to_owned()),
        actor_name: None,
        from: None,
        to: None,
        before_id: None,
        limit: 50,
    };
    app.store().audit_records(&query).await.unwrap()
}

both_databases!(admins_make_accounts_with_one_time_passwords, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let hefei = app.officer("hf-admin", Some("3401"), Role::Admin).await;
    let feidong = org_id(&app, "340122").await;

    // A new account: the one-time password shown once, the mobile sealed and masked.
    let one_time = create(&hefei, "fd-rev", "李建国", "13912340001", feidong, "reviewer").await;
    assert_eq!(one_time.chars().count(), 16);
    let stored = app.store().user_by_username("fd-rev").await.unwrap().unwrap();
    assert!(stored.must_change_password && stored.mobile_ct.is_some() && !stored.can_reveal);
    assert_eq!(stored.role, Role::Reviewer);
    assert_eq!(stored.full_name, "李建国");
    let (status, list) = hefei.get("/console/accounts").await;
    assert_eq!(status, 200);
    assert!(list.contains("李建国") && list.contains("139****0001"), "{}", main_of(&list));
    assert!(!list.contains("13912340001") && !list.contains(&one_time), "shown once, masked");
    let (_, page) = hefei.get(&format!("/console/accounts/{}", stored.id)).await;
    assert!(!page.contains(&one_time) && page.contains("待首次改密码"), "{}", main_of(&page));

    // The officer must choose their own password before any other page.
    let officer = first_login(&app, "fd-rev", &one_time, "my own long password").await;
    assert!(!app.store().user_by_username("fd-rev").await.unwrap().unwrap().must_change_password);
    let (status, queue) = officer.get("/console/applications").await;
    assert_eq!(status, 200);
    assert!(queue.contains("李建国"), "the header names the officer");
    // A reviewer does not manage accounts.
    assert_eq!(officer.get("/console/accounts").await.0, 403);

    // A reset: a new one-time password, the old password and the session end.
    let (status, page) = hefei.post(&format!("/console/accounts/{}/reset-password", stored.id), &[]).await;
    assert_eq!(status, 200);
    let reset = one_time_password(&page);
    assert_eq!(officer.get("/console/applications").await.0, 303, "its session ended");
    assert!(app.login("fd-rev", "my own long password").await.is_none());
    let officer = first_login(&app, "fd-rev", &reset, "another long password").await;

    // Disabling ends the sessions and refuses logins; re-enabling lets them in again.
    let disable = format!("/console/accounts/{}/disable", stored.id);
    assert_eq!(hefei.post(&disable, &[]).await.0, 303);
    assert_eq!(officer.get("/console/applications").await.0, 303);
    assert!(app.login("fd-rev", "another long password").await.is_none());
    assert_eq!(hefei.post(&format!("/console/accounts/{}/enable", stored.id), &[]).await.0, 303);
    assert!(app.login("fd-rev", "another long password").await.is_some());

    // The role changes; judges are not made here; an admin does not demote themselves.
    let role = format!("/console/accounts/{}/role", stored.id);
    assert_eq!(hefei.post(&role, &[("role", "viewer")]).await.0, 303);
    assert_eq!(app.store().user_by_username("fd-rev").await.unwrap().unwrap().role, Role::Viewer);
    assert_eq!(hefei.post(&role, &[("role", "judge")]).await.0, 422);
    let own = user_id(&app, "hf-admin").await;
    let (status, page) = hefei.post(&format!("/console/accounts/{own}/role"), &[("role", "viewer")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("不能停用、降级或修改本人账户"), "{}", main_of(&page));
    assert_eq!(hefei.post(&format!("/console/accounts/{own}/disable"), &[]).await.0, 422);

    // Every change is in the audit log, scoped to the account's union.
    for action in
        ["account.create", "account.reset_password", "account.disable", "account.enable", "account.role"]
    {
        let records = audited(&app, "340122", action).await;
        assert_eq!(records.len(), 1, "{action}");
        assert_eq!(records[0].actor_name, "hf-admin");
        assert_eq!(records[0].subject.as_deref(), Some("user:fd-rev"));
    }
    assert!(audited(&app, "3402", "account.create").await.is_empty(), "not in another city's log");
});

both_databases!(accounts_stay_within_the_admins_subtree, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let hefei = app.officer("hf-admin", Some("3401"), Role::Admin).await;
    let wuhu = app.officer("wh-admin", Some("3402"), Role::Admin).await;
    let viewer = app.officer("hf-viewer", Some("3401"), Role::Viewer).await;
    let feidong = org_id(&app, "340122").await;
    let wuhu_org = org_id(&app, "3402").await;
    create(&hefei, "fd-rev", "李建国", "13912340001", feidong, "reviewer").await;
    let id = user_id(&app, "fd-rev").await;

    // Another city's admin: the account does not exist for them.
    let (_, list) = wuhu.get("/console/accounts").await;
    assert!(!list.contains("fd-rev") && !list.contains("李建国"), "{}", main_of(&list));
    assert_eq!(wuhu.get(&format!("/console/accounts/{id}")).await.0, 404);
    for action in ["disable", "enable", "reset-password"] {
        assert_eq!(wuhu.post(&format!("/console/accounts/{id}/{action}"), &[]).await.0, 404, "{action}");
    }
    assert_eq!(wuhu.post(&format!("/console/accounts/{id}/role"), &[("role", "admin")]).await.0, 404);
    let before = app.store().user_by_username("fd-rev").await.unwrap().unwrap();
    assert!(!before.disabled && before.role == Role::Reviewer, "unchanged");
    // ... nor may they make one in Hefei's subtree, nor outside their own.
    let fields = [
        ("username", "intruder"),
        ("full_name", "张三"),
        ("mobile", "13912340002"),
        ("org", &feidong.to_string()),
        ("role", "admin"),
    ];
    assert_eq!(wuhu.post("/console/accounts", &fields).await.0, 404);
    assert!(app.store().user_by_username("intruder").await.unwrap().is_none());
    // Hefei's own form offers Hefei's unions only.
    let (_, form_page) = hefei.get("/console/accounts").await;
    assert!(form_page.contains(&format!("value=\"{feidong}\"")));
    assert!(!form_page.contains(&format!("<option value=\"{wuhu_org}\"")));

    // Viewers and reviewers do not manage accounts.
    assert_eq!(viewer.get("/console/accounts").await.0, 403);
    assert_eq!(viewer.post(&format!("/console/accounts/{id}/disable"), &[]).await.0, 403);
    let (_, page) = viewer.get("/console/applications").await;
    assert!(!page.contains("href=\"/console/accounts\""), "no nav entry");

    // Bad input is answered on the form, kept as typed.
    let bad = [
        ("username", "has space"),
        ("full_name", "王芳"),
        ("mobile", "13912340003"),
        ("org", &feidong.to_string()),
        ("role", "viewer"),
    ];
    let (status, page) = hefei.post("/console/accounts", &bad).await;
    assert_eq!(status, 422);
    assert!(page.contains("不含空格") && page.contains("王芳"), "{}", main_of(&page));
    let bad_mobile = with(bad.to_vec(), "username", "fd-v");
    let bad_mobile = with(bad_mobile, "mobile", "12345");
    assert_eq!(hefei.post("/console/accounts", &bad_mobile).await.0, 422);
    let taken = with(bad.to_vec(), "username", "fd-rev");
    let (status, page) = hefei.post("/console/accounts", &taken).await;
    assert_eq!(status, 422);
    assert!(page.contains("该用户名已被使用"));
});

both_databases!(reveal_is_granted_only_by_an_admin_who_holds_it, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let hefei = app.officer("hf-admin", Some("3401"), Role::Admin).await;
    let feidong = org_id(&app, "340122").await;

    // Without pii.reveal the admin can neither grant it at creation nor later.
    let (_, page) = hefei.get("/console/accounts").await;
    assert!(!page.contains("name=\"can_reveal\""));
    let org = feidong.to_string();
    let fields = [
        ("username", "fd-rev"),
        ("full_name", "李建国"),
        ("mobile", "13912340001"),
        ("org", org.as_str()),
        ("role", "reviewer"),
        ("can_reveal", "1"),
    ];
    assert_eq!(hefei.post("/console/accounts", &fields).await.0, 422);
    assert!(app.store().user_by_username("fd-rev").await.unwrap().is_none());
    create(&hefei, "fd-rev", "李建国", "13912340001", feidong, "reviewer").await;
    let id = user_id(&app, "fd-rev").await;
    let reveal = format!("/console/accounts/{id}/reveal");
    assert_eq!(hefei.post(&reveal, &[("on", "1")]).await.0, 422);
    assert!(!app.store().user_by_username("fd-rev").await.unwrap().unwrap().can_reveal);

    // Holding it, they grant and withdraw it; each in the audit log.
    app.store().set_user_can_reveal("hf-admin", true).await.unwrap();
    assert_eq!(hefei.post(&reveal, &[("on", "1")]).await.0, 303);
    assert!(app.store().user_by_username("fd-rev").await.unwrap().unwrap().can_reveal);
    assert_eq!(hefei.post(&reveal, &[("on", "0")]).await.0, 303);
    assert!(!app.store().user_by_username("fd-rev").await.unwrap().unwrap().can_reveal);
    let records = audited(&app, "340122", "account.reveal").await;
    let reasons: Vec<_> = records.iter().map(|r| r.reason.clone().unwrap_or_default()).collect();
    assert_eq!(reasons, ["off", "on"]);
    let (_, page) = hefei.get("/console/accounts").await;
    assert!(page.contains("name=\"can_reveal\""));
});

both_databases!(the_console_names_who_did_it, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let hefei = app.officer("hf-admin", Some("3401"), Role::Admin).await;
    let feidong = org_id(&app, "340122").await;
    let one_time = create(&hefei, "fd-admin", "王芳", "13912340004", feidong, "admin").await;
    let admin = first_login(&app, "fd-admin", &one_time, "wang fang's password").await;
    // She makes an account, and approves a member by hand.
    create(&admin, "fd-viewer", "赵六", "13912340005", feidong, "viewer").await;
    let org = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    app.store().set_review_policy(org.id, AutoApproval::Off, 3).await.unwrap();
    let id = id_number("340122", "19800101", 7);
    let (_, body) = app.join("/j/340122T", &form(&id, "13712340007")).await;
    assert!(body.contains("申请已提交"), "{}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, "13712340007").to_hex();
    let application = app.store().applications_by_mobile(&bidx).await.unwrap()[0].id;
    let (status, page) = admin.post(&format!("/console/applications/{application}/approve"), &[]).await;
    assert!(status == 200 || status == 303, "{status}: {}", main_of(&page));

    // The audit log and the member's history name her.
    let (_, log) = hefei.get("/console/audit").await;
    assert!(main_of(&log).contains("王芳 (fd-admin)"), "{}", main_of(&log));
    let member = app.store().memberships_by_mobile(&bidx).await.unwrap().remove(0);
    let (_, page) = admin.get(&format!("/console/members/{}", member.id)).await;
    assert!(main_of(&page).contains("<td>王芳</td>"), "{}", main_of(&page));
});

both_databases!(the_header_counts_reviews_waiting, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let org = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    app.store().set_review_policy(org.id, AutoApproval::Off, 3).await.unwrap();
    for seq in 1..=2 {
        let id = id_number("340122", "19800101", seq);
        let (_, body) = app.join("/j/340122T", &form(&id, &format!("1371234{seq:04}"))).await;
        assert!(body.contains("申请已提交"), "{}", main_of(&body));
    }
    let feidong = app.officer("fd", Some("340122"), Role::Reviewer).await;
    let wuhu = app.officer("wh", Some("3402"), Role::Reviewer).await;
    let waiting = |page: &str| {
        let start = page.find("id=\"waiting\">").unwrap_or_else(|| panic!("no counts: {page}"));
        page[start..].split("</a>").next().unwrap_or_default().to_owned()
    };
    let (status, page) = feidong.get("/console/members").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        waiting(&page).contains("待审核 <b>2</b>") && !waiting(&page).contains("逾期"),
        "{}",
        waiting(&page)
    );
    let (_, page) = wuhu.get("/console/members").await;
    assert!(waiting(&page).contains("待审核 <b>0</b>"), "another city counts its own");
    // Past the deadline (three working days; the escalation job is not running here).
    app.advance(10 * 86_400_000);
    // (Sessions last a working day: log in again.)
    let feidong = app.login("fd", PASSWORD).await.expect("login");
    let (_, page) = feidong.get("/console/members").await;
    assert!(waiting(&page).contains("逾期 2"), "{}", waiting(&page));
});

both_databases!(a_daily_digest_for_officers_who_opt_in, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let org = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    app.store().set_review_policy(org.id, AutoApproval::Off, 3).await.unwrap();
    let id = id_number("340122", "19800101", 1);
    let (_, body) = app.join("/j/340122T", &form(&id, "13712340001")).await;
    assert!(body.contains("申请已提交"), "{}", main_of(&body));
    let hefei = app.officer("hf-admin", Some("3401"), Role::Admin).await;
    let feidong = org_id(&app, "340122").await;
    let wuhu = org_id(&app, "3402").await;
    let one_time = create(&hefei, "fd-rev", "李建国", "13912340001", feidong, "reviewer").await;
    let officer = first_login(&app, "fd-rev", &one_time, "my own long password").await;
    create(&hefei, "fd-quiet", "钱七", "13912340002", feidong, "reviewer").await;
    // Wuhu's officer opts in too, with nothing waiting there.
    let root = app.officer("root", None, Role::Admin).await;
    create(&root, "wh-rev", "孙八", "13912340003", wuhu, "reviewer").await;
    let wh = user_id(&app, "wh-rev").await;
    assert_eq!(root.post(&format!("/console/accounts/{wh}/digest"), &[("on", "1")]).await.0, 303);

    // The officer opts in on their own password page; an account without a mobile cannot.
    let (_, page) = officer.get("/console/password").await;
    assert!(page.contains("action=\"/console/digest\""));
    assert_eq!(officer.post("/console/digest", &[("on", "1")]).await.0, 303);
    assert!(app.store().user_by_username("fd-rev").await.unwrap().unwrap().digest);
    let own = user_id(&app, "hf-admin").await;
    assert_eq!(hefei.post(&format!("/console/accounts/{own}/digest"), &[("on", "1")]).await.0, 422);

    let outbox = |app: &TestApp| {
        let store = app.store();
        async move { store.sms_outbox(100).await.unwrap() }
    };
    let digests = |messages: &[huiji_store::OutboxMessage], masked: &str| {
        messages.iter().filter(|m| m.mobile_masked == masked && m.body.contains("待审核")).count()
    };
    // 10:00 in China: due. Only the officer whose subtree has a review waiting is texted.
    let round = huiji_app::accounts::digest::send_due(&app.state.app).await.unwrap();
    assert_eq!((round.sent, round.skipped), (1, 1));
    let messages = outbox(&app).await;
    assert_eq!(digests(&messages, "139****0001"), 1);
    let text = &messages.iter().find(|m| m.mobile_masked == "139****0001").unwrap().body;
    assert!(text.contains("1件入会申请待审核") && text.contains("/console/applications"), "{text}");
    assert_eq!(digests(&messages, "139****0002"), 0, "not opted in");
    assert_eq!(digests(&messages, "139****0003"), 0, "nothing waits in Wuhu");
    // Once a day.
    let round = huiji_app::accounts::digest::send_due(&app.state.app).await.unwrap();
    assert_eq!(round.sent, 0);
    // Tomorrow at 07:00 not yet; at 08:00 again (now overdue as well).
    app.advance(21 * 3_600_000);
    assert_eq!(huiji_app::accounts::digest::send_due(&app.state.app).await.unwrap().sent, 0);
    app.advance(3_600_000);
    assert_eq!(huiji_app::accounts::digest::send_due(&app.state.app).await.unwrap().sent, 1);
    assert_eq!(digests(&outbox(&app).await, "139****0001"), 2);
    // Opted out: no more. (Sessions last a working day: log in again.)
    let officer = app.login("fd-rev", "my own long password").await.expect("login");
    assert_eq!(officer.post("/console/digest", &[("on", "0")]).await.0, 303);
    app.advance(86_400_000);
    assert_eq!(huiji_app::accounts::digest::send_due(&app.state.app).await.unwrap().sent, 0);
    assert_eq!(audited(&app, "340122", "account.digest").await.len(), 2);
});

both_databases!(reveal_names_and_the_full_export, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let id = id_number("340123", "19800101", 1);
    let (_, body) = app.join("/j/340123T", &with(form(&id, "13800000001"), "region_code", "340123")).await;
    assert!(body.contains("入会成功"), "{}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, "13800000001").to_hex();
    let member = app.store().memberships_by_mobile(&bidx).await.unwrap().remove(0);
    let admin = app.officer("hf-admin", Some("3401"), Role::Admin).await;
    let reveal = format!("/console/members/{}/reveal", member.id);
    let export = [("query", ""), ("format", "csv"), ("reason", "核对会员名册")];

    // Without pii.reveal: neither the name nor the full export.
    assert_eq!(admin.post(&reveal, &[("field", "name"), ("reason", "核实")]).await.0, 403);
    let (_, page) = admin.get("/console/members").await;
    assert!(!page.contains("/console/members/export-full"));
    assert_eq!(admin.post("/console/members/export-full", &export).await.0, 403);

    app.store().set_user_can_reveal("hf-admin", true).await.unwrap();
    let (_, page) = admin.get(&format!("/console/members/{}", member.id)).await;
    assert!(page.contains("<option value=\"name\">") && !main_of(&page).contains("王晓明"));
    let (status, page) = admin.post(&reveal, &[("field", "name"), ("reason", "核实")]).await;
    assert_eq!(status, 200);
    assert!(main_of(&page).contains("姓名：王晓明"), "{}", main_of(&page));
    let records = audited(&app, "3401", "reveal.name").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].reason.as_deref(), Some("核实"));

    // The full export needs a reason, and is recorded before any row leaves.
    let (_, page) = admin.get("/console/members").await;
    assert!(page.contains("/console/members/export-full"));
    let no_reason = [("query", ""), ("format", "csv"), ("reason", " ")];
    assert_eq!(admin.post("/console/members/export-full", &no_reason).await.0, 422);
    assert!(audited(&app, "3401", "export.members_full").await.is_empty());
    let (status, csv) = admin.post("/console/members/export-full", &export).await;
    assert_eq!(status, 200);
    assert!(csv.contains("王晓明") && csv.contains(&id) && csv.contains("13800000001"), "{csv}");
    assert!(csv.contains("身份证号") && csv.contains("肥西县"), "{csv}");
    let records = audited(&app, "3401", "export.members_full").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].reason.as_deref(), Some("核对会员名册"));
    // An officer of another city with pii.reveal exports none of Hefei's members.
    let wuhu = app.officer("wh-admin", Some("3402"), Role::Admin).await;
    app.store().set_user_can_reveal("wh-admin", true).await.unwrap();
    let (status, csv) = wuhu.post("/console/members/export-full", &export).await;
    assert_eq!(status, 200);
    assert!(!csv.contains("王晓明") && !csv.contains(&id));
    // The masked export stays masked.
    let (_, masked) = admin.get("/console/members/export.csv").await;
    assert!(!masked.contains("王晓明") && !masked.contains(&id) && masked.contains("王*"), "{masked}");
});
