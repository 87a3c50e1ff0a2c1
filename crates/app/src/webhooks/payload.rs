//! What a platform receives: the webhook body, a published wire format (the platform
//! API's OpenAPI document describes it).

use huiji_core::Org;
use serde::Serialize;

/// What a platform receives.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookPayload {
    /// Unique event id (`evt_…`); a redelivery carries the same id, so receivers can
    /// drop duplicates.
    pub id: String,
    /// `application.decided` or `membership.transferred`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When the change happened (RFC 3339, China time).
    pub created_at: String,
    /// What changed.
    pub data: WebhookData,
}

/// The event's details.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookData {
    /// The application concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<i64>,
    /// The platform's own reference for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    /// `application.decided`: `approved` or `rejected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A rejection's reason; for a move, `transferred` or `distributed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The member number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_number: Option<String>,
    /// `membership.transferred`: the union it left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_org: Option<OrgRef>,
    /// `membership.transferred`: the union it joined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_org: Option<OrgRef>,
}

/// A union, by id and name.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgRef {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

impl From<&Org> for OrgRef {
    fn from(org: &Org) -> OrgRef {
        OrgRef { id: org.id.0, name: org.name.clone() }
    }
}
