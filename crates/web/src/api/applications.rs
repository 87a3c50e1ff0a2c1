//! `POST /api/v1/applications` and `GET /api/v1/applications/{application_id}`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use huiji_app::webhooks::OrgRef;
use huiji_core::Timestamp;
use huiji_core::joining::JoinForm;
use huiji_store::Idempotency;
use huiji_vault::sha256_hex;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::caller::Caller;
use super::error::{ApiError, ErrorBody, ErrorCode, FieldProblem};
use super::json::{Fields, json_object, json_response, raw_json};
use crate::WebState;
use huiji_app::joining::platform::PlatformApplication;
use huiji_app::joining::{self, IdempotencyKey, JoinError, JoinOutcome, MobileProof, PlatformOrigin};
use huiji_app::platform::idempotency::{self, KeyedAnswer};

/// How far in the future a platform's consent time may be (clock skew), in ms.
const CONSENT_CLOCK_SKEW_MILLIS: i64 = 5 * 60_000;

/// Longest accepted `external_ref`.
pub(super) const MAX_EXTERNAL_REF: usize = 128;

/// Longest accepted `Idempotency-Key`.
pub(super) const MAX_IDEMPOTENCY_KEY: usize = 255;

/// A worker's application, as a platform submits it.
#[derive(Clone, Debug, ToSchema)]
pub struct ApplicationRequest {
    /// 姓名, 2–30 characters.
    #[schema(example = "王晓明")]
    pub name: String,
    /// 身份证号 (GB 11643, 18 characters).
    #[schema(example = "11010519491231002X")]
    pub id_number: String,
    /// Mainland mobile number.
    #[schema(example = "13800138000")]
    pub mobile: String,
    /// Occupation code: `truck_driver`, `courier`, `delivery_rider`, `ride_hailing_driver`.
    #[schema(example = "truck_driver")]
    pub occupation: String,
    /// County-level GB/T 2260 code of where the worker works.
    #[schema(example = "340104")]
    pub region_code: String,
    /// The employer, if any.
    pub employer: Option<Employer>,
    /// The consent the worker gave in the platform's app.
    #[schema(required = true, nullable = false)]
    pub consent: Option<Consent>,
    /// The platform verified the mobile itself: counts as proof of the mobile (which then
    /// answers for this ID number only; where a real-name check is configured, name, ID
    /// number and mobile must also belong together for instant approval).
    pub mobile_verified: Option<bool>,
    /// The platform's own reference, echoed back (at most 128 characters).
    pub external_ref: Option<String>,
}

/// An employer.
#[derive(Clone, Debug, ToSchema)]
pub struct Employer {
    /// Its name.
    pub name: Option<String>,
    /// Its unified social credit code (GB 32100).
    pub credit_code: Option<String>,
}

/// The consent a worker gave.
#[derive(Clone, Debug, ToSchema)]
pub struct Consent {
    /// The consent text's version: "1", "2", …
    #[schema(example = "1")]
    pub version: String,
    /// When the worker accepted it (RFC 3339 with offset).
    #[schema(example = "2026-11-30T10:00:00+08:00")]
    pub accepted_at: String,
}

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// A member now.
    Approved,
    /// An officer reviews it.
    PendingReview,
    /// Turned down (see `reason`).
    Rejected,
}

/// The answer to a new application.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ApplicationCreated {
    /// The application's id, for `GET /api/v1/applications/{application_id}`.
    pub application_id: i64,
    /// `approved` or `pending_review`.
    pub status: ApplicationStatus,
    /// The union that received it.
    pub receiving_org: OrgRef,
    /// Where the membership lives (approved applications).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landing_org: Option<OrgRef>,
    /// The new member number (approved applications).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_number: Option<String>,
}

/// An application as its platform sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    /// Id.
    pub application_id: i64,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The union that received it.
    pub receiving_org: OrgRef,
    /// Where the membership lives or will live.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landing_org: Option<OrgRef>,
    /// The member number, once approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_number: Option<String>,
    /// The platform's own reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    /// Submitted (RFC 3339, China time).
    pub created_at: String,
    /// Decided (RFC 3339, China time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
}

impl ApplicationRequest {
    /// Reads the request out of a JSON object, listing every field of the wrong type.
    fn from_json(object: &Map<String, Value>) -> Result<ApplicationRequest, ApiError> {
        let mut fields = Fields::new(object, "");
        let mut request = ApplicationRequest {
            name: fields.string("name").to_owned(),
            id_number: fields.string("id_number").to_owned(),
            mobile: fields.string("mobile").to_owned(),
            occupation: fields.string("occupation").to_owned(),
            region_code: fields.string("region_code").to_owned(),
            employer: None,
            consent: None,
            mobile_verified: fields.boolean("mobile_verified"),
            external_ref: Some(fields.string("external_ref").to_owned()).filter(|r| !r.is_empty()),
        };
        let (employer, consent) = (fields.object("employer"), fields.object("consent"));
        let mut problems = fields.problems;
        request.employer = employer.map(|object| {
            let mut fields = Fields::new(object, "employer.");
            let employer = Employer {
                name: Some(fields.string("name").to_owned()),
                credit_code: Some(fields.string("credit_code").to_owned()),
            };
            problems.append(&mut fields.problems);
            employer
        });
        request.consent = consent.map(|object| {
            let mut fields = Fields::new(object, "consent.");
            let consent = Consent {
                version: fields.string("version").to_owned(),
                accepted_at: fields.string("accepted_at").to_owned(),
            };
            problems.append(&mut fields.problems);
            consent
        });
        if problems.is_empty() { Ok(request) } else { Err(ApiError::invalid(problems)) }
    }
}

