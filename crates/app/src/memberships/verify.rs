//! A platform asks whether a worker holds a membership. Only for workers who consented
//! through the asking platform (it submitted their application), so it cannot be used
//! to look up arbitrary people; every answer is audited (`membership.verify`) before it
//! is given.

use huiji_core::audit::AuditAction;
use huiji_core::{IdNumber, OrgPath, PersonName, Timestamp};
use huiji_store::{ActorKind, NewAuditRecord, StoreError};
use huiji_vault::Field;

use crate::App;
use crate::audit::root_scope;

/// The platform asking, as its API key names it.
#[derive(Clone, Debug)]
pub struct PlatformCaller {
    /// The platform's id.
    pub platform_id: i64,
    /// Its name, for the audit record.
    pub platform_name: String,
    /// Where the request came from.
    pub client_addr: Option<String>,
}

/// The answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyAnswer {
    /// Member since, when this person (ID number and name) holds a membership now.
    pub since: Option<Timestamp>,
}

/// Why no answer was given.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The platform never submitted this person's application: no consent to ask.
    #[error("consent required")]
    ConsentRequired,
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// Whether the person with this ID number and name holds a membership, audited.
///
/// # Errors
///
/// No consent through this platform, or the store's.
pub async fn verify(
    app: &App,
    caller: &PlatformCaller,
    id_number: &IdNumber,
    name: &PersonName,
) -> Result<VerifyAnswer, VerifyError> {
    let bidx = app.keys().blind_index(Field::IdNumber, id_number.as_str()).to_hex();
    if !app.store().platform_has_consent(caller.platform_id, &bidx).await? {
        return Err(VerifyError::ConsentRequired);
    }
    let held = app.store().held_membership(&bidx).await?.filter(|m| m.name == name.as_str());
    // A member's record is scoped to their union, so its officers see who asked; a
    // non-member's to the root. The subject names the person only by a blind-index prefix.
    let scope = match held.as_ref().and_then(|m| OrgPath::parse(&m.home_path)) {
        Some(path) => path,
        None => root_scope(app.store().as_ref()).await?,
    };
    let record = NewAuditRecord {
        at: app.now(),
        actor_kind: ActorKind::Platform,
        actor_id: Some(caller.platform_id),
        actor_name: caller.platform_name.clone(),
        scope,
        action: AuditAction::MembershipVerify.code().to_owned(),
        subject: Some(match &held {
            Some(m) => format!("membership:{}", m.id),
            None => format!("person:{}", bidx.get(..12).unwrap_or(&bidx)),
        }),
        reason: Some(format!("answered member={}", held.is_some())),
        client_addr: caller.client_addr.clone(),
    };
    app.store().record_audit(&record).await?;
    Ok(VerifyAnswer { since: held.map(|m| Timestamp(m.joined_at)) })
}
