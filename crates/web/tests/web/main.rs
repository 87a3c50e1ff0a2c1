//! The web app, spawned for real on port 0 over its own database, driven over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod console;
mod http;
mod innovation;
mod security;
mod support;
mod worker;

use huiji_store::testing::TestDb;
use huiji_store::{Store, both_databases};
use support::TestApp;

async fn seeded(db: TestDb) -> TestApp {
    TestApp::seeded(db).await
}

both_databases!(healthz_reports_the_database, |db: TestDb| async move {
    let backend = db.store.backend().name();
    let app = TestApp::spawn(db).await;
    let (status, content_type, body) = app.get("/healthz").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/json"));
    assert_eq!(body, format!("{{\"status\":\"ok\",\"database\":\"{backend}\"}}"));
});

both_databases!(home_page_lists_the_tree_in_both_languages, |db: TestDb| async move {
    let app = seeded(db).await;
    let (status, content_type, zh) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"));
    assert!(zh.contains("<html lang=\"zh-CN\">"));
    assert!(zh.contains("安徽省总工会"));
    assert!(zh.contains("<b>164</b>新就业形态行业工会联合会"));
    assert!(zh.contains("<b>1685</b>乡镇（街道）工会"));
    assert!(zh.contains("合肥市货车司机工会联合会"));
    assert!(zh.contains("黄山市货车司机工会联合会"));
    // The worker's front door: join first, then status and card, stations, legal aid;
    // nothing for operators.
    let doors = ["href=\"/join\"", "href=\"/status\"", "href=\"/stations\"", "href=\"/legal\""];
    let at: Vec<usize> = doors.iter().map(|d| zh.find(d).unwrap_or_else(|| panic!("{d}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "doors in order: {at:?}");
    assert!(!zh.contains("/healthz") && !zh.contains("/metrics"));
    let (_, _, en) = app.get("/?lang=en").await;
    assert!(en.contains("href=\"/join?lang=en\""));
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("Industry federations by city"));
    assert!(en.contains("(Truck driver)"));
});

both_databases!(an_empty_database_says_how_to_seed, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    let (status, _, body) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(body.contains("huiji seed anhui"));
});

both_databases!(metrics_count_requests_by_route, |db: TestDb| async move {
    let app = TestApp::spawn(db).await;
    app.get("/healthz").await;
    app.get("/healthz").await;
    let (status, _, _) = app.get("/no/such/page").await;
    assert_eq!(status, 404);
    let (status, content_type, body) = app.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/plain"));
    assert!(
        body.contains("huiji_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"),
        "{body}"
    );
    assert!(body.contains("route=\"unmatched\",status=\"404\"} 1"), "{body}");
    assert!(body.contains("# TYPE huiji_http_request_duration_seconds histogram"));
});

both_databases!(a_dead_database_is_a_503_without_details, |db: TestDb| async move {
    let store = db.store.clone();
    let app = TestApp::spawn(db).await;
    store.close().await;
    let (status, _, body) = app.get("/healthz").await;
    assert_eq!(status, 503);
    assert!(!body.to_lowercase().contains("pool"), "internal detail leaked: {body}");
    let (status, _, body) = app.get("/").await;
    assert_eq!(status, 500);
    assert!(!body.to_lowercase().contains("pool"), "internal detail leaked: {body}");
    assert!(body.contains("服务器出错了"), "{body}");
});

#[tokio::test]
async fn the_stylesheet_is_served_and_small() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let (status, content_type, css) = app.get("/static/site.css").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/css"));
    assert!(css.len() < 4 * 1024, "worker pages must stay small: {} bytes", css.len());
}
