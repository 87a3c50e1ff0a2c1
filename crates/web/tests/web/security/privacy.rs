//! No oracle (the join, SMS-code and status endpoints answer a member's identifiers
//! exactly like anyone's), no plaintext identifier anywhere in the database, and the
//! permission matrix of the privacy routes.

use huiji_app::ports::Clock as _;
use huiji_core::{AutoApproval, Role};
use huiji_store::testing::TestDb;
use huiji_store::{Backend, Store, both_databases};
use sqlx::Connection;

use crate::security::audit::{feidong_member, feixi_member};
use crate::support::{TestApp, code_request, form, id_number, with};

/// Status and whole body of a post, with the values typed replaced by placeholders.
async fn answer(app: &TestApp, path: &str, fields: &[(&str, &str)], typed: &[&str]) -> (u16, String) {
    let (status, mut body) = app.post(path, fields).await;
    for (i, value) in typed.iter().enumerate() {
        body = body.replace(value, &format!("<typed {i}>"));
    }
    (status, body)
}

both_databases!(join_sms_and_status_are_no_oracle, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (_, member_id, member_mobile) = feidong_member(&app, 21).await;
    let stranger_id = id_number("340122", "19900101", 22);
    let stranger_mobile = "13912340022";
    app.advance(61_000);

    // Asking for a code, on the join form and on the status page.
    for path in ["/join", "/j/340122T", "/status"] {
        let a = answer(&app, path, &code_request(&member_id, &member_mobile), &[&member_mobile, &member_id])
            .await;
        let b = answer(
            &app,
            path,
            &code_request(&stranger_id, stranger_mobile),
            &[stranger_mobile, &stranger_id],
        )
        .await;
        assert_eq!(a.0, 200, "{path}: a code is sent");
        assert_eq!(a, b, "{path} send_code");
        app.advance(61_000);
    }
    // Checking a wrong code on the status page.
    let check = |mobile: &str| {
        [("mobile", mobile.to_owned()), ("sms_code", "000000".to_owned()), ("action", "check".to_owned())]
    };
    let fields = check(&member_mobile);
    let a = answer(
        &app,
        "/status",
        &fields.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>(),
        &[&member_mobile],
    )
    .await;
    let fields = check(stranger_mobile);
    let b = answer(
        &app,
        "/status",
        &fields.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>(),
        &[stranger_mobile],
    )
    .await;
    assert_eq!(a, b, "status with a wrong code");
    assert_eq!(a.0, 422);
    // Submitting the join form with a wrong code: a member's ID like anyone's.
    let submit = |id: &str| {
        let mut fields = form(id, "13912340099");
        fields.push(("sms_code", "000000"));
        fields.push(("action", "submit"));
        fields.into_iter().map(|(k, v)| (k, v.to_owned())).collect::<Vec<_>>()
    };
    let (member_form, stranger_form) = (submit(&member_id), submit(&stranger_id));
    let a = answer(&app, "/j/340122T", &refs(&member_form), &[&member_id]).await;
    let b = answer(&app, "/j/340122T", &refs(&stranger_form), &[&stranger_id]).await;
    assert_eq!(a, b, "join with a wrong code");
    // With a proven mobile that is not the membership's, at a union that reviews: the
    // whole answer (status and page) is a newcomer's.
    let union = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    app.store().set_review_policy(union.id, AutoApproval::Off, 3).await.unwrap();
    let (s1, probe) = app.join("/j/340122T", &form(&member_id, "13912340031")).await;
    let (s2, baseline) = app.join("/j/340122T", &form(&stranger_id, "13912340032")).await;
    assert_eq!((s1, probe), (s2, baseline), "a proven stranger learns nothing");
});

fn refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The bytes of every table of a PostgreSQL database as text (bytea as hex).
async fn postgres_text(url: &str) -> String {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(tables.len() >= 10, "{tables:?}");
    let mut all = String::new();
    for table in tables {
        // Test-only SQL over the database's own table names.
        let sql = format!("SELECT COALESCE(string_agg(t::text, '\n'), '') FROM \"{table}\" t");
        let text: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut conn).await.unwrap();
        all.push_str(&text);
    }
    all
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

