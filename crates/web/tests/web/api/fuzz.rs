//! Schema-driven fuzzing of every API endpoint: generated bodies with the documented
//! fields holding values of any type, odd Unicode, unknown fields, broken JSON and deep
//! nesting. Whatever comes in, the answer is never a 5xx, always the published shape.

use huiji_store::both_databases;
use huiji_store::testing::TestDb;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use serde_json::{Map, Value};

use crate::support::TestApp;
use crate::support::api::APPLICATION_FIELDS;

/// Strings that have broken parsers before: control characters, RTL marks, emoji,
/// full-width digits, surrogate-adjacent code points, SQL and HTML.
fn odd_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\u{0}-\\u{1f}\\u{7f}\\u{200b}-\\u{200f}\\u{202e}\\u{feff}]{0,8}",
        "[０-９Ｘｘ]{17,19}",
        "[\\u{1F600}-\\u{1F64F}\\u{10FFFF}\\u{E000}]{1,6}",
        Just("11010519491231002X".to_owned()),
        Just("13800138000".to_owned()),
        Just("truck_driver".to_owned()),
        Just("340104".to_owned()),
        Just("' OR 1=1 --".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("x".repeat(5000)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        odd_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(odd_string(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// An object with some of `fields` (each any value) and perhaps unknown fields.
fn body_for(fields: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    let known = prop::collection::vec((prop::sample::select(fields), json_value()), 0..fields.len() + 2);
    let unknown = prop::collection::vec((odd_string(), json_value()), 0..3);
    let object = (known, unknown).prop_map(|(known, unknown)| {
        let mut map = Map::new();
        for (k, v) in unknown {
            map.insert(k, v);
        }
        for (k, v) in known {
            map.insert(k.to_owned(), v);
        }
        serde_json::to_vec(&Value::Object(map)).unwrap()
    });
    prop_oneof![
        6 => object,
        1 => json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

const VERIFY_FIELDS: &[&str] = &["id_number", "name"];

fn assert_shape(what: &str, status: u16, text: &str) {
    assert!(status < 500, "{what}: {status} {text}");
    let body: Value = serde_json::from_str(text).unwrap_or_else(|_| panic!("{what}: not JSON: {text}"));
    if status >= 400 {
        assert!(body["error"]["code"].is_string(), "{what}: {text}");
        assert!(body["error"]["message"].is_string(), "{what}: {text}");
    }
}

both_databases!(no_body_makes_the_api_fail, |db: TestDb| async move {
    let mut app = TestApp::seeded(db).await;
    // The clock stands still in tests: lift the per-key limit so every case reaches the rules.
    app.state = app.state.clone().with_api_rate(huiji_core::rate_limit::Rate::per_second(1000, 10_000));
    let app = app.restart().await;
    let platform = app.platform("fuzz").await;
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let endpoints: [(&str, &'static [&'static str]); 2] =
        [("/api/v1/applications", APPLICATION_FIELDS), ("/api/v1/memberships/verify", VERIFY_FIELDS)];
    let mut statuses = std::collections::BTreeMap::new();
    for (path, fields) in endpoints {
        let strategy = body_for(fields);
        for case in 0..120 {
            let body = strategy.new_tree(&mut runner).unwrap().current();
            let key = format!("fuzz-{case}");
            let headers = [("content-type", "application/json"), ("idempotency-key", key.as_str())];
            let answer =
                app.api_raw(Method::POST, path, Some(&platform.key), &headers, Some(body.clone())).await;
            assert_shape(&format!("{path} {}", String::from_utf8_lossy(&body)), answer.status, &answer.text);
            *statuses.entry(answer.status).or_insert(0) += 1;
        }
    }
    // Query strings of the orgs list, odd ones included.
    let query = prop::collection::vec(
        (prop::sample::select(&["region_code", "occupation", "x"][..]), odd_string()),
        0..3,
    );
    for _ in 0..60 {
        let pairs = query.new_tree(&mut runner).unwrap().current();
        let url = reqwest::Url::parse_with_params("http://h/api/v1/orgs", &pairs).unwrap();
        let path = format!("/api/v1/orgs?{}", url.query().unwrap_or(""));
        let answer = app.api_get(&path, &platform.key).await;
        assert_shape(&path, answer.status, &answer.text);
    }
    // Application ids of every shape.
    for id in ["0", "-1", "9223372036854775807", "99999999999999999999", "1e3", "%E2%80%AE1"] {
        let answer = app.api_get(&format!("/api/v1/applications/{id}"), &platform.key).await;
        assert_eq!((answer.status, answer.code()), (404, "not_found"), "{id}");
    }
    // A control character is refused at the door, naming the field.
    let answer = app.api_get("/api/v1/applications/%00", &platform.key).await;
    assert_eq!(
        (answer.status, answer.field_codes()),
        (422, vec!["application_id.control_character".to_owned()])
    );
    // Deep nesting beyond the parser's recursion limit is a client error, not a crash.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let headers = [("content-type", "application/json"), ("idempotency-key", "deep")];
    let answer = app
        .api_raw(Method::POST, "/api/v1/applications", Some(&platform.key), &headers, Some(deep.into_bytes()))
        .await;
    assert_eq!((answer.status, answer.code()), (400, "malformed_json"));
    // The generator reached past the JSON checks into the field rules.
    assert!(statuses.get(&422).copied().unwrap_or(0) > 20, "{statuses:?}");
    assert!(statuses.get(&400).copied().unwrap_or(0) > 5, "{statuses:?}");
});
