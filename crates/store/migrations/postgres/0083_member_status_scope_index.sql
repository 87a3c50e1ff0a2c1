-- Courier + retained in 安徽省 was still 137 ms p50 / 241 ms p95 at 10,000,000 members after
-- 0070 (BENCHMARKS.md, Q, 2026-12-03): the walk over windows of ids read each window's
-- retained couriers of the whole country from (status, occupation, id) and fetched every
-- one from the heap to test its home path — reads from outside the cache at 10 M. With the
-- home path in the index after the status and occupation, the scope's matches are one
-- index range whose ids are read without the heap (index-only, the table being vacuumed);
-- only the page's 50 rows are then fetched.
CREATE INDEX memberships_status_occupation_path_idx ON memberships (status, occupation, home_path, id);
