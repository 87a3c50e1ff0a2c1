//! The nearest open stations to a worker: the phone's WGS-84 position converted to
//! GCJ-02 (the stations' datum), then boxes of growing radius asked of the store's
//! indexed range query until one surely holds the k nearest, ranked by great-circle
//! distance. Without a position, a county's (or city's) open stations.

use huiji_core::RegionCode;
use huiji_core::geo::Wgs84;
use huiji_core::stations::{MAX_RESULTS, SEARCH_RADII_M, SearchBox, StationKind, rank, settled};
use huiji_store::{StationQuery, StationRecord};

use super::StationError;
use crate::App;

/// A station and how far it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Nearby {
    /// The station.
    pub station: StationRecord,
    /// Great-circle metres from the worker's position (in GCJ-02).
    pub distance_m: f64,
}

/// The `limit` (1–50) nearest open stations to `from`, nearest first, optionally of one
/// kind. Outside China the position is used as it is (the datums agree there).
///
/// # Errors
///
/// The store's.
pub async fn nearest(
    app: &App,
    from: Wgs84,
    limit: usize,
    kind: Option<StationKind>,
) -> Result<Vec<Nearby>, StationError> {
    let limit = limit.clamp(1, MAX_RESULTS);
    let center = from.to_gcj02();
    let mut ranked = Vec::new();
    for radius in SEARCH_RADII_M {
        let candidates = app.store().open_stations_in(&SearchBox::around(center, radius), kind).await?;
        ranked = rank(
            center,
            candidates.into_iter().map(|s| (s.location, s)).map(|(at, s)| (s, at)).collect(),
            limit,
        );
        if settled(&ranked, limit, radius) {
            break;
        }
    }
    Ok(ranked.into_iter().map(|(station, distance_m)| Nearby { station, distance_m }).collect())
}

/// Up to `limit` (1–50) open stations in a division (a county, or a city's counties), by
/// id, optionally of one kind: what `/stations?county=CODE` shows without a position.
///
/// # Errors
///
/// The store's.
pub async fn in_region(
    app: &App,
    region: RegionCode,
    limit: usize,
    kind: Option<StationKind>,
) -> Result<Vec<StationRecord>, StationError> {
    let query = StationQuery {
        within: None,
        region: Some(region),
        kind,
        open_only: true,
        after: None,
        limit: u32::try_from(limit.clamp(1, MAX_RESULTS)).unwrap_or(1),
    };
    Ok(app.store().stations(&query).await?)
}
