//! Visits per station and day: one row per day, incremented in place.

use huiji_core::CivilDate;
use huiji_core::stations::StationId;

use super::VisitDay;
use crate::db::{SqlStore, on_pool};
use crate::{Result, StoreError};

/// One statement for both counters: the first visit of a day inserts the row, later ones
/// add to it, so concurrent taps never lose a count.
const RECORD: &str = "INSERT INTO station_visits (station_id, day, members, anonymous) VALUES ($1, $2, $3, $4) \
    ON CONFLICT (station_id, day) DO UPDATE SET members = station_visits.members + excluded.members, \
    anonymous = station_visits.anonymous + excluded.anonymous";

const DAYS: &str = "SELECT day, members, anonymous FROM station_visits \
    WHERE station_id = $1 AND day >= $2 AND day <= $3 ORDER BY day";

pub(super) async fn record(store: &SqlStore, station: StationId, day: CivilDate, member: bool) -> Result<()> {
    let (members, anonymous) = if member { (1_i64, 0_i64) } else { (0, 1) };
    on_pool!(&store.pools, write, |p| sqlx::query(RECORD)
        .bind(station.0)
        .bind(day.to_string())
        .bind(members)
        .bind(anonymous)
        .execute(p)
        .await?
        .rows_affected());
    Ok(())
}

pub(super) async fn days(
    store: &SqlStore,
    station: StationId,
    from: CivilDate,
    until: CivilDate,
) -> Result<Vec<VisitDay>> {
    let rows: Vec<(String, i64, i64)> = on_pool!(&store.pools, read, |p| sqlx::query_as(DAYS)
        .bind(station.0)
        .bind(from.to_string())
        .bind(until.to_string())
        .fetch_all(p)
        .await?);
    rows.into_iter()
        .map(|(day, members, anonymous)| {
            let day = CivilDate::parse_iso(&day)
                .ok_or_else(|| StoreError::Corrupt(format!("station {station} visits: day {day:?}")))?;
            Ok(VisitDay {
                day,
                members: u64::try_from(members).unwrap_or(0),
                anonymous: u64::try_from(anonymous).unwrap_or(0),
            })
        })
        .collect()
}
