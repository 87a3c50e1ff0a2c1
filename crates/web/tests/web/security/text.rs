//! Control characters (NUL first: PostgreSQL refuses it in text, SQLite stored it as-is)
//! are refused once, at the door: every path parameter, query and form field and JSON
//! string, on every door, answers 422 naming the field, the same on both databases, and
//! nothing reaches the store.

use huiji_core::{AutoApproval, OrgPath, Role};
use huiji_store::testing::TestDb;
use huiji_store::{OrgFilter, both_databases};
use serde_json::json;

use crate::security::audit::{everything, feidong_member};
use crate::support::api::{application, identity};
use crate::support::{TestApp, form, id_number, main_of, with};

/// The page (or JSON error) refuses `field` for a control character, in Chinese.
fn assert_refused(status: u16, body: &str, field: &str, what: &str) {
    assert_eq!(status, 422, "{what}: {}", main_of(body));
    assert!(body.contains(&format!("「{field}」")) && body.contains("控制字符"), "{what}: {}", main_of(body));
}

both_databases!(public_doors_refuse_control_characters_by_field, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    // Paths: the join form, the QR codes and poster, cards, the region list.
    for (path, field) in [
        ("/j/340122T%00", "code"),
        ("/qr/340122T%00/svg", "code"),
        ("/qr/340122T%00/png", "code"),
        ("/qr/340122T%00/poster", "code"),
        ("/card/abc%00def", "token"),
        ("/verify/abc%07def", "token"),
        ("/regions/3401%0A", "code"),
    ] {
        let (status, _, body) = app.get(path).await;
        assert_refused(status, &body, field, path);
    }
    // The worker's forms.
    let id = id_number("340122", "19900101", 31);
    let mut fields = with(form(&id, "13912340031"), "name", "王晓明\u{0}");
    fields.push(("action", "submit"));
    let (status, body) = app.post("/j/340122T", &fields).await;
    assert_refused(status, &body, "name", "join name");
    let fields = with(form(&id, "13912340031"), "employer_name", "顺丰\t速运");
    let (status, body) = app.post("/join", &fields).await;
    assert_refused(status, &body, "employer_name", "join employer");
    let (status, body) =
        app.post("/status", &[("mobile", "1391234\u{0}0031"), ("action", "send_code")]).await;
    assert_refused(status, &body, "mobile", "status mobile");
    for (field, join_code, reason) in [("join_code", "3401T\u{0}", "搬家"), ("reason", "3401T", "搬家\u{0}")]
    {
        let (status, body) = app
            .post("/status/transfer", &[("token", "t"), ("join_code", join_code), ("reason", reason)])
            .await;
        assert_refused(status, &body, field, "status transfer");
    }
    // The console's login form and any query string.
    let (status, body) = app.post("/console/login", &[("username", "fd\u{0}"), ("password", "x")]).await;
    assert_refused(status, &body, "username", "login");
    let (status, _, body) = app.get("/join?occupation=truck%00driver").await;
    assert_refused(status, &body, "occupation", "join query");
    // In English on request.
    let (status, _, body) = app.get("/j/340122T%00?lang=en").await;
    assert_eq!(status, 422);
    assert!(body.contains("“code”") && body.contains("control character"), "{}", main_of(&body));

    // Nothing was stored: no SMS, no application.
    assert!(app.store().sms_outbox(100).await.unwrap().is_empty());
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, "13912340031").to_hex();
    assert!(app.store().applications_by_mobile(&bidx).await.unwrap().is_empty());
});

both_databases!(the_api_refuses_control_characters_by_field, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("huolala").await;
    let (id, mobile) = identity(31);
    let mut body = application(&id, &mobile);
    body["external_ref"] = json!("driver\u{0}31");
    let answer = app.api_apply(&platform.key, &body).await;
    assert_eq!((answer.status, answer.code()), (422, "validation_failed"), "{}", answer.text);
    assert_eq!(
        answer.body["error"]["fields"],
        json!([{"field": "external_ref", "code": "external_ref.control_character"}])
    );
    let mut body = application(&id, &mobile);
    body["employer"] = json!({"name": "顺丰\u{1b}速运"});
    let answer = app.api_apply(&platform.key, &body).await;
    assert_eq!(answer.field_codes(), ["employer.name.control_character"], "{}", answer.text);
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, &mobile).to_hex();
    assert!(app.store().applications_by_mobile(&bidx).await.unwrap().is_empty(), "nothing stored");
    // The same body without the control character goes through.
    let answer = app.api_apply(&platform.key, &application(&id, &mobile)).await;
    assert_eq!(answer.status, 201, "{}", answer.text);

    for (path, field) in
        [("/api/v1/applications/1%00", "application_id"), ("/api/v1/orgs?region_code=3401%00", "region_code")]
    {
        let answer = app.api_get(path, &platform.key).await;
        assert_eq!((answer.status, answer.code()), (422, "validation_failed"), "{path}");
        assert_eq!(answer.field_codes(), [format!("{field}.control_character")], "{path}");
    }
});

