-- Background jobs that must run once per period however many servers share the database
-- (the escalation round, the retention purge): the first instance to insert the job's
-- row for a period runs it; the others find the row and skip.
CREATE TABLE job_periods (
    job        TEXT    NOT NULL,
    period     BIGINT  NOT NULL,
    claimed_at BIGINT  NOT NULL,
    CONSTRAINT job_periods_pkey PRIMARY KEY (job, period)
);
