//! Reading stations: one, a page of a subtree, a box's open ones, and the figures.

use huiji_core::geo::Gcj02;
use huiji_core::stations::{SearchBox, StationId, StationKind};
use huiji_core::{CivilDate, OrgPath, RegionCode};
use sqlx::QueryBuilder;

use super::row::{StationRow, records, station_columns};
use super::{StationFigures, StationQuery, StationRecord};
use crate::db::{SqlStore, on_pool};
use crate::{Result, StoreError};

/// Every filter is a range or an equality that is always bound; an absent one binds the
/// widest range (region codes are digits, all below ':'), so one statement serves all.
const PAGE: &str = concat!(
    station_columns!(),
    "WHERE org_path >= $1 AND org_path < $2 AND county >= $3 AND county < $4 AND ($5 = '' OR kind = $5) \
     AND ($6 = FALSE OR closed = FALSE) AND id > $7 ORDER BY id LIMIT $8"
);

const ONE: &str = concat!(station_columns!(), "WHERE id = $1");

/// The box query: a latitude range on the index, longitude checked from the same index;
/// only the id and the position, so even a large box is cheap to read.
const IN_BOX: &str = "SELECT id, lat, lng FROM stations \
    WHERE lat >= $1 AND lat <= $2 AND lng >= $3 AND lng <= $4 AND closed = FALSE AND ($5 = '' OR kind = $5) \
    ORDER BY id";

const BY_KIND: &str =
    "SELECT kind, COUNT(*) FROM stations WHERE org_path >= $1 AND org_path < $2 GROUP BY kind";

const BY_COUNTY: &str =
    "SELECT county, COUNT(*) FROM stations WHERE org_path >= $1 AND org_path < $2 GROUP BY county";

const CLOSED: &str = "SELECT COUNT(*) FROM stations WHERE org_path >= $1 AND org_path < $2 AND closed = TRUE";

const VISITS: &str = "SELECT CAST(COALESCE(SUM(v.members), 0) AS BIGINT), \
    CAST(COALESCE(SUM(v.anonymous), 0) AS BIGINT) \
    FROM station_visits v JOIN stations s ON s.id = v.station_id \
    WHERE s.org_path >= $1 AND s.org_path < $2 AND v.day >= $3 AND v.day <= $4";

pub(super) async fn one(store: &SqlStore, id: StationId) -> Result<Option<StationRecord>> {
    let row: Option<StationRow> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(ONE).bind(id.0).fetch_optional(p).await?);
    row.map(StationRecord::try_from).transpose()
}

/// The bounds of a region's codes: `3401` covers `340100` up to `3401:`.
fn region_bounds(region: Option<RegionCode>) -> (String, String) {
    match region {
        Some(code) => {
            let code = code.to_string();
            let until = format!("{code}:");
            (code, until)
        }
        None => (String::new(), ":".to_owned()),
    }
}

pub(super) async fn page(store: &SqlStore, query: &StationQuery) -> Result<Vec<StationRecord>> {
    let (from, until) = region_bounds(query.region);
    let kind = query.kind.map_or("", StationKind::code);
    // Paths are digits and slashes, all below ':'.
    let (low, high) = query.within.as_ref().map_or_else(
        || (String::new(), ":".to_owned()),
        |p| (p.as_str().to_owned(), p.subtree_upper_bound()),
    );
    let rows: Vec<StationRow> = on_pool!(&store.pools, read, |p| sqlx::query_as(PAGE)
        .bind(&low)
        .bind(&high)
        .bind(&from)
        .bind(&until)
        .bind(kind)
        .bind(query.open_only)
        .bind(query.after.map_or(0, |id| id.0))
        .bind(i64::from(query.limit))
        .fetch_all(p)
        .await?);
    records(rows)
}

