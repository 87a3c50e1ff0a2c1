-- `applications_platform_idx` (platform, ID number's blind index) served one question only:
-- has this platform submitted this person (`platform_has_consent`), which
-- `applications_id_number_idx` answers as well — a person has a few applications, and the
-- platform is checked on those rows. Every platform join still wrote an entry of it on a
-- random leaf page, one of the seven such pages a join dirtied (BENCHMARKS.md, "J on
-- SQLite — the writer's page cache, one index fewer").
DROP INDEX applications_platform_idx;
