//! `GET /api/v1/orgs`: the unions a platform may send workers to, with their join URLs.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use huiji_app::orgs;
use huiji_core::Occupation;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::caller::Caller;
use super::error::{ApiError, ErrorBody, FieldProblem};
use super::json::json_response;
use crate::WebState;

/// Which join targets to list.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgsQuery {
    /// A GB/T 2260 code (province, city or county): only unions serving it.
    pub region_code: Option<String>,
    /// An occupation code: only unions taking that occupation.
    pub occupation: Option<String>,
}

/// One union that receives applications.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JoinTarget {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// GB/T 2260 code of its area.
    pub region_code: String,
    /// Occupations it serves; empty for a general federation.
    pub occupations: Vec<String>,
    /// Its join code (一会一码).
    pub join_code: String,
    /// Its H5 join page (what its QR code opens).
    pub join_url: String,
    /// Whether it is the union an application for this region and occupation goes to.
    pub recommended: bool,
}

/// The list.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JoinTargets {
    /// The unions, recommended first.
    pub orgs: Vec<JoinTarget>,
}

/// Lists join targets.
#[utoipa::path(
    get,
    path = "/api/v1/orgs",
    tag = "orgs",
    params(OrgsQuery),
    responses(
        (status = 200, description = "The unions", body = JoinTargets),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden` (scope `orgs`)", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `region_code.unknown`, `occupation.unknown`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn list(
    State(state): State<WebState>,
    caller: Caller,
    Query(query): Query<OrgsQuery>,
) -> Result<Response, ApiError> {
    caller.require("orgs")?;
    let mut problems = Vec::new();
    let region = match query.region_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => match state.app.regions().lookup(code) {
            Some(region) => Some(region.code),
            None => {
                problems.push(problem("region_code", "region_code.unknown"));
                None
            }
        },
    };
    let occupation = match query.occupation.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => match code.parse::<Occupation>() {
            Ok(occupation) => Some(occupation),
            Err(_) => {
                problems.push(problem("occupation", "occupation.unknown"));
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let targets = orgs::join_targets(&state.app, region, occupation)
        .await?
        .into_iter()
        .map(|target| JoinTarget {
            id: target.org.id.0,
            name: target.org.name,
            region_code: target.org.region.to_string(),
            occupations: target.org.occupations.iter().map(|o| o.code().to_owned()).collect(),
            join_code: target.join_code,
            join_url: target.join_url,
            recommended: target.recommended,
        })
        .collect();
    Ok(json_response(StatusCode::OK, &JoinTargets { orgs: targets }))
}

fn problem(field: &str, code: &str) -> FieldProblem {
    FieldProblem { field: field.to_owned(), code: code.to_owned() }
}
