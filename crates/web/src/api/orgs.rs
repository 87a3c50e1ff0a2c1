//! `GET /api/v1/orgs`: the unions a platform may send workers to, with their join URLs.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use huiji_core::joining::{receives_applications, receiving_org};
use huiji_core::{Occupation, Org, RegionLevel};
use huiji_store::OrgFilter;
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
    // Unions are found by the city (or province) around the region: that is where the
    // receiving rules look too.
    let area = region.map(|r| r.ancestor_at(RegionLevel::City).unwrap_or(r));
    let orgs = state.store.orgs(&OrgFilter { region: area, ..OrgFilter::default() }).await?;
    let county = region.and_then(|r| r.ancestor_at(RegionLevel::County));
    let recommended = match (county, occupation) {
        (Some(county), Some(occupation)) => receiving_org(None, &orgs, occupation, county).map(|o| o.id),
        _ => None,
    };
    let mut targets: Vec<JoinTarget> = orgs
        .iter()
        .filter(|org| receives_applications(org))
        .filter(|org| region.is_none_or(|r| org.region.contains(r) || r.contains(org.region)))
        .filter(|org| occupation.is_none_or(|o| org.occupations.is_empty() || org.occupations.contains(&o)))
        .filter_map(|org| target(&state, org, recommended == Some(org.id)))
        .collect();
    targets.sort_by_key(|t| (!t.recommended, t.id));
    Ok(json_response(StatusCode::OK, &JoinTargets { orgs: targets }))
}

fn target(state: &WebState, org: &Org, recommended: bool) -> Option<JoinTarget> {
    let join_code = org.join_code.clone()?;
    Some(JoinTarget {
        id: org.id.0,
        name: org.name.clone(),
        region_code: org.region.to_string(),
        occupations: org.occupations.iter().map(|o| o.code().to_owned()).collect(),
        join_url: state.app.join_url(&join_code),
        join_code,
        recommended,
    })
}

fn problem(field: &str, code: &str) -> FieldProblem {
    FieldProblem { field: field.to_owned(), code: code.to_owned() }
}
