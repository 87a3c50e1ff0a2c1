//! `GET /api/openapi.json`: the OpenAPI 3.1 document, generated from the handlers and
//! types above, so it cannot drift from what the API does.

use axum::http::StatusCode;
use axum::response::Response;
use huiji_app::webhooks::{OrgRef, WebhookData, WebhookPayload};
use huiji_core::Occupation;
use huiji_core::joining::MAX_EMPLOYER_CHARS;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{Object, Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Required};
use utoipa::{Modify, OpenApi};

use super::applications::{
    ApplicationCreated, ApplicationRequest, ApplicationStatus, ApplicationView, Consent, Employer,
    MAX_EXTERNAL_REF, MAX_IDEMPOTENCY_KEY,
};
use super::error::{ErrorBody, ErrorCode, ErrorDetail, FieldProblem};
use super::json::json_response;
use super::memberships::{VerifyRequest, VerifyResponse};
use super::orgs::{JoinTarget, JoinTargets};

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
    modifiers(&BearerKey, &Constraints),
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

// Whitespace (`\s`) is what the rules trim or drop; control characters are refused in
// every string by the door (`crate::http::plain_text`).

/// Text without control characters.
const PLAIN: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";

/// A person's name: plain text with something besides whitespace.
const NAME: &str = r"^\s*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";

/// A GB 11643 ID number as the rules read it: whitespace anywhere, full-width digits,
/// and a lower-case or full-width check character X are accepted and normalised.
const ID_NUMBER: &str = r"^\s*(?:[0-9０-９]\s*){17}[0-9０-９XxＸｘ]\s*$";

/// A mainland mobile (1[3-9] and nine digits) as the rules read it: spaces and dashes
/// anywhere, full-width digits and plus, and an optional +86, 0086 or 86 in front.
const MOBILE: &str = concat!(
    r"^[\s－‐–—-]*(?:[+＋][\s－‐–—-]*[8８][\s－‐–—-]*[6６][\s－‐–—-]*",
    r"|[0０][\s－‐–—-]*[0０][\s－‐–—-]*[8８][\s－‐–—-]*[6６][\s－‐–—-]*",
    r"|[8８][\s－‐–—-]*[6６][\s－‐–—-]*)?",
    r"[1１][\s－‐–—-]*[3-9３-９][\s－‐–—-]*(?:[0-9０-９][\s－‐–—-]*){9}$"
);

/// A county-level GB/T 2260 code (the work region).
const COUNTY_CODE: &str = r"^\s*[1-9][0-9]{5}\s*$";

/// Any GB/T 2260 code (province, city, county or township), or nothing.
const ANY_REGION_CODE: &str = r"^\s*(?:[1-9][0-9](?:[0-9]{2}(?:[0-9]{2}(?:[0-9]{3})?)?)?)?\s*$";

/// A GB 32100 unified social credit code (18 characters of its alphabet, any case,
/// whitespace anywhere), or nothing.
const CREDIT_CODE: &str = r"^\s*(?:(?:[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]\s*){18})?$";

/// A consent version ("1", "2", …).
const CONSENT_VERSION: &str = r"^\s*[1-9][0-9]*\s*$";

/// An `Idempotency-Key`: visible ASCII.
const IDEMPOTENCY_KEY: &str = "^[!-~]+$";

/// An occupation code, surrounding whitespace allowed; `optional` also allows nothing.
fn occupation(optional: bool) -> String {
    let codes: Vec<&str> = Occupation::ALL.iter().map(|o| o.code()).collect();
    let quantifier = if optional { "?" } else { "" };
    format!(r"^\s*(?:{}){quantifier}\s*$", codes.join("|"))
}

/// Text the employer's name may be: at most so many characters once trimmed.
fn employer_name() -> String {
    format!(r"^\s*[^\u0000-\u001F\u007F-\u009F]{{0,{MAX_EMPLOYER_CHARS}}}\s*$")
}

/// A string's constraints.
#[derive(Default)]
struct Constraint {
    pattern: String,
    min_length: Option<usize>,
    max_length: Option<usize>,
}

