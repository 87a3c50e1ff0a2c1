//! Unions' contact details: admins of the subtree edit them (audited); workers are given
//! their home or deciding union's — or, when it has none, the nearest union's above it.

use huiji_core::audit::AuditAction;
use huiji_core::org::{ContactError, UnionContact};
use huiji_core::{OrgId, OrgPath};
use huiji_store::{ContactOf, StoreError};

use super::manage::{OrgChangeError, administered};
use crate::App;
use crate::audit::Officer;

/// Why contact details were not saved.
#[derive(Debug, thiserror::Error)]
pub enum ContactChangeError {
    /// Only admins change unions.
    #[error("only admins change unions")]
    Forbidden,
    /// No such union in the officer's subtree.
    #[error("no such union")]
    NotFound,
    /// A part was refused.
    #[error(transparent)]
    Invalid(#[from] ContactError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Saves a union's contact details as typed (each part trimmed, any may be empty); the
/// same details again change nothing and record nothing.
///
/// # Errors
///
/// Not an admin, a union outside the subtree, a refused part, or the store's.
pub async fn set_contact(
    app: &App,
    officer: &Officer,
    id: OrgId,
    address: &str,
    phone: &str,
    person: &str,
) -> Result<UnionContact, ContactChangeError> {
    let org = administered(app, officer, id).await.map_err(|e| match e {
        OrgChangeError::Forbidden => ContactChangeError::Forbidden,
        OrgChangeError::Store(e) => ContactChangeError::Store(e),
        _ => ContactChangeError::NotFound,
    })?;
    let contact = UnionContact::parse(address, phone, person)?;
    if app.store().org_contact(org.id).await? == contact {
        return Ok(contact);
    }
    let now = app.now();
    app.store().set_org_contact(org.id, &contact, &officer.actor(), now).await?;
    tracing::info!(org = %org.id, actor = %officer.actor(), "union contact details changed");
    // The details are the union's public ones, so the record may carry them.
    let change = format!("{} / {} / {}", contact.person, contact.phone, contact.address);
    let subject = format!("org:{}", org.id);
    officer
        .record(app.store().as_ref(), now, &org.path, AuditAction::OrgContact, subject, Some(change))
        .await?;
    Ok(contact)
}

/// The contact details a worker of the union `org` is given (its own or the nearest
/// union's above it); `None` when no union on the way has any, or the union is gone.
///
/// # Errors
///
/// The store's.
pub async fn contact_of(app: &App, org: OrgId) -> Result<Option<ContactOf>, StoreError> {
    match app.store().org(org).await? {
        Some(org) => contact_at(app, &org.path).await,
        None => Ok(None),
    }
}

/// [`contact_of`] for a union's path.
///
/// # Errors
///
/// The store's.
pub async fn contact_at(app: &App, path: &OrgPath) -> Result<Option<ContactOf>, StoreError> {
    app.store().contact_for(path).await
}
