-- 跟着劳模去创新: the innovation registry — model workers, their studios, the studios' key
-- projects, mentorships (名师带徒) and activities. Every record hangs off a union (a model
-- worker's employer union, a studio's host union), whose path scopes it: an admin edits
-- and an officer counts the records of their subtree with one index range.

CREATE TABLE model_workers (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL
        CONSTRAINT model_workers_name_check CHECK (length(name) BETWEEN 1 AND 40),
    honour_kind  TEXT NOT NULL
        CONSTRAINT model_workers_honour_kind_check CHECK (honour_kind IN ('model_worker', 'craftsman', 'may_day_medal')),
    honour_level TEXT NOT NULL
        CONSTRAINT model_workers_honour_level_check CHECK (honour_level IN ('national', 'provincial', 'city')),
    -- The employer union, and its path (copied, so scoping needs no join).
    org_id       INTEGER NOT NULL REFERENCES orgs (id),
    org_path     TEXT NOT NULL,
    specialty    TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    -- A union's registry names each person once (imports link studios to leaders by it).
    CONSTRAINT model_workers_org_name_key UNIQUE (org_id, name)
);
CREATE INDEX model_workers_path_idx ON model_workers (org_path, id);

CREATE TABLE innovation_studios (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL
        CONSTRAINT innovation_studios_name_check CHECK (length(name) BETWEEN 1 AND 80),
    kind       TEXT NOT NULL
        CONSTRAINT innovation_studios_kind_check CHECK (kind IN ('model_worker', 'craftsman')),
    level      TEXT NOT NULL
        CONSTRAINT innovation_studios_level_check CHECK (level IN ('national', 'provincial', 'city')),
    leader_id  INTEGER NOT NULL REFERENCES model_workers (id),
    -- The host enterprise's union.
    org_id     INTEGER NOT NULL REFERENCES orgs (id),
    org_path   TEXT NOT NULL,
    -- Fields of work, comma-joined (no field holds a comma).
    fields     TEXT NOT NULL DEFAULT '',
    members    INTEGER NOT NULL DEFAULT 0
        CONSTRAINT innovation_studios_members_check CHECK (members BETWEEN 0 AND 10000),
    -- ISO date (YYYY-MM-DD), when known.
    founded_on TEXT,
    -- Only published studios are on the public page.
    published  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT innovation_studios_org_name_key UNIQUE (org_id, name)
);
CREATE INDEX innovation_studios_path_idx ON innovation_studios (org_path, id);
CREATE INDEX innovation_studios_public_idx ON innovation_studios (level, id) WHERE published;
CREATE INDEX innovation_studios_leader_idx ON innovation_studios (leader_id);

CREATE TABLE innovation_projects (
    id              INTEGER PRIMARY KEY,
    studio_id       INTEGER NOT NULL REFERENCES innovation_studios (id),
    title           TEXT NOT NULL
        CONSTRAINT innovation_projects_title_check CHECK (length(title) BETWEEN 1 AND 100),
    status          TEXT NOT NULL
        CONSTRAINT innovation_projects_status_check CHECK (status IN ('planned', 'ongoing', 'done')),
    patents_filed   INTEGER NOT NULL DEFAULT 0,
    patents_granted INTEGER NOT NULL DEFAULT 0,
    -- Economic benefit in fen (分).
    benefit_fen     BIGINT NOT NULL DEFAULT 0,
    participants    INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT innovation_projects_counts_check
        CHECK (patents_filed >= 0 AND patents_granted >= 0 AND benefit_fen >= 0 AND participants >= 0),
    CONSTRAINT innovation_projects_studio_title_key UNIQUE (studio_id, title)
);

CREATE TABLE innovation_mentorships (
    id             INTEGER PRIMARY KEY,
    studio_id      INTEGER NOT NULL REFERENCES innovation_studios (id),
    mentor_id      INTEGER NOT NULL REFERENCES model_workers (id),
    -- The apprentice: a member (linked) or a named worker. Never on a public page.
    apprentice     TEXT NOT NULL
        CONSTRAINT innovation_mentorships_apprentice_check CHECK (length(apprentice) BETWEEN 1 AND 40),
    membership_id  INTEGER REFERENCES memberships (id),
    skill          TEXT NOT NULL DEFAULT '',
    started_on     TEXT,
    certificate    TEXT
        CONSTRAINT innovation_mentorships_certificate_check
        CHECK (certificate IN ('junior', 'intermediate', 'senior', 'technician', 'senior_technician')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
-- One pairing of a mentor and an apprentice per studio (an import run twice adds none).
CREATE UNIQUE INDEX innovation_mentorships_pair_key ON innovation_mentorships (studio_id, mentor_id, apprentice);
CREATE INDEX innovation_mentorships_mentor_idx ON innovation_mentorships (mentor_id);

CREATE TABLE innovation_activities (
    id          INTEGER PRIMARY KEY,
    studio_id   INTEGER NOT NULL REFERENCES innovation_studios (id),
    kind        TEXT NOT NULL
        CONSTRAINT innovation_activities_kind_check CHECK (kind IN ('lecture', 'enterprise_visit')),
    title       TEXT NOT NULL
        CONSTRAINT innovation_activities_title_check CHECK (length(title) BETWEEN 1 AND 100),
    held_on     TEXT,
    smes_helped INTEGER NOT NULL DEFAULT 0
        CONSTRAINT innovation_activities_smes_check CHECK (smes_helped >= 0),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
-- An activity is told by its studio, title and day (an import run twice adds none).
CREATE UNIQUE INDEX innovation_activities_key ON innovation_activities (studio_id, title, COALESCE(held_on, ''));
CREATE INDEX innovation_projects_studio_idx ON innovation_projects (studio_id);
