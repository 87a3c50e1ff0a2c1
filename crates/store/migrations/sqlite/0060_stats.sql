-- Statistics rollups (issue 17), kept by store::stats in the same transaction as each
-- change of a membership (join, leaving, transfer or distribution), so every figure of
-- /console/stats is a sum over a subtree's unions instead of a count over memberships.
-- `huiji gen` rebuilds them after a bulk load; `huiji stats verify` recounts them from
-- memberships, membership_events and applications.
--
-- Flows per union, day (China time, YYYYMMDD), occupation, channel (the application's;
-- 'offline' for memberships loaded without one), platform (0 unless the channel is
-- 'platform') and peer union (the other end of a move; 0 for joins and leavings, so a
-- subtree's transfers in from outside are the moves whose peer lies outside it).
CREATE TABLE stats_daily_flows (
    org_id      INTEGER NOT NULL REFERENCES orgs (id),
    day         INTEGER NOT NULL,
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
    CONSTRAINT stats_daily_flows_pkey PRIMARY KEY (org_id, day, occupation, channel, platform_id, peer_org_id),
    CONSTRAINT stats_daily_flows_day_check CHECK (day BETWEEN 19000101 AND 29991231)
);
CREATE INDEX stats_daily_flows_day_idx ON stats_daily_flows (day, org_id);

-- The same per month (YYYYMM): members on a past date are the members now less the
-- months after it and the days after it in its own month.
CREATE TABLE stats_monthly_flows (
    org_id      INTEGER NOT NULL REFERENCES orgs (id),
    month       INTEGER NOT NULL,
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
    CONSTRAINT stats_monthly_flows_pkey PRIMARY KEY (org_id, month, occupation, channel, platform_id, peer_org_id),
    CONSTRAINT stats_monthly_flows_month_check CHECK (month BETWEEN 190001 AND 299912)
);
CREATE INDEX stats_monthly_flows_month_idx ON stats_monthly_flows (month, org_id);

-- Memberships now per union, occupation, channel, platform and status (every status, so
-- "by status" and "by channel" need no scan; held = active + retained). Changes add signed
-- deltas through INSERT … ON CONFLICT, whose proposed row PostgreSQL checks before the
-- conflict: no CHECK (members >= 0) here; `huiji stats verify` catches any drift.
CREATE TABLE stats_memberships (
    org_id      INTEGER NOT NULL REFERENCES orgs (id),
    occupation  TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    platform_id INTEGER NOT NULL DEFAULT 0,
    status      TEXT    NOT NULL,
    members     INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT stats_memberships_pkey PRIMARY KEY (org_id, occupation, channel, platform_id, status)
);

-- Membership targets an admin sets per union, occupation ('' for all) and year.
CREATE TABLE stats_targets (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES orgs (id),
    occupation TEXT    NOT NULL DEFAULT '',
    year       INTEGER NOT NULL
        CONSTRAINT stats_targets_year_check CHECK (year BETWEEN 2000 AND 2100),
    members    INTEGER NOT NULL
        CONSTRAINT stats_targets_members_check CHECK (members BETWEEN 1 AND 100000000),
    set_by     TEXT    NOT NULL,
    set_at     INTEGER NOT NULL,
    CONSTRAINT stats_targets_org_occupation_year_key UNIQUE (org_id, occupation, year)
);

-- Review figures read a period of applications by their time of submission.
CREATE INDEX stats_applications_created_idx ON applications (created_at);

-- A database that already has members starts with its rollups recounted from the base
-- tables, as store::stats::recount does (`huiji stats verify` compares the two).
INSERT INTO stats_daily_flows (org_id, day, occupation, channel, platform_id, peer_org_id, joined,
    withdrawn, expelled, deceased, moved_in, moved_out)
SELECT e.org_id, CAST(strftime('%Y%m%d', e.at / 1000 + 28800, 'unixepoch') AS INTEGER), m.occupation,
    COALESCE(a.channel, 'offline'), CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END,
    e.peer_org_id, SUM(e.joined), SUM(e.withdrawn), SUM(e.expelled), SUM(e.deceased), SUM(e.moved_in),
    SUM(e.moved_out)
FROM (
    SELECT membership_id, at, to_org_id AS org_id, 0 AS peer_org_id, 1 AS joined, 0 AS withdrawn,
        0 AS expelled, 0 AS deceased, 0 AS moved_in, 0 AS moved_out
        FROM membership_events WHERE kind = 'joined'
    UNION ALL SELECT membership_id, at, from_org_id, 0, 0, CASE WHEN kind = 'withdraw' THEN 1 ELSE 0 END,
        CASE WHEN kind = 'expel' THEN 1 ELSE 0 END, CASE WHEN kind = 'deceased' THEN 1 ELSE 0 END, 0, 0
        FROM membership_events WHERE kind IN ('withdraw', 'expel', 'deceased')
    UNION ALL SELECT membership_id, at, to_org_id, from_org_id, 0, 0, 0, 0, 1, 0
        FROM membership_events WHERE from_org_id <> to_org_id
    UNION ALL SELECT membership_id, at, from_org_id, to_org_id, 0, 0, 0, 0, 0, 1
        FROM membership_events WHERE from_org_id <> to_org_id
) e JOIN memberships m ON m.id = e.membership_id LEFT JOIN applications a ON a.id = m.application_id
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO stats_monthly_flows (org_id, month, occupation, channel, platform_id, peer_org_id, joined,
    withdrawn, expelled, deceased, moved_in, moved_out)
SELECT org_id, day / 100, occupation, channel, platform_id, peer_org_id, SUM(joined), SUM(withdrawn),
    SUM(expelled), SUM(deceased), SUM(moved_in), SUM(moved_out)
FROM stats_daily_flows GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO stats_memberships (org_id, occupation, channel, platform_id, status, members)
SELECT m.home_org_id, m.occupation, COALESCE(a.channel, 'offline'),
    CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END, m.status, COUNT(*)
FROM memberships m LEFT JOIN applications a ON a.id = m.application_id GROUP BY 1, 2, 3, 4, 5;
