//! The stations on the phone: the nearest search as JSON (WGS-84 in, GCJ-02 and metres
//! out), the `/stations` page from a position or a county — within the 30 KB budget —
//! and a station's own page and poster.

use huiji_app::actor::Actor;
use huiji_app::stations::manage;
use huiji_core::OrgId;
use huiji_core::stations::{StationCells, StationCode, StationId};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::support::{TestApp, main_of};

/// Adds a station of the root at Amap picker text `picker`.
async fn station(app: &TestApp, name: &str, kind: &str, county: &str, picker: &str) -> StationId {
    let cells = StationCells {
        name,
        kind,
        address: "某路 1 号",
        county,
        lng: picker,
        lat: "",
        phone: "0551-6512 3456",
        hours: "24小时",
        amenities: "休息、饮水、充电",
    };
    manage::create(&app.state.app, &Actor::Operator, OrgId(1), &cells).await.unwrap()
}

/// Tiananmen as a phone reports it (WGS-84); its GCJ-02 is 39.910123,116.403724.
const PHONE: &str = "lat=39.90872&lng=116.39748";

both_databases!(the_nearest_search_answers_json_nearest_first, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let exact = station(&app, "天安门驿站", "工会驿站", "110101", "116.403724,39.910123").await;
    let raw = station(&app, "未换算坐标的司机之家", "司机之家", "110101", "116.39748,39.90872").await;
    let closed = station(&app, "暂停的驿站", "工会驿站", "110101", "116.4037,39.9101").await;
    station(&app, "合肥驿站", "工会驿站", "340104", "117.227,31.820").await;
    manage::set_closed(&app.state.app, &Actor::Operator, closed, true).await.unwrap();

    let (status, content_type, body) = app.get(&format!("/stations/nearest?{PHONE}&limit=2")).await;
    assert_eq!(status, 200, "{body}");
    assert!(content_type.starts_with("application/json"), "{content_type}");
    let results: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["id"], exact.0);
    assert_eq!(results[0]["name"], "天安门驿站");
    assert_eq!(results[0]["kind"], "service_station");
    assert_eq!((results[0]["lat"].as_f64(), results[0]["lng"].as_f64()), (Some(39.910123), Some(116.403724)));
    assert!(results[0]["distance_m"].as_f64().unwrap() < 0.5, "{body}");
    assert_eq!(
        results[0]["amap_url"].as_str().unwrap().split("&name").next().unwrap(),
        "https://uri.amap.com/marker?position=116.403724,39.910123"
    );
    assert_eq!(results[0]["code"], StationCode::of(exact).to_string());
    assert_eq!(results[1]["id"], raw.0);
    let offset = results[1]["distance_m"].as_f64().unwrap();
    assert!((500.0..700.0).contains(&offset), "{offset}");

    let (_, _, body) = app.get(&format!("/stations/nearest?{PHONE}&kind=driver_home")).await;
    let homes: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(homes.iter().map(|h| h["id"].as_i64().unwrap()).collect::<Vec<_>>(), [raw.0]);
    let (_, _, body) = app.get(&format!("/stations/nearest?{PHONE}")).await;
    let all: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(all.len(), 3, "the closed station is left out");
    assert_eq!(all[2]["name"], "合肥驿站");

    for bad in [
        "lat=91&lng=116",
        "lat=x&lng=116",
        "lng=116",
        "",
        "lat=39.9&lng=116.4&kind=spa",
        "lat=39.9&lng=116.4&limit=x",
    ] {
        let (status, _, _) = app.get(&format!("/stations/nearest?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
    }
});

