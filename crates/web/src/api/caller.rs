//! Who is calling: the platform behind a valid API key, within its rate limit.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use huiji_app::platform::api_keys as keys;
use huiji_store::ApiKeyRecord;

use super::error::{ApiError, ErrorCode};
use crate::WebState;

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
        let key = keys::authenticate(&state.app, presented).await?.ok_or_else(unauthorized)?;
        state.api_limiter.take(&state.app, &key.id).await.map_err(|r| ApiError::rate_limited(r.seconds()))?;
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
