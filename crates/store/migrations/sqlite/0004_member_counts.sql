-- Held members per home union, kept by triggers in the same transaction as every change
-- of a membership, so "members of this subtree" is a sum over the subtree's unions (a few
-- thousand rows at most) instead of a count over millions of memberships.
CREATE TABLE org_member_counts (
    org_id INTEGER PRIMARY KEY REFERENCES orgs (id),
    held   INTEGER NOT NULL DEFAULT 0
);

INSERT INTO org_member_counts (org_id, held)
    SELECT home_org_id, COUNT(*) FROM memberships WHERE status IN ('active', 'retained') GROUP BY home_org_id;

CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships
WHEN NEW.status IN ('active', 'retained')
BEGIN
    INSERT INTO org_member_counts (org_id, held) VALUES (NEW.home_org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET held = held + 1;
END;

CREATE TRIGGER memberships_count_update AFTER UPDATE OF status, home_org_id ON memberships
BEGIN
    UPDATE org_member_counts SET held = held - 1
        WHERE org_id = OLD.home_org_id AND OLD.status IN ('active', 'retained');
    INSERT INTO org_member_counts (org_id, held)
        SELECT NEW.home_org_id, 1 WHERE NEW.status IN ('active', 'retained')
        ON CONFLICT (org_id) DO UPDATE SET held = held + 1;
END;

CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships
WHEN OLD.status IN ('active', 'retained')
BEGIN
    UPDATE org_member_counts SET held = held - 1 WHERE org_id = OLD.home_org_id;
END;
