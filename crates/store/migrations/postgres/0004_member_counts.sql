-- Held members per home union, kept by a trigger in the same transaction as every change
-- of a membership, so "members of this subtree" is a sum over the subtree's unions (a few
-- thousand rows at most) instead of a count over millions of memberships.
CREATE TABLE org_member_counts (
    org_id BIGINT PRIMARY KEY REFERENCES orgs (id),
    held   BIGINT NOT NULL DEFAULT 0
);

INSERT INTO org_member_counts (org_id, held)
    SELECT home_org_id, COUNT(*) FROM memberships WHERE status IN ('active', 'retained') GROUP BY home_org_id;

CREATE FUNCTION memberships_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('active', 'retained') THEN
        UPDATE org_member_counts SET held = held - 1 WHERE org_id = OLD.home_org_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('active', 'retained') THEN
        INSERT INTO org_member_counts (org_id, held) VALUES (NEW.home_org_id, 1)
            ON CONFLICT (org_id) DO UPDATE SET held = org_member_counts.held + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER memberships_count AFTER INSERT OR DELETE OR UPDATE OF status, home_org_id ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_count();
