//! Unions' contact details (migration 0014): one row per union that has any.

use std::collections::HashMap;

use async_trait::async_trait;
use huiji_core::org::UnionContact;
use huiji_core::{OrgId, OrgPath, Timestamp};

use crate::Result;
use crate::db::{Pools, SqlStore, json_ids, on_pool};

/// Whose contact details answer for a union: its own, else its nearest ancestor's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactOf {
    /// The union whose details these are.
    pub org_id: i64,
    /// Its name.
    pub org_name: String,
    /// The details.
    pub contact: UnionContact,
}

/// Unions' contact details.
#[async_trait]
pub trait ContactStore: Send + Sync {
    /// A union's own details (empty when it has none).
    async fn org_contact(&self, org: OrgId) -> Result<UnionContact>;

    /// The details a worker of the union at `path` is given: the union's own, else the
    /// nearest union above it that has any; `None` when no union on the way has any.
    async fn contact_for(&self, path: &OrgPath) -> Result<Option<ContactOf>> {
        Ok(self.contacts_for(std::slice::from_ref(path)).await?.pop().flatten())
    }

    /// [`ContactStore::contact_for`] for each of `paths`, in their order, in one read: a
    /// round of welcome SMS reads its unions' details once, not once a union (under a
    /// join burst that was about one read a welcome: the joins land all over the province).
    async fn contacts_for(&self, paths: &[OrgPath]) -> Result<Vec<Option<ContactOf>>>;

    /// Replaces a union's details.
    async fn set_org_contact(
        &self,
        org: OrgId,
        contact: &UnionContact,
        by: &str,
        at: Timestamp,
    ) -> Result<()>;
}

const OWN: &str = "SELECT address, phone, person FROM org_contacts WHERE org_id = $1";

/// The rows with any detail set among the given unions — all the unions on the paths asked
/// about, looked up by id (a handful a path) — not by a range condition on `orgs.path`,
/// which walked every union whose path sorts below the given one (~1,100 index entries in
/// the Anhui tree, for each welcome SMS). Which of a path's rows answers is chosen in
/// [`nearest`].
macro_rules! set_among {
    ($ids:literal) => {
        concat!(
            "SELECT o.id, o.name, c.address, c.phone, c.person FROM org_contacts c \
             JOIN orgs o ON o.id = c.org_id WHERE c.org_id ",
            $ids,
            " AND (c.address <> '' OR c.phone <> '' OR c.person <> '')"
        )
    };
}

/// [`set_among!`] with the ids as a JSON array.
const SET_AMONG_SQLITE: &str = set_among!("IN (SELECT value FROM json_each($1))");
/// [`set_among!`] with the ids as an array.
const SET_AMONG_PG: &str = set_among!("= ANY($1::bigint[])");

/// The deepest union on `path` with details set (the union itself first, then up).
fn nearest(path: &OrgPath, set: &HashMap<i64, ContactOf>) -> Option<ContactOf> {
    path.lineage().iter().rev().find_map(|id| set.get(&id.0)).cloned()
}

const UPSERT: &str = "INSERT INTO org_contacts (org_id, address, phone, person, updated_at, updated_by) \
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id) DO UPDATE SET address = excluded.address, \
    phone = excluded.phone, person = excluded.person, updated_at = excluded.updated_at, \
    updated_by = excluded.updated_by";

#[async_trait]
impl ContactStore for SqlStore {
    async fn org_contact(&self, org: OrgId) -> Result<UnionContact> {
        let row: Option<(String, String, String)> =
            on_pool!(&self.pools, read, |p| sqlx::query_as(OWN).bind(org.0).fetch_optional(p).await?);
        Ok(row.map(|(address, phone, person)| UnionContact { address, phone, person }).unwrap_or_default())
    }

    async fn contacts_for(&self, paths: &[OrgPath]) -> Result<Vec<Option<ContactOf>>> {
        let mut ids: Vec<i64> = paths.iter().flat_map(OrgPath::lineage).map(|id| id.0).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(vec![None; paths.len()]);
        }
        let rows: Vec<(i64, String, String, String, String)> = match &self.pools {
            Pools::Sqlite { read, .. } => {
                sqlx::query_as(SET_AMONG_SQLITE).bind(json_ids(&ids)).fetch_all(read).await?
            }
            Pools::Postgres(pool) => sqlx::query_as(SET_AMONG_PG).bind(&ids).fetch_all(pool).await?,
        };
        let set: HashMap<i64, ContactOf> = rows
            .into_iter()
            .map(|(org_id, org_name, address, phone, person)| {
                (org_id, ContactOf { org_id, org_name, contact: UnionContact { address, phone, person } })
            })
            .collect();
        Ok(paths.iter().map(|path| nearest(path, &set)).collect())
    }

    async fn set_org_contact(
        &self,
        org: OrgId,
        contact: &UnionContact,
        by: &str,
        at: Timestamp,
    ) -> Result<()> {
        on_pool!(&self.pools, write, |p| {
            sqlx::query(UPSERT)
                .bind(org.0)
                .bind(&contact.address)
                .bind(&contact.phone)
                .bind(&contact.person)
                .bind(at.millis())
                .bind(by)
                .execute(p)
                .await?;
        });
        Ok(())
    }
}
