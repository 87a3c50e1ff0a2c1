//! JSON in and out of the API: reading a body's fields, writing responses, and the
//! published error shape for every `/api/` failure.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::error::{ApiError, ErrorCode, FieldProblem};

/// The body as a JSON object. Any `Content-Type` other than JSON is refused, so a form
/// post cannot be mistaken for an API call.
pub(super) fn json_object(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
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
pub(super) struct Fields<'a> {
    object: &'a Map<String, Value>,
    prefix: &'static str,
    pub(super) problems: Vec<FieldProblem>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(object: &'a Map<String, Value>, prefix: &'static str) -> Fields<'a> {
        Fields { object, prefix, problems: Vec::new() }
    }

    fn wrong_type(&mut self, name: &str) {
        let field = format!("{}{name}", self.prefix);
        self.problems.push(FieldProblem { code: format!("{field}.type"), field });
    }

    /// A string field; missing or `null` reads as empty.
    pub(super) fn string(&mut self, name: &str) -> &'a str {
        match self.object.get(name) {
            None | Some(Value::Null) => "",
            Some(Value::String(s)) => s,
            Some(_) => {
                self.wrong_type(name);
                ""
            }
        }
    }

    pub(super) fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.object.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.wrong_type(name);
                None
            }
        }
    }

    pub(super) fn object(&mut self, name: &str) -> Option<&'a Map<String, Value>> {
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
pub(super) fn raw_json(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
    response
}

/// A successful JSON response.
pub(super) fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response {
    match serde_json::to_string(body) {
        Ok(text) => raw_json(status, text),
        Err(error) => ApiError::internal(error.to_string()).into_response(),
    }
}
