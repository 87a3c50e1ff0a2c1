//! The API's one error type and the published error body:
//! `{"error": {"code", "message", "fields": [{"field", "code"}]}}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use huiji_core::joining::FieldError;
use serde::Serialize;
use utoipa::ToSchema;

/// An error response body.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The error itself.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code to branch on.
    pub code: ErrorCode,
    /// A human-readable explanation (English); may change between versions.
    pub message: String,
    /// For `validation_failed`: every field problem.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

/// One problem with one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field, dotted for nested ones (`employer.credit_code`, `consent.version`).
    pub field: String,
    /// A stable code such as `id_number.checksum`.
    pub code: String,
}

/// Every error code the API answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not a JSON object.
    MalformedJson,
    /// 400: `Idempotency-Key` missing or not 1–255 visible ASCII characters.
    IdempotencyKeyRequired,
    /// 401: no key, an unknown key or a revoked key.
    Unauthorized,
    /// 403: the key lacks the scope this endpoint needs.
    Forbidden,
    /// 403: verification asked about a worker who never consented through this platform.
    ConsentRequired,
    /// 404: no such resource for this platform.
    NotFound,
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 409: the worker already holds a membership.
    AlreadyMember,
    /// 409: the first request with this `Idempotency-Key` is still running.
    IdempotencyInProgress,
    /// 413: the body is larger than the API accepts.
    PayloadTooLarge,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 422: field problems, listed in `fields`.
    ValidationFailed,
    /// 422: the `Idempotency-Key` was used with a different body.
    IdempotencyMismatch,
    /// 429: too many requests; see `Retry-After`.
    RateLimited,
    /// 408: the request took too long.
    Timeout,
    /// 500: our side failed; retrying later with the same `Idempotency-Key` is safe.
    Internal,
    /// 503: a dependency is down; retry later.
    Unavailable,
}

impl ErrorCode {
    /// The HTTP status that carries this code.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::MalformedJson | ErrorCode::IdempotencyKeyRequired => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::ConsentRequired => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::AlreadyMember | ErrorCode::IdempotencyInProgress => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::ValidationFailed | ErrorCode::IdempotencyMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Timeout => StatusCode::REQUEST_TIMEOUT,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn default_message(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "the body must be a JSON object",
            ErrorCode::IdempotencyKeyRequired => {
                "an Idempotency-Key header of 1-255 visible ASCII characters is required"
            }
            ErrorCode::Unauthorized => "a valid API key is required: Authorization: Bearer <key>",
            ErrorCode::Forbidden => "this API key may not use this endpoint",
            ErrorCode::ConsentRequired => "no consent of this worker is recorded for this platform",
            ErrorCode::NotFound => "not found",
            ErrorCode::MethodNotAllowed => "method not allowed",
            ErrorCode::AlreadyMember => "the worker is already a member",
            ErrorCode::IdempotencyInProgress => {
                "a request with this Idempotency-Key is still being processed"
            }
            ErrorCode::PayloadTooLarge => "the body is too large",
            ErrorCode::UnsupportedMediaType => "the body must be application/json",
            ErrorCode::ValidationFailed => "some fields are invalid",
            ErrorCode::IdempotencyMismatch => "this Idempotency-Key was used with a different request body",
            ErrorCode::RateLimited => "too many requests",
            ErrorCode::Timeout => "the request took too long",
            ErrorCode::Internal => "internal error",
            ErrorCode::Unavailable => "service unavailable",
        }
    }
}

/// Why an API request failed.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    fields: Vec<FieldProblem>,
    retry_after: Option<u64>,
    /// Logged for 5xx, never sent.
    detail: Option<String>,
}

impl ApiError {
    /// An error with the code's standard message.
    pub fn new(code: ErrorCode) -> ApiError {
        ApiError { code, fields: Vec::new(), retry_after: None, detail: None }
    }

    /// `validation_failed` with these field problems.
    pub fn invalid(fields: Vec<FieldProblem>) -> ApiError {
        ApiError { fields, ..ApiError::new(ErrorCode::ValidationFailed) }
    }

    /// `validation_failed` from the core's field errors.
    pub fn from_field_errors(errors: &[FieldError]) -> ApiError {
        ApiError::invalid(
            errors
                .iter()
                .map(|e| FieldProblem { field: e.field.to_owned(), code: e.code.to_owned() })
                .collect(),
        )
    }

    /// `rate_limited`, to be retried after `seconds`.
    pub fn rate_limited(seconds: u64) -> ApiError {
        ApiError { retry_after: Some(seconds), ..ApiError::new(ErrorCode::RateLimited) }
    }

    /// `internal`, with details for the log only.
    pub fn internal(detail: impl Into<String>) -> ApiError {
        ApiError { detail: Some(detail.into()), ..ApiError::new(ErrorCode::Internal) }
    }

    /// Asks the caller to come back after `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    /// The code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The body this error sends.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.code.default_message().to_owned(),
                fields: self.fields.clone(),
            },
        }
    }
}

impl From<huiji_store::StoreError> for ApiError {
    fn from(error: huiji_store::StoreError) -> Self {
        ApiError::internal(error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        if status.is_server_error() {
            tracing::error!(code = ?self.code, detail = self.detail.as_deref().unwrap_or(""), "API request failed");
        }
        let mut response = (status, Json(self.body())).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.code == ErrorCode::Unauthorized {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
