//! Org management, the SMS outbox page and the escalation job, through the real HTTP app.

use std::time::Duration;

use huiji_core::{AutoApproval, Level, Org, OrgKind, OrgKindCode, RegionCode, Role};
use huiji_store::testing::TestDb;
use huiji_store::{OrgFilter, both_databases};
use huiji_vault::Field;

use crate::support::console::Console;
use crate::support::{TestApp, form, id_number, main_of, with};

async fn org(app: &TestApp, code: &str) -> Org {
    app.store().org_by_join_code(code).await.unwrap().unwrap()
}

/// The number in "(N)" after the page's heading.
fn total_of(page: &str) -> u64 {
    let main = main_of(page);
    let start = main.find("<span class=\"muted\">(").unwrap() + "<span class=\"muted\">(".len();
    main[start..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

/// The org ids linked from a list page's rows.
fn linked_ids(page: &str) -> Vec<i64> {
    let main = main_of(page);
    let table = &main[main.find("<tbody>").unwrap_or(0)..];
    table
        .split("<td><a href=\"/console/orgs/")
        .skip(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap())
        .collect()
}

/// The next-page link of a list page.
fn next_of(page: &str) -> Option<String> {
    let main = main_of(page);
    let start = main.find("class=\"pager\"><a href=\"")? + "class=\"pager\"><a href=\"".len();
    Some(main[start..].chars().take_while(|c| *c != '"').collect::<String>().replace("&amp;", "&"))
}

/// The id of the newest application made with this mobile.
async fn application_of(app: &TestApp, mobile: &str) -> i64 {
    let bidx = app.state.app.keys().blind_index(Field::Mobile, mobile).to_hex();
    app.store().applications_by_mobile(&bidx).await.unwrap()[0].id
}

/// A truck driver in 肥东县 joining through a union's code.
async fn join(app: &TestApp, code: &str, seq: u32, extra: &[(&'static str, &str)]) -> (String, String) {
    let id = id_number("340122", "19850101", seq);
    let mobile = format!("1391234{seq:04}");
    let mut fields = form(&id, &mobile);
    for (key, value) in extra {
        fields = with(fields, key, value);
    }
    let (status, body) = app.join(&format!("/j/{code}"), &fields).await;
    assert_eq!(status, 200, "{}", main_of(&body));
    (mobile, body)
}

both_databases!(the_list_is_the_officers_subtree_with_filters, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let hefei = org(&app, "3401").await;
    let admin = app.officer("hf", Some("3401"), Role::Admin).await;

    let (status, page) = admin.get("/console/orgs").await;
    assert_eq!(status, 200);
    let in_hefei = app
        .store()
        .count_orgs(&OrgFilter { within: Some(hefei.path.clone()), ..OrgFilter::default() })
        .await
        .unwrap();
    assert!(in_hefei > 100, "Hefei has more unions than a page: {in_hefei}");
    assert_eq!(total_of(&page), in_hefei);
    assert!(page.contains(">合肥市总工会</a>") && page.contains(">合肥市货车司机工会联合会</a>"));
    assert!(page.contains("<td>安徽省 / 合肥市</td>") && page.contains("<td>3401T</td>"));
    assert!(!page.contains("芜湖市"), "nothing of a sibling city (芜湖路街道 is in Hefei)");

    // Keyset paging walks the whole subtree once, and stays inside it.
    let mut seen = linked_ids(&page);
    assert_eq!(seen.len(), 100);
    let mut next = next_of(&page);
    while let Some(link) = next {
        let (status, page) = admin.get(&link).await;
        assert_eq!(status, 200);
        assert!(!page.contains("芜湖市"));
        seen.extend(linked_ids(&page));
        next = next_of(&page);
    }
    assert_eq!(seen.len() as u64, in_hefei);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "by id, without repeats");
    let wuhu = OrgFilter { within: Some(org(&app, "3402").await.path), ..OrgFilter::default() };
    let wuhu_unions = app.store().orgs(&wuhu).await.unwrap();
    assert!(wuhu_unions.iter().all(|o| !seen.contains(&o.id.0)));

    // By kind.
    let (_, page) = admin.get("/console/orgs?kind=industry_federation").await;
    assert!(page.contains(">合肥市货车司机工会联合会</a>") && page.contains(">肥东县货车司机工会联合会</a>"));
    assert!(!page.contains("<td>乡镇（街道）工会</td>") && !page.contains(">合肥市总工会</a>"));
    let industry = app
        .store()
        .count_orgs(&OrgFilter {
            within: Some(hefei.path.clone()),
            kind: Some(OrgKindCode::IndustryFederation),
            ..OrgFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(total_of(&page), industry);
    assert_eq!(linked_ids(&page).len() as u64, industry);

    // By region, and both together.
    let (_, page) = admin.get("/console/orgs?region=340122").await;
    assert!(page.contains(">肥东县总工会</a>") && page.contains(">肥东县货车司机工会联合会</a>"));
    assert!(!page.contains(">合肥市总工会</a>") && !page.contains(">合肥市货车司机工会联合会</a>"));
    let (_, page) = admin.get("/console/orgs?kind=federation&region=340122").await;
    assert_eq!(total_of(&page), 1);
    assert!(page.contains(">肥东县总工会</a>"));
    // A region outside the scope finds nothing; a malformed one says so.
    let (_, page) = admin.get("/console/orgs?region=3402").await;
    assert_eq!(total_of(&page), 0);
    let (status, page) = admin.get("/console/orgs?region=hefei").await;
    assert_eq!(status, 200);
    assert!(page.contains("区划代码应为"));
    assert_eq!(admin.get("/console/orgs?kind=club").await.0, 400);
    // Another city's subtree cannot be listed through `under`.
    let wuhu = org(&app, "3402").await;
    assert_eq!(admin.get(&format!("/console/orgs?under={}", wuhu.id)).await.0, 404);
    let (_, page) = admin.get(&format!("/console/orgs?under={}", org(&app, "340122").await.id)).await;
    assert!(
        page.contains(">肥东县货车司机工会联合会</a>") && !page.contains(">合肥市货车司机工会联合会</a>")
    );
});

both_databases!(a_receiving_unions_detail_shows_its_qr_code, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let truckers = org(&app, "3401T").await;
    let admin = app.officer("hf", Some("3401"), Role::Admin).await;
    let viewer = app.officer("hfv", Some("3401"), Role::Viewer).await;
    join(&app, "3401T", 1, &[]).await;

    let (status, page) = admin.get(&format!("/console/orgs/{}", truckers.id)).await;
    assert_eq!(status, 200);
    let main = main_of(&page);
    assert!(main.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""), "the QR code inline");
    assert!(
        main.contains("/qr/3401T/poster") && main.contains("/qr/3401T/png") && main.contains("/qr/3401T/svg")
    );
    assert!(main.contains(&format!("{}/j/3401T", app.base)));
    assert!(main.contains("下级会员</dt><dd>0</dd>"), "the member landed in 肥东县's federation: {main}");
    assert!(main.contains("/rename\"") && main.contains("/policy\"") && main.contains("/children\""));
    assert!(main.contains("合肥市总工会"), "its parent");
    let (_, page) = admin.get(&format!("/console/orgs/{}", org(&app, "3401").await.id)).await;
    assert!(main_of(&page).contains("下级会员</dt><dd>1</dd>"), "the member, in the city's subtree");

    let (status, page) = viewer.get(&format!("/console/orgs/{}", truckers.id)).await;
    assert_eq!(status, 200);
    assert!(main_of(&page).contains("/qr/3401T/poster"));
    assert!(!page.contains("/rename\"") && !page.contains("/policy\"") && !page.contains("/children\""));

    // Township unions receive nothing: no QR code, no policy form.
    let township = township_of(&app, "340122").await;
    let (_, page) = admin.get(&format!("/console/orgs/{}", township.id)).await;
    assert!(!main_of(&page).contains("<svg") && !page.contains("/policy\"") && page.contains("/children\""));
});

async fn township_of(app: &TestApp, county: &str) -> Org {
    let filter = OrgFilter {
        kind: Some(OrgKindCode::Township),
        region: Some(county.parse::<RegionCode>().unwrap()),
        limit: Some(1),
        ..OrgFilter::default()
    };
    app.store().orgs(&filter).await.unwrap().remove(0)
}

/// Every admin POST on an org, with fields that would succeed.
fn admin_posts(id: i64) -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    vec![
        (format!("/console/orgs/{id}/rename"), vec![("name", "新名称工会")]),
        (format!("/console/orgs/{id}/policy"), vec![("auto_approval", "off"), ("review_days", "5")]),
        (format!("/console/orgs/{id}/children"), vec![("kind", "enterprise"), ("name", "某某企业工会")]),
    ]
}

async fn assert_all(console: &Console, posts: &[(String, Vec<(&str, &str)>)], expected: u16) {
    for (path, fields) in posts {
        assert_eq!(console.post(path, fields).await.0, expected, "{path}");
    }
}

both_databases!(other_subtrees_are_not_found_and_only_admins_change, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let admin = app.officer("hf", Some("3401"), Role::Admin).await;
    let reviewer = app.officer("hfr", Some("3401"), Role::Reviewer).await;
    let viewer = app.officer("hfv", Some("3401"), Role::Viewer).await;
    for code in ["3402", "3402T", "3410"] {
        let other = org(&app, code).await;
        assert_eq!(admin.get(&format!("/console/orgs/{}", other.id)).await.0, 404, "{code}");
        assert_all(&admin, &admin_posts(other.id.0), 404).await;
    }
    assert_eq!(admin.get("/console/orgs/999999").await.0, 404);
    assert_all(&admin, &admin_posts(999_999), 404).await;
    // The province above is out of scope too.
    assert_eq!(admin.get("/console/orgs/1").await.0, 404);

    for code in ["3401", "3401T"] {
        let mine = org(&app, code).await;
        assert_all(&reviewer, &admin_posts(mine.id.0), 403).await;
        assert_all(&viewer, &admin_posts(mine.id.0), 403).await;
        // Without the CSRF token even an admin is refused.
        let (status, _) =
            admin.post_raw(&format!("/console/orgs/{}/rename", mine.id), &[("name", "x")]).await;
        assert_eq!(status, 403);
    }
    let hefei = org(&app, "3401").await;
    assert_eq!(hefei.name, "合肥市总工会", "nothing changed");
    assert_eq!(org(&app, "3401T").await.auto_approval, AutoApproval::AllVerified);
    let children = OrgFilter { within: Some(hefei.path.clone()), ..OrgFilter::default() };
    let enterprises = OrgFilter { kind: Some(OrgKindCode::Enterprise), ..children };
    assert_eq!(app.store().count_orgs(&enterprises).await.unwrap(), 0);
});

