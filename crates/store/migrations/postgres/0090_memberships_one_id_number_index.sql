-- Two indexes held the same key for every held membership: `memberships_one_held_key`
-- (ID number's blind index, held memberships only, unique: one membership held per
-- person) and `memberships_id_number_idx` (the same blind index, every membership, for
-- the lookups by ID number). Every join wrote an entry of each on a random leaf page
-- (BENCHMARKS.md, "J on SQLite — one index for the ID number").
--
-- One unique index now does both. Its second part is 1 for a held membership and NULL
-- for an ended one; NULLs are distinct in a unique index in both databases, so a person
-- may have any number of ended memberships and at most one held — the rule the partial
-- index enforced — while every lookup by ID number, held or not, searches its first part.
-- It keeps the constraint's name, so a violation still reads as "already a member".
DROP INDEX memberships_one_held_key;
DROP INDEX memberships_id_number_idx;
CREATE UNIQUE INDEX memberships_one_held_key
    ON memberships (id_number_bidx, (CASE WHEN status IN ('active', 'retained') THEN 1 END));
