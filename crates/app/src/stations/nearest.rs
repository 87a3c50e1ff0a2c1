//! The nearest open stations to a worker: the phone's WGS-84 position converted to
//! GCJ-02 (the stations' datum), then boxes of growing radius asked of the store's
//! indexed range query (positions only) until one surely holds the k nearest, ranked by
//! great-circle distance; only those k are then read whole. Without a position, a
//! county's (or city's) open stations, nearest first to the division's centre.

use std::collections::HashMap;

use huiji_core::RegionCode;
use huiji_core::geo::Wgs84;
use huiji_core::stations::{
    FIRST_RADIUS_M, LAST_RADIUS_M, MAX_RESULTS, SearchBox, StationId, StationKind, centre, next_radius, rank,
    settled,
};
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
    let mut radius = FIRST_RADIUS_M;
    let ranked = loop {
        let candidates = app.store().open_stations_in(&SearchBox::around(center, radius), kind).await?;
        let found = candidates.len();
        let ranked = rank(center, candidates, limit);
        if settled(&ranked, limit, radius) || radius >= LAST_RADIUS_M {
            break ranked;
        }
        radius = next_radius(radius, found, &ranked, limit);
    };
    let ids: Vec<StationId> = ranked.iter().map(|(id, _)| *id).collect();
    let mut records: HashMap<StationId, StationRecord> =
        app.store().stations_by_id(&ids).await?.into_iter().map(|s| (s.id, s)).collect();
    // A station deleted between the two reads is left out.
    Ok(ranked
        .into_iter()
        .filter_map(|(id, distance_m)| records.remove(&id).map(|station| Nearby { station, distance_m }))
        .collect())
}

/// Stations of one division read to find its centre: more than any county holds (the
/// national 186,100 over 2,978 counties is 62 each); a city's larger set is sampled by id,
/// which still places its centre.
const DIVISION_STATIONS: u32 = 2_000;

/// Up to `limit` (1–50) open stations in a division (a county, or a city's counties),
/// optionally of one kind, nearest first to the division's centre with their distance
/// from it: what `/stations?county=CODE` shows without a position. The centre is the
/// mean of the division's open stations of every kind ([`centre`]): no table of county
/// seats is compiled in.
///
/// # Errors
///
/// The store's.
pub async fn in_region(
    app: &App,
    region: RegionCode,
    limit: usize,
    kind: Option<StationKind>,
) -> Result<Vec<Nearby>, StationError> {
    let query = StationQuery {
        within: None,
        region: Some(region),
        kind: None,
        open_only: true,
        after: None,
        limit: DIVISION_STATIONS,
    };
    let all = app.store().stations(&query).await?;
    let Some(centre) = centre(&all.iter().map(|s| s.location).collect::<Vec<_>>()) else {
        return Ok(Vec::new());
    };
    let candidates = all
        .into_iter()
        .filter(|s| kind.is_none_or(|k| s.kind == k))
        .map(|s| {
            let at = s.location;
            (s, at)
        })
        .collect();
    Ok(rank(centre, candidates, limit.clamp(1, MAX_RESULTS))
        .into_iter()
        .map(|(station, distance_m)| Nearby { station, distance_m })
        .collect())
}
