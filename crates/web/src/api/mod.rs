//! The platform API v1 (DESIGN.md "Platform API v1"): a published contract, so paths,
//! fields, status codes and error codes only ever grow. It is another door into the same
//! join service as the H5 form ([`huiji_app::joining`]), not a second implementation.

mod applications;
mod caller;
mod error;
mod json;
mod memberships;
pub mod openapi;
mod orgs;
// Outreach: campaigns — the SMS provider's callbacks.
mod sms;

use axum::Router;
use axum::routing::{get, post};

pub use self::error::{ApiError, ErrorBody, ErrorCode, FieldProblem};
pub use self::json::json_errors;
use crate::WebState;

/// The API routes.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/api/v1/applications", post(applications::create))
        .route("/api/v1/applications/{application_id}", get(applications::read))
        .route("/api/v1/memberships/verify", post(memberships::verify))
        .route("/api/v1/orgs", get(orgs::list))
        .route("/api/openapi.json", get(openapi::document))
        // Outreach: campaigns.
        .route("/api/sms/receipts", post(sms::receipt))
        .route("/api/sms/replies", post(sms::reply))
}
