//! The web layer's one error type and its single `IntoResponse`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use huiji_store::StoreError;

/// Why a request failed. Client errors say what was wrong; server errors are logged with
/// their details and answered with a generic message, so no internal text leaks.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No such page or resource (also what a caller outside their scope sees).
    #[error("not found")]
    NotFound,
    /// The caller may not do this (a viewer changing something, a bad CSRF token).
    #[error("forbidden")]
    Forbidden,
    /// The request is malformed.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A dependency (the database) is down; the request may succeed later.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything else on our side.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(error: StoreError) -> Self {
        WebError::Internal(error.to_string())
    }
}

impl From<askama::Error> for WebError {
    fn from(error: askama::Error) -> Self {
        WebError::Internal(format!("template: {error}"))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, public) = match &self {
            WebError::NotFound => (StatusCode::NOT_FOUND, "not found / 未找到"),
            WebError::Forbidden => (StatusCode::FORBIDDEN, "forbidden / 无权操作"),
            WebError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad request / 请求有误"),
            WebError::Unavailable(_) => {
                tracing::warn!(error = %self, "dependency unavailable");
                (StatusCode::SERVICE_UNAVAILABLE, "service unavailable / 服务暂不可用")
            }
            WebError::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error / 服务器内部错误")
            }
        };
        (status, public).into_response()
    }
}
