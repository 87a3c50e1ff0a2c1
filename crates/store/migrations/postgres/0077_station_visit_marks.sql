-- A member card scanned twice at one station on one day counts once (issue 16): the
-- staff's second scan (a double tap, a member back after lunch) no longer inflates the
-- station's member visits. The anonymous counter is unchanged: it counts each press.
-- A mark is a keyed hash of the membership with the station and the day in it (the key
-- is the vault's signing key, so it cannot be reversed or linked across stations or days
-- without it) — the pattern of 0065's scan visitors. Only today's marks are kept: each
-- member visit deletes the earlier days', so no trace of who came outlives the day and
-- `station_visits` stays counters only.
CREATE TABLE station_visit_marks (
    station_id BIGINT NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    -- YYYY-MM-DD, China time (as station_visits.day).
    day        TEXT COLLATE "C" NOT NULL,
    -- Hex of the keyed hash.
    mark       TEXT NOT NULL,
    CONSTRAINT station_visit_marks_key PRIMARY KEY (station_id, day, mark)
);
CREATE INDEX station_visit_marks_day_idx ON station_visit_marks (day);
