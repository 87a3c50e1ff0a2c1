-- The statistics page counts a programme's grants held within a subtree (issue 17's
-- benefit uptake): one index range per programme instead of reading all its grants.
CREATE INDEX benefit_grants_programme_home_idx ON benefit_grants (programme_id, home_path, status);
