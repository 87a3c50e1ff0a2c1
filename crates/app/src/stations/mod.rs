//! Service stations: admins manage their subtree's stations (audited), an import reads a
//! CSV/XLSX file row by row with core's parser, workers find the nearest open stations,
//! a station's staff count visits, and officers see the figures.
//!
//! Officers act within their org's subtree ([`Actor`]); the public pages read any
//! station through [`public_station`] and [`nearest`].

pub mod figures;
pub mod import;
pub mod manage;
pub mod nearest;
pub mod visits;

use huiji_core::stations::{StationCode, StationFieldError, StationId};
use huiji_store::{Conflict, StationRecord, StoreError};

use crate::App;
use crate::actor::Actor;

pub use nearest::{Nearby, nearest};

/// Why a stations use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StationError {
    /// No such station or union — or one outside what the actor may see.
    #[error("not found")]
    NotFound,
    /// The actor may see it but not do this (a viewer or reviewer managing).
    #[error("not allowed")]
    Forbidden,
    /// The form's fields are not a station: every failing field.
    #[error("invalid station")]
    Invalid(Vec<StationFieldError>),
    /// The owning union already has a station of this name.
    #[error("the union already has a station of this name")]
    NameTaken,
    /// The import file cannot be read.
    #[error("{0}")]
    File(#[from] huiji_tabular::Error),
    /// An internal failure (a worker task that died).
    #[error("internal: {0}")]
    Internal(String),
    /// The database failed.
    #[error("{0}")]
    Store(StoreError),
}

impl From<StoreError> for StationError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(Conflict::StationNameTaken) => StationError::NameTaken,
            other => StationError::Store(other),
        }
    }
}

/// A station the actor may see, else [`StationError::NotFound`].
///
/// # Errors
///
/// Not found (or outside the actor's subtree), or the store's.
pub async fn station_for(app: &App, actor: &Actor, id: StationId) -> Result<StationRecord, StationError> {
    app.store().station(id).await?.filter(|s| actor.sees(&s.org_path)).ok_or(StationError::NotFound)
}

/// Any station by its public code, as `/s/{code}` shows it (temporarily closed ones too,
/// marked as such).
///
/// # Errors
///
/// Not found, or the store's.
pub async fn public_station(app: &App, code: StationCode) -> Result<StationRecord, StationError> {
    app.store().station(code.id()).await?.ok_or(StationError::NotFound)
}
