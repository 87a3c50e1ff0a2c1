-- Index entries a join need not write (issue 14, J on SQLite): every instant join inserts a
-- welcome notice with no case and no benefit grant, and a platform join an application
-- with no source (join code or invite), yet each of those NULLs was an entry of its own
-- index. Only rows that have the value are ever looked up by it (`notices_about`, the
-- campaign funnels and their recount: `= value` implies `IS NOT NULL`, so the planner
-- keeps using these partial indexes).
DROP INDEX notices_case;
CREATE INDEX notices_case ON notices (case_id) WHERE case_id IS NOT NULL;
DROP INDEX notices_grant;
CREATE INDEX notices_grant ON notices (grant_id) WHERE grant_id IS NOT NULL;
DROP INDEX campaign_applications_source_idx;
CREATE INDEX campaign_applications_source_idx ON applications (source, channel) WHERE source IS NOT NULL;