both_databases!(renaming_keeps_sibling_names_apart, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let admin = app.officer("hf", Some("3401"), Role::Admin).await;
    let truckers = org(&app, "3401T").await;
    let path = format!("/console/orgs/{}/rename", truckers.id);

    let (status, _) = admin.post(&path, &[("name", "  合肥市货车司机工会联合会（新）  ")]).await;
    assert_eq!(status, 303);
    assert_eq!(org(&app, "3401T").await.name, "合肥市货车司机工会联合会（新）", "trimmed");
    let (_, page) = admin.get(&format!("/console/orgs/{}?done=renamed", truckers.id)).await;
    assert!(page.contains("已改名") && page.contains("<h1>合肥市货车司机工会联合会（新）</h1>"));

    // A sibling's name is refused, and the form keeps what was typed.
    let (status, page) = admin.post(&path, &[("name", "肥东县总工会")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("同一上级工会下已有同名的工会"), "{}", main_of(&page));
    assert!(page.contains("value=\"肥东县总工会\""));
    let (status, page) = admin.post(&path, &[("name", "   ")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("名称应为1到100个字"));
    let long = "工".repeat(101);
    assert_eq!(admin.post(&path, &[("name", &long)]).await.0, 422);
    assert_eq!(org(&app, "3401T").await.name, "合肥市货车司机工会联合会（新）");

    // An admin may rename their own root union.
    let hefei = org(&app, "3401").await;
    let (status, _) =
        admin.post(&format!("/console/orgs/{}/rename", hefei.id), &[("name", "合肥市总工会（试）")]).await;
    assert_eq!(status, 303);
    assert_eq!(org(&app, "3401").await.name, "合肥市总工会（试）");
});

both_databases!(turning_auto_approval_off_makes_joins_pending, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let admin = app.officer("hf", Some("3401"), Role::Admin).await;
    let truckers = org(&app, "3401T").await;
    let path = format!("/console/orgs/{}/policy", truckers.id);

    for days in ["0", "31", "x"] {
        let (status, page) = admin.post(&path, &[("auto_approval", "off"), ("review_days", days)]).await;
        assert_eq!(status, 422, "{days}");
        assert!(page.contains("审核期限应为1到30天"));
    }
    assert_eq!(admin.post(&path, &[("auto_approval", "sometimes"), ("review_days", "3")]).await.0, 422);
    let (status, _) = admin.post(&path, &[("auto_approval", "off"), ("review_days", "5")]).await;
    assert_eq!(status, 303);
    let changed = org(&app, "3401T").await;
    assert_eq!((changed.auto_approval, changed.review_days), (AutoApproval::Off, 5));
    let (_, page) = admin.get(&format!("/console/orgs/{}", truckers.id)).await;
    assert!(page.contains("<option value=\"off\" selected>"));

    let (_, body) = join(&app, "3401T", 2, &[]).await;
    assert!(body.contains("申请已提交"), "{}", main_of(&body));

    // Unions that receive nothing have no policy.
    let township = township_of(&app, "340122").await;
    let (status, _) = admin
        .post(
            &format!("/console/orgs/{}/policy", township.id),
            &[("auto_approval", "off"), ("review_days", "3")],
        )
        .await;
    assert_eq!(status, 422);
});

