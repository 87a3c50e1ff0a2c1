//! The HTTP real-name provider (运营商三要素) against a service on 127.0.0.1: its request,
//! its token, and what its answers — or its silence — do to an application.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use huiji_app::real_name::HttpRealName;
use huiji_core::AutoApproval;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;
use huiji_web::WebState;
use serde_json::{Value, json};

use crate::support::{TestApp, form, id_number, main_of};

/// What the service was asked: the Authorization header and the JSON body.
type Asked = Arc<Mutex<Vec<(String, Value)>>>;

/// A real-name service on port 0. It answers `status` with `body`, or when `body` is
/// `None`, `{"match": …}` by whether the question names `known` (name, ID, mobile).
async fn service(status: StatusCode, body: Option<&'static str>, known: [String; 3]) -> (String, Asked) {
    let asked: Asked = Arc::default();
    let log = asked.clone();
    let app = axum::Router::new().route(
        "/check",
        post(move |headers: HeaderMap, Json(question): Json<Value>| {
            let (log, known) = (log.clone(), known.clone());
            async move {
                let auth =
                    headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                log.lock().unwrap().push((auth, question.clone()));
                let matches =
                    question == json!({"name": known[0], "id_number": known[1], "mobile": known[2]});
                let answer = body.map_or_else(|| json!({"match": matches}).to_string(), str::to_owned);
                (status, [("content-type", "application/json")], answer)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/check", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, asked)
}

async fn app_asking(db: TestDb, url: &str, token: Option<&str>) -> TestApp {
    let provider = Arc::new(HttpRealName::new(url, token.map(str::to_owned)).unwrap());
    TestApp::seeded_with(db, |state| WebState { app: state.app.with_real_name(provider), ..state }).await
}

/// The real-name check recorded on the newest application made with a mobile.
async fn recorded(app: &TestApp, mobile: &str) -> Option<String> {
    let bidx = app.state.app.keys().blind_index(huiji_vault::Field::Mobile, mobile).to_hex();
    let id = app.store().applications_by_mobile(&bidx).await.unwrap()[0].id;
    app.store().application_detail(id).await.unwrap().unwrap().item.real_name_check.code().map(str::to_owned)
}

both_databases!(the_real_name_service_is_asked_with_its_token, |db: TestDb| async move {
    let own = id_number("340122", "19900101", 31);
    let known = ["王晓明".to_owned(), own.clone(), "13966660031".to_owned()];
    let (url, asked) = service(StatusCode::OK, None, known).await;
    let app = app_asking(db, &url, Some("rn-token")).await;

    let (_, joined) = app.join("/j/340122T", &form(&own, "13966660031")).await;
    assert!(joined.contains("入会成功"), "{}", main_of(&joined));
    assert_eq!(recorded(&app, "13966660031").await.as_deref(), Some("matched"));
    {
        let asked = asked.lock().unwrap();
        assert_eq!(asked.len(), 1);
        assert_eq!(asked[0].0, "Bearer rn-token");
        assert_eq!(asked[0].1, json!({"name": "王晓明", "id_number": own, "mobile": "13966660031"}));
    }
    // A member's ID with another mobile is asked about like anyone's (and does not match).
    let (_, probe) = app.join("/j/340122T", &form(&own, "13966660032")).await;
    assert!(probe.contains("申请已提交"), "{}", main_of(&probe));
    assert_eq!(asked.lock().unwrap().len(), 2, "asked whoever the ID belongs to");
    // Where the answer cannot change the decision, nobody pays for the question.
    let union = app.store().org_by_join_code("340122T").await.unwrap().unwrap();
    app.store().set_review_policy(union.id, AutoApproval::Off, 3).await.unwrap();
    app.join("/j/340122T", &form(&id_number("340122", "19900101", 33), "13966660033")).await;
    assert_eq!(asked.lock().unwrap().len(), 2);
    assert_eq!(recorded(&app, "13966660033").await, None);
});

both_databases!(a_broken_or_silent_service_means_review, |db: TestDb| async move {
    let own = id_number("340122", "19900101", 41);
    let known = || ["王晓明".to_owned(), own.clone(), "13977770041".to_owned()];
    let (failing, _) = service(StatusCode::INTERNAL_SERVER_ERROR, None, known()).await;
    let (garbled, _) = service(StatusCode::OK, Some("{\"match\": \"yes\"}"), known()).await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/check", listener.local_addr().unwrap())
    };
    let mut app = TestApp::seeded(db).await;
    for url in [failing, garbled, closed] {
        app.state.app =
            app.state.app.clone().with_real_name(Arc::new(HttpRealName::new(&url, None).unwrap()));
        app = app.restart().await;
        let (status, page) = app.join("/j/340122T", &form(&own, "13977770041")).await;
        assert_eq!(status, 200, "{url}");
        assert!(page.contains("申请已提交"), "{url}: {}", main_of(&page));
        assert_eq!(recorded(&app, "13977770041").await.as_deref(), Some("unavailable"), "{url}");
        // The next try starts afresh.
        let bidx = app.state.app.keys().blind_index(huiji_vault::Field::IdNumber, &own).to_hex();
        let open = app
            .store()
            .applications_of_person(&bidx, 0, &huiji_core::OrgPath::root(huiji_core::OrgId(1)))
            .await
            .unwrap();
        app.store()
            .reject_application(open[0].application.id, "officer", "重试", app.state.app.now())
            .await
            .unwrap();
    }
});
