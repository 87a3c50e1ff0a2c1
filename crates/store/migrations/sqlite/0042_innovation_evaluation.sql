-- 创新成果评选: calls (window, categories, weighted criteria, the award plan), entries with
-- small attachments kept in the database, judges, blind scores, recusals, and the result
-- written when an admin closes the call.

CREATE TABLE innovation_calls (
    id          INTEGER PRIMARY KEY,
    -- The organising union: entries come from its subtree; its admins run the call.
    org_id      INTEGER NOT NULL REFERENCES orgs (id),
    org_path    TEXT NOT NULL,
    title       TEXT NOT NULL
        CONSTRAINT innovation_calls_title_check CHECK (length(title) BETWEEN 1 AND 100),
    -- One category per line.
    categories  TEXT NOT NULL,
    -- Entries are taken from opens_on to closes_on, both included (ISO dates, China time).
    opens_on    TEXT NOT NULL,
    closes_on   TEXT NOT NULL,
    first_prizes      INTEGER NOT NULL DEFAULT 0,
    second_prizes     INTEGER NOT NULL DEFAULT 0,
    third_prizes      INTEGER NOT NULL DEFAULT 0,
    excellence_awards INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'open'
        CONSTRAINT innovation_calls_status_check CHECK (status IN ('open', 'closed')),
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    closed_by   TEXT,
    closed_at   INTEGER,
    CONSTRAINT innovation_calls_window_check CHECK (opens_on <= closes_on),
    CONSTRAINT innovation_calls_plan_check
        CHECK (first_prizes >= 0 AND second_prizes >= 0 AND third_prizes >= 0 AND excellence_awards >= 0)
);
CREATE INDEX innovation_calls_path_idx ON innovation_calls (org_path, id);

CREATE TABLE innovation_criteria (
    call_id  INTEGER NOT NULL REFERENCES innovation_calls (id),
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    weight   INTEGER NOT NULL
        CONSTRAINT innovation_criteria_weight_check CHECK (weight BETWEEN 1 AND 100),
    PRIMARY KEY (call_id, position)
);

CREATE TABLE innovation_entries (
    id           INTEGER PRIMARY KEY,
    call_id      INTEGER NOT NULL REFERENCES innovation_calls (id),
    category     TEXT NOT NULL,
    title        TEXT NOT NULL
        CONSTRAINT innovation_entries_title_check CHECK (length(title) BETWEEN 1 AND 100),
    summary      TEXT NOT NULL DEFAULT '',
    -- Who entered it: never shown to a judge.
    authors      TEXT NOT NULL,
    studio_id    INTEGER REFERENCES innovation_studios (id),
    org_id       INTEGER NOT NULL REFERENCES orgs (id),
    org_path     TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    -- The result, written when the call closes (scores in hundredths of a point).
    score        INTEGER,
    judges       INTEGER,
    rank         INTEGER,
    award        TEXT
        CONSTRAINT innovation_entries_award_check CHECK (award IN ('first', 'second', 'third', 'excellence')),
    CONSTRAINT innovation_entries_call_title_key UNIQUE (call_id, title)
);
CREATE INDEX innovation_entries_path_idx ON innovation_entries (org_path, id);

CREATE TABLE innovation_attachments (
    id         INTEGER PRIMARY KEY,
    entry_id   INTEGER NOT NULL REFERENCES innovation_entries (id),
    file_name  TEXT NOT NULL,
    kind       TEXT NOT NULL
        CONSTRAINT innovation_attachments_kind_check CHECK (kind IN ('pdf', 'png', 'jpeg')),
    size       INTEGER NOT NULL
        CONSTRAINT innovation_attachments_size_check CHECK (size BETWEEN 1 AND 5242880),
    content    BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX innovation_attachments_entry_idx ON innovation_attachments (entry_id, id);

CREATE TABLE innovation_judges (
    call_id     INTEGER NOT NULL REFERENCES innovation_calls (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    -- The studios the judge belongs to, comma-joined ids: their entries are the judge's
    -- conflicts of interest.
    studios     TEXT NOT NULL DEFAULT '',
    appointed_by TEXT NOT NULL,
    appointed_at INTEGER NOT NULL,
    PRIMARY KEY (call_id, user_id)
);
CREATE INDEX innovation_judges_user_idx ON innovation_judges (user_id);

CREATE TABLE innovation_recusals (
    entry_id  INTEGER NOT NULL REFERENCES innovation_entries (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    reason    TEXT NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (entry_id, user_id)
);

CREATE TABLE innovation_scores (
    entry_id  INTEGER NOT NULL REFERENCES innovation_entries (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    -- The marks, 0–100, one per criterion in order, comma-joined; and their weighted
    -- mean in hundredths of a point.
    marks     TEXT NOT NULL,
    score     INTEGER NOT NULL
        CONSTRAINT innovation_scores_score_check CHECK (score BETWEEN 0 AND 10000),
    scored_at INTEGER NOT NULL,
    PRIMARY KEY (entry_id, user_id)
);
