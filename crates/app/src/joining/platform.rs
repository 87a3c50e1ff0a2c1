//! A platform reading back one of the applications it submitted: the record with the
//! unions it names and the member number it made, and nothing of another platform's.

use huiji_core::{Org, OrgId};
use huiji_store::ApplicationRecord;

use super::JoinError;
use crate::App;

/// One of a platform's applications, with what the API shows of it.
#[derive(Clone, Debug)]
pub struct PlatformApplication {
    /// The application as stored.
    pub record: ApplicationRecord,
    /// The union that received it.
    pub receiving: Org,
    /// Where the membership lives or will live.
    pub landing: Option<Org>,
    /// The member number, once approved.
    pub member_number: Option<String>,
}

/// The platform's application `id`; `None` when there is none or it is another
/// platform's.
///
/// # Errors
///
/// The store's, or a receiving union that vanished.
pub async fn application(
    app: &App,
    platform_id: i64,
    id: i64,
) -> Result<Option<PlatformApplication>, JoinError> {
    let Some(record) = app.store().platform_application(platform_id, id).await? else {
        return Ok(None);
    };
    let receiving = app
        .store()
        .org(OrgId(record.receiving_org_id))
        .await?
        .ok_or_else(|| JoinError::Internal("receiving org missing".to_owned()))?;
    let landing = match record.landing_org_id {
        Some(id) => app.store().org(OrgId(id)).await?,
        None => None,
    };
    let member_number = match record.membership_id {
        Some(id) => app.store().membership(id).await?.and_then(|m| m.member_number),
        None => None,
    };
    Ok(Some(PlatformApplication { record, receiving, landing, member_number }))
}