both_databases!(no_plaintext_identifier_is_stored_anywhere, |db: TestDb| async move {
    let backend = Store::backend(db.store.as_ref());
    let url = db.url.clone();
    let app = TestApp::seeded(db).await;
    let (member, id, mobile) = feidong_member(&app, 41).await;
    // A pending application, a rejected one, status checks, transfers, reveals, exports:
    // every table that could hold an identifier gets one.
    let union = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    app.store().set_review_policy(union.id, AutoApproval::Off, 3).await.unwrap();
    let pending_id = id_number("340122", "19900101", 42);
    let pending_mobile = "13912340042";
    app.join("/j/340122T", &with(form(&pending_id, pending_mobile), "employer_name", "某物流公司")).await;
    app.advance(61_000);
    app.post("/status", &[("mobile", &mobile), ("action", "send_code")]).await;
    let admin = app.officer("feidong_admin", Some("340122"), Role::Admin).await;
    app.store().set_user_can_reveal("feidong_admin", true).await.unwrap();
    let reveal = format!("/console/members/{}/reveal", member.id);
    assert_eq!(admin.post(&reveal, &[("field", "id_number"), ("reason", "核实")]).await.0, 200);
    admin.post("/console/members", &[("id_number", &id)]).await;
    admin.post("/console/members", &[("mobile", &mobile)]).await;

    let needles = [id.clone(), mobile.clone(), pending_id.clone(), pending_mobile.to_owned()];
    let haystack = match backend {
        Backend::Sqlite => {
            let path = url.strip_prefix("sqlite:").unwrap();
            let mut bytes = std::fs::read(path).unwrap();
            bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
            assert!(
                bytes.windows("某物流公司".len()).any(|w| w == "某物流公司".as_bytes()),
                "the scan sees data"
            );
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Backend::Postgres => {
            let text = postgres_text(&url).await;
            assert!(text.contains("某物流公司"), "the scan sees data");
            text
        }
    };
    for needle in &needles {
        assert!(!haystack.contains(needle.as_str()), "{needle} in plaintext");
        assert!(!haystack.contains(&hex(needle)), "{needle} as hex");
        // The part masking shows (first 6 and last 4 of an ID) is no leak; 10 digits in a
        // row of the middle would be.
        assert!(!haystack.contains(&needle[3..needle.len() - 1]), "{needle}'s digits");
    }
});

both_databases!(the_privacy_routes_in_the_permission_matrix, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let feixi = feixi_member(&app, 51).await;
    let reveal = format!("/console/members/{}/reveal", feixi.id);
    let fields = [("field", "id_number"), ("reason", "核实")];

    // Anonymous: to the login page, for the page and the form.
    let anonymous = app.browser();
    for request in [
        anonymous.get(format!("{}/console/audit", app.base)),
        anonymous.post(format!("{}{reveal}", app.base)).form(&fields),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 303);
        assert!(response.headers()["location"].to_str().unwrap().starts_with("/console/login"));
    }
    // County A (even an admin with pii.reveal): 404 on county B's member.
    let a = app.officer("feidong_admin", Some("340122"), Role::Admin).await;
    app.store().set_user_can_reveal("feidong_admin", true).await.unwrap();
    assert_eq!(a.post(&reveal, &fields).await.0, 404);
    // County B: a viewer without the permission 403; with it (granted by the operator),
    // a viewer may reveal — the permission, not the role, decides.
    let viewer = app.officer("feixi_viewer", Some("340123"), Role::Viewer).await;
    assert_eq!(viewer.post(&reveal, &fields).await.0, 403);
    assert_eq!(viewer.get("/console/audit").await.0, 403, "the audit log is for admins");
    app.store().set_user_can_reveal("feixi_viewer", true).await.unwrap();
    assert_eq!(viewer.post(&reveal, &fields).await.0, 200);
    // CSRF: missing, wrong, or another session's token.
    let other = app.officer("feixi_admin", Some("340123"), Role::Admin).await;
    let mut forged: Vec<(&str, &str)> = fields.to_vec();
    assert_eq!(viewer.post_raw(&reveal, &forged).await.0, 403);
    forged.push(("csrf", &other.csrf));
    assert_eq!(viewer.post_raw(&reveal, &forged).await.0, 403);
    let query = huiji_store::AuditQuery {
        within: huiji_core::OrgPath::parse("/1/").unwrap(),
        action: None,
        actor_name: None,
        from: None,
        to: None,
        before_id: None,
        limit: 10,
    };
    let store = app.store();
    assert_eq!(store.audit_records(&query).await.unwrap().len(), 1, "only the allowed reveal is recorded");
});

