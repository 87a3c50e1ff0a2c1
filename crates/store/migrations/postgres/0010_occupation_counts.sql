-- Held members per home union and occupation, kept by a trigger like org_member_counts,
-- so "members of this subtree by occupation" is a sum over the subtree's unions (a few
-- thousand rows) instead of a GROUP BY over its memberships (seconds at 10M members).
CREATE TABLE org_occupation_counts (
    org_id     BIGINT NOT NULL REFERENCES orgs (id),
    occupation TEXT NOT NULL,
    held       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, occupation)
);

INSERT INTO org_occupation_counts (org_id, occupation, held)
    SELECT home_org_id, occupation, COUNT(*) FROM memberships
    WHERE status IN ('active', 'retained') GROUP BY home_org_id, occupation;

CREATE FUNCTION memberships_occupation_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('active', 'retained') THEN
        UPDATE org_occupation_counts SET held = held - 1
            WHERE org_id = OLD.home_org_id AND occupation = OLD.occupation;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('active', 'retained') THEN
        INSERT INTO org_occupation_counts (org_id, occupation, held) VALUES (NEW.home_org_id, NEW.occupation, 1)
            ON CONFLICT (org_id, occupation) DO UPDATE SET held = org_occupation_counts.held + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER memberships_occupation_count
    AFTER INSERT OR DELETE OR UPDATE OF status, home_org_id, occupation ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_occupation_count();
