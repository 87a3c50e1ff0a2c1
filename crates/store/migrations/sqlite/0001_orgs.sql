-- The union tree. `path` is the materialised path of ids (/1/17/240/): a subtree is the
-- range [path, path || ':'), one index range scan instead of a recursive walk.
CREATE TABLE orgs (
    id            INTEGER PRIMARY KEY,
    parent_id     INTEGER REFERENCES orgs (id),
    kind          TEXT    NOT NULL
        CONSTRAINT orgs_kind_check
        CHECK (kind IN ('federation', 'industry_federation', 'township', 'community', 'enterprise')),
    level         TEXT
        CONSTRAINT orgs_level_check CHECK (level IN ('province', 'city', 'county')),
    name          TEXT    NOT NULL
        CONSTRAINT orgs_name_check CHECK (length(trim(name)) BETWEEN 1 AND 100),
    region_code   TEXT    NOT NULL,
    -- Comma-separated occupation codes an industry federation serves; '' for other kinds.
    occupations   TEXT    NOT NULL DEFAULT '',
    turnover_pool BOOLEAN NOT NULL DEFAULT FALSE,
    path          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    CONSTRAINT orgs_parent_name_key UNIQUE (parent_id, name)
);

CREATE INDEX orgs_path_idx ON orgs (path);
CREATE INDEX orgs_region_code_idx ON orgs (region_code);