both_databases!(the_stations_page_lists_by_position_or_county, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    station(&app, "蜀山区户外劳动者服务站（示例）", "户外劳动者驿站", "340104", "117.227,31.820").await;
    station(&app, "肥东县司机之家（示例）", "司机之家", "340122", "117.47,31.88").await;
    assert!(app.get("/").await.2.contains("href=\"/stations\""), "the home page links to the stations");

    let (status, _, body) = app.get("/stations").await;
    assert_eq!(status, 200);
    assert!(body.len() < 30_000, "{} bytes", body.len());
    assert!(body.contains(r#"<option value="340104">蜀山区</option>"#), "{}", main_of(&body));
    assert!(body.contains("/static/stations.js") && !body.contains("<section class=\"station\">"));

    // From a phone in Hefei (WGS-84 of the Shushan station's GCJ-02 point).
    let (status, _, body) = app.get("/stations?lat=31.8221&lng=117.2223").await;
    assert_eq!(status, 200);
    assert!(body.len() < 30_000, "{} bytes", body.len());
    let first = body.find("蜀山区户外劳动者服务站").unwrap();
    let second = body.find("肥东县司机之家").unwrap();
    assert!(first < second, "nearest first");
    assert!(body.contains("约 "), "distances are estimates");
    assert!(body.contains(r#"href="tel:055165123456""#));
    assert!(
        body.contains("https://uri.amap.com/marker?position=117.227000,31.820000&#38;name="),
        "{}",
        main_of(&body)
    );
    assert!(body.contains("api.map.baidu.com") && body.contains("apis.map.qq.com"));

    let (_, _, body) = app.get("/stations?county=340122").await;
    assert!(body.contains("肥东县司机之家") && !body.contains("蜀山区户外劳动者服务站（示例）</a>"));
    // A county's stations come with their distance from its centre (the one station: 0).
    assert!(body.contains("按距区县中心") && body.contains("距中心约 0 米"), "{}", main_of(&body));
    assert!(body.contains(r#"<option value="340122" selected>"#));
    let (_, _, body) = app.get("/stations?county=340102").await;
    assert!(body.contains("附近暂无开放的服务站"));
    let (_, _, body) = app.get("/stations?county=340122&lang=en&kind=outdoor_rest_stop").await;
    assert!(body.contains("No open station found"));
    let (status, _, body) = app.get("/stations?lat=abc&lng=1").await;
    assert_eq!(status, 200);
    assert!(body.contains("位置无法识别"));
});

both_databases!(a_station_has_its_own_page_code_and_poster, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let id = station(&app, "合肥港司机之家", "司机之家", "340104", "117.227,31.820").await;
    let code = StationCode::of(id).to_string();
    let (status, _, body) = app.get(&format!("/s/{code}")).await;
    assert_eq!(status, 200);
    assert!(body.len() < 30_000, "{} bytes", body.len());
    assert!(body.contains("<h1>合肥港司机之家</h1>") && body.contains("<svg"));
    assert!(body.contains(&format!("{}/s/{code}", app.base)));
    assert!(body.contains("安徽省合肥市蜀山区某路 1 号") && body.contains("休息、饮水、充电"));
    assert!(body.contains("开放中"));
    let (status, _, lower) = app.get(&format!("/s/{}", code.to_lowercase())).await;
    assert_eq!((status, lower.contains("合肥港司机之家")), (200, true));

    manage::set_closed(&app.state.app, &Actor::Operator, id, true).await.unwrap();
    let (_, _, body) = app.get(&format!("/s/{code}?lang=en")).await;
    assert!(body.contains("Temporarily closed") && body.contains("Driver home"));

    let (status, _, poster) = app.get(&format!("/s/{code}/poster")).await;
    assert_eq!(status, 200);
    assert!(
        poster.contains("合肥港司机之家") && poster.contains("<svg") && poster.contains("0551-6512 3456")
    );
    for missing in ["/s/ZZZZ", "/s/U", "/s/0", "/s/ZZZZ/poster"] {
        assert_eq!(app.get(missing).await.0, 404, "{missing}");
    }
});

both_databases!(staff_record_a_members_visit_from_the_verify_page, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let hefei = app.store().org_by_join_code("3401").await.unwrap().unwrap();
    let cells = StationCells {
        name: "合肥市总工会职工驿站",
        kind: "工会驿站",
        address: "合肥市蜀山区某路 1 号",
        county: "340104",
        lng: "117.227,31.820",
        lat: "",
        phone: "",
        hours: "24小时",
        amenities: "",
    };
    let id = manage::create(&app.state.app, &Actor::Operator, hefei.id, &cells).await.unwrap();
    let token = crate::worker::contest::member(&app, 41, "13800001341").await;

    // A phone without a console session sees the card's facts only.
    let (status, _, page) = app.get(&format!("/verify/{token}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains("记录到访"));
    let viewer = app.officer("hefei-viewer", Some("3401"), huiji_core::Role::Viewer).await;
    assert!(!viewer.get(&format!("/verify/{token}")).await.1.contains("记录到访"));
    let elsewhere = app.officer("wuhu-staff", Some("3402"), huiji_core::Role::Reviewer).await;
    assert!(!elsewhere.get(&format!("/verify/{token}")).await.1.contains("记录到访"));

    let staff = app.officer("hefei-staff", Some("3401"), huiji_core::Role::Reviewer).await;
    let (status, page) = staff.get(&format!("/verify/{token}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("记录到访") && page.contains("合肥市总工会职工驿站"), "{}", main_of(&page));
    let station = id.to_string();
    let (status, _) = staff.post(&format!("/verify/{token}/visit"), &[("station", &station)]).await;
    assert_eq!(status, 303);
    let response = staff
        .http
        .post(format!("{}/verify/{token}/visit", app.base))
        .form(&[("station", station.as_str()), ("csrf", staff.csrf.as_str())])
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, page) = staff.get(&location).await;
    // The card's second scan today: said so, and not counted again (once per station and day).
    assert!(page.contains("今日已记录过该会员到访：合肥市总工会职工驿站"), "{}", main_of(&page));
    // A forged notice is not shown.
    let (_, page) = staff.get(&format!("/verify/{token}?notice=已记录到访：假&sig=00")).await;
    assert!(!page.contains("已记录到访：假"));

    // Someone else's station, a forged card, a viewer: refused, nothing counted.
    assert_eq!(elsewhere.post(&format!("/verify/{token}/visit"), &[("station", &station)]).await.0, 404);
    assert_eq!(staff.post("/verify/forged/visit", &[("station", &station)]).await.0, 404);
    assert_eq!(viewer.post(&format!("/verify/{token}/visit"), &[("station", &station)]).await.0, 403);
    let today = app.state.app.now().china_date();
    let days = app.store().station_visits(id, today, today).await.unwrap();
    assert_eq!(days.iter().map(|d| (d.members, d.anonymous)).collect::<Vec<_>>(), [(1, 0)]);
    // Another member's card counts, with the plain notice.
    let other = crate::worker::contest::member(&app, 42, "13800001342").await;
    let response = staff
        .http
        .post(format!("{}/verify/{other}/visit", app.base))
        .form(&[("station", station.as_str()), ("csrf", staff.csrf.as_str())])
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(staff.get(&location).await.1.contains("已记录到访：合肥市总工会职工驿站"));
    let days = app.store().station_visits(id, today, today).await.unwrap();
    assert_eq!(days.iter().map(|d| (d.members, d.anonymous)).collect::<Vec<_>>(), [(2, 0)]);
});

both_databases!(a_county_lists_nearest_its_centre_first_with_distances, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    // Three of 肥东县's: the centre is their mean, so the middle one leads.
    station(&app, "肥东西站", "工会驿站", "340122", "117.30,31.88").await;
    station(&app, "肥东中站", "司机之家", "340122", "117.47,31.88").await;
    station(&app, "肥东东站", "工会驿站", "340122", "117.64,31.88").await;
    let (status, _, body) = app.get("/stations?county=340122").await;
    assert_eq!(status, 200);
    let at = |name: &str| body.find(name).unwrap();
    assert!(at("肥东中站") < at("肥东西站") && at("肥东西站") < at("肥东东站"), "{}", main_of(&body));
    // 0.17° of longitude at 31.88° N is about 16 km.
    assert!(body.contains("距中心约 0 米") && body.contains("距中心约 16.1 公里"), "{}", main_of(&body));
    let (_, _, body) = app.get("/stations?county=340122&lang=en").await;
    assert!(body.contains("from the centre about 16.1 km"), "{}", main_of(&body));
});

both_databases!(the_nearest_search_is_rate_limited_per_address, |db: TestDb| async move {
    use huiji_core::rate_limit::Rate;
    use huiji_web::http::abuse::PublicLimits;
    let app = TestApp::seeded_with(db, |s| {
        s.with_limits(PublicLimits::default().with_stations(Rate::per_minute(2, 2)))
    })
    .await;
    station(&app, "天安门驿站", "工会驿站", "110101", "116.403724,39.910123").await;
    for _ in 0..2 {
        assert_eq!(app.get(&format!("/stations/nearest?{PHONE}")).await.0, 200);
    }
    // A JSON caller gets JSON: the API's `rate_limited` and when to come back.
    let response = app.http.get(format!("{}/stations/nearest?{PHONE}", app.base)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "30");
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    // The page's search by position spends from the same bucket and answers with the page.
    let (status, _, body) = app.get(&format!("/stations?{PHONE}")).await;
    assert_eq!(status, 429);
    assert!(body.contains("操作太频繁了"), "{}", main_of(&body));
    // Choosing a county is no search: not limited. The bucket refills.
    assert_eq!(app.get("/stations?county=110101").await.0, 200);
    app.advance(30_000);
    assert_eq!(app.get(&format!("/stations/nearest?{PHONE}")).await.0, 200);
});
