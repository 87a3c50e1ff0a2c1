//! Driving the platform API like a platform's backend would.

use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::support::{NOW, TestApp, id_number};

/// A platform with a key.
pub struct Platform {
    pub id: i64,
    pub key: String,
}

/// What the API answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// The error code of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error body: {}", self.text))
    }

    /// The `fields[].code` of a validation error.
    pub fn field_codes(&self) -> Vec<String> {
        self.body["error"]["fields"]
            .as_array()
            .map(|a| a.iter().map(|f| f["code"].as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    }
}

impl TestApp {
    /// A platform and a key with the given scopes.
    pub async fn platform_with_scopes(&self, name: &str, scopes: &str) -> Platform {
        let platform = self.store().ensure_platform(name, NOW).await.unwrap();
        let issued = huiji_app::platform::api_keys::issue(self.state.app.random()).unwrap();
        self.store().create_api_key(platform.id, &issued.prefix, &issued.hash, scopes, NOW).await.unwrap();
        Platform { id: platform.id, key: issued.key }
    }

    /// A platform whose key has every scope.
    pub async fn platform(&self, name: &str) -> Platform {
        self.platform_with_scopes(name, "applications memberships.verify orgs").await
    }

    /// Sends an API request with a raw body.
    pub async fn api_raw(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, headers, body, text }
    }

    /// POSTs JSON with an Idempotency-Key.
    pub async fn api_post(&self, path: &str, key: &str, idempotency_key: &str, body: &Value) -> Answer {
        let headers = [("content-type", "application/json"), ("idempotency-key", idempotency_key)];
        self.api_raw(reqwest::Method::POST, path, Some(key), &headers, Some(body.to_string().into_bytes()))
            .await
    }

    /// Submits an application (its idempotency key derived from the body).
    pub async fn api_apply(&self, key: &str, body: &Value) -> Answer {
        let idempotency_key = format!("k-{}", huiji_vault::sha256_hex(body.to_string().as_bytes()));
        self.api_post("/api/v1/applications", key, &idempotency_key, body).await
    }

    /// GETs an API path.
    pub async fn api_get(&self, path: &str, key: &str) -> Answer {
        self.api_raw(reqwest::Method::GET, path, Some(key), &[], None).await
    }
}

/// Every field of an application request, as the contract names them.
pub const APPLICATION_FIELDS: &[&str] = &[
    "name",
    "id_number",
    "mobile",
    "occupation",
    "region_code",
    "employer",
    "consent",
    "mobile_verified",
    "external_ref",
];

/// A valid application of a truck driver working in 蜀山区 (Hefei).
pub fn application(id: &str, mobile: &str) -> Value {
    json!({
        "name": "王晓明",
        "id_number": id,
        "mobile": mobile,
        "occupation": "truck_driver",
        "region_code": "340104",
        "consent": {"version": "1", "accepted_at": "2026-11-30T09:58:00+08:00"},
        "mobile_verified": true,
        "external_ref": format!("driver-{id}"),
    })
}

/// The `n`th distinct valid identity: an ID number and a mobile.
pub fn identity(n: u32) -> (String, String) {
    let birth = format!("199001{:02}", 1 + (n / 1000) % 28);
    (id_number("340104", &birth, n % 1000), format!("139{n:08}"))
}