both_databases!(every_console_field_refuses_control_characters, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (member, _, _) = feidong_member(&app, 32).await;
    let admin = app.officer("feidong_admin", Some("340122"), Role::Admin).await;
    app.store().set_user_can_reveal("feidong_admin", true).await.unwrap();
    let union = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    app.store().set_review_policy(union.id, AutoApproval::Off, 3).await.unwrap();
    let id = id_number("340122", "19900101", 33);
    let (status, _) = app.join("/j/340122T", &form(&id, "13912340033")).await;
    assert_eq!(status, 200);
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, "13912340033").to_hex();
    let pending = app.store().applications_by_mobile(&bidx).await.unwrap()[0].id;
    let orgs_before = app.store().count_orgs(&OrgFilter::default()).await.unwrap();
    let audit_before = app.store().audit_records(&everything()).await.unwrap().len();

    // Searches, exports and the audit filters (GET).
    for (path, field) in [
        ("/console/members?name=%E7%8E%8B%00", "name"),
        ("/console/members?number=3426%00", "number"),
        ("/console/members/export.csv?name=%E7%8E%8B%00", "name"),
        ("/console/members/export.xlsx?occupation=courier%0D", "occupation"),
        ("/console/audit?actor=feidong%00", "actor"),
        ("/console/audit?action=reveal.mobile%00", "action"),
        ("/console/orgs?region=3401%00", "region"),
    ] {
        let (status, body) = admin.get(path).await;
        assert_refused(status, &body, field, path);
    }
    // Every form that takes text (POST, with a valid CSRF token).
    let member_path = format!("/console/members/{}", member.id);
    let union_path = format!("/console/orgs/{}", union.id);
    /// Path, fields, and the field refused.
    type Post<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);
    let posts: [Post; 9] = [
        ("/console/members".to_owned(), vec![("name", "王\u{0}")], "name"),
        ("/console/members".to_owned(), vec![("id_number", "3401\u{0}")], "id_number"),
        (format!("{union_path}/rename"), vec![("name", "新名字\u{0}")], "name"),
        (
            format!("{union_path}/children"),
            vec![("kind", "enterprise"), ("name", "顺丰\u{0}"), ("credit_code", "")],
            "name",
        ),
        (format!("{member_path}/lifecycle"), vec![("action", "retain"), ("reason", "失业\u{0}")], "reason"),
        (format!("{member_path}/reveal"), vec![("field", "mobile"), ("reason", "核实\u{0}")], "reason"),
        (
            format!("/console/applications/{pending}/reject"),
            vec![("preset", "other"), ("reason", "不符\u{0}")],
            "reason",
        ),
        (
            "/console/transfers".to_owned(),
            vec![("member", "3426\u{0}"), ("to", "340122T"), ("reason", "调动")],
            "member",
        ),
        (
            "/console/password".to_owned(),
            vec![("current", "x"), ("new", "\u{0}"), ("repeat", "\u{0}")],
            "new",
        ),
    ];
    for (path, fields, field) in &posts {
        let (status, body) = admin.post(path, fields).await;
        assert_refused(status, &body, field, path);
    }
    // The tab, line break and DEL are control characters too; a field's name is named
    // whatever its position.
    let (status, body) =
        admin.post(&format!("{member_path}/lifecycle"), &[("reason", "a\u{7f}"), ("action", "retain")]).await;
    assert_refused(status, &body, "reason", "DEL");

    // Nothing changed.
    let store = app.store();
    assert_eq!(store.org(union.id).await.unwrap().unwrap().name, union.name);
    assert_eq!(store.count_orgs(&OrgFilter::default()).await.unwrap(), orgs_before);
    assert_eq!(store.membership(member.id).await.unwrap().unwrap().status, member.status);
    assert_eq!(store.application(pending).await.unwrap().unwrap().status.code(), "pending_review");
    assert_eq!(store.audit_records(&everything()).await.unwrap().len(), audit_before, "no reveal, no export");
    assert!(store.transfers(&OrgPath::parse("/1/").unwrap(), 10).await.unwrap().is_empty());
    assert!(app.login("feidong_admin", crate::support::console::PASSWORD).await.is_some(), "password kept");
});
