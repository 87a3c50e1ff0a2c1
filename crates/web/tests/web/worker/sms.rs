//! The HTTP SMS gateway provider against a receiver on 127.0.0.1.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use huiji_app::sms::HttpGatewaySms;
use huiji_store::testing::TestDb;

use crate::support::{TestApp, code_request, id_number, main_of};

/// What the fake gateway received: the Authorization header and the JSON body.
type Received = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

/// A gateway on port 0 answering `status` to every message.
async fn gateway(status: StatusCode) -> (String, Received) {
    let received: Received = Arc::default();
    let store = received.clone();
    let app = axum::Router::new().route(
        "/sms",
        post(move |headers: HeaderMap, Json(body): Json<serde_json::Value>| {
            let store = store.clone();
            async move {
                let auth =
                    headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                store.lock().unwrap().push((auth, body));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

#[tokio::test]
async fn codes_go_through_the_gateway_with_its_token() {
    let (url, received) = gateway(StatusCode::OK).await;
    let mut app = TestApp::seeded(TestDb::sqlite().await).await;
    let sms = HttpGatewaySms::new(&url, Some("secret-token".to_owned())).unwrap();
    app.state.app = app.state.app.clone().with_sms(Arc::new(sms));
    let app = app.restart().await;
    let (status, body) =
        app.post("/join", &code_request(&id_number("340122", "19900101", 5), "13800138000")).await;
    assert_eq!(status, 200, "{}", main_of(&body));
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].0, "Bearer secret-token");
    assert_eq!(received[0].1["mobile"], "13800138000");
    let text = received[0].1["text"].as_str().unwrap();
    assert_eq!(
        text.chars().filter(char::is_ascii_digit).count(),
        7,
        "a 6-digit code and the 5 minutes: {text}"
    );
    assert!(app.store().sms_outbox(10).await.unwrap().is_empty(), "nothing waits in the outbox");
}

#[tokio::test]
async fn a_failing_gateway_is_reported_kindly() {
    let (url, _) = gateway(StatusCode::INTERNAL_SERVER_ERROR).await;
    let mut app = TestApp::seeded(TestDb::sqlite().await).await;
    app.state.app = app.state.app.clone().with_sms(Arc::new(HttpGatewaySms::new(&url, None).unwrap()));
    let app = app.restart().await;
    let (status, body) =
        app.post("/join", &code_request(&id_number("340122", "19900101", 5), "13800138000")).await;
    assert_eq!(status, 503);
    assert!(body.contains("短信发送失败"), "{}", main_of(&body));
}