pub(super) async fn in_box(
    store: &SqlStore,
    area: &SearchBox,
    kind: Option<StationKind>,
) -> Result<Vec<(StationId, Gcj02)>> {
    let kind = kind.map_or("", StationKind::code);
    let rows: Vec<(i64, f64, f64)> = match area.cells() {
        Some(cells) => in_cells(store, area, kind, &cells).await?,
        None => on_pool!(&store.pools, read, |p| sqlx::query_as(IN_BOX)
            .bind(area.min_lat)
            .bind(area.max_lat)
            .bind(area.min_lng)
            .bind(area.max_lng)
            .bind(kind)
            .fetch_all(p)
            .await?),
    };
    rows.into_iter()
        .map(|(id, lat, lng)| {
            let at =
                Gcj02::new(lat, lng).map_err(|_| StoreError::Corrupt(format!("station {id}: location")))?;
            Ok((StationId(id), at))
        })
        .collect()
}

/// The box query over the listed grid cells: the cell index narrows to about the box's
/// own stations, and holds every column the condition needs.
async fn in_cells(
    store: &SqlStore,
    area: &SearchBox,
    kind: &str,
    cells: &[i64],
) -> Result<Vec<(i64, f64, f64)>> {
    Ok(on_pool!(&store.pools, read, |p| {
        let mut qb = QueryBuilder::new("SELECT id, lat, lng FROM stations WHERE cell IN (");
        let mut list = qb.separated(", ");
        for cell in cells {
            list.push_bind(*cell);
        }
        qb.push(") AND lat >= ").push_bind(area.min_lat);
        qb.push(" AND lat <= ").push_bind(area.max_lat);
        qb.push(" AND lng >= ").push_bind(area.min_lng);
        qb.push(" AND lng <= ").push_bind(area.max_lng);
        qb.push(" AND closed = FALSE");
        if !kind.is_empty() {
            qb.push(" AND kind = ").push_bind(kind.to_owned());
        }
        qb.push(" ORDER BY id");
        qb.build_query_as().fetch_all(p).await?
    }))
}

pub(super) async fn by_id(store: &SqlStore, ids: &[StationId]) -> Result<Vec<StationRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<StationRow> = on_pool!(&store.pools, read, |p| {
        let mut qb = QueryBuilder::new(station_columns!());
        qb.push("WHERE id IN (");
        let mut list = qb.separated(", ");
        for id in ids {
            list.push_bind(id.0);
        }
        qb.push(") ORDER BY id");
        qb.build_query_as().fetch_all(p).await?
    });
    records(rows)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(super) async fn figures(
    store: &SqlStore,
    within: &OrgPath,
    from: CivilDate,
    until: CivilDate,
) -> Result<StationFigures> {
    let (low, high) = (within.as_str(), within.subtree_upper_bound());
    let kinds: Vec<(String, i64)> =
        on_pool!(&store.pools, read, |p| sqlx::query_as(BY_KIND).bind(low).bind(&high).fetch_all(p).await?);
    let counties: Vec<(String, i64)> = on_pool!(&store.pools, read, |p| sqlx::query_as(BY_COUNTY)
        .bind(low)
        .bind(&high)
        .fetch_all(p)
        .await?);
    let closed: i64 = on_pool!(&store.pools, read, |p| sqlx::query_scalar(CLOSED)
        .bind(low)
        .bind(&high)
        .fetch_one(p)
        .await?);
    let (members, anonymous): (i64, i64) = on_pool!(&store.pools, read, |p| sqlx::query_as(VISITS)
        .bind(low)
        .bind(&high)
        .bind(from.to_string())
        .bind(until.to_string())
        .fetch_one(p)
        .await?);
    let mut by_kind = kinds
        .into_iter()
        .map(|(kind, n)| {
            let kind = kind
                .parse::<StationKind>()
                .map_err(|_| StoreError::Corrupt(format!("station kind {kind:?}")))?;
            Ok((kind, count(n)))
        })
        .collect::<Result<Vec<_>>>()?;
    // In the code's order, not either database's.
    by_kind.sort();
    let mut by_county = counties
        .into_iter()
        .map(|(county, n)| {
            let code = county
                .parse::<RegionCode>()
                .map_err(|_| StoreError::Corrupt(format!("station county {county:?}")))?;
            Ok((code, count(n)))
        })
        .collect::<Result<Vec<_>>>()?;
    by_county.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.to_string().cmp(&b.0.to_string())));
    Ok(StationFigures {
        by_kind,
        by_county,
        closed: count(closed),
        member_visits: count(members),
        anonymous_visits: count(anonymous),
    })
}
