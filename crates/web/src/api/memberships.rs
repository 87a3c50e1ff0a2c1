//! `POST /api/v1/memberships/verify`: does this worker hold a membership?
//!
//! Only for workers who consented through the asking platform (it submitted their
//! application), so the endpoint cannot be used to look up arbitrary people; every
//! answer is audited (`membership.verify`) before it is sent.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use huiji_core::{IdNumber, OrgPath, PersonName, Timestamp};
use huiji_store::{ActorKind, NewAuditRecord};
use huiji_vault::Field;
use serde::Serialize;
use utoipa::ToSchema;

use super::caller::Caller;
use super::error::{ApiError, ErrorBody, ErrorCode, FieldProblem};
use super::json::{Fields, json_object, json_response};
use crate::WebState;
use crate::http::client::ClientIp;
use huiji_app::audit::root_scope;

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
    let bidx = state.app.keys().blind_index(Field::IdNumber, id_number.as_str()).to_hex();
    if !state.store.platform_has_consent(caller.platform_id(), &bidx).await? {
        return Err(ApiError::new(ErrorCode::ConsentRequired));
    }
    let held = state.store.held_membership(&bidx).await?.filter(|m| m.name == name.as_str());
    // A member's record is scoped to their union, so its officers see who asked; a
    // non-member's to the root. The subject names the person only by a blind-index prefix.
    let scope = match held.as_ref().and_then(|m| OrgPath::parse(&m.home_path)) {
        Some(path) => path,
        None => root_scope(state.store.as_ref()).await?,
    };
    let record = NewAuditRecord {
        at: state.app.now(),
        actor_kind: ActorKind::Platform,
        actor_id: Some(caller.platform_id()),
        actor_name: caller.key.platform_name.clone(),
        scope,
        action: "membership.verify".to_owned(),
        subject: Some(match &held {
            Some(m) => format!("membership:{}", m.id),
            None => format!("person:{}", bidx.get(..12).unwrap_or(&bidx)),
        }),
        reason: Some(format!("answered member={}", held.is_some())),
        client_addr: client.text(),
    };
    state.store.record_audit(&record).await?;
    let answer = VerifyResponse {
        member: held.is_some(),
        since: held.map(|m| Timestamp(m.joined_at).china_date().to_string()),
    };
    Ok(json_response(StatusCode::OK, &answer))
}
