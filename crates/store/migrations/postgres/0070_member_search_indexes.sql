-- The two console searches that missed 100 ms p95 at 10,000,000 members on PostgreSQL
-- (BENCHMARKS.md, Q): a full name prefix in a large scope (王伟 in 安徽省) read every
-- match of the name index and fetched each row to test its scope; with the home path in
-- the index beside the name, the scope is tested on the index entry and only the scope's
-- matches are fetched. A rare status (retained) with an occupation walked the primary key
-- window after window; this index reads only that status and occupation, newest first,
-- within each window.
CREATE INDEX memberships_name_path_idx ON memberships (name, home_path, id);
CREATE INDEX memberships_status_occupation_idx ON memberships (status, occupation, id);
