//! The union tree in the database.

use async_trait::async_trait;
use huiji_core::org::{Level, OrgKindCode};
use huiji_core::{
    AutoApproval, CreditCode, Occupation, Org, OrgId, OrgKind, OrgPath, RegionCode, Timestamp, TreePlan,
};

use crate::db::{SqlStore, on_pool};
use crate::tx::{Tx, on_tx};
use crate::{Result, StoreError};

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
    /// Its join code, for orgs that receive applications.
    pub join_code: Option<String>,
    /// An enterprise union's credit code (checked: GB 32100), unique province-wide.
    pub credit_code: Option<CreditCode>,
    /// Its auto-approval policy.
    pub auto_approval: AutoApproval,
    /// Days to review before escalation.
    pub review_days: u16,
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
    /// Only orgs whose name contains this text (issue 13: the console's search).
    pub name_contains: Option<String>,
    /// Keyset pagination: only ids above this one.
    pub after: Option<OrgId>,
    /// At most this many (all when `None`).
    pub limit: Option<u32>,
}

/// The union tree.
#[async_trait]
pub trait OrgStore: Send + Sync {
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

    /// The org behind a 一会一码 join code.
    async fn org_by_join_code(&self, code: &str) -> Result<Option<Org>>;

    /// Enterprise unions of a city (their own or one of its places') that may be an
    /// employer's: the one with the credit code when given, else those with exactly this
    /// name. Which of them the member lands at is `huiji_core::joining::employer_union`'s
    /// rule.
    async fn enterprise_unions(
        &self,
        credit_code: Option<&str>,
        name: &str,
        city: RegionCode,
    ) -> Result<Vec<Org>>;

    /// Sets a receiving org's auto-approval policy and review deadline (days).
    async fn set_review_policy(&self, org: OrgId, policy: AutoApproval, review_days: u16) -> Result<()>;

    /// Renames an org (a name taken among its siblings is `Conflict::NameTaken`).
    async fn rename_org(&self, id: OrgId, name: &str) -> Result<()>;
}

/// The columns an [`OrgRow`] reads; a macro so statements can be assembled with
/// `concat!` at compile time (sqlx takes only static SQL, and none is built at run time).
macro_rules! org_columns {
    () => {
        "id, parent_id, kind, level, name, region_code, occupations, turnover_pool, path, \
         join_code, credit_code, auto_approval, review_days, created_at"
    };
}

/// Inserted with an empty path: the path ends in the org's own id, known only after the
/// insert, and is set by [`SET_PATH`] in the same transaction.
const INSERT_ORG: &str = "INSERT INTO orgs \
    (parent_id, kind, level, name, region_code, occupations, turnover_pool, path, created_at, \
     join_code, credit_code, auto_approval, review_days) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, $10, $11, $12) RETURNING id";

pub use huiji_core::review::DEFAULT_REVIEW_DAYS;

const SET_PATH: &str = "UPDATE orgs SET path = $2 WHERE id = $1";

const SET_REVIEW_POLICY: &str = "UPDATE orgs SET auto_approval = $2, review_days = $3 WHERE id = $1";

const PARENT_PATH: &str = "SELECT path FROM orgs WHERE id = $1";

const RENAME_ORG: &str = "UPDATE orgs SET name = $2 WHERE id = $1";

/// Every filter is a range or an equality that is always present; an absent filter binds
/// the widest range (region codes are digits, paths digits and slashes, all below ':').
/// So one static statement serves every combination and each condition can use its index.
macro_rules! filtered {
    () => {
        "FROM orgs \
         WHERE path >= $1 AND path < $2 \
           AND region_code >= $3 AND region_code < $4 \
           AND ($5 = '' OR kind = $5) \
           AND ($6 = '' OR level = $6) \
           AND ($7 = '' OR name LIKE $7 ESCAPE '!')"
    };
}

const SELECT_ORG: &str = concat!("SELECT ", org_columns!(), " FROM orgs WHERE id = $1");

const SELECT_ORG_BY_JOIN_CODE: &str = concat!("SELECT ", org_columns!(), " FROM orgs WHERE join_code = $1");

/// An enterprise union by credit code, within a city's region codes (`$2`..`$3`).
const SELECT_ENTERPRISE_BY_CREDIT_CODE: &str = concat!(
    "SELECT ",
    org_columns!(),
    " FROM orgs WHERE credit_code = $1 AND kind = 'enterprise' AND region_code >= $2 AND region_code < $3"
);

/// Exact-name matching is the fallback when no credit code was given (DESIGN.md); names
/// repeat across the tree, so every match within the city is returned.
const SELECT_ENTERPRISES_BY_NAME: &str = concat!(
    "SELECT ",
    org_columns!(),
    " FROM orgs WHERE name = $1 AND kind = 'enterprise' AND region_code >= $2 AND region_code < $3 \
     ORDER BY id LIMIT 100"
);