impl Constraint {
    fn pattern(pattern: impl Into<String>) -> Constraint {
        Constraint { pattern: pattern.into(), ..Constraint::default() }
    }

    fn apply(self, object: &mut Object) {
        object.pattern = Some(self.pattern);
        object.min_length = self.min_length.or(object.min_length);
        object.max_length = self.max_length.or(object.max_length);
    }
}

/// Writes into the document what the server accepts in each field it reads, so a
/// client generated from it refuses exactly what the server would (checksums, dates
/// and existence aside). Kept beside the rules' own constants, so it cannot drift.
struct Constraints;

impl Constraints {
    fn properties() -> Vec<(&'static str, &'static str, Constraint)> {
        let external_ref = Constraint { max_length: Some(MAX_EXTERNAL_REF), ..Constraint::pattern(PLAIN) };
        vec![
            ("ApplicationRequest", "name", Constraint::pattern(NAME)),
            ("ApplicationRequest", "id_number", Constraint::pattern(ID_NUMBER)),
            ("ApplicationRequest", "mobile", Constraint::pattern(MOBILE)),
            ("ApplicationRequest", "occupation", Constraint::pattern(occupation(false))),
            ("ApplicationRequest", "region_code", Constraint::pattern(COUNTY_CODE)),
            ("ApplicationRequest", "external_ref", external_ref),
            ("Employer", "name", Constraint::pattern(employer_name())),
            ("Employer", "credit_code", Constraint::pattern(CREDIT_CODE)),
            ("Consent", "version", Constraint::pattern(CONSENT_VERSION)),
            ("Consent", "accepted_at", Constraint::pattern(PLAIN)),
            ("VerifyRequest", "id_number", Constraint::pattern(ID_NUMBER)),
            ("VerifyRequest", "name", Constraint::pattern(NAME)),
        ]
    }

    fn parameters() -> Vec<(&'static str, &'static str, Constraint)> {
        let key = Constraint {
            min_length: Some(1),
            max_length: Some(MAX_IDEMPOTENCY_KEY),
            ..Constraint::pattern(IDEMPOTENCY_KEY)
        };
        vec![
            ("/api/v1/applications", "Idempotency-Key", key),
            ("/api/v1/orgs", "region_code", Constraint::pattern(ANY_REGION_CODE)),
            ("/api/v1/orgs", "occupation", Constraint::pattern(occupation(true))),
        ]
    }
}

/// The string schema inside `schema` (itself, or a `string | null`).
fn string_object(schema: &mut RefOr<Schema>) -> Option<&mut Object> {
    match schema {
        RefOr::T(Schema::Object(object)) => {
            let is_string = match &object.schema_type {
                SchemaType::Type(t) => *t == Type::String,
                SchemaType::Array(types) => types.contains(&Type::String),
                SchemaType::AnyValue => false,
            };
            is_string.then_some(object)
        }
        _ => None,
    }
}

impl Modify for Constraints {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            for (schema, property, constraint) in Constraints::properties() {
                let field = match components.schemas.get_mut(schema) {
                    Some(RefOr::T(Schema::Object(object))) => object.properties.get_mut(property),
                    _ => None,
                };
                if let Some(object) = field.and_then(string_object) {
                    constraint.apply(object);
                }
            }
        }
        for (path, name, constraint) in Constraints::parameters() {
            let item = openapi.paths.paths.get_mut(path);
            let operations = item.into_iter().flat_map(|item| [&mut item.get, &mut item.post]);
            let parameters = operations
                .flatten()
                .flat_map(|operation: &mut Operation| operation.parameters.iter_mut().flatten());
            let Some(parameter) = parameters
                .filter_map(|p| match p {
                    RefOr::T(parameter) => Some(parameter),
                    RefOr::Ref(_) => None,
                })
                .find(|p| p.name == name)
            else {
                continue;
            };
            if parameter.parameter_in == ParameterIn::Header {
                parameter.required = Required::True;
            }
            if let Some(object) = parameter.schema.as_mut().and_then(string_object) {
                constraint.apply(object);
            }
        }
    }
}

/// The document as JSON.
pub async fn document() -> Response {
    json_response(StatusCode::OK, &ApiDoc::openapi())
}
