//! Federations' SMS signatures set in the console (migration 0053): one row per
//! federation, replaced or removed by the root's admins.

use huiji_core::{OrgId, Timestamp};

use crate::Result;
use crate::db::{SqlStore, on_pool};

const SET: &str = "INSERT INTO campaign_signatures (org_id, signature, set_by, set_at) VALUES ($1, $2, $3, $4) \
    ON CONFLICT (org_id) DO UPDATE SET signature = excluded.signature, set_by = excluded.set_by, \
    set_at = excluded.set_at";

const REMOVE: &str = "DELETE FROM campaign_signatures WHERE org_id = $1";

const ALL: &str = "SELECT org_id, signature FROM campaign_signatures ORDER BY org_id";

pub(super) async fn set(
    store: &SqlStore,
    org: OrgId,
    signature: Option<&str>,
    by: &str,
    at: Timestamp,
) -> Result<()> {
    match signature {
        Some(signature) => on_pool!(&store.pools, write, |p| {
            sqlx::query(SET).bind(org.0).bind(signature).bind(by).bind(at.millis()).execute(p).await?;
        }),
        None => on_pool!(&store.pools, write, |p| {
            sqlx::query(REMOVE).bind(org.0).execute(p).await?;
        }),
    }
    Ok(())
}

pub(super) async fn all(store: &SqlStore) -> Result<Vec<(OrgId, String)>> {
    let rows: Vec<(i64, String)> = on_pool!(&store.pools, read, |p| sqlx::query_as(ALL).fetch_all(p).await?);
    Ok(rows.into_iter().map(|(org, signature)| (OrgId(org), signature)).collect())
}
