//! Revealing full identifiers (pii.reveal, a reason, the audit log), exports in the audit
//! log, and the audit page: admins only, their subtree only, filtered and paged.

use huiji_core::OrgPath;
use huiji_core::Role;
use huiji_store::testing::TestDb;
use huiji_store::{AuditQuery, MembershipRecord, both_databases};

use crate::support::{TestApp, form, id_number, main_of, with};

/// A member of 肥东县 (340122), approved at once through the county's truckers' union.
pub async fn feidong_member(app: &TestApp, seq: u32) -> (MembershipRecord, String, String) {
    let id = id_number("340122", "19900101", seq);
    let mobile = format!("1391234{seq:04}");
    let (_, body) = app.join("/j/340122T", &form(&id, &mobile)).await;
    assert!(body.contains("入会成功"), "{}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, &mobile).to_hex();
    let record = app.store().memberships_by_mobile(&bidx).await.unwrap().remove(0);
    (record, id, mobile)
}

/// A member of 肥西县 (340123), the sibling county.
pub async fn feixi_member(app: &TestApp, seq: u32) -> MembershipRecord {
    let id = id_number("340123", "19900101", seq);
    let mobile = format!("1371234{seq:04}");
    let (_, body) = app.join("/j/340123T", &with(form(&id, &mobile), "region_code", "340123")).await;
    assert!(body.contains("入会成功"), "{}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, &mobile).to_hex();
    app.store().memberships_by_mobile(&bidx).await.unwrap().remove(0)
}

/// Every audit record of the province, newest first.
pub fn everything() -> AuditQuery {
    AuditQuery {
        within: OrgPath::parse("/1/").unwrap(),
        action: None,
        actor_name: None,
        from: None,
        to: None,
        before_id: None,
        limit: 100,
    }
}

both_databases!(revealing_takes_the_permission_a_reason_and_leaves_a_record, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (member, id, mobile) = feidong_member(&app, 1).await;
    let path = format!("/console/members/{}", member.id);
    let reveal = format!("{path}/reveal");
    let officer = app.officer("feidong_reviewer", Some("340122"), Role::Reviewer).await;

    // Without pii.reveal: no form, and posting is refused.
    let (_, page) = officer.get(&path).await;
    assert!(!page.contains("/reveal"), "no reveal form without the permission");
    assert!(!page.contains(&id) && !page.contains(&mobile));
    let (status, _) = officer.post(&reveal, &[("field", "id_number"), ("reason", "核实")]).await;
    assert_eq!(status, 403);

    app.store().set_user_can_reveal("feidong_reviewer", true).await.unwrap();
    let (_, page) = officer.get(&path).await;
    assert!(page.contains(&format!("action=\"{reveal}\"")), "the form shows with the permission");
    // A reason is required.
    let (status, page) = officer.post(&reveal, &[("field", "id_number"), ("reason", "  ")]).await;
    assert_eq!(status, 422);
    assert!(!page.contains(&id));
    // Without the CSRF token nothing is shown.
    let (status, page) = officer.post_raw(&reveal, &[("field", "id_number"), ("reason", "核实")]).await;
    assert_eq!(status, 403);
    assert!(!page.contains(&id));
    assert!(app.store().audit_records(&everything()).await.unwrap().is_empty(), "refusals reveal nothing");

    let (status, page) =
        officer.post(&reveal, &[("field", "id_number"), ("reason", "会员来电核实身份")]).await;
    assert_eq!(status, 200);
    assert!(main_of(&page).contains(&id), "the full ID number is shown once");
    let (status, page) = officer.post(&reveal, &[("field", "mobile"), ("reason", "联系会员")]).await;
    assert_eq!(status, 200);
    assert!(main_of(&page).contains(&mobile));
    let (_, page) = officer.get(&path).await;
    assert!(!page.contains(&id) && !page.contains(&mobile), "and not again on the next visit");

    let records = app.store().audit_records(&everything()).await.unwrap();
    assert_eq!(records.len(), 2);
    let (m, i) = (&records[0], &records[1]);
    assert_eq!((i.action.as_str(), m.action.as_str()), ("reveal.id_number", "reveal.mobile"));
    assert_eq!(i.actor_name, "feidong_reviewer");
    assert_eq!(i.actor_kind, "officer");
    assert_eq!(i.subject.as_deref(), Some(format!("membership:{}", member.id).as_str()));
    assert_eq!(i.reason.as_deref(), Some("会员来电核实身份"));
    assert_eq!(i.scope_path, member.home_path);
    assert_eq!(i.client_addr.as_deref(), Some("127.0.0.1"), "from where");
    assert!(!records.iter().any(|r| format!("{r:?}").contains(&id)), "the record holds no ID number");

    // A sibling county's officer with the permission cannot reveal this member: 404.
    let sibling = app.officer("feixi_admin", Some("340123"), Role::Admin).await;
    app.store().set_user_can_reveal("feixi_admin", true).await.unwrap();
    let (status, page) = sibling.post(&reveal, &[("field", "id_number"), ("reason", "x")]).await;
    assert_eq!(status, 404);
    assert!(!page.contains(&id));
    assert_eq!(app.store().audit_records(&everything()).await.unwrap().len(), 2);
});

both_databases!(exports_are_in_the_audit_log, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    feidong_member(&app, 2).await;
    let admin = app.officer("feidong_admin", Some("340122"), Role::Admin).await;
    assert_eq!(admin.get("/console/members/export.csv?status=active").await.0, 200);
    assert_eq!(admin.get("/console/members/export.xlsx").await.0, 200);
    let records = app.store().audit_records(&everything()).await.unwrap();
    let actions: Vec<&str> = records.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["export.members_xlsx", "export.members_csv"]);
    assert!(records[1].subject.as_deref().unwrap().starts_with("rows:1 status=active"), "{records:?}");
    assert_eq!(records[1].scope_path, admin_scope(&app, "340122").await);
});