both_databases!(a_new_consent_text_is_shown_and_recorded, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    feidong_member(&app, 61).await;
    let store = app.store();
    store
        .publish_consent(
            "个人信息处理规则（第2版）",
            "Personal information notice (version 2)",
            app.clock.now(),
        )
        .await
        .unwrap();
    let (_, _, page) = app.get("/j/340122T").await;
    assert!(page.contains("个人信息处理规则（第2版）"), "the form shows the newest text");
    assert!(page.contains("name=\"consent_version\" value=\"2\""));
    let id = id_number("340122", "19900101", 62);
    let (_, body) = app.join("/j/340122T", &with(form(&id, "13912340062"), "consent_version", "2")).await;
    assert!(body.contains("入会成功"));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, "13912340062").to_hex();
    let applications = store.applications_by_mobile(&bidx).await.unwrap();
    assert_eq!(applications[0].consent_version, "2", "each application records the version accepted");
    let older = store
        .applications_by_mobile(
            &app.state.app.keys().blind_index(huiji_vault::Field::Mobile, "13912340061").to_hex(),
        )
        .await
        .unwrap();
    assert_eq!(older[0].consent_version, "1");
});

both_databases!(purged_members_keep_their_counts_and_reveal_nothing, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (member, id, _) = feidong_member(&app, 71).await;
    let admin = app.officer("feidong_admin", Some("340122"), Role::Admin).await;
    app.store().set_user_can_reveal("feidong_admin", true).await.unwrap();
    let path = format!("/console/members/{}", member.id);
    assert_eq!(
        admin
            .post(
                &format!("{path}/lifecycle"),
                &[("action", "withdraw"), ("reason", "离职"), ("confirm", "yes")]
            )
            .await
            .0,
        200
    );
    let store = app.store();
    let nothing = huiji_app::privacy::purge(store.as_ref(), app.clock.as_ref(), 180, "test").await.unwrap();
    assert_eq!(nothing.memberships, 0, "not before the period ends");
    app.advance(181 * 86_400_000);
    let purged = huiji_app::privacy::purge(store.as_ref(), app.clock.as_ref(), 180, "test").await.unwrap();
    assert_eq!((purged.memberships, purged.applications), (1, 1));
    // Half a year on, the session is long over.
    let admin = app.login("feidong_admin", crate::support::console::PASSWORD).await.unwrap();
    let (status, page) = admin.get(&path).await;
    assert_eq!(status, 200, "the record stays");
    assert!(page.contains("已退会"));
    let (status, page) =
        admin.post(&format!("{path}/reveal"), &[("field", "id_number"), ("reason", "核实")]).await;
    assert_eq!(status, 410);
    assert!(page.contains("已按保存期限清除") && !page.contains(&id));
    let (status, _) = admin.get("/console/members?status=withdrawn").await;
    assert_eq!(status, 200);
    // The purge concerns the whole tree: the province's admins see it.
    let province = app.officer("anhui", None, Role::Admin).await;
    let (_, page) = province.get("/console/audit?action=purge").await;
    assert!(page.contains("1 memberships"), "the purge is in the audit log");
});
