-- PostgreSQL only (its member search indexes, see postgres/0070): SQLite's planner keeps its
-- plans, which meet the 100 ms target at 10,000,000 members. Kept so both trees number alike.
SELECT 1;
