//! Statistics (issue 17): the figures of a union's subtree for an officer who sees it
//! (`figures`), membership targets admins set and their progress (`targets`), the
//! 数据大屏 and its screen tokens (`screen`), the panels other areas' figures make
//! (`panels`: roster coverage, benefit uptake, innovation, contests), and the operator's
//! rebuild and check of the rollups (`rollups`).
//!
//! Every figure is scoped like every other console read: a union outside the officer's
//! subtree is answered exactly like one that does not exist.

pub mod figures;
pub mod panels;
pub mod rollups;
pub mod screen;
pub mod targets;

use huiji_core::{Org, OrgId};
use huiji_store::StoreError;

use crate::App;
use crate::actor::Actor;

pub use figures::{Figures, figures};

/// Why a statistics use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// No such union — or one outside what the actor may see.
    #[error("not found")]
    NotFound,
    /// The actor may see it but not do this (only admins set targets).
    #[error("not allowed")]
    Forbidden,
    /// A target outside its bounds (members 1–100,000,000; a year 2000–2100).
    #[error("invalid target")]
    InvalidTarget,
    /// A screen token's label is empty or longer than 60 characters.
    #[error("invalid label")]
    InvalidLabel,
    /// An internal failure (no randomness for a token).
    #[error("internal: {0}")]
    Internal(String),
    /// The database failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The union if the actor sees it, else [`StatsError::NotFound`].
///
/// # Errors
///
/// Not found (or outside the actor's subtree), or the store's.
pub async fn union_for(app: &App, actor: &Actor, org: OrgId) -> Result<Org, StatsError> {
    app.store().org(org).await?.filter(|o| actor.sees(&o.path)).ok_or(StatsError::NotFound)
}
