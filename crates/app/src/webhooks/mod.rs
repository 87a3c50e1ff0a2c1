//! Webhooks: the body a platform receives for each outbox event ([`payload`]) and its
//! delivery ([`delivery`]).

pub mod delivery;
pub mod payload;

use huiji_core::Timestamp;
use huiji_store::WebhookEvent;

pub use delivery::{DELIVERY_TIMEOUT, deliver_due};
pub use payload::{OrgRef, WebhookData, WebhookPayload};

/// The public id of an outbox event.
pub fn event_id(event: &WebhookEvent) -> String {
    format!("evt_{}", event.id)
}

/// The body sent for an event: rendered from stored columns only, so every attempt sends
/// the same bytes.
pub fn payload(event: &WebhookEvent) -> WebhookPayload {
    let org = |id: Option<i64>, name: &Option<String>| {
        id.map(|id| OrgRef { id, name: name.clone().unwrap_or_default() })
    };
    WebhookPayload {
        id: event_id(event),
        kind: event.kind.code().to_owned(),
        created_at: Timestamp(event.occurred_at).to_rfc3339_china(),
        data: WebhookData {
            application_id: event.application_id,
            external_ref: event.external_ref.clone(),
            status: event.status.clone(),
            reason: event.reason.clone(),
            member_number: event.member_number.clone(),
            from_org: org(event.from_org_id, &event.from_org_name),
            to_org: org(event.to_org_id, &event.to_org_name),
        },
    }
}
