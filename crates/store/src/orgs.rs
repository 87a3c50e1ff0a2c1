//! The union tree in the database, and the [`Store`] implementation that serves it.

use async_trait::async_trait;
use huiji_core::org::{Level, OrgKindCode};
use huiji_core::tree_plan::TreePlan;
use huiji_core::{Occupation, Org, OrgId, OrgKind, OrgPath, Timestamp};

use crate::db::{Backend, SqlStore, on_pool};
use crate::{NewOrg, OrgFilter, Result, Store, StoreError};

/// The columns an [`OrgRow`] reads; a macro so statements can be assembled with
/// `concat!` at compile time (sqlx takes only static SQL, and none is built at run time).
macro_rules! org_columns {
    () => {
        "id, parent_id, kind, level, name, region_code, occupations, turnover_pool, path, created_at"
    };
}

/// Inserted with an empty path: the path ends in the org's own id, known only after the
/// insert, and is set by [`SET_PATH`] in the same transaction.
const INSERT_ORG: &str = "INSERT INTO orgs \
    (parent_id, kind, level, name, region_code, occupations, turnover_pool, path, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8) RETURNING id";

const SET_PATH: &str = "UPDATE orgs SET path = $2 WHERE id = $1";

const PARENT_PATH: &str = "SELECT path FROM orgs WHERE id = $1";

/// Every filter is a range or an equality that is always present; an absent filter binds
/// the widest range (region codes are digits, paths digits and slashes, all below ':').
/// So one static statement serves every combination and each condition can use its index.
macro_rules! filtered {
    () => {
        "FROM orgs \
         WHERE path >= $1 AND path < $2 \
           AND region_code >= $3 AND region_code < $4 \
           AND ($5 = '' OR kind = $5) \
           AND ($6 = '' OR level = $6)"
    };
}

const SELECT_ORG: &str = concat!("SELECT ", org_columns!(), " FROM orgs WHERE id = $1");

const SELECT_ORGS: &str = concat!(
    "SELECT ",
    org_columns!(),
    " ",
    filtered!(),
    " AND id > $7 ORDER BY id LIMIT $8"
);

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
            region: row
                .region_code
                .parse()
                .map_err(|_| corrupt("region_code"))?,
            occupations,
            turnover_pool: row.turnover_pool,
            path: OrgPath::parse(&row.path).ok_or_else(|| corrupt("path"))?,
            created_at: Timestamp(row.created_at),
            name: row.name,
        })
    }
}

fn occupation_list(occupations: &[Occupation]) -> String {
    occupations
        .iter()
        .map(|o| o.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// The bind values of the `filtered!()` conditions, in placeholder order.
struct FilterBinds {
    path_from: String,
    path_to: String,
    region_from: String,
    region_to: String,
    kind: &'static str,
    level: &'static str,
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
        }
    }
}

/// Inserts one org and sets its path, inside the caller's transaction.
macro_rules! insert_org {
    ($tx:expr, $org:expr, $at:expr) => {{
        let org: &NewOrg = $org;
        let parent_path = match org.parent {
            Some(parent) => {
                let path: Option<String> = sqlx::query_scalar(PARENT_PATH)
                    .bind(parent.0)
                    .fetch_optional(&mut *$tx)
                    .await?;
                let path = path.ok_or(StoreError::NotFound("parent org"))?;
                Some(
                    OrgPath::parse(&path)
                        .ok_or_else(|| StoreError::Corrupt(format!("org {parent}: path")))?,
                )
            }
            None => None,
        };
        let id: i64 = sqlx::query_scalar(INSERT_ORG)
            .bind(org.parent.map(|p| p.0))
            .bind(org.kind.code().code())
            .bind(org.kind.level().map(|l| l.code()))
            .bind(org.name.as_str())
            .bind(org.region.to_string())
            .bind(occupation_list(&org.occupations))
            .bind(org.turnover_pool)
            .bind($at.millis())
            .fetch_one(&mut *$tx)
            .await?;
        let id = OrgId(id);
        let path = match parent_path {
            Some(parent) => parent.child(id),
            None => OrgPath::root(id),
        };
        sqlx::query(SET_PATH)
            .bind(id.0)
            .bind(path.as_str())
            .execute(&mut *$tx)
            .await?;
        id
    }};
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        SqlStore::backend(self)
    }

    async fn migrate(&self) -> Result<()> {
        SqlStore::migrate(self).await
    }

    async fn ping(&self) -> Result<()> {
        SqlStore::ping(self).await
    }

    async fn create_org(&self, org: &NewOrg, at: Timestamp) -> Result<Org> {
        let id = on_pool!(&self.pools, write, |pool| {
            let mut tx = pool.begin().await?;
            let id = insert_org!(tx, org, at);
            tx.commit().await?;
            id
        });
        self.org(id).await?.ok_or(StoreError::NotFound("org"))
    }

    async fn create_tree(&self, plan: &TreePlan, at: Timestamp) -> Result<Vec<OrgId>> {
        let mut ids: Vec<OrgId> = Vec::with_capacity(plan.orgs.len());
        on_pool!(&self.pools, write, |pool| {
            let mut tx = pool.begin().await?;
            for planned in &plan.orgs {
                let parent = match planned.parent {
                    Some(index) => Some(
                        *ids.get(index)
                            .ok_or(StoreError::NotFound("planned parent"))?,
                    ),
                    None => None,
                };
                let org = NewOrg {
                    parent,
                    kind: planned.kind,
                    name: planned.name.clone(),
                    region: planned.region,
                    occupations: planned.occupations.clone(),
                    turnover_pool: planned.turnover_pool,
                };
                ids.push(insert_org!(tx, &org, at));
            }
            tx.commit().await?;
        });
        Ok(ids)
    }

    async fn org(&self, id: OrgId) -> Result<Option<Org>> {
        let row: Option<OrgRow> = on_pool!(&self.pools, read, |pool| {
            sqlx::query_as(SELECT_ORG)
                .bind(id.0)
                .fetch_optional(pool)
                .await?
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
                .bind(after)
                .bind(limit)
                .fetch_all(pool)
                .await?
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
                .fetch_one(pool)
                .await?
        });
        u64::try_from(count).map_err(|_| StoreError::Corrupt("negative count".to_owned()))
    }
}
