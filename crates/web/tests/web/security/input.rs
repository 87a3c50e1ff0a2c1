//! Hostile input: XSS payloads in names, reasons and org names are shown escaped on
//! console and worker pages alike; SQL-injection strings in every search and filter field
//! give ordinary answers and change nothing.

use huiji_core::{AutoApproval, OrgId, Role};
use huiji_store::testing::TestDb;
use huiji_store::{OrgFilter, both_databases};

use crate::security::audit::feidong_member;
use crate::support::{TestApp, form, id_number, main_of, with};

const SCRIPT: &str = "<script>alert(1)</script>";
const ATTRIBUTE: &str = "\"onmouseover=\"alert(2)";
const LINK: &str = "javascript:alert(3)";

/// All three payloads in one text.
fn payload(prefix: &str) -> String {
    format!("{prefix}{SCRIPT}{ATTRIBUTE}{LINK}")
}

/// The page shows the payload (escaped) and nothing of it is live markup.
fn assert_escaped(page: &str, prefix: &str, where_: &str) {
    assert!(!page.contains("<script>alert"), "{where_}: a live script tag");
    assert!(!page.contains("\"onmouseover=\""), "{where_}: a live attribute");
    assert!(
        !page.contains("href=\"javascript:") && !page.contains("src=\"javascript:"),
        "{where_}: a live link"
    );
    // askama escapes `<` `>` `"` as numeric character references.
    let escaped = format!("{prefix}&#60;script&#62;alert(1)&#60;/script&#62;&#34;onmouseover=&#34;alert(2)");
    assert!(page.contains(&escaped), "{where_}: not shown escaped");
}

both_databases!(hostile_org_names_are_escaped_everywhere, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (member, _, mobile) = feidong_member(&app, 11).await;
    let admin = app.officer("anhui", None, Role::Admin).await;
    let union = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    let name = payload("恶意工会");
    let (status, _) = admin.post(&format!("/console/orgs/{}/rename", union.id), &[("name", &name)]).await;
    assert_eq!(status, 303);
    assert_eq!(app.store().org(union.id).await.unwrap().unwrap().name, name, "stored as typed");

    for path in [
        format!("/console/orgs/{}", union.id),
        format!("/console/orgs?under={}", union.id),
        format!("/console/members/{}", member.id),
        "/console/members".to_owned(),
        "/console/audit".to_owned(),
    ] {
        let (status, page) = admin.get(&path).await;
        assert_eq!(status, 200, "{path}");
        assert_escaped(&page, "恶意工会", &path);
    }
    for path in ["/j/340122T", "/qr/340122T/poster"] {
        let (status, _, page) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert_escaped(&page, "恶意工会", path);
    }
    // The worker's status page and card name the union too.
    app.advance(61_000);
    app.post("/status", &[("mobile", &mobile), ("action", "send_code")]).await;
    let code = app.sms_code(&mobile).await;
    let (_, page) =
        app.post("/status", &[("mobile", &mobile), ("sms_code", &code), ("action", "verify")]).await;
    assert_escaped(&page, "恶意工会", "/status");
    let card = page.split("href=\"/card/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let (status, _, page) = app.get(&format!("/card/{card}")).await;
    assert_eq!(status, 200);
    assert_escaped(&page, "恶意工会", "/card");
});

both_databases!(hostile_reasons_and_employers_are_escaped, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (member, _, _) = feidong_member(&app, 12).await;
    let admin = app.officer("feidong_admin", Some("340122"), Role::Admin).await;
    app.store().set_user_can_reveal("feidong_admin", true).await.unwrap();
    let reason = payload("理由");
    let path = format!("/console/members/{}", member.id);
    assert_eq!(
        admin.post(&format!("{path}/lifecycle"), &[("action", "retain"), ("reason", &reason)]).await.0,
        200
    );
    let (_, page) = admin.get(&path).await;
    assert_escaped(&page, "理由", "member history");
    assert_eq!(
        admin.post(&format!("{path}/reveal"), &[("field", "mobile"), ("reason", &reason)]).await.0,
        200
    );
    let (_, page) = admin.get("/console/audit").await;
    assert_escaped(&page, "理由", "audit log");

    // An employer typed into the worker's form, and a rejection reason, on a union that
    // reviews.
    let union = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    app.store().set_review_policy(union.id, AutoApproval::Off, 3).await.unwrap();
    let employer = payload("公司");
    let id = id_number("340122", "19900101", 13);
    let fields = with(form(&id, "13912340013"), "employer_name", &employer);
    // First without a code: the form comes back with the typed employer, escaped.
    let mut unsent = fields.clone();
    unsent.push(("action", "submit"));
    let (status, page) = app.post("/j/340122T", &unsent).await;
    assert_eq!(status, 422);
    assert_escaped(&page, "公司", "join form");
    let (status, page) = app.join("/j/340122T", &fields).await;
    assert_eq!(status, 200, "{}", main_of(&page));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, "13912340013").to_hex();
    let application = app.store().applications_by_mobile(&bidx).await.unwrap()[0].id;
    let detail = format!("/console/applications/{application}");
    let (_, page) = admin.get(&detail).await;
    assert_escaped(&page, "公司", "application detail");
    let rejection = payload("不符");
    let (status, _) =
        admin.post(&format!("{detail}/reject"), &[("preset", "other"), ("reason", &rejection)]).await;
    assert!(status == 303 || status == 200, "{status}");
    let (_, page) = admin.get(&detail).await;
    assert_escaped(&page, "不符", "rejected application");
});

