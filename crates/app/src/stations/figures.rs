//! The console's station figures for one union of the officer's subtree.

use huiji_core::{CivilDate, OrgId};
use huiji_store::StationFigures;

use super::StationError;
use crate::App;
use crate::actor::Actor;

/// Stations by kind and county, temporarily closed ones, and visits from `from` to
/// `until`, of the stations owned within `org`'s subtree.
///
/// # Errors
///
/// The union is missing or out of scope, or the store's.
pub async fn figures(
    app: &App,
    actor: &Actor,
    org: OrgId,
    from: CivilDate,
    until: CivilDate,
) -> Result<StationFigures, StationError> {
    let org = app.store().org(org).await?.filter(|o| actor.sees(&o.path)).ok_or(StationError::NotFound)?;
    Ok(app.store().station_figures(&org.path, from, until).await?)
}
