//! Real-name rosters (实名制花名册): an officer or the operator imports the lists
//! departments and platforms hand the federation ([`import`]); every entry is matched
//! against memberships and applications and kept current by the join and review
//! transactions; `roster_only` unions approve listed applicants at once ([`on_roster`]);
//! officers see their subtree's coverage and reach its non-members ([`coverage`]).

pub mod coverage;
pub mod import;
pub mod jobs;
mod part;
mod phases;
pub mod progress;
mod read;
mod report;
mod spill;

use huiji_core::Org;
use huiji_core::roster::roster_counts_for;
use huiji_store::{Conflict, RosterMatch, StoreError};

use crate::App;

/// Why a roster use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// No such union or import — or one outside what the actor may see.
    #[error("not found")]
    NotFound,
    /// The actor may see it but not do this (a viewer importing, an export without
    /// `pii.reveal`).
    #[error("not allowed")]
    Forbidden,
    /// The source is empty or longer than 60 characters.
    #[error("the source must be 1 to 60 characters")]
    InvalidSource,
    /// An export was asked for without a reason.
    #[error("a reason is required")]
    ReasonRequired,
    /// The file cannot be read at all (no ID-number column, a damaged workbook, …).
    #[error("{0}")]
    File(#[from] huiji_tabular::Error),
    /// The error report could not be written.
    #[error("report: {0}")]
    Report(#[source] std::io::Error),
    /// Sealing or opening a personal value failed.
    #[error("vault: {0}")]
    Vault(#[from] huiji_vault::VaultError),
    /// An internal failure (a reading task that died).
    #[error("internal: {0}")]
    Internal(String),
    /// The database failed.
    #[error("{0}")]
    Store(StoreError),
}

impl From<StoreError> for RosterError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(Conflict::RosterSourceInvalid) => RosterError::InvalidSource,
            StoreError::NotFound(_) => RosterError::NotFound,
            other => RosterError::Store(other),
        }
    }
}

/// The rosters that list a person (by the ID number's blind index) and count for an
/// application received by `receiving` under `roster_only`: imported by it, a union
/// above it or one below it. Empty when none does.
///
/// # Errors
///
/// The store's.
pub async fn on_roster(
    app: &App,
    id_number_bidx: &str,
    receiving: &Org,
) -> Result<Vec<RosterMatch>, StoreError> {
    let matches = app.store().roster_matches(id_number_bidx).await?;
    Ok(matches.into_iter().filter(|m| roster_counts_for(&m.org_path, &receiving.path)).collect())
}

/// The rosters that count for an application received by the union `receiving` (see
/// [`on_roster`]): what its review page shows (source, import date).
///
/// # Errors
///
/// The store's.
pub async fn application_matches(
    app: &App,
    id_number_bidx: &str,
    receiving: huiji_core::OrgId,
) -> Result<Vec<RosterMatch>, StoreError> {
    match app.store().org(receiving).await? {
        Some(org) => on_roster(app, id_number_bidx, &org).await,
        None => Ok(Vec::new()),
    }
}
