//! Service stations in the database: each owned by a union (scoping by the copied path),
//! located in GCJ-02 with a bounding-box index for the nearest search, written one by one
//! from the console or in batches from an import, and their visits counted per day. The
//! rules — what a valid station is, the growing boxes, the ranking — are
//! `huiji_core::stations`'.

mod read;
mod row;
mod visits;
mod write;

use async_trait::async_trait;
use huiji_core::geo::Gcj02;
use huiji_core::stations::{
    AmenitySet, OpeningHours, SearchBox, StationDraft, StationId, StationKind, StationPhone,
};
use huiji_core::{CivilDate, OrgId, OrgPath, RegionCode, Timestamp};

use crate::Result;
use crate::db::SqlStore;

/// A stored station.
#[derive(Clone, Debug, PartialEq)]
pub struct StationRecord {
    /// Its id (its public code is `StationCode::of(id)`).
    pub id: StationId,
    /// The owning union.
    pub org: OrgId,
    /// The owning union's path: admins above it manage the station.
    pub org_path: OrgPath,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: StationKind,
    /// Its address.
    pub address: String,
    /// The county-level division it is in.
    pub county: RegionCode,
    /// Where it is (GCJ-02).
    pub location: Gcj02,
    /// Its phone, if any.
    pub phone: Option<StationPhone>,
    /// When it opens.
    pub hours: OpeningHours,
    /// What it offers.
    pub amenities: AmenitySet,
    /// Temporarily closed.
    pub closed: bool,
    /// When it was added.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// Which stations to list (every filter optional but the subtree).
#[derive(Clone, Debug)]
pub struct StationQuery {
    /// Stations owned within this subtree (`None`: all, for the public pages).
    pub within: Option<OrgPath>,
    /// Only in this division (a county, or every county of a city or province).
    pub region: Option<RegionCode>,
    /// Only of this kind.
    pub kind: Option<StationKind>,
    /// Leave out temporarily closed ones.
    pub open_only: bool,
    /// Keyset: ids above this one.
    pub after: Option<StationId>,
    /// Page size.
    pub limit: u32,
}

/// What became of one station offered by an import.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Imported {
    /// Stored under this id.
    New(StationId),
    /// The owning union already has a station of this name (this one): nothing changed.
    Duplicate(StationId),
}

/// A day's visits at one station.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VisitDay {
    /// The day (China time).
    pub day: CivilDate,
    /// Members' visits (a card scanned by the station's staff).
    pub members: u64,
    /// Anonymous visits (the counter button).
    pub anonymous: u64,
}

/// The station figures of a subtree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StationFigures {
    /// Stations by kind (kinds with none left out), open and temporarily closed alike.
    pub by_kind: Vec<(StationKind, u64)>,
    /// Stations by county, most first.
    pub by_county: Vec<(RegionCode, u64)>,
    /// Temporarily closed stations.
    pub closed: u64,
    /// Members' visits in the period asked for.
    pub member_visits: u64,
    /// Anonymous visits in the period asked for.
    pub anonymous_visits: u64,
}