async fn admin_scope(app: &TestApp, code: &str) -> String {
    app.store().org_by_join_code(code).await.unwrap().unwrap().path.as_str().to_owned()
}

both_databases!(the_audit_page_is_for_admins_of_the_subtree, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (feidong, _, _) = feidong_member(&app, 3).await;
    let feixi = feixi_member(&app, 4).await;
    let province = app.officer("anhui", None, Role::Admin).await;
    app.store().set_user_can_reveal("anhui", true).await.unwrap();
    for (member, reason) in [(feidong.id, "肥东核实"), (feixi.id, "肥西核实")] {
        let path = format!("/console/members/{member}/reveal");
        assert_eq!(province.post(&path, &[("field", "mobile"), ("reason", reason)]).await.0, 200);
    }

    let (status, page) = province.get("/console/audit").await;
    assert_eq!(status, 200);
    assert!(page.contains("肥东核实") && page.contains("肥西核实"));
    assert!(page.contains("127.0.0.1"));
    // Dates are picked the one way the console picks them (as the member filter does).
    assert!(page.contains(r#"type="date" name="from""#) && page.contains(r#"type="date" name="to""#));

    let feidong_admin = app.officer("feidong_admin", Some("340122"), Role::Admin).await;
    let (status, page) = feidong_admin.get("/console/audit").await;
    assert_eq!(status, 200);
    assert!(page.contains("肥东核实"), "its subtree's records");
    assert!(!page.contains("肥西核实"), "not the sibling county's");
    let reviewer = app.officer("feidong_reviewer", Some("340122"), Role::Reviewer).await;
    assert_eq!(reviewer.get("/console/audit").await.0, 403);
    let viewer = app.officer("feidong_viewer", Some("340122"), Role::Viewer).await;
    assert_eq!(viewer.get("/console/audit").await.0, 403);

    let filtered = |q: &str| format!("/console/audit?{q}");
    let (_, page) = province.get(&filtered("action=reveal.id_number")).await;
    assert!(!page.contains("肥东核实"));
    let (_, page) = province.get(&filtered("actor=anhui&from=2026-11-30&to=2026-11-30")).await;
    assert!(page.contains("肥东核实") && page.contains("肥西核实"));
    let (_, page) = province.get(&filtered("from=2026-12-01")).await;
    assert!(!page.contains("肥东核实"));
    let (status, _) = province.get(&filtered("from=yesterday")).await;
    assert_eq!(status, 422);
    let (status, page) = province.get(&filtered("actor=%27%20OR%20%271%27%3D%271&action=%27--")).await;
    assert_eq!(status, 200, "SQL in a filter is only text");
    assert!(!page.contains("肥东核实"));
});
