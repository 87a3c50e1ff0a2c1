//! Statistics in the console: the page's tables (each marked for a chart, each with its
//! definition one click away), the tile map at the province, drill-down and scoping
//! (another county's figures are a 404), the XLSX export (filter row, header row, the
//! numbers shown), targets (admins only), and ECharts served long-cached and loaded on
//! this page only.

use huiji_core::joining::Landing;
use huiji_core::{Channel, Decision, Occupation, Org, Role, Timestamp};
use huiji_store::testing::TestDb;
use huiji_store::{NewApplication, Sealed, SubmitOutcome, both_databases};
use huiji_tabular::{Cell, Limits, Table};

use crate::support::{TestApp, main_of};

/// A member of `org` who joined `days_ago` days before the app's clock.
async fn joined(app: &TestApp, org: &Org, tag: &str, occupation: Occupation, days_ago: i64) -> i64 {
    let sealed = |v: String| Sealed { ciphertext: v.clone().into_bytes(), blind_index: v };
    let now = app.state.app.now();
    let at = Timestamp(now.0 - days_ago * 86_400_000);
    let new = NewApplication {
        channel: Channel::Qr,
        source: org.join_code.clone(),
        receiving_org: org.id,
        landing: Some(Landing::Union(org.id)),
        name: "王晓明".to_owned(),
        id_number: sealed(format!("id-{tag}")),
        mobile: sealed(format!("m-{tag}")),
        sex: huiji_core::Sex::Male,
        occupation,
        region_code: org.region.to_string(),
        employer_name: None,
        employer_credit_code: None,
        consent_version: "1".to_owned(),
        mobile_verified: true,
        decision: Decision::Approve,
        review_deadline: Timestamp(at.0 + 3 * 86_400_000),
        mobile_bound_elsewhere: false,
        real_name: huiji_core::RealNameCheck::NotConfigured,
        consent_at: at,
        platform_id: None,
        external_ref: None,
    };
    match app.store().submit_application(&new, at).await.unwrap() {
        SubmitOutcome::Approved { membership_id, .. } => membership_id,
        other => panic!("expected an approval, got {other:?}"),
    }
}

async fn org(app: &TestApp, code: &str) -> Org {
    app.store().org_by_join_code(code).await.unwrap().unwrap()
}

both_databases!(officers_see_their_subtrees_figures_charts_and_definitions, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (feidong_trucks, wuhu_trucks) = (org(&app, "340122T").await, org(&app, "3402T").await);
    for i in 0..3 {
        joined(&app, &feidong_trucks, &format!("f{i}"), Occupation::TruckDriver, 10 + i).await;
    }
    joined(&app, &wuhu_trucks, "w0", Occupation::Courier, 40).await;

    let admin = app.officer("province-admin", None, Role::Admin).await;
    let (status, page) = admin.get("/console/stats").await;
    assert_eq!(status, 200, "{page}");
    let main = main_of(&page);
    assert!(main.contains("现有会员 <b>4</b>"), "{main}");
    for id in [
        "occupation",
        "unions",
        "channel",
        "status",
        "months",
        "month-channels",
        "weeks",
        "review",
        "services",
        "outreach",
        "outreach-unions",
        "benefits",
        "innovation",
        "contests",
        "campaigns",
    ] {
        assert!(main.contains(&format!("id=\"t-{id}\"")), "table {id}");
        assert!(main.contains(&format!("href=\"#def-{id}\"")), "definition link {id}");
        assert!(main.contains(&format!("id=\"def-{id}\"")), "definition {id}");
    }
    assert!(main.contains("data-chart=\"pie\"") && main.contains("data-chart=\"bar\""));
    assert!(!main.contains("尚未上线的统计"), "every area's panel is there");
    assert!(main.contains("短信邀请漏斗") && main.contains("批准入会"), "the campaign funnel");
    assert!(!main.contains("会员福利领取与额度：这些功能上线后"), "benefits are");
    // The tile map: 合肥 and 芜湖 link to their own figures; every city has a square.
    let hefei = org(&app, "3401").await;
    assert!(main.contains(&format!("href=\"/console/stats?org={}\"", hefei.id.0)));
    assert_eq!(main.matches("class=\"tile ").count(), 16);
    assert!(page.contains("<script src=\"/static/echarts-6.1.0.min.js\" defer></script>"));

    // Drill down to 肥东: 3 members; its own page links back up.
    let feidong = org(&app, "340122").await;
    let (status, page) = admin.get(&format!("/console/stats?org={}", feidong.id.0)).await;
    assert_eq!(status, 200);
    assert!(main_of(&page).contains("现有会员 <b>3</b>"));
    assert!(!main_of(&page).contains("class=\"tile "), "no tile map below the province");

    // A county officer sees 肥东 only; 芜湖 and the province are 404.
    let county = app.officer("feidong-viewer", Some("340122"), Role::Viewer).await;
    assert_eq!(county.get("/console/stats").await.0, 200);
    let wuhu = org(&app, "3402").await;
    assert_eq!(county.get(&format!("/console/stats?org={}", wuhu.id.0)).await.0, 404);
    assert_eq!(county.get(&format!("/console/stats/export.xlsx?org={}", wuhu.id.0)).await.0, 404);
    assert_eq!(county.get("/console/stats?org=1").await.0, 404);
    assert_eq!(county.get("/console/stats?on=2026-13-01").await.0, 400);

    // ECharts: served from the binary, cached for a year, on no worker page.
    let (status, content_type, body) = app.get("/static/echarts-6.1.0.min.js").await;
    assert_eq!((status, content_type.as_str()), (200, "text/javascript; charset=utf-8"));
    assert!(body.contains("echarts") && body.len() > 400_000);
    let response = app.http.get(format!("{}/static/echarts-6.1.0.min.js", app.base)).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
    for worker in ["/", "/join", "/stations"] {
        let (_, _, page) = app.get(worker).await;
        assert!(!page.contains("echarts"), "{worker}");
    }
});

