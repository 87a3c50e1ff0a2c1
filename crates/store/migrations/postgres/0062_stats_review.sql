-- Review figures per receiving union and China day (issue 17), kept in the same
-- transaction as each submission, decision and first escalation (store::stats::review),
-- so /console/stats sums a subtree's days instead of reading a month of applications:
-- received (submitted that day) and of those escalated since (counted on the day
-- received, when first moved up), decided that day and of those approved instantly.
CREATE TABLE stats_review_daily (
    org_id    BIGINT  NOT NULL REFERENCES orgs (id),
    day       BIGINT  NOT NULL,
    received  BIGINT  NOT NULL DEFAULT 0,
    escalated BIGINT  NOT NULL DEFAULT 0,
    decided   BIGINT  NOT NULL DEFAULT 0,
    instant   BIGINT  NOT NULL DEFAULT 0,
    CONSTRAINT stats_review_daily_pkey PRIMARY KEY (org_id, day),
    CONSTRAINT stats_review_daily_day_check CHECK (day BETWEEN 19000101 AND 29991231)
);

-- Officers' decisions per receiving union, China day decided and bucket of the time from
-- submission to decision (huiji_core::stats::review: 10 minutes up to an hour, hours up to
-- a day, 6 hours up to a week, days up to 30 days, then one bucket): the median and 90th
-- percentile come from this histogram.
CREATE TABLE stats_review_times (
    org_id    BIGINT  NOT NULL REFERENCES orgs (id),
    day       BIGINT  NOT NULL,
    bucket    BIGINT  NOT NULL,
    decisions BIGINT  NOT NULL DEFAULT 0,
    CONSTRAINT stats_review_times_pkey PRIMARY KEY (org_id, day, bucket)
);

-- A database that already has applications starts with them recounted, as
-- store::stats::review does (`huiji stats verify` compares the two).
INSERT INTO stats_review_daily (org_id, day, received, escalated, decided, instant)
SELECT org_id, day, SUM(received), SUM(escalated), SUM(decided), SUM(instant) FROM (
    SELECT receiving_org_id AS org_id, CAST(to_char(to_timestamp(created_at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYYMMDD') AS BIGINT) AS day, 1 AS received,
        CASE WHEN escalated_at IS NOT NULL THEN 1 ELSE 0 END AS escalated, 0 AS decided, 0 AS instant
        FROM applications
    UNION ALL SELECT receiving_org_id, CAST(to_char(to_timestamp(decided_at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYYMMDD') AS BIGINT), 0, 0, 1,
        CASE WHEN decided_by = 'instant' THEN 1 ELSE 0 END FROM applications WHERE decided_at IS NOT NULL
) r GROUP BY org_id, day;

INSERT INTO stats_review_times (org_id, day, bucket, decisions)
SELECT receiving_org_id, CAST(to_char(to_timestamp(decided_at / 1000 + 28800) AT TIME ZONE 'UTC', 'YYYYMMDD') AS BIGINT),
    CASE WHEN (decided_at - created_at) < 3600000 THEN (CASE WHEN (decided_at - created_at) < 0 THEN 0 ELSE (decided_at - created_at) END) / 600000 WHEN (decided_at - created_at) < 86400000 THEN 6 + ((decided_at - created_at) - 3600000) / 3600000 WHEN (decided_at - created_at) < 604800000 THEN 29 + ((decided_at - created_at) - 86400000) / 21600000 WHEN (decided_at - created_at) < 2592000000 THEN 53 + ((decided_at - created_at) - 604800000) / 86400000 ELSE 76 END,
    COUNT(*) FROM applications WHERE decided_at IS NOT NULL AND COALESCE(decided_by, '') <> 'instant'
GROUP BY 1, 2, 3;
