//! The platform API v1 (DESIGN.md "Platform API v1"): a published contract, so paths,
//! fields, status codes and error codes only ever grow. It is another door into the same
//! join service as the H5 form ([`crate::join::service`]), not a second implementation.

mod applications;
mod error;
mod memberships;
pub mod openapi;
mod orgs;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use huiji_app::platform::api_keys as keys;
use huiji_store::ApiKeyRecord;
use huiji_vault::{constant_time_eq, sha256_hex};
use serde_json::{Map, Value};

pub use self::error::{ApiError, ErrorBody, ErrorCode, FieldProblem};
use crate::WebState;

/// The API routes.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/api/v1/applications", post(applications::create))
        .route("/api/v1/applications/{application_id}", get(applications::read))
        .route("/api/v1/memberships/verify", post(memberships::verify))
        .route("/api/v1/orgs", get(orgs::list))
        .route("/api/openapi.json", get(openapi::document))
}

/// The platform behind a valid API key, within its rate limit.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The key used.
    pub key: ApiKeyRecord,
}

impl Caller {
    /// Refuses the request unless the key carries `scope`.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if self.key.has_scope(scope) { Ok(()) } else { Err(ApiError::new(ErrorCode::Forbidden)) }
    }

    /// The calling platform.
    pub fn platform_id(&self) -> i64 {
        self.key.platform_id
    }
}

impl FromRequestParts<WebState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Caller, ApiError> {
        let unauthorized = || ApiError::new(ErrorCode::Unauthorized);
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .ok_or_else(unauthorized)?;
        let prefix = keys::prefix_of(presented).ok_or_else(unauthorized)?;
        let key = state.store.api_key_by_prefix(prefix).await?.ok_or_else(unauthorized)?;
        let genuine = constant_time_eq(sha256_hex(presented.as_bytes()).as_bytes(), key.key_hash.as_bytes());
        if !genuine || key.revoked_at.is_some() {
            return Err(unauthorized());
        }
        state.api_limiter.check(&key.id, state.app.now()).map_err(|r| ApiError::rate_limited(r.seconds()))?;
        Ok(Caller { key })
    }
}

/// The token of `Bearer <token>` credentials. The scheme is case-insensitive (RFC 9110
/// §11.1): `bearer` and `BEARER` are the same scheme.
fn bearer_token(credentials: &str) -> Option<&str> {
    let (scheme, token) = credentials.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The body as a JSON object. Any `Content-Type` other than JSON is refused, so a form
/// post cannot be mistaken for an API call.
fn json_object(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        let essence = content_type.to_str().unwrap_or("").split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/json") {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType));
        }
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::new(ErrorCode::MalformedJson)),
    }
}

/// Reads typed fields out of a JSON object, collecting a `<field>.type` problem for each
/// value of the wrong type instead of failing at the first.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    prefix: &'static str,
    problems: Vec<FieldProblem>,
}

impl<'a> Fields<'a> {
    fn new(object: &'a Map<String, Value>, prefix: &'static str) -> Fields<'a> {
        Fields { object, prefix, problems: Vec::new() }
    }

    fn wrong_type(&mut self, name: &str) {
        let field = format!("{}{name}", self.prefix);
        self.problems.push(FieldProblem { code: format!("{field}.type"), field });
    }

    /// A string field; missing or `null` reads as empty.
    fn string(&mut self, name: &str) -> &'a str {
        match self.object.get(name) {
            None | Some(Value::Null) => "",
            Some(Value::String(s)) => s,
            Some(_) => {
                self.wrong_type(name);
                ""
            }
        }
    }

    fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.object.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.wrong_type(name);
                None
            }
        }
    }

    fn object(&mut self, name: &str) -> Option<&'a Map<String, Value>> {
        match self.object.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(map),
            Some(_) => {
                self.wrong_type(name);
                None
            }
        }
    }
}

/// Gives every `/api/` error the published JSON shape, including the ones raised before
/// a handler runs (unknown path, wrong method, body too large, timeout).
pub async fn json_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    if !is_api || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        return response;
    }
    let code = match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::REQUEST_TIMEOUT => ErrorCode::Timeout,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::MalformedJson,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::Unavailable,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        _ => ErrorCode::Internal,
    };
    let mut mapped = ApiError::new(code).into_response();
    *mapped.status_mut() = status;
    // Only the body is remade: the answer keeps every header it had (`Allow`,
    // `Retry-After`, …) except those describing the old body.
    let (parts, _) = response.into_parts();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            mapped.headers_mut().append(name, value.clone());
        }
    }
    mapped
}

/// A JSON response with a status, from an already rendered body (idempotent replays).
fn raw_json(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
    response
}

/// A successful JSON response.
fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response {
    match serde_json::to_string(body) {
        Ok(text) => raw_json(status, text),
        Err(error) => ApiError::internal(error.to_string()).into_response(),
    }
}
