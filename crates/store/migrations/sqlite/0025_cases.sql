-- Legal-aid cases (issue 16, 法律援助/维权): what a worker files on /legal, the
-- federation of the work region that handles it (its path copied so "cases of this
-- subtree" is one index range), the deadlines core computed in working time when it was
-- filed, how it ended, the worker's rating, and every step as an event.
--
-- The description, the officers' notes and the mobile may hold personal data: a purge
-- past the retention period empties them once a case has ended (purged_at), keeping
-- the category, region, amounts, outcome and dates the figures count.

CREATE TABLE cases (
    id                INTEGER PRIMARY KEY,
    category          TEXT NOT NULL
        CONSTRAINT cases_category_check CHECK (category IN ('wage_arrears', 'work_injury',
            'labour_contract', 'platform_rules', 'traffic_accident', 'insurance', 'other')),
    -- The employer or platform, as the worker named it.
    party             TEXT,
    -- The amount involved, in fen (分).
    amount_fen        INTEGER CONSTRAINT cases_amount_check CHECK (amount_fen >= 0),
    -- County-level work region (GB/T 2260).
    region_code       TEXT NOT NULL,
    description       TEXT,
    mobile_ct         BLOB NOT NULL,
    mobile_bidx       TEXT NOT NULL,
    -- The federation handling it now (the work region's, or a parent after escalation).
    org_id            INTEGER NOT NULL REFERENCES orgs (id),
    org_path          TEXT NOT NULL,
    -- The officer it is assigned to.
    assignee_id       INTEGER REFERENCES users (id),
    status            TEXT NOT NULL
        CONSTRAINT cases_status_check CHECK (status IN ('submitted', 'accepted', 'in_progress', 'closed',
            'withdrawn')),
    submitted_at      INTEGER NOT NULL,
    -- huiji_core::case::CaseDeadlines at filing: first response (working time) and
    -- resolution (calendar days).
    response_due      INTEGER NOT NULL,
    resolution_due    INTEGER NOT NULL,
    first_response_at INTEGER,
    ended_at          INTEGER,
    outcome           TEXT
        CONSTRAINT cases_outcome_check CHECK (outcome IN ('recovered', 'settled', 'referred', 'withdrawn',
            'not_supported')),
    recovered_fen     INTEGER CONSTRAINT cases_recovered_check CHECK (recovered_fen >= 0),
    rating            INTEGER CONSTRAINT cases_rating_check CHECK (rating BETWEEN 1 AND 5),
    rated_at          INTEGER,
    -- The last deadline whose miss moved the case up: each deadline escalates it once.
    escalated_for     TEXT
        CONSTRAINT cases_escalated_for_check CHECK (escalated_for IN ('first_response', 'resolution')),
    escalated_at      INTEGER,
    purged_at         INTEGER,
    CONSTRAINT cases_outcome_amount_check CHECK ((outcome = 'recovered') = (recovered_fen IS NOT NULL)),
    CONSTRAINT cases_ended_check CHECK ((status IN ('closed', 'withdrawn')) = (ended_at IS NOT NULL))
);
CREATE INDEX cases_org_path_idx ON cases (org_path, id);
CREATE INDEX cases_mobile_idx ON cases (mobile_bidx, id);
CREATE INDEX cases_open_due_idx ON cases (resolution_due)
    WHERE status IN ('submitted', 'accepted', 'in_progress');
CREATE INDEX cases_ended_idx ON cases (ended_at) WHERE purged_at IS NULL;

-- Every step of a case, in order: who did what, when.
CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    at          INTEGER NOT NULL,
    -- 'user:NAME', 'worker' or 'system'.
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL
        CONSTRAINT case_events_kind_check CHECK (kind IN ('submit', 'accept', 'assign', 'step', 'close',
            'withdraw', 'rate', 'escalate')),
    step        TEXT
        CONSTRAINT case_events_step_check CHECK (step IN ('consultation', 'mediation', 'arbitration',
            'litigation', 'referral_lawyer', 'referral_inspectorate')),
    -- The officer's note (personal data: purged with the case).
    note        TEXT,
    -- The handling federation after the event (submit, escalate).
    org_id      INTEGER REFERENCES orgs (id),
    -- The officer assigned (assign).
    assignee_id INTEGER REFERENCES users (id),
    CONSTRAINT case_events_step_kind_check CHECK ((kind = 'step') = (step IS NOT NULL))
);
CREATE INDEX case_events_case_idx ON case_events (case_id, id);
