//! The operator's side of the rollups: rebuild them from the base tables, or check them
//! against a recount (`huiji stats verify`, which exits non-zero on any difference).

use huiji_store::{StatsMismatch, StoreError};

use crate::App;

/// Every difference between the rollups and a recount from the base tables.
///
/// # Errors
///
/// The store's.
pub async fn verify(app: &App) -> Result<Vec<StatsMismatch>, StoreError> {
    app.store().verify_stats().await
}

/// Replaces the rollups with a recount (after a restore or a repair).
///
/// # Errors
///
/// The store's.
pub async fn rebuild(app: &App) -> Result<(), StoreError> {
    app.store().rebuild_stats().await
}
