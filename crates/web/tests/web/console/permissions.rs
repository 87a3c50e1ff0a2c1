//! The permission matrix: for every console route, an officer of one county can neither
//! read nor change anything of a sibling county (404, like a missing record), a viewer
//! changes nothing (403), an anonymous caller is sent to the login page, and a form
//! without the session's CSRF token changes nothing (403).

use huiji_core::org::OrgKindCode;
use huiji_core::{AutoApproval, OrgId, Role, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{OrgFilter, both_databases};

use crate::support::{TestApp, form, id_number, main_of, with};

/// County B's records that the routes are aimed at.
struct Targets {
    application: i64,
    member: i64,
    member_number: String,
    transfer: i64,
    org: i64,
    township: i64,
}

/// Everything the routes could change, to compare before and after.
async fn snapshot(app: &TestApp, t: &Targets) -> String {
    let store = app.store();
    let application = store.application(t.application).await.unwrap().unwrap();
    let member = store.membership(t.member).await.unwrap().unwrap();
    let transfer = store.transfer(t.transfer).await.unwrap().unwrap();
    let org = store.org(OrgId(t.org)).await.unwrap().unwrap();
    let under = store
        .count_orgs(&OrgFilter { within: Some(org.path.clone()), ..OrgFilter::default() })
        .await
        .unwrap();
    let events = store.membership_events(t.member).await.unwrap().len();
    format!(
        "{} {:?} | {} {} {} | {} | {} {:?} {} {} | {events}",
        application.status,
        application.decision_reason,
        member.status,
        member.home_org_id,
        member.in_pool,
        transfer.status,
        org.name,
        org.auto_approval,
        org.review_days,
        under
    )
}

async fn county_b(app: &TestApp) -> Targets {
    let store = app.store();
    // A member of 肥西县 (through its truck-driver federation, approved at once) ...
    let member_id = id_number("340123", "19800101", 1);
    let (_, body) =
        app.join("/j/340123T", &with(form(&member_id, "13800000001"), "region_code", "340123")).await;
    assert!(body.contains("入会成功"), "{}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, "13800000001").to_hex();
    let member = store.memberships_by_mobile(&bidx).await.unwrap().remove(0);
    // ... a pending application there ...
    let receiving = store.org_by_join_code("340123T").await.unwrap().unwrap();
    store.set_review_policy(receiving.id, AutoApproval::Off, 3).await.unwrap();
    let pending_id = id_number("340123", "19800101", 2);
    app.join("/j/340123T", &with(form(&pending_id, "13800000002"), "region_code", "340123")).await;
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, "13800000002").to_hex();
    let application = store.applications_by_mobile(&bidx).await.unwrap()[0].id;
    // ... and an open transfer of the member to one of its townships.
    let county = store.org_by_join_code("340123").await.unwrap().unwrap();
    let township = store
        .orgs(&OrgFilter {
            within: Some(county.path.clone()),
            kind: Some(OrgKindCode::Township),
            limit: Some(1),
            ..OrgFilter::default()
        })
        .await
        .unwrap()
        .remove(0);
    let transfer = store
        .request_transfer(member.id, township.id, "user:b", "closer to home", Timestamp(0))
        .await
        .unwrap();
    Targets {
        application,
        member: member.id,
        member_number: member.member_number.clone().unwrap(),
        transfer,
        org: county.id.0,
        township: township.id.0,
    }
}

fn reads(t: &Targets) -> Vec<String> {
    vec![
        format!("/console/applications/{}", t.application),
        format!("/console/members/{}", t.member),
        format!("/console/orgs/{}", t.org),
        format!("/console/members?org={}", t.org),
        format!("/console/members/export.csv?org={}", t.org),
        format!("/console/members/export.xlsx?org={}", t.org),
        format!("/console/orgs?under={}", t.org),
    ]
}

/// A form's fields.
type Fields = Vec<(&'static str, String)>;

fn writes(t: &Targets) -> Vec<(String, Fields)> {
    vec![
        (format!("/console/applications/{}/approve", t.application), vec![]),
        (format!("/console/applications/{}/reject", t.application), vec![("preset", "duplicate".to_owned())]),
        (
            "/console/pool/distribute".to_owned(),
            vec![("ids", t.member.to_string()), ("to", t.township.to_string())],
        ),
        (
            format!("/console/members/{}/lifecycle", t.member),
            vec![("action", "retain".into()), ("reason", "x".into())],
        ),
        (
            "/console/transfers".to_owned(),
            vec![("member", t.member_number.clone()), ("to", t.org.to_string()), ("reason", "x".into())],
        ),
        (format!("/console/transfers/{}/accept", t.transfer), vec![]),
        (format!("/console/transfers/{}/reject", t.transfer), vec![]),
        (format!("/console/orgs/{}/rename", t.org), vec![("name", "改名".into())]),
        (
            format!("/console/orgs/{}/policy", t.org),
            vec![("auto_approval", "off".into()), ("review_days", "5".into())],
        ),
        (
            format!("/console/orgs/{}/children", t.org),
            vec![("kind", "enterprise".into()), ("name", "某公司工会".into())],
        ),
    ]
}

fn as_refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

both_databases!(a_sibling_county_can_neither_read_nor_change, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let t = county_b(&app).await;
    let before = snapshot(&app, &t).await;
    let a = app.officer("a_admin", Some("340122"), Role::Admin).await;

    for path in reads(&t) {
        assert_eq!(a.get(&path).await.0, 404, "GET {path}");
    }
    for list in
        ["/console/applications", "/console/members", "/console/orgs", "/console/transfers", "/console/pool"]
    {
        let (status, page) = a.get(list).await;
        assert_eq!(status, 200, "{list}");
        for leak in [
            format!("/console/applications/{}\"", t.application),
            format!("/console/members/{}\"", t.member),
            format!("/console/orgs/{}\"", t.org),
            "肥西县".to_owned(),
        ] {
            assert!(!page.contains(&leak), "{list} shows {leak}");
        }
    }
    for (path, fields) in writes(&t) {
        let (status, _) = a.post(&path, &as_refs(&fields)).await;
        assert_eq!(status, 404, "POST {path}");
    }
    // A batch names ids; those out of scope are skipped, never decided.
    let (status, _) = a
        .post(
            "/console/applications/batch-approve",
            &[("ids", &t.application.to_string()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(a.get("/console/sms-outbox").await.0, 403, "the outbox is for the whole tree's admins");
    assert_eq!(a.get("/console/webhooks").await.0, 403, "so is the webhook log");
    assert_eq!(snapshot(&app, &t).await, before, "nothing of county B changed");
});

both_databases!(a_viewer_reads_but_changes_nothing, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let t = county_b(&app).await;
    let before = snapshot(&app, &t).await;
    let viewer = app.officer("b_viewer", Some("340123"), Role::Viewer).await;
    for path in reads(&t) {
        assert_eq!(viewer.get(&path).await.0, 200, "GET {path}");
    }
    for (path, fields) in writes(&t) {
        let (status, _) = viewer.post(&path, &as_refs(&fields)).await;
        assert_eq!(status, 403, "POST {path}");
    }
    let (status, _) =
        viewer.post("/console/applications/batch-approve", &[("ids", &t.application.to_string())]).await;
    assert_eq!(status, 403);
    assert_eq!(snapshot(&app, &t).await, before);
});

both_databases!(anonymous_callers_go_to_the_login_page, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let t = county_b(&app).await;
    let before = snapshot(&app, &t).await;
    let anonymous = app.browser();
    let mut routes: Vec<(bool, String, Fields)> =
        reads(&t).into_iter().map(|p| (false, p, Vec::new())).collect();
    for list in [
        "/console",
        "/console/applications",
        "/console/members",
        "/console/orgs",
        "/console/transfers",
        "/console/pool",
        "/console/sms-outbox",
        "/console/webhooks",
        "/console/password",
    ] {
        routes.push((false, list.to_owned(), Vec::new()));
    }
    routes.extend(writes(&t).into_iter().map(|(p, f)| (true, p, f)));
    for (post, path, fields) in routes {
        let url = format!("{}{path}", app.base);
        let response = if post {
            anonymous.post(&url).form(&as_refs(&fields)).send().await.unwrap()
        } else {
            anonymous.get(&url).send().await.unwrap()
        };
        assert_eq!(response.status().as_u16(), 303, "{path}");
        let location = response.headers()["location"].to_str().unwrap();
        assert!(location.starts_with("/console/login") || path == "/console", "{path} → {location}");
    }
    assert_eq!(snapshot(&app, &t).await, before);
});

both_databases!(every_form_needs_the_sessions_csrf_token, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let t = county_b(&app).await;
    let before = snapshot(&app, &t).await;
    let admin = app.officer("b_admin", Some("340123"), Role::Admin).await;
    let other = app.officer("b_admin2", Some("340123"), Role::Admin).await;
    for (path, fields) in writes(&t) {
        let mut missing = as_refs(&fields);
        assert_eq!(admin.post_raw(&path, &missing).await.0, 403, "no token: {path}");
        missing.push(("csrf", "0123456789abcdef0123456789abcdef"));
        assert_eq!(admin.post_raw(&path, &missing).await.0, 403, "wrong token: {path}");
        missing.pop();
        missing.push(("csrf", &other.csrf));
        assert_eq!(admin.post_raw(&path, &missing).await.0, 403, "another session's token: {path}");
    }
    for path in ["/console/logout", "/console/password"] {
        assert_eq!(admin.post_raw(path, &[]).await.0, 403, "{path}");
    }
    assert_eq!(snapshot(&app, &t).await, before);
    assert_eq!(admin.get("/console/applications").await.0, 200, "still logged in");
});

both_databases!(a_transfer_started_across_subtrees_waits_for_the_outgoing_side, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let t = county_b(&app).await;
    let before = snapshot(&app, &t).await;
    let a = app.officer("a_admin", Some("340122"), Role::Admin).await;
    app.store().set_user_can_reveal("a_admin", true).await.unwrap();
    let county_a = app.store().org_by_join_code("340122").await.unwrap().unwrap();

    // County A asks for county B's member, into its own union: accepted as a request.
    let to = county_a.id.0.to_string();
    let fields = [("member", t.member_number.as_str()), ("name", "王晓明"), ("to", &to), ("reason", "x")];
    let (status, _) = a.post("/console/transfers", &fields).await;
    assert_eq!(status, 303);
    let root = app.store().org(OrgId(1)).await.unwrap().unwrap();
    let asked = app.store().transfers(&root.path, 10).await.unwrap().remove(0);
    assert_eq!((asked.to_org_id, asked.status.code()), (county_a.id.0, "awaiting_consent"));

    // A learns nothing of B and can decide nothing; B's member stays where they are.
    let (_, page) = a.get("/console/transfers").await;
    assert!(!page.contains("肥西县"), "{}", main_of(&page));
    for path in [
        format!("/console/transfers/{}/accept", asked.id),
        format!("/console/transfers/{}/reject", asked.id),
        format!("/console/members/{}/reveal", t.member),
    ] {
        let (status, _) = a.post(&path, &[("field", "mobile"), ("reason", "x")]).await;
        assert_eq!(status, 404, "POST {path}");
    }
    assert_eq!(snapshot(&app, &t).await, before, "nothing of county B changed");

    // County B is asked, and may agree or refuse.
    let b = app.officer("b_reviewer", Some("340123"), Role::Reviewer).await;
    let (_, page) = b.get("/console/transfers").await;
    assert!(page.contains(&format!("/console/transfers/{}/accept", asked.id)), "{}", main_of(&page));
    assert!(page.contains("肥东县总工会"), "B sees who asks");
});

