//! Unions' contact details (issue 13 item 8): admins edit them (audited), workers see
//! the home union's on the result, status and card pages; the unions list searches by
//! name, shows member counts and says review deadlines in days.

use huiji_core::Role;
use huiji_store::testing::TestDb;
use huiji_store::{AuditQuery, both_databases};

use crate::console::pool::post_for_location;
use crate::console::transfers::org;
use crate::support::{TestApp, form, id_number, main_of, with};

both_databases!(admins_edit_contacts_and_workers_see_them, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let feidong = org(&app, "340122").await;
    let wuhu = org(&app, "3402").await;
    let admin = app.officer("fdadmin", Some("340122"), Role::Admin).await;
    let reviewer = app.officer("fd", Some("340122"), Role::Reviewer).await;
    let path = format!("/console/orgs/{}/contact", feidong.id);
    let fields = [("person", "张敏"), ("phone", "0551-67654321"), ("address", "肥东县店埠镇人民路1号")];

    // Reviewers may not; another city's union does not exist for this admin.
    assert_eq!(reviewer.post(&path, &fields).await.0, 403);
    assert_eq!(admin.post(&format!("/console/orgs/{}/contact", wuhu.id), &fields).await.0, 404);
    // A phone that is no phone number is refused, the typed values kept.
    let (status, page) =
        admin.post(&path, &[("person", "张敏"), ("phone", "找我"), ("address", "人民路")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("电话只能包含数字") && page.contains("value=\"人民路\""), "{}", main_of(&page));
    assert_eq!(app.store().org_contact(feidong.id).await.unwrap(), Default::default());

    let (status, _) = post_for_location(&admin, &path, &fields).await;
    assert_eq!(status, 303);
    let (_, page) = admin.get(&format!("/console/orgs/{}?done=contact", feidong.id)).await;
    assert!(page.contains("联系方式已保存") && page.contains("0551-67654321"), "{}", main_of(&page));
    let audit = AuditQuery {
        within: feidong.path.clone(),
        action: Some("org.contact".to_owned()),
        actor_name: Some("fdadmin".to_owned()),
        from: None,
        to: None,
        before_id: None,
        limit: 10,
    };
    let records = app.store().audit_records(&audit).await.unwrap();
    assert_eq!(records.len(), 1);
    // The same details again change nothing and record nothing.
    post_for_location(&admin, &path, &fields).await;
    assert_eq!(app.store().audit_records(&audit).await.unwrap().len(), 1);

    // A worker joining a union below sees the nearest union's contact on the result page
    // and the card.
    let id = id_number("340122", "19900101", 1);
    let (_, body) = app.join("/j/340122T", &with(form(&id, "13722220001"), "region_code", "340122")).await;
    let main = main_of(&body);
    assert!(
        main.contains("入会成功") && main.contains("张敏") && main.contains("tel:0551-67654321"),
        "{main}"
    );
    let start = body.find("/card/").unwrap();
    let card: String = body[start..].chars().take_while(|c| *c != '"' && *c != '?').collect();
    let (status, _, page) = app.get(&card).await;
    assert_eq!(status, 200);
    assert!(main_of(&page).contains("肥东县店埠镇人民路1号") && main_of(&page).contains(&feidong.name));
    // Outside the county, nothing of it is shown.
    let id = id_number("340202", "19900101", 2);
    let fields = with(with(form(&id, "13722220002"), "city", "3402"), "region_code", "340202");
    let (_, body) = app.join("/j/3402T", &fields).await;
    assert!(main_of(&body).contains("入会成功") && !body.contains("张敏"), "{}", main_of(&body));
});

both_databases!(the_unions_list_searches_by_name_and_counts_members, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let admin = app.officer("hf", Some("3401"), Role::Admin).await;
    let id = id_number("340122", "19900101", 3);
    let (_, body) = app.join("/j/340122T", &with(form(&id, "13722220003"), "region_code", "340122")).await;
    assert!(main_of(&body).contains("入会成功"));

    let (status, page) = admin.get("/console/orgs?q=%E8%82%A5%E4%B8%9C%E5%8E%BF%E8%B4%A7%E8%BD%A6").await;
    assert_eq!(status, 200);
    let main = main_of(&page);
    assert!(main.contains(">肥东县货车司机工会联合会</a>") && !main.contains(">肥东县总工会</a>"), "{main}");
    assert!(main.contains("value=\"肥东县货车\""), "the search stays in its box: {main}");
    assert!(main.contains("<td class=\"num\">1</td>"), "its member: {main}");
    assert!(main.contains("3 天") || main.contains("天</td>"), "review deadline in days: {main}");
    // Wildcards are text, not patterns; other cities' unions are never found.
    let (_, page) = admin.get("/console/orgs?q=%25").await;
    assert!(main_of(&page).contains("没有符合条件的工会"), "{}", main_of(&page));
    let (_, page) = admin.get("/console/orgs?q=%E8%8A%9C%E6%B9%96%E5%B8%82").await;
    assert!(main_of(&page).contains("没有符合条件的工会"), "芜湖市 is outside 合肥: {}", main_of(&page));
});