both_databases!(the_export_holds_the_tables_under_the_filter, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let feidong_trucks = org(&app, "340122T").await;
    joined(&app, &feidong_trucks, "a", Occupation::TruckDriver, 30).await;
    let b = joined(&app, &feidong_trucks, "b", Occupation::TruckDriver, 5).await;
    joined(&app, &feidong_trucks, "c", Occupation::Courier, 5).await;
    let feidong = org(&app, "340122").await;
    // A programme of 肥东 with one grant of its quota of 4.
    let operator = huiji_app::actor::Actor::Operator;
    let today = app.state.app.now().china_date();
    let until = today.plus_days(30).unwrap().to_string();
    let programme = huiji_core::benefit::ProgrammeFields {
        kind: "health_check",
        name: "货车司机体检",
        mode: "officer",
        from: "2020-01-01",
        until: &until,
        quota: "4",
        ..Default::default()
    };
    let id =
        huiji_app::benefits::create(&app.state.app, &operator, feidong.id, &programme, &[]).await.unwrap();
    huiji_app::benefits::grant(&app.state.app, &operator, id, b).await.unwrap();
    let admin = app.officer("hefei-admin", Some("3401"), Role::Admin).await;
    let on = Timestamp(app.state.app.now().0 - 10 * 86_400_000).china_date();
    let url = format!("{}/console/stats/export.xlsx?org={}&on={on}", admin.base, feidong.id.0);
    let response = admin.http.get(url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    let sheet = |name: &str| {
        let mut table =
            Table::from_reader(std::io::Cursor::new(bytes.clone()), Some(name), Limits::default()).unwrap();
        table.rows().unwrap().map(|r| r.unwrap().cells).collect::<Vec<_>>()
    };
    let occupations = sheet("按职业（现有会员）");
    let filter = occupations[0][0].to_string();
    assert!(filter.contains("肥东县总工会") && filter.contains(&on.to_string()), "{filter}");
    assert_eq!(occupations[1], vec![Cell::Text("职业".to_owned()), Cell::Text("会员数".to_owned())]);
    let rows: Vec<(String, Cell)> =
        occupations[2..].iter().map(|r| (r[0].to_string(), r[1].clone())).collect();
    assert_eq!(
        rows,
        vec![("货车司机".to_owned(), Cell::Number(2.0)), ("快递员".to_owned(), Cell::Number(1.0))],
        "as shown, numbers as numbers"
    );
    // Members on the date: the one who joined before it.
    let on_sheet = sheet(&format!("{on} 日终会员数"));
    assert_eq!(on_sheet.last().unwrap()[1], Cell::Number(1.0));
    // The months: three joins in all.
    let months = sheet("逐月增减");
    let joins: f64 = months[2..].iter().map(|r| if let Cell::Number(n) = r[1] { n } else { 0.0 }).sum();
    assert_eq!(joins, 3.0);
    // Benefit uptake: the programme's quota, this scope's grant, the share and what is left.
    let uptake = sheet("会员福利领取与额度");
    assert!(uptake[0][0].to_string().contains("肥东县总工会"));
    assert_eq!(uptake[1][3], Cell::Text("适用额度".to_owned()));
    let row: Vec<String> = uptake[2].iter().map(ToString::to_string).collect();
    assert_eq!(row[0], "货车司机体检");
    assert_eq!(
        uptake[2][3..],
        [Cell::Number(4.0), Cell::Number(1.0), Cell::Text("25.0%".to_owned()), Cell::Number(3.0)]
    );
    // The roster: a sheet with its header even when nothing is listed yet.
    let roster = sheet("花名册覆盖（按职业）");
    assert_eq!(roster[1][0], Cell::Text("职业".to_owned()));
    assert_eq!(roster.len(), 2);
});

