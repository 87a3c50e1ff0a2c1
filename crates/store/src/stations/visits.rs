//! Visits per station and day: one row per day, incremented in place. A member's visit
//! counts once per station and day: today's marks (keyed hashes, migration 0077) say
//! whose card was counted already, and earlier days' marks are deleted as they pass.

use huiji_core::CivilDate;
use huiji_core::stations::StationId;

use super::VisitDay;
use crate::db::{SqlStore, on_pool};
use crate::tx::on_tx;
use crate::{Result, StoreError};

/// One statement for both counters: the first visit of a day inserts the row, later ones
/// add to it, so concurrent taps never lose a count.
const RECORD: &str = "INSERT INTO station_visits (station_id, day, members, anonymous) VALUES ($1, $2, $3, $4) \
    ON CONFLICT (station_id, day) DO UPDATE SET members = station_visits.members + excluded.members, \
    anonymous = station_visits.anonymous + excluded.anonymous";

/// A card's first visit to a station today; nothing when it was counted already.
const FIRST_MARK: &str = "INSERT INTO station_visit_marks (station_id, day, mark) VALUES ($1, $2, $3) \
    ON CONFLICT (station_id, day, mark) DO NOTHING";
/// Earlier days' marks are forgotten: only today's are needed to count once.
const FORGET_MARKS: &str = "DELETE FROM station_visit_marks WHERE day < $1";

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

/// A member's visit, counted unless `mark` was counted at the station that day; whether
/// it counted. One transaction: the mark and the counter move together.
pub(super) async fn record_member(
    store: &SqlStore,
    station: StationId,
    day: CivilDate,
    mark: &str,
) -> Result<bool> {
    let day = day.to_string();
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, |c| {
        sqlx::query(FORGET_MARKS).bind(&day).execute(c).await?;
    });
    let first = on_tx!(&mut tx, |c| sqlx::query(FIRST_MARK)
        .bind(station.0)
        .bind(&day)
        .bind(mark)
        .execute(c)
        .await?
        .rows_affected());
    if first == 1 {
        on_tx!(&mut tx, |c| {
            sqlx::query(RECORD).bind(station.0).bind(&day).bind(1_i64).bind(0_i64).execute(c).await?;
        });
    }
    tx.commit().await?;
    Ok(first == 1)
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
