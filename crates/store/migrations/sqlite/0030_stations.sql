-- Service stations (issue 16): 工会服务站, 司机之家, 户外劳动者服务站, each owned by a union
-- (its path copied onto the row so "the stations of this subtree" is one index range),
-- located in GCJ-02 (what Amap's picker gives officers), with the nearest search's
-- bounding-box index; and the visits counted per station and day.

CREATE TABLE stations (
    id         INTEGER PRIMARY KEY,
    -- The owning union: admins of its subtree manage the station.
    org_id     INTEGER NOT NULL REFERENCES orgs (id),
    org_path   TEXT NOT NULL,
    name       TEXT NOT NULL CONSTRAINT stations_name_check CHECK (length(trim(name)) BETWEEN 1 AND 60),
    kind       TEXT NOT NULL
        CONSTRAINT stations_kind_check CHECK (kind IN ('service_station', 'driver_home', 'outdoor_rest_stop')),
    address    TEXT NOT NULL CONSTRAINT stations_address_check CHECK (length(trim(address)) BETWEEN 1 AND 120),
    -- The county-level division (6 digits).
    county     TEXT NOT NULL CONSTRAINT stations_county_check CHECK (length(county) = 6),
    -- GCJ-02 degrees.
    lat        REAL NOT NULL CONSTRAINT stations_lat_check CHECK (lat BETWEEN -90 AND 90),
    lng        REAL NOT NULL CONSTRAINT stations_lng_check CHECK (lng BETWEEN -180 AND 180),
    -- huiji_core::stations::grid_cell: the 0.1° cell the point lies in, for the box query.
    cell       INTEGER NOT NULL,
    phone      TEXT,
    -- huiji_core::stations::OpeningHours as stored: '24h' or '08:00-12:00,14:00-18:00'.
    hours      TEXT NOT NULL,
    -- Amenity codes, comma-separated.
    amenities  TEXT NOT NULL,
    -- Temporarily closed: kept, shown as closed, left out of the nearest search.
    closed     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- One station of a name per owning union: a second import of the same file adds nothing.
    CONSTRAINT stations_org_name_key UNIQUE (org_id, name)
);
-- The nearest search lists the grid cells its box covers and reads their stations from
-- the index alone; a box too large for a list reads a latitude range.
CREATE INDEX stations_cell_idx ON stations (cell, lat, lng, closed, kind);
CREATE INDEX stations_location_idx ON stations (lat, lng);
CREATE INDEX stations_org_path_idx ON stations (org_path, id);
CREATE INDEX stations_county_idx ON stations (county, id);

-- Visits per station and day (China time), counters only: a member's visit is counted,
-- not tied to the member, so the table says nothing about where a person goes.
CREATE TABLE station_visits (
    station_id INTEGER NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    -- YYYY-MM-DD, China time.
    day        TEXT NOT NULL,
    members    INTEGER NOT NULL DEFAULT 0 CONSTRAINT station_visits_members_check CHECK (members >= 0),
    anonymous  INTEGER NOT NULL DEFAULT 0 CONSTRAINT station_visits_anonymous_check CHECK (anonymous >= 0),
    PRIMARY KEY (station_id, day)
);
