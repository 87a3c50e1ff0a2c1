//! The SMS provider's callbacks (campaigns): delivery receipts and inbound replies.
//! Authenticated by the configured bearer token (`sms_callback_token`); idempotent, so a
//! provider may retry and duplicate freely. The contract is in `docs/sms-callbacks.md`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use huiji_app::campaign::callbacks;
use huiji_core::campaign::Receipt;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ErrorCode};
use crate::WebState;

/// A delivery receipt: our reference of the message and what the provider says.
#[derive(Debug, Deserialize)]
pub struct ReceiptBody {
    reference: String,
    status: String,
}

/// What became of a receipt.
#[derive(Debug, Serialize)]
pub struct ReceiptAnswer {
    /// The message's state now (`sent`, `delivered`, `failed` …), or `unknown`.
    state: &'static str,
}

/// An inbound reply.
#[derive(Debug, Deserialize)]
pub struct ReplyBody {
    mobile: String,
    text: String,
}

/// What became of a reply.
#[derive(Debug, Serialize)]
pub struct ReplyAnswer {
    /// Whether the reply opted the mobile out.
    suppressed: bool,
}

fn authenticate(state: &WebState, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match token {
        Some(token) if callbacks::authorized(&state.app, token) => Ok(()),
        _ => Err(ApiError::new(ErrorCode::Unauthorized)),
    }
}

/// `POST /api/sms/receipts`: `{"reference": "cm-42", "status": "delivered" | "failed"}`.
pub async fn receipt(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Result<Json<ReceiptBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ReceiptAnswer>, ApiError> {
    authenticate(&state, &headers)?;
    let Json(body) = body.map_err(|_| ApiError::new(ErrorCode::MalformedJson))?;
    let receipt = match body.status.trim().to_ascii_lowercase().as_str() {
        "delivered" | "success" | "delivrd" => Receipt::Delivered,
        "failed" | "undeliverable" | "undeliv" | "rejected" | "expired" => Receipt::Failed,
        _ => return Err(ApiError::new(ErrorCode::MalformedJson)),
    };
    let state_now = callbacks::receipt(&state.app, &body.reference, receipt)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(ReceiptAnswer { state: state_now.map_or("unknown", |s| s.code()) }))
}

/// `POST /api/sms/replies`: `{"mobile": "13800138000", "text": "T"}`.
pub async fn reply(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Result<Json<ReplyBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ReplyAnswer>, ApiError> {
    authenticate(&state, &headers)?;
    let Json(body) = body.map_err(|_| ApiError::new(ErrorCode::MalformedJson))?;
    let suppressed = callbacks::reply(&state.app, &body.mobile, &body.text)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(ReplyAnswer { suppressed }))
}
