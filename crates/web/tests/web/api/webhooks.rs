//! Webhooks: written with the change, delivered signed to a receiver on 127.0.0.1,
//! retried with backoff after failures, at least once with one event id.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use huiji_app::webhooks::deliver_due;
use huiji_core::OrgId;
use huiji_core::webhook::MAX_ATTEMPTS;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;
use huiji_vault::{Field, webhook_signature};
use serde_json::{Value, json};

use crate::support::api::{Platform, application, identity};
use crate::support::{NOW, TestApp, form, main_of};

const SECRET: &str = "whsec_test";

/// A platform's webhook endpoint: fails the first `fail_first` deliveries with a 500.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    fail_first: usize,
}

impl Receiver {
    async fn start(fail_first: usize) -> (Receiver, String) {
        let receiver = Receiver { fail_first, ..Receiver::default() };
        let app = axum::Router::new().route("/hook", post(take)).with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn deliveries(&self) -> Vec<(HeaderMap, Value)> {
        let received = self.received.lock().unwrap();
        received.iter().map(|(h, b)| (h.clone(), serde_json::from_slice(b).unwrap())).collect()
    }
}

async fn take(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let mut received = receiver.received.lock().unwrap();
    received.push((headers, body));
    if received.len() <= receiver.fail_first {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

async fn with_webhook(app: &TestApp, url: &str) -> Platform {
    let platform = app.platform("huolala").await;
    let sealed =
        app.state.app.keys().encrypt(Field::WebhookSecret, SECRET, &mut huiji_vault::OsRandom).unwrap();
    app.store().set_webhook(platform.id, Some(url), Some(&sealed)).await.unwrap();
    platform
}

fn client() -> reqwest::Client {
    huiji_app::outbound::http_client(huiji_app::webhooks::DELIVERY_TIMEOUT).unwrap()
}

/// The signature header is HMAC-SHA256 over "t.body" with the platform's secret.
fn assert_signed(headers: &HeaderMap, body: &Value, raw: &[u8]) {
    let header = headers["x-huiji-signature"].to_str().unwrap();
    let t: i64 = header.strip_prefix("t=").unwrap().split(',').next().unwrap().parse().unwrap();
    assert_eq!(header, webhook_signature(SECRET, t, raw));
    assert_eq!(headers["x-huiji-event-id"].to_str().unwrap(), body["id"].as_str().unwrap());
    assert_eq!(headers["x-huiji-event"].to_str().unwrap(), body["type"].as_str().unwrap());
}

async fn pending_application(app: &TestApp, platform: &Platform, n: u32) -> i64 {
    let (id, mobile) = identity(n);
    let mut body = application(&id, &mobile);
    body["mobile_verified"] = json!(false);
    let answer = app.api_apply(&platform.key, &body).await;
    assert_eq!(answer.body["status"], "pending_review", "{}", answer.text);
    answer.body["application_id"].as_i64().unwrap()
}

both_databases!(decisions_are_delivered_signed_and_retried_after_failures, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (receiver, url) = Receiver::start(2).await;
    let platform = with_webhook(&app, &url).await;
    let application_id = pending_application(&app, &platform, 20).await;
    let client = client();
    assert_eq!(deliver_due(&app.state.app, &client).await.unwrap(), 0, "nothing decided yet");

    app.store().approve_application(application_id, "hefei", NOW).await.unwrap();
    // First attempt fails (500), then the event waits 10 s, then 20 s.
    assert_eq!(deliver_due(&app.state.app, &client).await.unwrap(), 1);
    assert_eq!(deliver_due(&app.state.app, &client).await.unwrap(), 0, "not due again yet");
    app.advance(10_000);
    assert_eq!(deliver_due(&app.state.app, &client).await.unwrap(), 1);
    app.advance(19_999);
    assert_eq!(deliver_due(&app.state.app, &client).await.unwrap(), 0);
    app.advance(1);
    assert_eq!(deliver_due(&app.state.app, &client).await.unwrap(), 1);
    app.advance(3_600_000);
    assert_eq!(deliver_due(&app.state.app, &client).await.unwrap(), 0, "delivered events stay delivered");

    let deliveries = receiver.deliveries();
    assert_eq!(deliveries.len(), 3);
    let raw = receiver.received.lock().unwrap().clone();
    for ((headers, body), (_, bytes)) in deliveries.iter().zip(&raw) {
        assert_signed(headers, body, bytes);
    }
    // The same event each time, same id, same body.
    assert!(raw.windows(2).all(|w| w[0].1 == w[1].1));
    let body = &deliveries[0].1;
    assert_eq!(body["type"], "application.decided");
    assert!(body["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(body["data"]["application_id"], application_id);
    assert_eq!(body["data"]["status"], "approved");
    assert!(body["data"]["member_number"].is_string());
    assert_eq!(body["data"]["external_ref"], format!("driver-{}", identity(20).0));

    let events = app.store().webhook_events(10).await.unwrap();
    assert_eq!((events.len(), events[0].delivery.as_str(), events[0].attempts), (1, "delivered", 3));
    let log = app.store().webhook_deliveries(events[0].id).await.unwrap();
    let statuses: Vec<Option<i32>> = log.iter().map(|d| d.status_code).collect();
    assert_eq!(statuses, vec![Some(500), Some(500), Some(204)]);
    assert!(log[0].error.as_deref().unwrap().contains("500"));
});

both_databases!(rejections_and_transfers_are_events_too, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (receiver, url) = Receiver::start(0).await;
    let platform = with_webhook(&app, &url).await;
    let rejected = pending_application(&app, &platform, 21).await;
    app.store().reject_application(rejected, "hefei", "信息不实", NOW).await.unwrap();
    // An instant approval is a decision as well, and its membership can move.
    let (id, mobile) = identity(22);
    let created = app.api_apply(&platform.key, &application(&id, &mobile)).await;
    let number = created.body["member_number"].as_str().unwrap().to_owned();
    let membership = app.store().membership_by_number(&number).await.unwrap().unwrap();
    let to = app.store().org_by_join_code("340104").await.unwrap().unwrap();
    let moved = app
        .store()
        .move_membership(membership.id, OrgId(membership.home_org_id), to.id, "distributed", "hefei", NOW)
        .await
        .unwrap();
    assert!(moved);
    // A transfer accepted by the receiving union is reported the same way.
    let feidong = app.store().org_by_join_code("340122").await.unwrap().unwrap();
    let transfer =
        app.store().request_transfer(membership.id, feidong.id, "driver", "搬家", NOW).await.unwrap();
    let requested = huiji_core::TransferStatus::Requested;
    assert!(app.store().answer_transfer(transfer, requested, true, "feidong", NOW).await.unwrap());
    deliver_due(&app.state.app, &client()).await.unwrap();

    let bodies: Vec<Value> = receiver.deliveries().into_iter().map(|(_, b)| b).collect();
    let kinds: Vec<(&str, &str)> = bodies
        .iter()
        .map(|b| {
            (
                b["type"].as_str().unwrap(),
                b["data"]["status"].as_str().or(b["data"]["reason"].as_str()).unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds.len(), 4, "{bodies:#?}");
    assert!(kinds.contains(&("membership.transferred", "transferred")));
    assert!(kinds.contains(&("application.decided", "rejected")));
    assert!(kinds.contains(&("application.decided", "approved")));
    assert!(kinds.contains(&("membership.transferred", "distributed")));
    let rejection = bodies.iter().find(|b| b["data"]["status"] == "rejected").unwrap();
    assert_eq!(rejection["data"]["reason"], "信息不实");
    let moved = bodies.iter().find(|b| b["data"]["reason"] == "distributed").unwrap();
    assert_eq!(moved["data"]["to_org"], json!({"id": to.id.0, "name": to.name}));
    let transferred = bodies.iter().find(|b| b["data"]["reason"] == "transferred").unwrap();
    assert_eq!(transferred["data"]["from_org"]["id"], to.id.0);
    assert_eq!(transferred["data"]["to_org"], json!({"id": feidong.id.0, "name": feidong.name}));
    assert_eq!(transferred["data"]["member_number"], number.as_str());
    let ids: std::collections::HashSet<&str> = bodies.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 4, "unique event ids");
});

both_databases!(platforms_without_a_webhook_get_no_events, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let platform = app.platform("quiet").await;
    let application_id = pending_application(&app, &platform, 23).await;
    app.store().approve_application(application_id, "hefei", NOW).await.unwrap();
    // Nor do H5 applications, which no platform made.
    let (id, mobile) = identity(25);
    let (status, page) = app.join("/j/3401T", &form(&id, &mobile)).await;
    assert_eq!(status, 200);
    assert!(main_of(&page).contains("3426"), "{}", main_of(&page));
    assert!(app.store().webhook_events(10).await.unwrap().is_empty());
});

both_databases!(a_dead_receiver_is_given_up_after_the_last_attempt, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (receiver, url) = Receiver::start(usize::MAX).await;
    let platform = with_webhook(&app, &url).await;
    let application_id = pending_application(&app, &platform, 24).await;
    app.store().approve_application(application_id, "hefei", NOW).await.unwrap();
    let client = client();
    for _ in 0..MAX_ATTEMPTS {
        assert_eq!(deliver_due(&app.state.app, &client).await.unwrap(), 1);
        app.advance(7 * 3_600_000);
    }
    assert_eq!(deliver_due(&app.state.app, &client).await.unwrap(), 0);
    assert_eq!(receiver.deliveries().len(), MAX_ATTEMPTS as usize);
    let event = &app.store().webhook_events(1).await.unwrap()[0];
    assert_eq!((event.delivery.as_str(), event.attempts), ("failed", MAX_ATTEMPTS as i32));
});

both_databases!(a_claimed_event_is_not_sent_twice_at_once, |db: TestDb| async move {
    let app = TestApp::seeded(db).await;
    let (_receiver, url) = Receiver::start(0).await;
    let platform = with_webhook(&app, &url).await;
    for n in 0..5 {
        let id = pending_application(&app, &platform, 30 + n).await;
        app.store().approve_application(id, "hefei", NOW).await.unwrap();
    }
    // Two workers claim at the same moment: each event goes to exactly one of them.
    let store = app.store();
    let (a, b) = tokio::join!(
        store.claim_webhooks(NOW, huiji_core::Timestamp(NOW.0 + 60_000), 3),
        store.claim_webhooks(NOW, huiji_core::Timestamp(NOW.0 + 60_000), 3),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    // Each claim leases no more than its limit, however PostgreSQL plans it.
    assert!(a.len() <= 3 && b.len() <= 3, "claimed {} and {}", a.len(), b.len());
    let mut ids: Vec<i64> = a.into_iter().chain(b).map(|e| e.id).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!((before, ids.len()), (5, 5));
    // Until the lease runs out, nobody else gets them.
    assert!(
        app.store().claim_webhooks(NOW, huiji_core::Timestamp(NOW.0 + 60_000), 10).await.unwrap().is_empty()
    );
    let later = huiji_core::Timestamp(NOW.0 + 60_000);
    assert_eq!(
        app.store().claim_webhooks(later, huiji_core::Timestamp(later.0 + 60_000), 10).await.unwrap().len(),
        5
    );
});

both_databases!(the_delivery_log_shows_each_attempt_to_the_tree_admins, |db: TestDb| async move {
    use huiji_core::Role;
    let app = TestApp::seeded(db).await;
    let (_receiver, url) = Receiver::start(1).await;
    let platform = with_webhook(&app, &url).await;
    let id = pending_application(&app, &platform, 26).await;
    app.store().reject_application(id, "hefei", "<script>x</script>", NOW).await.unwrap();
    let client = client();
    deliver_due(&app.state.app, &client).await.unwrap();
    let root = app.officer("ah", None, Role::Admin).await;
    let (status, page) = root.get("/console/webhooks").await;
    assert_eq!(status, 200);
    let main = main_of(&page);
    assert!(main.contains("huolala") && main.contains("application.decided"), "{main}");
    assert!(main.contains("receiver answered 500") && main.contains("待投递"), "{main}");
    app.advance(10_000);
    deliver_due(&app.state.app, &client).await.unwrap();
    let (_, page) = root.get("/console/webhooks?lang=en").await;
    let main = main_of(&page);
    assert!(main.contains("HTTP 204") && main.contains("delivered"), "{main}");
    assert!(!page.contains("<script>x"), "nothing of the payload is echoed unescaped");
    let hefei = app.officer("hf", Some("3401"), Role::Admin).await;
    assert_eq!(hefei.get("/console/webhooks").await.0, 403);
});