/// Submits a worker's application.
#[utoipa::path(
    post,
    path = "/api/v1/applications",
    tag = "applications",
    request_body = ApplicationRequest,
    params(("Idempotency-Key" = String, Header, description = "Unique per application; a replay with the same key and body returns the first response for 24 hours")),
    responses(
        (status = 201, description = "Received: a member now, or pending review. A person with an open application of this platform's gets that one back, as stored; another submitter's is never shown", body = ApplicationCreated),
        (status = 400, description = "`malformed_json`, `idempotency_key_required`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the key lacks the `applications` scope", body = ErrorBody),
        (status = 409, description = "`already_member` (no details), `idempotency_in_progress`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed` with `fields`, `idempotency_mismatch`", body = ErrorBody),
        (status = 429, description = "`rate_limited`; see `Retry-After`", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn create(
    State(state): State<WebState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match create_idempotently(&state, &caller, &headers, &body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn create_idempotently(
    state: &WebState,
    caller: &Caller,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    caller.require("applications")?;
    let key = idempotency_key(headers)?;
    let object = json_object(headers, body)?;
    // The parsed object, re-serialised, so the same request with other whitespace or
    // key order is still the same request.
    let request_hash = sha256_hex(Value::Object(object.clone()).to_string().as_bytes());
    let key = IdempotencyKey { key, request_hash: &request_hash };
    // The join stores its answer with itself; a refusal before the store (a 4xx) stores
    // its answer alone; a failure on our side stores nothing, so the retry runs again.
    let answer = match submit(state, caller, &object, key).await {
        Ok(answer) => answer,
        Err(error) if error.code().status().is_server_error() => return Err(error),
        Err(error) => {
            let text = serde_json::to_string(&error.body()).map_err(|e| ApiError::internal(e.to_string()))?;
            let request = idempotency::request(&state.app, caller.platform_id(), key.key, key.request_hash);
            idempotency::answer(&state.app, &request, error.code().status().as_u16(), text)
                .await
                .map_err(|e| ApiError::internal(e.to_string()))?
        }
    };
    match answer {
        KeyedAnswer::First { status, body } => Ok(raw_json(status_code(status), body)),
        KeyedAnswer::Earlier(Idempotency::Replay { status, body }) => {
            let mut response = raw_json(status_code(status), body);
            response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(response)
        }
        KeyedAnswer::Earlier(Idempotency::Mismatch) => Err(ApiError::new(ErrorCode::IdempotencyMismatch)),
        KeyedAnswer::Earlier(Idempotency::InProgress) => {
            Err(ApiError::new(ErrorCode::IdempotencyInProgress).retry_after(1))
        }
    }
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The answer a join outcome gets: what the first request is sent and a replay again.
fn render(outcome: &JoinOutcome) -> (u16, String) {
    let created = match outcome {
        JoinOutcome::Approved { application_id, member_number, landing, receiving, .. } => {
            ApplicationCreated {
                application_id: application_id.0,
                status: ApplicationStatus::Approved,
                receiving_org: OrgRef::from(&**receiving),
                landing_org: Some(OrgRef::from(landing)),
                member_number: Some(member_number.as_str().to_owned()),
            }
        }
        JoinOutcome::Pending { application_id, receiving, .. } => ApplicationCreated {
            application_id: application_id.0,
            status: ApplicationStatus::PendingReview,
            receiving_org: OrgRef::from(receiving),
            landing_org: None,
            member_number: None,
        },
        JoinOutcome::AlreadyMember { .. } => return error_answer(&ApiError::new(ErrorCode::AlreadyMember)),
    };
    match serde_json::to_string(&created) {
        Ok(text) => (StatusCode::CREATED.as_u16(), text),
        // Plain data always serialises; were it not to, the platform learns nothing more.
        Err(_) => error_answer(&ApiError::internal("answer not serialised".to_owned())),
    }
}

fn error_answer(error: &ApiError) -> (u16, String) {
    let text = serde_json::to_string(&error.body()).unwrap_or_else(|_| "{}".to_owned());
    (error.code().status().as_u16(), text)
}

/// The `Idempotency-Key` header: 1–255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<&str, ApiError> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| (1..=MAX_IDEMPOTENCY_KEY).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| ApiError::new(ErrorCode::IdempotencyKeyRequired))
}

/// Runs the request through the shared join service.
async fn submit(
    state: &WebState,
    caller: &Caller,
    object: &Map<String, Value>,
    key: IdempotencyKey<'_>,
) -> Result<KeyedAnswer, ApiError> {
    let request = ApplicationRequest::from_json(object)?;
    let now = state.app.now();
    let mut extra = Vec::new();
    let consent_at = match &request.consent {
        Some(consent) => match Timestamp::parse_rfc3339(&consent.accepted_at) {
            Some(at) if at.0 <= now.0 + CONSENT_CLOCK_SKEW_MILLIS => at,
            _ => {
                extra.push(FieldProblem {
                    field: "consent.accepted_at".to_owned(),
                    code: "consent.accepted_at".to_owned(),
                });
                now
            }
        },
        None => now,
    };
    if request.external_ref.as_ref().is_some_and(|r| r.chars().count() > MAX_EXTERNAL_REF) {
        extra.push(FieldProblem { field: "external_ref".to_owned(), code: "external_ref.length".to_owned() });
    }
    let form = JoinForm {
        name: &request.name,
        id_number: &request.id_number,
        mobile: &request.mobile,
        occupation: &request.occupation,
        region_code: &request.region_code,
        employer_name: request.employer.as_ref().and_then(|e| e.name.as_deref()).unwrap_or(""),
        employer_credit_code: request.employer.as_ref().and_then(|e| e.credit_code.as_deref()).unwrap_or(""),
        consent_version: request.consent.as_ref().map(|c| c.version.as_str()),
    };
    if !extra.is_empty() {
        // Report the core's findings too, so the platform sees every problem at once.
        let core_errors = match joining::parse(&state.app, &form).await {
            Ok(_) => Vec::new(),
            Err(JoinError::Invalid(errors)) => errors,
            Err(other) => return Err(join_error(other)),
        };
        let mut problems: Vec<FieldProblem> = core_errors
            .iter()
            .map(|e| FieldProblem { field: e.field.to_owned(), code: e.code.to_owned() })
            .collect();
        problems.append(&mut extra);
        return Err(ApiError::invalid(problems));
    }
    let proof = if request.mobile_verified == Some(true) { MobileProof::Attested } else { MobileProof::None };
    let origin =
        PlatformOrigin { platform_id: caller.platform_id(), external_ref: request.external_ref, consent_at };
    let source = Some(caller.key.platform_name.clone());
    joining::join_keyed(&state.app, &form, source, proof, origin, key, &render).await.map_err(join_error)
}

fn join_error(error: JoinError) -> ApiError {
    match error {
        JoinError::Invalid(errors) => ApiError::from_field_errors(&errors),
        JoinError::Unserved => ApiError::invalid(vec![FieldProblem {
            field: "region_code".to_owned(),
            code: "region_code.unserved".to_owned(),
        }]),
        // The API proves mobiles by attestation, never by SMS code.
        JoinError::Sms(check) => ApiError::internal(format!("unexpected SMS check {check:?}")),
        error @ (JoinError::Internal(_) | JoinError::Store(_) | JoinError::Vault(_)) => {
            ApiError::internal(error.to_string())
        }
    }
}

/// Reads one of the platform's own applications.
#[utoipa::path(
    get,
    path = "/api/v1/applications/{application_id}",
    tag = "applications",
    params(("application_id" = i64, Path, description = "From the 201 response")),
    responses(
        (status = 200, description = "The application", body = ApplicationView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such application of this platform", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn read(
    State(state): State<WebState>,
    caller: Caller,
    Path(application_id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require("applications")?;
    let not_found = || ApiError::new(ErrorCode::NotFound);
    let id: i64 = application_id.parse().map_err(|_| not_found())?;
    let found =
        joining::platform::application(&state.app, caller.platform_id(), id).await.map_err(join_error)?;
    let PlatformApplication { record: application, receiving, landing, member_number } =
        found.ok_or_else(not_found)?;
    let status = match application.status {
        huiji_core::ApplicationStatus::Approved => ApplicationStatus::Approved,
        huiji_core::ApplicationStatus::Rejected => ApplicationStatus::Rejected,
        huiji_core::ApplicationStatus::PendingReview => ApplicationStatus::PendingReview,
    };
    let view = ApplicationView {
        application_id: application.id,
        status,
        reason: application.decision_reason.filter(|_| status == ApplicationStatus::Rejected),
        receiving_org: OrgRef::from(&receiving),
        landing_org: landing.as_ref().map(OrgRef::from),
        member_number,
        external_ref: application.external_ref,
        created_at: Timestamp(application.created_at).to_rfc3339_china(),
        decided_at: application.decided_at.map(|at| Timestamp(at).to_rfc3339_china()),
    };
    Ok(json_response(StatusCode::OK, &view))
}
