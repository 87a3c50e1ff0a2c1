-- Roster entries per importing union, occupation and state (issue 17), so the coverage
-- figures of a subtree are a sum over a few hundred rows instead of a GROUP BY over its
-- entries (seconds at a 1,000,000-person roster). A state change (a join, a decision, a
-- membership ending) and the retention purge are followed by a trigger, as
-- org_occupation_counts is; the import adds each batch's tally in the batch's transaction
-- (store::roster::counts), because a row trigger would cost the bulk load a statement
-- per row.
CREATE TABLE roster_counts (
    org_id     BIGINT NOT NULL REFERENCES orgs (id),
    org_path   TEXT NOT NULL,
    occupation TEXT NOT NULL,
    state      TEXT NOT NULL,
    -- INTEGER, so that SUM() is a BIGINT as COUNT(*) was, not a NUMERIC.
    entries    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, org_path, occupation, state)
);
CREATE INDEX roster_counts_org_path_idx ON roster_counts (org_path);

INSERT INTO roster_counts (org_id, org_path, occupation, state, entries)
    SELECT org_id, org_path, occupation, state, COUNT(*) FROM roster_entries
    GROUP BY org_id, org_path, occupation, state;

CREATE FUNCTION roster_entries_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE roster_counts SET entries = entries - 1
        WHERE org_id = OLD.org_id AND org_path = OLD.org_path AND occupation = OLD.occupation
          AND state = OLD.state;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO roster_counts (org_id, org_path, occupation, state, entries)
            VALUES (NEW.org_id, NEW.org_path, NEW.occupation, NEW.state, 1)
            ON CONFLICT (org_id, org_path, occupation, state)
            DO UPDATE SET entries = roster_counts.entries + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER roster_counts_state AFTER UPDATE OF state ON roster_entries
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION roster_entries_count();
CREATE TRIGGER roster_counts_delete AFTER DELETE ON roster_entries
    FOR EACH ROW EXECUTE FUNCTION roster_entries_count();
