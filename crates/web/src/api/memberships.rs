//! `POST /api/v1/memberships/verify`: does this worker hold a membership?
//!
//! Only for workers who consented through the asking platform (it submitted their
//! application), so the endpoint cannot be used to look up arbitrary people; every
//! answer is audited (`membership.verify`) before it is sent.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use huiji_app::memberships::{self, PlatformCaller, VerifyError};
use huiji_core::{IdNumber, PersonName};
use serde::Serialize;
use utoipa::ToSchema;

use super::caller::Caller;
use super::error::{ApiError, ErrorBody, ErrorCode, FieldProblem};
use super::json::{Fields, json_object, json_response};
use crate::WebState;
use crate::http::client::ClientIp;

/// Whom to verify.
#[derive(Clone, Debug, ToSchema)]
pub struct VerifyRequest {
    /// 身份证号.
    #[schema(example = "11010519491231002X")]
    pub id_number: String,
    /// 姓名 as on the membership.
    #[schema(example = "王晓明")]
    pub name: String,
}

/// The answer.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VerifyResponse {
    /// Whether this person (ID number and name) holds a membership now.
    pub member: bool,
    /// Member since (date, China time), when a member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

/// Verifies a membership.
#[utoipa::path(
    post,
    path = "/api/v1/memberships/verify",
    tag = "memberships",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "The answer", body = VerifyResponse),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden` (scope `memberships.verify`), `consent_required`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn verify(
    State(state): State<WebState>,
    caller: Caller,
    client: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require("memberships.verify")?;
    let object = json_object(&headers, &body)?;
    let mut fields = Fields::new(&object, "");
    let request = VerifyRequest {
        id_number: fields.string("id_number").to_owned(),
        name: fields.string("name").to_owned(),
    };
    let mut problems = fields.problems;
    let today = state.app.now().china_date();
    let id_number = IdNumber::parse(&request.id_number, today, |p| state.app.regions().province_exists(p))
        .map_err(|e| problems.push(FieldProblem { field: "id_number".to_owned(), code: e.code().to_owned() }))
        .ok();
    let name = PersonName::parse(&request.name)
        .map_err(|e| problems.push(FieldProblem { field: "name".to_owned(), code: e.code().to_owned() }))
        .ok();
    let (Some(id_number), Some(name), true) = (id_number, name, problems.is_empty()) else {
        return Err(ApiError::invalid(problems));
    };
    let platform = PlatformCaller {
        platform_id: caller.platform_id(),
        platform_name: caller.key.platform_name.clone(),
        client_addr: client.text(),
    };
    let answer = match memberships::verify(&state.app, &platform, &id_number, &name).await {
        Ok(answer) => answer,
        Err(VerifyError::ConsentRequired) => return Err(ApiError::new(ErrorCode::ConsentRequired)),
        Err(VerifyError::Store(error)) => return Err(error.into()),
    };
    let answer = VerifyResponse {
        member: answer.since.is_some(),
        since: answer.since.map(|at| at.china_date().to_string()),
    };
    Ok(json_response(StatusCode::OK, &answer))
}