/// The stations area of the store.
#[async_trait]
pub trait StationStore: Send + Sync {
    /// Adds a station owned by `org` ([`crate::Conflict::StationNameTaken`] if the union has
    /// one of that name; `NotFound` without the union).
    async fn create_station(&self, org: OrgId, draft: &StationDraft, at: Timestamp) -> Result<StationId>;
    /// Adds stations in one transaction, each owned by its union; names the union already
    /// has are reported as duplicates and left as they are.
    async fn import_stations(&self, rows: &[(OrgId, StationDraft)], at: Timestamp) -> Result<Vec<Imported>>;
    /// Replaces a station's details (not its owner); `false` if there is no such station.
    async fn update_station(&self, id: StationId, draft: &StationDraft, at: Timestamp) -> Result<bool>;
    /// Closes a station temporarily or reopens it; `false` if there is no such station.
    async fn set_station_closed(&self, id: StationId, closed: bool, at: Timestamp) -> Result<bool>;
    /// Deletes a station and its visit counts; `false` if there was none.
    async fn delete_station(&self, id: StationId) -> Result<bool>;
    /// One station.
    async fn station(&self, id: StationId) -> Result<Option<StationRecord>>;
    /// A page of stations by id.
    async fn stations(&self, query: &StationQuery) -> Result<Vec<StationRecord>>;
    /// The open stations inside a box (the nearest search's candidates), by id: only
    /// where each is, so a large box costs little; the few nearest are then read whole
    /// with [`StationStore::stations_by_id`].
    async fn open_stations_in(
        &self,
        area: &SearchBox,
        kind: Option<StationKind>,
    ) -> Result<Vec<(StationId, Gcj02)>>;
    /// Stations by id, in id order (missing ones left out).
    async fn stations_by_id(&self, ids: &[StationId]) -> Result<Vec<StationRecord>>;
    /// Counts a visit on `day`: a member's or an anonymous one.
    async fn record_visit(&self, station: StationId, day: CivilDate, member: bool) -> Result<()>;
    /// Counts a member's visit on `day` unless the same `mark` (a keyed hash of the card's
    /// membership, station and day) was counted there that day; whether it counted.
    /// Earlier days' marks are deleted.
    async fn record_member_visit(&self, station: StationId, day: CivilDate, mark: &str) -> Result<bool>;
    /// A station's visits from `from` to `until` (inclusive), by day; days without none.
    async fn station_visits(
        &self,
        station: StationId,
        from: CivilDate,
        until: CivilDate,
    ) -> Result<Vec<VisitDay>>;
    /// The figures of the stations owned within `within`, visits from `from` to `until`.
    async fn station_figures(
        &self,
        within: &OrgPath,
        from: CivilDate,
        until: CivilDate,
    ) -> Result<StationFigures>;
    /// Refreshes the planner's statistics of the stations table (after a bulk load, so the
    /// box query keeps using its index).
    async fn analyze_stations(&self) -> Result<()>;
}

#[async_trait]
impl StationStore for SqlStore {
    async fn create_station(&self, org: OrgId, draft: &StationDraft, at: Timestamp) -> Result<StationId> {
        write::create(self, org, draft, at).await
    }

    async fn import_stations(&self, rows: &[(OrgId, StationDraft)], at: Timestamp) -> Result<Vec<Imported>> {
        write::import(self, rows, at).await
    }

    async fn update_station(&self, id: StationId, draft: &StationDraft, at: Timestamp) -> Result<bool> {
        write::update(self, id, draft, at).await
    }

    async fn set_station_closed(&self, id: StationId, closed: bool, at: Timestamp) -> Result<bool> {
        write::set_closed(self, id, closed, at).await
    }

    async fn delete_station(&self, id: StationId) -> Result<bool> {
        write::delete(self, id).await
    }

    async fn station(&self, id: StationId) -> Result<Option<StationRecord>> {
        read::one(self, id).await
    }

    async fn stations(&self, query: &StationQuery) -> Result<Vec<StationRecord>> {
        read::page(self, query).await
    }

    async fn open_stations_in(
        &self,
        area: &SearchBox,
        kind: Option<StationKind>,
    ) -> Result<Vec<(StationId, Gcj02)>> {
        read::in_box(self, area, kind).await
    }

    async fn stations_by_id(&self, ids: &[StationId]) -> Result<Vec<StationRecord>> {
        read::by_id(self, ids).await
    }

    async fn record_visit(&self, station: StationId, day: CivilDate, member: bool) -> Result<()> {
        visits::record(self, station, day, member).await
    }

    async fn record_member_visit(&self, station: StationId, day: CivilDate, mark: &str) -> Result<bool> {
        visits::record_member(self, station, day, mark).await
    }

    async fn station_visits(
        &self,
        station: StationId,
        from: CivilDate,
        until: CivilDate,
    ) -> Result<Vec<VisitDay>> {
        visits::days(self, station, from, until).await
    }

    async fn station_figures(
        &self,
        within: &OrgPath,
        from: CivilDate,
        until: CivilDate,
    ) -> Result<StationFigures> {
        read::figures(self, within, from, until).await
    }

    async fn analyze_stations(&self) -> Result<()> {
        write::analyze(self).await
    }
}
