//! `GET /api/openapi.json`: the OpenAPI 3.1 document, generated from the handlers and
//! types above, so it cannot drift from what the API does.

use axum::http::StatusCode;
use axum::response::Response;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::applications::{
    ApplicationCreated, ApplicationRequest, ApplicationStatus, ApplicationView, Consent, Employer, OrgRef,
};
use super::error::{ErrorBody, ErrorCode, ErrorDetail, FieldProblem};
use super::json_response;
use super::memberships::{VerifyRequest, VerifyResponse};
use super::orgs::{JoinTarget, JoinTargets};
use crate::webhooks::{WebhookData, WebhookPayload};

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "huiji platform API",
        version = "1.0.0",
        description = "Platform companies join their workers to the trade union. Errors always have the shape \
            {\"error\": {\"code\", \"message\", \"fields\"?}}; branch on `code`, never on `message`. Every POST \
            that creates something takes an `Idempotency-Key`."
    ),
    paths(
        super::applications::create,
        super::applications::read,
        super::memberships::verify,
        super::orgs::list,
    ),
    components(schemas(
        ApplicationRequest,
        Employer,
        Consent,
        ApplicationCreated,
        ApplicationView,
        ApplicationStatus,
        OrgRef,
        VerifyRequest,
        VerifyResponse,
        JoinTargets,
        JoinTarget,
        ErrorBody,
        ErrorDetail,
        ErrorCode,
        FieldProblem,
        WebhookPayload,
        WebhookData,
    )),
    modifiers(&BearerKey),
    tags(
        (name = "applications", description = "Join workers"),
        (name = "memberships", description = "Verify memberships"),
        (name = "orgs", description = "Where workers can join"),
    )
)]
pub struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("An API key from `huiji api-key create`"))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("api_key", SecurityScheme::Http(scheme));
    }
}

/// The document as JSON.
pub async fn document() -> Response {
    json_response(StatusCode::OK, &ApiDoc::openapi())
}