/// The CAST: see `notices::CLAIM_SQLITE` (a join looks its unions up here on a cache miss).
const SELECT_ORGS: &str =
    concat!("SELECT ", org_columns!(), " ", filtered!(), " AND id > $8 ORDER BY id LIMIT CAST($9 AS BIGINT)");

const COUNT_ORGS: &str = concat!("SELECT COUNT(*) ", filtered!());

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: i64,
    parent_id: Option<i64>,
    kind: String,
    level: Option<String>,
    name: String,
    region_code: String,
    occupations: String,
    turnover_pool: bool,
    path: String,
    join_code: Option<String>,
    credit_code: Option<String>,
    auto_approval: String,
    review_days: i32,
    created_at: i64,
}

impl TryFrom<OrgRow> for Org {
    type Error = StoreError;

    fn try_from(row: OrgRow) -> Result<Org> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("org {}: {what}", row.id));
        let code: OrgKindCode = row.kind.parse().map_err(|_| corrupt("kind"))?;
        let level = match &row.level {
            Some(level) => Some(level.parse::<Level>().map_err(|_| corrupt("level"))?),
            None => None,
        };
        let kind = OrgKind::from_parts(code, level).ok_or_else(|| corrupt("kind and level"))?;
        let occupations = row
            .occupations
            .split(',')
            .filter(|code| !code.is_empty())
            .map(|code| code.parse::<Occupation>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| corrupt("occupations"))?;
        Ok(Org {
            id: OrgId(row.id),
            parent: row.parent_id.map(OrgId),
            kind,
            region: row.region_code.parse().map_err(|_| corrupt("region_code"))?,
            occupations,
            turnover_pool: row.turnover_pool,
            path: OrgPath::parse(&row.path).ok_or_else(|| corrupt("path"))?,
            auto_approval: row.auto_approval.parse().map_err(|_| corrupt("auto_approval"))?,
            review_days: u16::try_from(row.review_days).map_err(|_| corrupt("review_days"))?,
            join_code: row.join_code,
            credit_code: row.credit_code,
            created_at: Timestamp(row.created_at),
            name: row.name,
        })
    }
}

fn occupation_list(occupations: &[Occupation]) -> String {
    occupations.iter().map(|o| o.code()).collect::<Vec<_>>().join(",")
}

/// The bind values of the `filtered!()` conditions, in placeholder order.
struct FilterBinds {
    path_from: String,
    path_to: String,
    region_from: String,
    region_to: String,
    kind: &'static str,
    level: &'static str,
    /// A `LIKE` pattern (`!` escapes), or '' for any name.
    name: String,
}

impl FilterBinds {
    fn of(filter: &OrgFilter) -> FilterBinds {
        let (path_from, path_to) = match &filter.within {
            Some(path) => (path.as_str().to_owned(), path.subtree_upper_bound()),
            None => ("/".to_owned(), "/:".to_owned()),
        };
        let region_from = filter.region.map(|r| r.to_string()).unwrap_or_default();
        let region_to = format!("{region_from}:");
        FilterBinds {
            path_from,
            path_to,
            region_from,
            region_to,
            kind: filter.kind.map_or("", |k| k.code()),
            level: filter.level.map_or("", |l| l.code()),
            name: filter.name_contains.as_deref().map(str::trim).filter(|n| !n.is_empty()).map_or_else(
                String::new,
                |n| {
                    let escaped: String = n
                        .chars()
                        .flat_map(|c| if matches!(c, '%' | '_' | '!') { vec!['!', c] } else { vec![c] })
                        .collect();
                    format!("%{escaped}%")
                },
            ),
        }
    }
}

/// Inserts one org and sets its path, inside the caller's transaction.
async fn insert_org(tx: &mut Tx, org: &NewOrg, at: Timestamp) -> Result<OrgId> {
    let parent_path = match org.parent {
        Some(parent) => {
            let path: Option<String> =
                on_tx!(tx, |c| sqlx::query_scalar(PARENT_PATH).bind(parent.0).fetch_optional(c).await?);
            let path = path.ok_or(StoreError::NotFound("parent org"))?;
            Some(OrgPath::parse(&path).ok_or_else(|| StoreError::Corrupt(format!("org {parent}: path")))?)
        }
        None => None,
    };
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(INSERT_ORG)
        .bind(org.parent.map(|p| p.0))
        .bind(org.kind.code().code())
        .bind(org.kind.level().map(|l| l.code()))
        .bind(org.name.as_str())
        .bind(org.region.to_string())
        .bind(occupation_list(&org.occupations))
        .bind(org.turnover_pool)
        .bind(at.millis())
        .bind(org.join_code.as_deref())
        .bind(org.credit_code.as_ref().map(CreditCode::as_str))
        .bind(org.auto_approval.code())
        .bind(i32::from(org.review_days))
        .fetch_one(c)
        .await?);
    let id = OrgId(id);
    let path = match parent_path {
        Some(parent) => parent.child(id),
        None => OrgPath::root(id),
    };
    on_tx!(tx, |c| {
        sqlx::query(SET_PATH).bind(id.0).bind(path.as_str()).execute(c).await?;
    });
    Ok(id)
}