/// Injection strings: quotes, comments, stacked statements, wildcards, a UNION.
const INJECTIONS: [&str; 6] = [
    "' OR '1'='1",
    "1; DROP TABLE memberships; --",
    "%' --",
    "王' UNION SELECT id_number_ct FROM memberships --",
    "\\'; DELETE FROM audit_log; --",
    "0) OR (1=1",
];

both_databases!(sql_in_every_search_and_filter_field_is_only_text, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (member, _, _) = feidong_member(&app, 14).await;
    let admin = app.officer("anhui", None, Role::Admin).await;
    let orgs_before = app.store().count_orgs(&OrgFilter::default()).await.unwrap();
    let root = app.store().org(OrgId(1)).await.unwrap().unwrap().path;
    let members_before = app.store().count_members(&root).await.unwrap();

    let member_fields = [
        "name",
        "number",
        "id_number",
        "mobile",
        "org",
        "occupation",
        "status",
        "joined_from",
        "joined_to",
        "before",
        "id_key",
        "mobile_key",
    ];
    let lists: [(&str, &[&str]); 6] = [
        ("/console/members", &member_fields),
        ("/console/orgs", &["kind", "region", "under", "after"]),
        ("/console/pool", &["before", "region", "notice", "sig"]),
        ("/console/applications", &["after", "notice", "sig"]),
        ("/console/transfers", &["region", "notice", "sig"]),
        ("/console/audit", &["action", "actor", "from", "to", "before"]),
    ];
    for injection in INJECTIONS {
        for (list, fields) in lists {
            for field in fields {
                let query = serde_html_form::to_string([(*field, injection)]).unwrap();
                let (status, page) = admin.get(&format!("{list}?{query}")).await;
                assert!([200, 400, 404, 422].contains(&status), "{list} {field}={injection}: {status}");
                assert!(!page.contains("internal error"), "{list} {field}");
                assert!(
                    !page.contains(&format!("/console/members/{}\"", member.id)) || *field != "name",
                    "{list} {field}={injection} matched a member"
                );
            }
        }
        for field in member_fields {
            let (status, _) = admin.post("/console/members", &[(field, injection)]).await;
            assert!([200, 400, 404, 422].contains(&status), "POST members {field}={injection}: {status}");
        }
        for field in ["name", "number"] {
            let query = serde_html_form::to_string([(field, injection)]).unwrap();
            let status = admin.get(&format!("/console/members/export.csv?{query}")).await.0;
            assert!([200, 400, 404, 422].contains(&status), "export {field}={injection}: {status}");
        }
        let (status, _) = app
            .post("/status", &[("mobile", injection), ("sms_code", injection), ("action", "verify")])
            .await;
        assert_eq!(status, 422);
        let (status, _) =
            app.post("/join", &[("name", injection), ("id_number", injection), ("action", "submit")]).await;
        assert_eq!(status, 422);
    }
    // A name prefix that would match everyone if it were SQL matches no one.
    let (_, page) = admin.get("/console/members?name=%E7%8E%8B%27%20OR%20%271%27%3D%271").await;
    assert!(!page.contains(&format!("/console/members/{}\"", member.id)));
    let (_, page) = admin.get("/console/members?name=%E7%8E%8B").await;
    assert!(
        page.contains(&format!("/console/members/{}\"", member.id)),
        "the plain prefix still finds 王晓明"
    );
    assert_eq!(app.store().count_orgs(&OrgFilter::default()).await.unwrap(), orgs_before);
    assert_eq!(app.store().count_members(&root).await.unwrap(), members_before);
});
