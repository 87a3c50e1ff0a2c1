//! Adding, changing, closing and deleting a station: admins of the owning union's
//! subtree (and the operator) may; every change is audited in the owner's scope.

use huiji_core::OrgId;
use huiji_core::audit::AuditAction;
use huiji_core::stations::{StationCells, StationId, parse_station};
use huiji_store::{StationQuery, StationRecord};

use super::{StationError, station_for};
use crate::App;
use crate::actor::Actor;

/// Adds a station owned by `owner` from the form's fields (coordinates as GCJ-02, e.g.
/// Amap's picker text “117.227,31.820” in the longitude field).
///
/// # Errors
///
/// The owner is missing or out of scope, the actor is not its admin, a field is invalid
/// (all of them listed), the name is taken, or the store's.
pub async fn create(
    app: &App,
    actor: &Actor,
    owner: OrgId,
    cells: &StationCells<'_>,
) -> Result<StationId, StationError> {
    let org = app.store().org(owner).await?.filter(|o| actor.sees(&o.path)).ok_or(StationError::NotFound)?;
    if !actor.administers(&org.path) {
        return Err(StationError::Forbidden);
    }
    let draft = parse_station(cells, app.regions()).map_err(StationError::Invalid)?;
    let id = app.store().create_station(owner, &draft, app.now()).await?;
    actor.audit(app, &org.path, AuditAction::StationCreate, format!("station:{id} {}", draft.name)).await?;
    Ok(id)
}

/// Replaces a station's details (its owner stays).
///
/// # Errors
///
/// As [`create`].
pub async fn update(
    app: &App,
    actor: &Actor,
    id: StationId,
    cells: &StationCells<'_>,
) -> Result<(), StationError> {
    let station = station_for(app, actor, id).await?;
    if !actor.administers(&station.org_path) {
        return Err(StationError::Forbidden);
    }
    let draft = parse_station(cells, app.regions()).map_err(StationError::Invalid)?;
    if !app.store().update_station(id, &draft, app.now()).await? {
        return Err(StationError::NotFound);
    }
    actor
        .audit(app, &station.org_path, AuditAction::StationUpdate, format!("station:{id} {}", draft.name))
        .await?;
    Ok(())
}

/// Closes a station temporarily (it leaves the nearest search, its page says so) or
/// reopens it.
///
/// # Errors
///
/// Not found or out of scope, not its admin, or the store's.
pub async fn set_closed(app: &App, actor: &Actor, id: StationId, closed: bool) -> Result<(), StationError> {
    let station = station_for(app, actor, id).await?;
    if !actor.administers(&station.org_path) {
        return Err(StationError::Forbidden);
    }
    if !app.store().set_station_closed(id, closed, app.now()).await? {
        return Err(StationError::NotFound);
    }
    let what = if closed { "closed" } else { "reopened" };
    let subject = format!("station:{id} {} {what}", station.name);
    actor.audit(app, &station.org_path, AuditAction::StationUpdate, subject).await?;
    Ok(())
}

/// Deletes a station and its visit counts.
///
/// # Errors
///
/// Not found or out of scope, not its admin, or the store's.
pub async fn delete(app: &App, actor: &Actor, id: StationId) -> Result<(), StationError> {
    let station = station_for(app, actor, id).await?;
    if !actor.administers(&station.org_path) {
        return Err(StationError::Forbidden);
    }
    if !app.store().delete_station(id).await? {
        return Err(StationError::NotFound);
    }
    actor
        .audit(app, &station.org_path, AuditAction::StationDelete, format!("station:{id} {}", station.name))
        .await?;
    Ok(())
}

/// A page of the stations the actor sees; `query.within` is narrowed to the actor's
/// subtree (an officer asking for a union outside it gets nothing).
///
/// # Errors
///
/// The store's.
pub async fn list(
    app: &App,
    actor: &Actor,
    mut query: StationQuery,
) -> Result<Vec<StationRecord>, StationError> {
    if let Actor::Officer(officer) = actor {
        match &query.within {
            Some(path) if !officer.scope.contains(path) => return Ok(Vec::new()),
            Some(_) => {}
            None => query.within = Some(officer.scope.clone()),
        }
    }
    Ok(app.store().stations(&query).await?)
}
