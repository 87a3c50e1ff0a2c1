//! Adding, changing, closing and deleting stations.

use huiji_core::stations::{StationDraft, StationId, grid_cell};
use huiji_core::{OrgId, Timestamp};

use super::Imported;
use crate::db::{SqlStore, on_pool};
use crate::tx::{Tx, on_tx};
use crate::{Result, StoreError};

const ORG_PATH: &str = "SELECT path FROM orgs WHERE id = $1";

/// `ON CONFLICT DO NOTHING` so an import's duplicate names it as one, not as an error;
/// the console's single insert turns the empty answer into the typed conflict.
const INSERT: &str = "INSERT INTO stations (org_id, org_path, name, kind, address, county, lat, lng, phone, \
    hours, amenities, closed, created_at, updated_at, cell) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, FALSE, $12, $12, $13) \
    ON CONFLICT (org_id, name) DO NOTHING RETURNING id";

const EXISTING: &str = "SELECT id FROM stations WHERE org_id = $1 AND name = $2";

const UPDATE: &str = "UPDATE stations SET name = $2, kind = $3, address = $4, county = $5, lat = $6, lng = $7, \
    phone = $8, hours = $9, amenities = $10, updated_at = $11, cell = $12 WHERE id = $1";

const SET_CLOSED: &str = "UPDATE stations SET closed = $2, updated_at = $3 WHERE id = $1";

const DELETE_VISITS: &str = "DELETE FROM station_visits WHERE station_id = $1";
const DELETE_MARKS: &str = "DELETE FROM station_visit_marks WHERE station_id = $1";

const DELETE: &str = "DELETE FROM stations WHERE id = $1";

/// Inserts one row in `tx`: its id, or `None` when the union has the name already.
async fn insert(
    tx: &mut Tx,
    org: OrgId,
    path: &str,
    draft: &StationDraft,
    at: Timestamp,
) -> Result<Option<i64>> {
    let phone = draft.phone.as_ref().map(|p| p.as_str().to_owned());
    Ok(on_tx!(tx, |c| sqlx::query_scalar(INSERT)
        .bind(org.0)
        .bind(path)
        .bind(&draft.name)
        .bind(draft.kind.code())
        .bind(&draft.address)
        .bind(draft.county.to_string())
        .bind(draft.location.point().lat())
        .bind(draft.location.point().lng())
        .bind(&phone)
        .bind(draft.hours.to_string())
        .bind(draft.amenities.to_string())
        .bind(at.millis())
        .bind(grid_cell(draft.location))
        .fetch_optional(c)
        .await?))
}

async fn org_path(tx: &mut Tx, org: OrgId) -> Result<String> {
    let path: Option<String> =
        on_tx!(tx, |c| sqlx::query_scalar(ORG_PATH).bind(org.0).fetch_optional(c).await?);
    path.ok_or(StoreError::NotFound("owning union"))
}

pub(super) async fn create(
    store: &SqlStore,
    org: OrgId,
    draft: &StationDraft,
    at: Timestamp,
) -> Result<StationId> {
    let mut tx = store.begin_write().await?;
    let path = org_path(&mut tx, org).await?;
    let id = insert(&mut tx, org, &path, draft, at)
        .await?
        .ok_or(StoreError::Conflict(crate::Conflict::StationNameTaken))?;
    tx.commit().await?;
    Ok(StationId(id))
}

pub(super) async fn import(
    store: &SqlStore,
    rows: &[(OrgId, StationDraft)],
    at: Timestamp,
) -> Result<Vec<Imported>> {
    let mut tx = store.begin_write().await?;
    let mut paths: Vec<(OrgId, String)> = Vec::new();
    let mut outcomes = Vec::with_capacity(rows.len());
    for (org, draft) in rows {
        let path = match paths.iter().find(|(o, _)| o == org) {
            Some((_, path)) => path.clone(),
            None => {
                let path = org_path(&mut tx, *org).await?;
                paths.push((*org, path.clone()));
                path
            }
        };
        outcomes.push(match insert(&mut tx, *org, &path, draft, at).await? {
            Some(id) => Imported::New(StationId(id)),
            None => {
                let existing: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(EXISTING)
                    .bind(org.0)
                    .bind(&draft.name)
                    .fetch_one(c)
                    .await?);
                Imported::Duplicate(StationId(existing))
            }
        });
    }
    tx.commit().await?;
    Ok(outcomes)
}

pub(super) async fn update(
    store: &SqlStore,
    id: StationId,
    draft: &StationDraft,
    at: Timestamp,
) -> Result<bool> {
    let phone = draft.phone.as_ref().map(|p| p.as_str().to_owned());
    let changed = on_pool!(&store.pools, write, |p| sqlx::query(UPDATE)
        .bind(id.0)
        .bind(&draft.name)
        .bind(draft.kind.code())
        .bind(&draft.address)
        .bind(draft.county.to_string())
        .bind(draft.location.point().lat())
        .bind(draft.location.point().lng())
        .bind(&phone)
        .bind(draft.hours.to_string())
        .bind(draft.amenities.to_string())
        .bind(at.millis())
        .bind(grid_cell(draft.location))
        .execute(p)
        .await?
        .rows_affected());
    Ok(changed > 0)
}

pub(super) async fn set_closed(store: &SqlStore, id: StationId, closed: bool, at: Timestamp) -> Result<bool> {
    let changed = on_pool!(&store.pools, write, |p| sqlx::query(SET_CLOSED)
        .bind(id.0)
        .bind(closed)
        .bind(at.millis())
        .execute(p)
        .await?
        .rows_affected());
    Ok(changed > 0)
}

pub(super) async fn delete(store: &SqlStore, id: StationId) -> Result<bool> {
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, |c| sqlx::query(DELETE_VISITS).bind(id.0).execute(c).await?.rows_affected());
    on_tx!(&mut tx, |c| sqlx::query(DELETE_MARKS).bind(id.0).execute(c).await?.rows_affected());
    let deleted = on_tx!(&mut tx, |c| sqlx::query(DELETE).bind(id.0).execute(c).await?.rows_affected());
    tx.commit().await?;
    Ok(deleted > 0)
}

pub(super) async fn analyze(store: &SqlStore) -> Result<()> {
    on_pool!(&store.pools, write, |p| sqlx::query("ANALYZE stations").execute(p).await?.rows_affected());
    Ok(())
}
