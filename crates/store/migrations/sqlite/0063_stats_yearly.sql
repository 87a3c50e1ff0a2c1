-- The flows per union and year (issue 17), kept with the daily and monthly ones in the
-- same transaction as each change (store::stats::maintain): members on a date years back
-- are the members now less the years after it, the months after it in its year and the
-- days after it in its month — a few dozen periods instead of every month since.
CREATE TABLE stats_yearly_flows (
    org_id      INTEGER NOT NULL REFERENCES orgs (id),
    year        INTEGER NOT NULL,
    occupation  TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    platform_id INTEGER NOT NULL DEFAULT 0,
    peer_org_id INTEGER NOT NULL DEFAULT 0,
    joined      INTEGER NOT NULL DEFAULT 0,
    withdrawn   INTEGER NOT NULL DEFAULT 0,
    expelled    INTEGER NOT NULL DEFAULT 0,
    deceased    INTEGER NOT NULL DEFAULT 0,
    moved_in    INTEGER NOT NULL DEFAULT 0,
    moved_out   INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT stats_yearly_flows_pkey PRIMARY KEY (org_id, year, occupation, channel, platform_id, peer_org_id),
    CONSTRAINT stats_yearly_flows_year_check CHECK (year BETWEEN 1900 AND 2999)
);
CREATE INDEX stats_yearly_flows_year_idx ON stats_yearly_flows (year, org_id);

INSERT INTO stats_yearly_flows (org_id, year, occupation, channel, platform_id, peer_org_id, joined, withdrawn,
    expelled, deceased, moved_in, moved_out)
SELECT org_id, month / 100, occupation, channel, platform_id, peer_org_id, SUM(joined), SUM(withdrawn),
    SUM(expelled), SUM(deceased), SUM(moved_in), SUM(moved_out) FROM stats_monthly_flows GROUP BY 1, 2, 3, 4, 5, 6;
