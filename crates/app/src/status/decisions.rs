//! What `/status` says about decisions — the same facts the decision SMS told: who
//! decides or decided an application, a rejection's reason, whom to ask (the union's
//! contact details) and what to do next, and the SMS sent about the mobile's records.

use huiji_core::OrgId;
use huiji_core::notice::{NoticeDelivery, NoticeKind};
use huiji_store::{ApplicationRecord, ContactOf, NoticeAbout, StoreError};

use super::records::org_name;
use crate::App;
use crate::orgs::contact::contact_of;

/// Where an application's decision stands, as the applicant sees it.
#[derive(Clone, Debug)]
pub struct DecisionFacts {
    /// The application.
    pub application_id: i64,
    /// The union that reviews it now, or decided it.
    pub reviewer: String,
    /// The review moved up past its deadline.
    pub escalated: bool,
    /// A rejection's reason.
    pub reason: Option<String>,
    /// Whom to ask: the reviewing union's contact details (or the nearest union's above).
    pub contact: Option<ContactOf>,
}

/// One SMS a decision sent to the mobile.
#[derive(Clone, Debug)]
pub struct SentNotice {
    /// What it told.
    pub kind: NoticeKind,
    /// When it was queued (ms).
    pub at: i64,
    /// Its text.
    pub body: String,
}

/// The decision facts of an application.
///
/// # Errors
///
/// The store's.
pub async fn facts(app: &App, application: &ApplicationRecord) -> Result<DecisionFacts, StoreError> {
    let detail = app.store().application_detail(application.id).await?;
    let reviewer_id =
        detail.as_ref().and_then(|d| d.item.reviewer_org_id).unwrap_or(application.receiving_org_id);
    Ok(DecisionFacts {
        application_id: application.id,
        reviewer: org_name(app, reviewer_id).await?,
        escalated: detail.as_ref().is_some_and(|d| d.item.escalated_at.is_some()),
        reason: application.decision_reason.clone(),
        contact: contact_of(app, OrgId(reviewer_id)).await?,
    })
}

/// The SMS sent about these applications and memberships, newest first.
///
/// # Errors
///
/// The store's.
pub async fn sent(
    app: &App,
    applications: &[i64],
    memberships: &[i64],
) -> Result<Vec<SentNotice>, StoreError> {
    let mut abouts: Vec<NoticeAbout> = applications
        .iter()
        .map(|id| NoticeAbout { application: Some(*id), ..NoticeAbout::default() })
        .collect();
    abouts
        .extend(memberships.iter().map(|id| NoticeAbout { membership: Some(*id), ..NoticeAbout::default() }));
    let mut seen = std::collections::BTreeMap::new();
    for about in abouts {
        for notice in app.store().notices_about(about).await? {
            if let (NoticeDelivery::Sent, Some(body)) = (notice.delivery, notice.body) {
                seen.insert(notice.id, SentNotice { kind: notice.kind, at: notice.created_at, body });
            }
        }
    }
    Ok(seen.into_values().rev().collect())
}
