//! Every error a browser meets is a page in the visitor's language with a way back:
//! the front door for workers, the console's home for officers. Machines (`/api/`,
//! `/healthz`, scripts asking for JSON) keep their own answers.

use huiji_core::Role;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::support::TestApp;

/// The parts of an answer these tests look at.
struct Answer {
    status: u16,
    content_type: String,
    body: String,
    headers: reqwest::header::HeaderMap,
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type =
        headers.get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    Answer { status, content_type, body: response.text().await.unwrap(), headers }
}

/// A worker's error page: HTML in the page language, a way back to the front door and
/// to joining, the status code for whoever reports it.
fn assert_worker_page(answer: &Answer, status: u16, title: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert!(answer.content_type.starts_with("text/html"), "{status}: {}", answer.content_type);
    assert!(answer.body.contains(&format!("<h1>{title}</h1>")), "{status}: {}", answer.body);
    assert!(
        answer.body.contains(r#"href="/""#) || answer.body.contains(r#"href="/?lang=en""#),
        "{}",
        answer.body
    );
    assert!(answer.body.contains(&format!(" {status}</small>")), "{}", answer.body);
}

both_databases!(worker_dead_ends_are_pages_with_a_way_back, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let get = |path: &str| app.http.get(format!("{}{path}", app.base));

    // A mistyped or old QR code.
    let answer = send(get("/j/NOPE")).await;
    assert_worker_page(&answer, 404, "页面不存在");
    assert!(answer.body.contains("二维码") && answer.body.contains(r#"href="/join""#));
    let answer = send(get("/j/NOPE").header("accept-language", "en-GB,en;q=0.9")).await;
    assert_worker_page(&answer, 404, "Page not found");
    assert!(answer.body.contains(r#"<html lang="en">"#) && answer.body.contains(r#"href="/?lang=en""#));
    assert_worker_page(&send(get("/nonexistent")).await, 404, "页面不存在");

    // A wrong method keeps its `Allow` header.
    let answer = send(app.http.delete(format!("{}/join", app.base))).await;
    assert_worker_page(&answer, 405, "无法这样打开此页面");
    assert!(answer.headers.get("allow").is_some(), "{:?}", answer.headers);

    // A body over the limit.
    let big = "x".repeat(100 * 1024);
    let answer = send(app.http.post(format!("{}/join", app.base)).form(&[("name", big.as_str())])).await;
    assert_worker_page(&answer, 413, "提交的内容太大");
    assert_eq!(answer.headers["x-frame-options"], "DENY", "security headers stay");

    // A malformed path parameter.
    assert_worker_page(&send(get("/innovation/results/abc")).await, 400, "请求有误");
});

both_databases!(officers_errors_lead_back_to_the_console, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let console = app.officer("feidong", Some("340122T"), Role::Reviewer).await;
    let (status, body) = console.get("/console/nonexistent").await;
    assert_eq!(status, 404);
    assert!(body.contains("<h1>页面不存在</h1>") && body.contains(r#"href="/console""#), "{body}");
    assert!(!body.contains(r#"href="/join""#), "officers are not sent to the join form");

    // A form posted without its CSRF token.
    let (status, body) = console.post_raw("/console/applications/1/approve", &[]).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("<h1>无权操作</h1>") && body.contains(r#"href="/console""#), "{body}");
});

both_databases!(machines_keep_their_own_answers, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    // The API's published JSON errors.
    let answer = send(app.http.get(format!("{}/api/v1/nope", app.base))).await;
    assert_eq!(answer.status, 404);
    assert!(answer.content_type.starts_with("application/json"), "{}", answer.content_type);
    // A script that asks for JSON gets no page.
    let answer =
        send(app.http.get(format!("{}/nonexistent", app.base)).header("accept", "application/json")).await;
    assert_eq!(answer.status, 404);
    assert!(!answer.body.contains("<html"), "{}", answer.body);
    // The stations' JSON endpoint answers scripts.
    let answer = send(app.http.get(format!("{}/stations/nearest?lat=x&lng=1", app.base))).await;
    assert_eq!(answer.status, 400);
    assert!(!answer.body.contains("<html"), "{}", answer.body);
    // A page that renders its own error (the join form's refusal) is left as it is.
    let (status, body) = app.post("/j/340122T", &[("action", "submit")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("<form"), "{body}");
});

both_databases!(a_failed_database_is_a_page_without_details, |db: TestDb| async move {
    let store = db.store.clone();
    let app = TestApp::spawn(db).await;
    store.close().await;
    let (status, content_type, body) = app.get("/").await;
    assert_eq!(status, 500);
    assert!(content_type.starts_with("text/html"));
    assert!(body.contains("<h1>服务器出错了</h1>") && body.contains("12351"), "{body}");
    for leak in ["pool", "sqlx", "closed", "database"] {
        assert!(!body.to_lowercase().contains(leak), "internal detail leaked ({leak}): {body}");
    }
});
