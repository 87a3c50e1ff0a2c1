//! A running app over its own database, and helpers to drive it like a phone would.

pub mod api;
pub mod console;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use huiji_app::App;
use huiji_app::testing::{TestClock, TestRandom, test_keyring};
use huiji_core::rate_limit::Rate;
use huiji_core::{RegionTable, Timestamp};
use huiji_fixtures::tree;
use huiji_store::prelude::*;
use huiji_store::testing::TestDb;
use huiji_web::{PublicLimits, WebState};

/// 2026-11-30 10:00 in China.
pub const NOW: Timestamp = Timestamp(1_796_004_000_000);

/// A running app: its base URL, its state and the database it runs on.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub state: WebState,
    pub clock: Arc<TestClock>,
    pub db: TestDb,
}

/// Limits no ordinary test reaches (the security tests set their own): the tests here
/// post from one address, and some race fifty submissions of one ID on purpose.
pub fn roomy_limits() -> PublicLimits {
    let roomy = Rate::per_second(1000, 10_000);
    PublicLimits::new(roomy, roomy, roomy)
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> TestApp {
        TestApp::spawn_with(db, |state| state).await
    }

    /// Spawns with the state changed by `adjust` (limits, TLS, proxy trust).
    pub async fn spawn_with(db: TestDb, adjust: impl FnOnce(WebState) -> WebState) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let clock = Arc::new(TestClock(AtomicI64::new(NOW.0)));
        let app = App::new(db.dyn_store(), clock.clone(), test_keyring(), &base)
            .with_random(Arc::new(TestRandom::seeded_by(&db.url)));
        let state = WebState::new(app).with_limits(roomy_limits());
        let state = adjust(state);
        tokio::spawn(huiji_web::serve(listener, state.clone(), std::future::pending()));
        huiji_app::outbound::install_crypto_provider();
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp { base, http, state, clock, db }
    }

    /// Serves `self.state` (after a test changed it) on a new port.
    pub async fn restart(self) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(huiji_web::serve(listener, self.state.clone(), std::future::pending()));
        TestApp { base, ..self }
    }

    /// An app over the Anhui tree.
    pub async fn seeded(db: TestDb) -> TestApp {
        TestApp::seeded_with(db, |state| state).await
    }

    /// An app over the Anhui tree, its state changed by `adjust`.
    pub async fn seeded_with(db: TestDb, adjust: impl FnOnce(WebState) -> WebState) -> TestApp {
        let plan = tree::anhui(RegionTable::national()).unwrap();
        db.store.create_tree(&plan, Timestamp(0)).await.unwrap();
        TestApp::spawn_with(db, adjust).await
    }

    /// Moves the clock forward.
    pub fn advance(&self, millis: i64) {
        self.clock.0.fetch_add(millis, Ordering::SeqCst);
    }

    pub fn store(&self) -> Arc<dyn Store> {
        self.db.dyn_store()
    }

    pub async fn get(&self, path: &str) -> (u16, String, String) {
        let response = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, content_type, response.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let response = self.http.post(format!("{}{path}", self.base)).form(fields).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// The code in the newest outbox message to this mobile.
    pub async fn sms_code(&self, mobile: &str) -> String {
        let masked = format!("{}****{}", &mobile[..3], &mobile[7..]);
        let outbox = self.store().sms_outbox(1000).await.unwrap();
        // The newest code, not the newest SMS: a decision or transfer SMS to the same mobile
        // (sent by the delivery job at its own pace) may come after it, with digits of its own.
        let message = outbox
            .iter()
            .find(|m| m.mobile_masked == masked && m.body.contains("验证码"))
            .expect("a verification code SMS to this mobile");
        let digits: String = message.body.chars().filter(char::is_ascii_digit).take(6).collect();
        assert_eq!(digits.len(), 6, "{}", message.body);
        digits
    }

    /// Sends a code to the form's mobile, then submits the form with it.
    pub async fn join(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let mobile = form.iter().find(|(k, _)| *k == "mobile").map(|(_, v)| *v).unwrap();
        // One code a minute per mobile: let a minute pass, as a person would.
        self.advance(61_000);
        let mut request: Vec<(&str, &str)> = form.iter().copied().filter(|(k, _)| *k != "action").collect();
        request.push(("action", "send_code"));
        let (status, body) = self.post(path, &request).await;
        assert_eq!(status, 200, "send_code: {}", main_of(&body));
        let code = self.sms_code(mobile).await;
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("sms_code", &code));
        fields.push(("action", "submit"));
        self.post(path, &fields).await
    }
}

/// A complete, valid form for a truck driver working in 肥东县.
pub fn form<'a>(id_number: &'a str, mobile: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("name", "王晓明"),
        ("id_number", id_number),
        ("mobile", mobile),
        ("occupation", "truck_driver"),
        ("province", "34"),
        ("city", "3401"),
        ("region_code", "340122"),
        ("consent", "yes"),
        ("consent_version", "1"),
    ]
}

/// The join form's "send code" post: the form checks name, ID number and mobile before
/// it spends an SMS, so they travel with it.
pub fn code_request<'a>(id_number: &'a str, mobile: &'a str) -> Vec<(&'static str, &'a str)> {
    let mut fields = form(id_number, mobile);
    fields.push(("action", "send_code"));
    fields
}

/// A valid ID number for a birth date and sequence (check character computed).
pub fn id_number(area: &str, birth: &str, seq: u32) -> String {
    let first17 = format!("{area}{birth}{seq:03}");
    let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
    format!("{first17}{}", huiji_core::id_number::check_char(&bytes).unwrap())
}

/// Replaces one field of a form.
pub fn with<'a>(
    mut form: Vec<(&'static str, &'a str)>,
    key: &'static str,
    value: &'a str,
) -> Vec<(&'static str, &'a str)> {
    form.retain(|(k, _)| *k != key);
    form.push((key, value));
    form
}

/// The text between `<main>` and `</main>`: the page without its chrome.
pub fn main_of(body: &str) -> &str {
    let start = body.find("<main>").unwrap_or(0);
    let end = body.find("</main>").unwrap_or(body.len());
    &body[start..end]
}