both_databases!(admins_set_targets_and_others_cannot, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let hefei = org(&app, "3401").await;
    let year = app.state.app.now().china_date().year().to_string();
    let viewer = app.officer("hefei-viewer", Some("3401"), Role::Viewer).await;
    let target = [
        ("org", hefei.id.0.to_string()),
        ("occupation", "truck_driver".to_owned()),
        ("year", year.clone()),
        ("members", "560,000".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = target.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(viewer.post("/console/stats/targets", &fields).await.0, 403);
    let admin = app.officer("hefei-admin", Some("3401"), Role::Admin).await;
    let (status, _) = admin.post("/console/stats/targets", &fields).await;
    assert_eq!(status, 303);
    let (_, page) = admin.get("/console/stats").await;
    assert!(main_of(&page).contains("560000"), "{}", main_of(&page));
    assert!(main_of(&page).contains("0.0%"));
    let mut bad = fields.clone();
    bad[3].1 = "-5";
    assert_eq!(admin.post("/console/stats/targets", &bad).await.0, 400);
});

/// The kiosk URL a token page shows once.
fn kiosk_of(page: &str) -> String {
    let start = page.find("/console/screen?kiosk=").expect("a kiosk URL");
    page[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || "/?=_".contains(*c)).collect()
}

both_databases!(a_screen_token_opens_the_screen_read_only_until_revoked, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let feidong_trucks = org(&app, "340122T").await;
    joined(&app, &feidong_trucks, "k1", Occupation::TruckDriver, 0).await;
    let admin = app.officer("province-admin", None, Role::Admin).await;
    let (status, page) = admin.get("/console/screen/tokens").await;
    assert_eq!(status, 200, "{page}");
    let (status, page) = admin.post("/console/screen/tokens", &[("label", "省总一楼大厅")]).await;
    assert_eq!(status, 200, "{page}");
    let kiosk = kiosk_of(&page);
    let token = kiosk.trim_start_matches("/console/screen?kiosk=").to_owned();
    assert_eq!(token.len(), 64);
    assert!(
        !app.store()
            .screen_tokens(&org(&app, "3401").await.path)
            .await
            .unwrap()
            .iter()
            .any(|t| t.label.contains(&token))
    );

    // No login: the screen and its data, for the whole province.
    let (status, content_type, screen) = app.get(&kiosk).await;
    assert_eq!((status, content_type.as_str()), (200, "text/html; charset=utf-8"), "{screen}");
    assert!(screen.contains("安徽省总工会") && screen.contains("id=\"held\">1<"), "{screen}");
    assert!(screen.contains("/static/echarts-6.1.0.min.js") && screen.contains("/static/screen.js"));
    assert_eq!(screen.matches("class=\"tile ").count(), 16);
    let (status, content_type, data) = app.get(&format!("/console/screen/data?kiosk={token}")).await;
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    let data: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!((data["held"].as_i64(), data["joined_today"].as_i64()), (Some(1), Some(1)));
    assert_eq!(data["hours"].as_array().unwrap().len(), 24);
    assert_eq!(data["benefits_granted"].as_u64(), Some(0), "no programme yet");
    // Read only: the token opens the screen and nothing else.
    for path in ["/console/stats", "/console/screen/tokens", "/console/members"] {
        let (status, _, _) = app.get(&format!("{path}?kiosk={token}")).await;
        assert_eq!(status, 303, "{path} with a kiosk token goes to the login");
    }
    assert_eq!(app.post("/console/screen/tokens", &[("label", "x")]).await.0, 303);
    assert_eq!(app.get("/console/screen").await.0, 303, "no token, no session: the login");
    assert_eq!(app.get("/console/screen?kiosk=00ff").await.0, 404);

    // A city admin's screen shows the city; they cannot see or revoke the province's token.
    let city = app.officer("hefei-admin", Some("3401"), Role::Admin).await;
    let (_, page) = city.get("/console/screen").await;
    assert!(page.contains("合肥市总工会"));
    let (_, tokens) = city.get("/console/screen/tokens").await;
    assert!(!tokens.contains("省总一楼大厅"));
    let id = app.store().screen_tokens(&org(&app, "3401").await.path).await.unwrap();
    assert!(id.is_empty());
    let province =
        app.store().orgs(&huiji_store::OrgFilter { limit: Some(1), ..Default::default() }).await.unwrap();
    let all = app.store().screen_tokens(&province[0].path).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(city.post(&format!("/console/screen/tokens/{}/revoke", all[0].id), &[]).await.0, 404);
    let viewer = app.officer("province-viewer", None, Role::Viewer).await;
    assert_eq!(viewer.get("/console/screen/tokens").await.0, 403);

    // Revoked: gone at once; both actions audited.
    assert_eq!(admin.post(&format!("/console/screen/tokens/{}/revoke", all[0].id), &[]).await.0, 303);
    assert_eq!(app.get(&kiosk).await.0, 404);
    assert_eq!(app.get(&format!("/console/screen/data?kiosk={token}")).await.0, 404);
    for action in ["stats.screen_issue", "stats.screen_revoke"] {
        let query = huiji_store::AuditQuery {
            within: province[0].path.clone(),
            action: Some(action.to_owned()),
            actor_name: None,
            from: None,
            to: None,
            before_id: None,
            limit: 10,
        };
        assert_eq!(app.store().audit_records(&query).await.unwrap().len(), 1, "{action}");
    }
});
