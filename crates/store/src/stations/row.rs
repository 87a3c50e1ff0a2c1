//! A `stations` row read back into core types.

use huiji_core::geo::Gcj02;
use huiji_core::stations::{AmenitySet, OpeningHours, StationId, StationKind, StationPhone};
use huiji_core::{OrgId, OrgPath, Timestamp};

use super::StationRecord;
use crate::{Result, StoreError};

/// The start of every read: the columns in [`StationRow`]'s order (a macro so that
/// statements are whole `const` strings, never formatted at run time).
macro_rules! station_columns {
    () => {
        "SELECT id, org_id, org_path, name, kind, address, county, lat, lng, phone, hours, amenities, closed, \
         created_at, updated_at FROM stations "
    };
}
pub(super) use station_columns;

#[derive(sqlx::FromRow)]
pub(super) struct StationRow {
    id: i64,
    org_id: i64,
    org_path: String,
    name: String,
    kind: String,
    address: String,
    county: String,
    lat: f64,
    lng: f64,
    phone: Option<String>,
    hours: String,
    amenities: String,
    closed: bool,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<StationRow> for StationRecord {
    type Error = StoreError;

    fn try_from(row: StationRow) -> Result<StationRecord> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("station {}: {what}", row.id));
        Ok(StationRecord {
            id: StationId(row.id),
            org: OrgId(row.org_id),
            org_path: OrgPath::parse(&row.org_path).ok_or_else(|| corrupt("org_path"))?,
            kind: row.kind.parse::<StationKind>().map_err(|_| corrupt("kind"))?,
            county: row.county.parse().map_err(|_| corrupt("county"))?,
            location: Gcj02::new(row.lat, row.lng).map_err(|_| corrupt("location"))?,
            phone: match row.phone.as_deref() {
                None => None,
                Some(text) => Some(StationPhone::parse(text).ok_or_else(|| corrupt("phone"))?),
            },
            hours: OpeningHours::parse(&row.hours).map_err(|_| corrupt("hours"))?,
            amenities: AmenitySet::parse_codes(&row.amenities).map_err(|_| corrupt("amenities"))?,
            name: row.name,
            address: row.address,
            closed: row.closed,
            created_at: Timestamp(row.created_at),
            updated_at: Timestamp(row.updated_at),
        })
    }
}

/// Decodes rows.
pub(super) fn records(rows: Vec<StationRow>) -> Result<Vec<StationRecord>> {
    rows.into_iter().map(StationRecord::try_from).collect()
}