both_databases!(an_enterprise_name_does_not_pull_applicants_across_subtrees, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let a = app.officer("a_admin", Some("340122"), Role::Admin).await;
    let b = app.officer("b_admin", Some("340123"), Role::Admin).await;
    let county_a = app.store().org_by_join_code("340122").await.unwrap().unwrap();
    let county_b = app.store().org_by_join_code("340123").await.unwrap().unwrap();
    let create = |county: i64, name: &'static str, code: &'static str| {
        (
            format!("/console/orgs/{county}/children"),
            [("kind", "enterprise"), ("name", name), ("credit_code", code)],
        )
    };

    // County A names an enterprise union after a big employer.
    let (path, fields) = create(county_a.id.0, "顺丰速运有限公司", "");
    assert_eq!(a.post(&path, &fields).await.0, 303);
    // County B registers its real enterprise union with the credit code; A cannot take it.
    let (path, fields) = create(county_b.id.0, "顺丰速运有限公司肥西分公司工会", "914403001922038216");
    assert_eq!(b.post(&path, &fields).await.0, 303);
    let (path, fields) = create(county_a.id.0, "另一个工会", "914403001922038216");
    let (status, page) = a.post(&path, &fields).await;
    assert_eq!(status, 422);
    assert!(page.contains("已登记了企业工会"), "{}", main_of(&page));

    // Applicants who work elsewhere and name the employer stay in their own region's tree.
    let mut landed = Vec::new();
    for (i, (city, region, employer, code)) in [
        ("3401", "340123", "顺丰速运有限公司", ""),
        ("3402", "340202", "顺丰速运有限公司", ""),
        ("3412", "341202", "顺丰速运有限公司", ""),
        ("3401", "340122", "顺丰速运有限公司", "914403001922038216"),
        ("3401", "340122", "顺丰速运有限公司", ""),
        ("3401", "340123", "", "914403001922038216"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = id_number(region, "19900101", 50 + i as u32);
        let mobile = format!("1350000{:04}", 50 + i);
        let mut fields = with(with(form(&id, &mobile), "city", city), "region_code", region);
        fields = with(with(fields, "employer_name", employer), "employer_credit_code", code);
        let (_, body) = app.join("/join", &fields).await;
        assert!(body.contains("入会成功"), "{}", main_of(&body));
        let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, &mobile).to_hex();
        let member = app.store().memberships_by_mobile(&bidx).await.unwrap().remove(0);
        let home = app.store().org(OrgId(member.home_org_id)).await.unwrap().unwrap();
        landed.push((region, home.name.clone(), county_a.path.contains(&home.path)));
    }
    let names: Vec<&str> = landed.iter().map(|(_, name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "肥西县货车司机工会联合会",
            "芜湖市货车司机工会联合会",
            "阜阳市货车司机工会联合会",
            "肥东县货车司机工会联合会",
            "顺丰速运有限公司",
            "顺丰速运有限公司肥西分公司工会",
        ],
        "{landed:?}"
    );
    // County A's members are its own applicants only.
    let (_, page) = a.get("/console/members").await;
    assert_eq!(page.matches("王**").count(), 2, "{}", main_of(&page));
});