both_databases!(enterprise_unions_receive_their_employees, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let admin = app.officer("hf", Some("3401"), Role::Admin).await;
    let hefei = org(&app, "3401").await;
    let path = format!("/console/orgs/{}/children", hefei.id);

    let (status, page) = admin
        .post(
            &path,
            &[
                ("kind", "enterprise"),
                ("name", "合肥顺达物流有限公司工会"),
                ("credit_code", "9144030071526726XH"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("统一社会信用代码校验位不正确"), "{}", main_of(&page));
    assert!(
        page.contains("value=\"合肥顺达物流有限公司工会\"") && page.contains("value=\"9144030071526726XH\"")
    );
    let (status, page) =
        admin.post(&path, &[("kind", "enterprise"), ("name", "某工会"), ("credit_code", "12345")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("统一社会信用代码应为18位"));

    let (status, _) = admin
        .post(
            &path,
            &[
                ("kind", "enterprise"),
                ("name", "合肥顺达物流有限公司工会"),
                ("credit_code", "9144030071526726xg"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let city = hefei.region;
    let union = app.store().enterprise_unions(Some("9144030071526726XG"), "", city).await.unwrap().remove(0);
    assert_eq!(union.parent, Some(hefei.id));
    assert_eq!((union.kind, union.region), (OrgKind::Enterprise, hefei.region));
    assert_eq!(union.join_code, None);

    // The same name or the same code again is refused.
    let (status, page) =
        admin.post(&path, &[("kind", "enterprise"), ("name", "合肥顺达物流有限公司工会")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("同一上级工会下已有同名的工会"));
    let (status, page) = admin
        .post(
            &path,
            &[("kind", "enterprise"), ("name", "另一家公司工会"), ("credit_code", "9144030071526726XG")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("已登记了企业工会"));

    // A worker naming the employer's credit code lands there.
    let (mobile, body) = join(
        &app,
        "3401T",
        3,
        &[("employer_name", "顺达物流"), ("employer_credit_code", "9144030071526726XG")],
    )
    .await;
    assert!(body.contains("合肥顺达物流有限公司工会"), "{}", main_of(&body));
    let bidx = app.state.app.keys().blind_index(Field::Mobile, &mobile).to_hex();
    let memberships = app.store().memberships_by_mobile(&bidx).await.unwrap();
    assert_eq!(memberships[0].home_org_id, union.id.0);
    let (_, page) = admin.get(&format!("/console/orgs/{}", union.id)).await;
    assert!(page.contains("9144030071526726XG") && page.contains("下级会员</dt><dd>1</dd>"));
});

both_databases!(industry_federations_get_working_join_codes, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let admin = app.officer("hf", Some("3401"), Role::Admin).await;
    let feidong = org(&app, "340122").await;
    let path = format!("/console/orgs/{}/children", feidong.id);

    let (status, page) =
        admin.post(&path, &[("kind", "industry_federation"), ("name", "肥东县快递员工会联合会")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("请至少选择一个从业类型"));
    let (status, _) = admin
        .post(
            &path,
            &[
                ("kind", "industry_federation"),
                ("name", "肥东县快递员工会联合会"),
                ("occupations", "delivery_rider"),
                ("occupations", "courier"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let created = org(&app, "340122C").await;
    assert_eq!(created.name, "肥东县快递员工会联合会");
    assert_eq!(created.kind, OrgKind::IndustryFederation(Level::County));
    assert_eq!((created.region, created.parent), (feidong.region, Some(feidong.id)));
    assert_eq!(created.occupations.len(), 2);
    assert_eq!(created.auto_approval, AutoApproval::AllVerified);
    assert_eq!(app.get("/j/340122C").await.0, 200);
    let (_, page) = admin.get(&format!("/console/orgs/{}", created.id)).await;
    assert!(main_of(&page).contains("/qr/340122C/poster") && main_of(&page).contains("<svg"));

    // A clash with an existing code gets a digit.
    let (status, _) = admin
        .post(
            &path,
            &[
                ("kind", "industry_federation"),
                ("name", "肥东县第二货车司机工会联合会"),
                ("occupations", "truck_driver"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(org(&app, "340122T2").await.name, "肥东县第二货车司机工会联合会");
    assert_eq!(app.get("/j/340122T2").await.0, 200);

    // Only under a city or county federation; community unions only under a township.
    let township = township_of(&app, "340122").await;
    let below_township = format!("/console/orgs/{}/children", township.id);
    let fields = [("kind", "industry_federation"), ("name", "某联合会"), ("occupations", "courier")];
    assert_eq!(admin.post(&below_township, &fields).await.0, 422);
    assert_eq!(admin.post(&path, &[("kind", "community"), ("name", "某社区工会")]).await.0, 422);
    let (status, _) = admin.post(&below_township, &[("kind", "community"), ("name", "幸福社区工会")]).await;
    assert_eq!(status, 303);
    let filter = OrgFilter {
        within: Some(township.path.clone()),
        kind: Some(OrgKindCode::Community),
        ..OrgFilter::default()
    };
    let community = app.store().orgs(&filter).await.unwrap().remove(0);
    assert_eq!((community.name.as_str(), community.region), ("幸福社区工会", township.region));
});

both_databases!(the_outbox_is_for_admins_of_the_whole_tree, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    join(&app, "3401T", 4, &[]).await;
    let root = app.officer("ah", None, Role::Admin).await;
    let (status, page) = root.get("/console/sms-outbox").await;
    assert_eq!(status, 200);
    assert!(page.contains("139****0004") && !page.contains("13912340004"), "{}", main_of(&page));
    assert!(page.contains("会员号") && page.contains("/console/sms-outbox\" aria-current"));

    for (name, code, role) in
        [("ahr", None, Role::Reviewer), ("ahv", None, Role::Viewer), ("hf", Some("3401"), Role::Admin)]
    {
        let console = app.officer(name, code, role).await;
        assert_eq!(console.get("/console/sms-outbox").await.0, 403, "{name}");
        assert!(!console.get("/console/orgs").await.1.contains("/console/sms-outbox"), "no link for {name}");
    }
});

both_databases!(the_escalation_job_moves_overdue_reviews_up, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let truckers = org(&app, "3401T").await;
    app.store().set_review_policy(truckers.id, AutoApproval::Off, 3).await.unwrap();
    let (mobile, body) = join(&app, "3401T", 5, &[]).await;
    assert!(body.contains("申请已提交"));
    let id = application_of(&app, &mobile).await;
    let reviewer = |detail: huiji_store::ApplicationDetail| detail.item.reviewer_org_id;
    assert_eq!(reviewer(app.store().application_detail(id).await.unwrap().unwrap()), Some(truckers.id.0));

    app.advance(3 * 86_400_000 + 1);
    let job = huiji_app::jobs::spawn_escalation(app.state.app.clone(), Duration::from_millis(50));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let now = reviewer(app.store().application_detail(id).await.unwrap().unwrap());
        if now == truckers.parent.map(|p| p.0) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "not escalated within 5 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    job.abort();
    let detail = app.store().application_detail(id).await.unwrap().unwrap();
    assert!(detail.item.escalated_at.is_some());
});
