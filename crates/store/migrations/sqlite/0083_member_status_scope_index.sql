-- PostgreSQL only (see postgres/0083): SQLite's member search meets the 100 ms target at
-- 10,000,000 members with its plans. Kept so both trees number alike.
SELECT 1;
