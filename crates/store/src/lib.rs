//! huiji's storage: one [`Store`] trait, implemented for SQLite (the embedded default) and
//! PostgreSQL (the system of record at scale) by [`SqlStore`].
//!
//! Both databases run the same SQL text with `$N` placeholders wherever the dialects
//! agree; where they differ, the adapter says so in one `match` arm per database. Each
//! database has its own migrations tree, embedded in the binary and run at start.

mod db;
mod error;
mod orgs;
#[cfg(feature = "testing")]
pub mod testing;

use std::fmt;

use async_trait::async_trait;
use huiji_core::org::{Level, OrgKindCode};
use huiji_core::tree_plan::TreePlan;
use huiji_core::{Occupation, Org, OrgId, OrgKind, OrgPath, RegionCode, Timestamp};

pub use db::{Backend, SqlStore};
pub use error::StoreError;

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A union to create under an existing parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrg {
    /// The union above it; `None` creates a root.
    pub parent: Option<OrgId>,
    /// Kind and level.
    pub kind: OrgKind,
    /// Official name, unique among its siblings.
    pub name: String,
    /// Where it is.
    pub region: RegionCode,
    /// Occupations served (industry federations).
    pub occupations: Vec<Occupation>,
    /// Whether it keeps a turnover pool.
    pub turnover_pool: bool,
}

/// Which orgs a listing returns. Every condition is optional; together they are ANDed.
#[derive(Clone, Debug, Default)]
pub struct OrgFilter {
    /// Only this org and its descendants (the officer's scope).
    pub within: Option<OrgPath>,
    /// Only orgs whose region lies within this division.
    pub region: Option<RegionCode>,
    /// Only orgs of this kind (any level).
    pub kind: Option<OrgKindCode>,
    /// Only federations or industry federations of this level.
    pub level: Option<Level>,
    /// Keyset pagination: only ids above this one.
    pub after: Option<OrgId>,
    /// At most this many (all when `None`).
    pub limit: Option<u32>,
}

/// Everything huiji keeps. Implementations must behave identically; the conformance
/// suite in `tests/` runs against each.
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug {
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Applies the embedded migrations that have not run yet.
    async fn migrate(&self) -> Result<()>;

    /// Checks the database answers (for `/healthz`).
    async fn ping(&self) -> Result<()>;

    /// Creates one union under its parent.
    async fn create_org(&self, org: &NewOrg, at: Timestamp) -> Result<Org>;

    /// Creates a whole tree in one transaction: all of it or nothing. Returns the new ids
    /// in plan order.
    async fn create_tree(&self, plan: &TreePlan, at: Timestamp) -> Result<Vec<OrgId>>;

    /// One union by id.
    async fn org(&self, id: OrgId) -> Result<Option<Org>>;

    /// Unions matching the filter, by id.
    async fn orgs(&self, filter: &OrgFilter) -> Result<Vec<Org>>;

    /// How many unions match the filter (ignoring `after` and `limit`).
    async fn count_orgs(&self, filter: &OrgFilter) -> Result<u64>;
}
