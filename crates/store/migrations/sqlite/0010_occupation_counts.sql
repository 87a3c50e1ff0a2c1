-- Held members per home union and occupation, kept by triggers like org_member_counts,
-- so "members of this subtree by occupation" is a sum over the subtree's unions (a few
-- thousand rows) instead of a GROUP BY over its memberships (seconds at 10M members).
CREATE TABLE org_occupation_counts (
    org_id     INTEGER NOT NULL REFERENCES orgs (id),
    occupation TEXT NOT NULL,
    held       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, occupation)
);

INSERT INTO org_occupation_counts (org_id, occupation, held)
    SELECT home_org_id, occupation, COUNT(*) FROM memberships
    WHERE status IN ('active', 'retained') GROUP BY home_org_id, occupation;

CREATE TRIGGER memberships_occupation_count_insert AFTER INSERT ON memberships
WHEN NEW.status IN ('active', 'retained')
BEGIN
    INSERT INTO org_occupation_counts (org_id, occupation, held) VALUES (NEW.home_org_id, NEW.occupation, 1)
        ON CONFLICT (org_id, occupation) DO UPDATE SET held = held + 1;
END;

CREATE TRIGGER memberships_occupation_count_update AFTER UPDATE OF status, home_org_id, occupation ON memberships
BEGIN
    UPDATE org_occupation_counts SET held = held - 1
        WHERE org_id = OLD.home_org_id AND occupation = OLD.occupation AND OLD.status IN ('active', 'retained');
    INSERT INTO org_occupation_counts (org_id, occupation, held)
        SELECT NEW.home_org_id, NEW.occupation, 1 WHERE NEW.status IN ('active', 'retained')
        ON CONFLICT (org_id, occupation) DO UPDATE SET held = held + 1;
END;

CREATE TRIGGER memberships_occupation_count_delete AFTER DELETE ON memberships
WHEN OLD.status IN ('active', 'retained')
BEGIN
    UPDATE org_occupation_counts SET held = held - 1
        WHERE org_id = OLD.home_org_id AND occupation = OLD.occupation;
END;