#[async_trait]
impl OrgStore for SqlStore {
    async fn create_org(&self, org: &NewOrg, at: Timestamp) -> Result<Org> {
        let mut tx = self.begin_write().await?;
        let id = insert_org(&mut tx, org, at).await?;
        tx.commit().await?;
        self.org(id).await?.ok_or(StoreError::NotFound("org"))
    }

    async fn create_tree(&self, plan: &TreePlan, at: Timestamp) -> Result<Vec<OrgId>> {
        let mut ids: Vec<OrgId> = Vec::with_capacity(plan.orgs.len());
        let mut tx = self.begin_write().await?;
        for planned in &plan.orgs {
            let parent = match planned.parent {
                Some(index) => Some(*ids.get(index).ok_or(StoreError::NotFound("planned parent"))?),
                None => None,
            };
            let org = NewOrg {
                parent,
                kind: planned.kind,
                name: planned.name.clone(),
                region: planned.region,
                occupations: planned.occupations.clone(),
                turnover_pool: planned.turnover_pool,
                join_code: planned.join_code.clone(),
                credit_code: None,
                auto_approval: planned.auto_approval,
                review_days: DEFAULT_REVIEW_DAYS,
            };
            ids.push(insert_org(&mut tx, &org, at).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn org(&self, id: OrgId) -> Result<Option<Org>> {
        let row: Option<OrgRow> = on_pool!(&self.pools, read, |pool| {
            sqlx::query_as(SELECT_ORG).bind(id.0).fetch_optional(pool).await?
        });
        row.map(Org::try_from).transpose()
    }

    async fn orgs(&self, filter: &OrgFilter) -> Result<Vec<Org>> {
        let binds = FilterBinds::of(filter);
        let after = filter.after.map_or(0, |id| id.0);
        let limit = filter.limit.map_or(i64::MAX, i64::from);
        let rows: Vec<OrgRow> = on_pool!(&self.pools, read, |pool| {
            sqlx::query_as(SELECT_ORGS)
                .bind(&binds.path_from)
                .bind(&binds.path_to)
                .bind(&binds.region_from)
                .bind(&binds.region_to)
                .bind(binds.kind)
                .bind(binds.level)
                .bind(&binds.name)
                .bind(after)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(Org::try_from).collect()
    }

    async fn org_by_join_code(&self, code: &str) -> Result<Option<Org>> {
        let row: Option<OrgRow> = on_pool!(&self.pools, read, |pool| {
            sqlx::query_as(SELECT_ORG_BY_JOIN_CODE).bind(code).fetch_optional(pool).await?
        });
        row.map(Org::try_from).transpose()
    }

    async fn enterprise_unions(
        &self,
        credit_code: Option<&str>,
        name: &str,
        city: RegionCode,
    ) -> Result<Vec<Org>> {
        let (from, to) = (city.to_string(), format!("{city}:"));
        let rows: Vec<OrgRow> = on_pool!(&self.pools, read, |pool| {
            let (statement, key) = match credit_code {
                Some(code) => (SELECT_ENTERPRISE_BY_CREDIT_CODE, code),
                None if !name.is_empty() => (SELECT_ENTERPRISES_BY_NAME, name),
                None => return Ok(Vec::new()),
            };
            sqlx::query_as(statement).bind(key).bind(&from).bind(&to).fetch_all(pool).await?
        });
        rows.into_iter().map(Org::try_from).collect()
    }

    async fn count_orgs(&self, filter: &OrgFilter) -> Result<u64> {
        let binds = FilterBinds::of(filter);
        let count: i64 = on_pool!(&self.pools, read, |pool| {
            sqlx::query_scalar(COUNT_ORGS)
                .bind(&binds.path_from)
                .bind(&binds.path_to)
                .bind(&binds.region_from)
                .bind(&binds.region_to)
                .bind(binds.kind)
                .bind(binds.level)
                .bind(&binds.name)
                .fetch_one(pool)
                .await?
        });
        u64::try_from(count).map_err(|_| StoreError::Corrupt("negative count".to_owned()))
    }

    async fn set_review_policy(&self, org: OrgId, policy: AutoApproval, review_days: u16) -> Result<()> {
        let changed = on_pool!(&self.pools, write, |pool| {
            sqlx::query(SET_REVIEW_POLICY)
                .bind(org.0)
                .bind(policy.code())
                .bind(i32::from(review_days))
                .execute(pool)
                .await?
                .rows_affected()
        });
        if changed == 0 { Err(StoreError::NotFound("org")) } else { Ok(()) }
    }

    async fn rename_org(&self, id: OrgId, name: &str) -> Result<()> {
        let changed = on_pool!(&self.pools, write, |p| sqlx::query(RENAME_ORG)
            .bind(id.0)
            .bind(name)
            .execute(p)
            .await?
            .rows_affected());
        if changed == 1 { Ok(()) } else { Err(StoreError::NotFound("org")) }
    }
}
