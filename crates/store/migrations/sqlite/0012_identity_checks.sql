-- What an officer must know about why an application waits (besides `holds_membership`):
-- the proven mobile is on record with another ID number, and what the real-name check
-- (运营商三要素) said, when one was made.
ALTER TABLE applications ADD COLUMN mobile_bound_elsewhere BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE applications ADD COLUMN real_name_check TEXT
    CONSTRAINT applications_real_name_check_check
    CHECK (real_name_check IN ('matched', 'mismatched', 'unavailable'));

-- One open application per person *and submitter*: a platform's per platform, the H5
-- form's per proven mobile. A second submitter gets an application of its own, not
-- someone else's (which would tell it that one exists); officers see them side by side.
DROP INDEX applications_one_pending_key;
CREATE UNIQUE INDEX applications_one_pending_per_platform_key
    ON applications (id_number_bidx, platform_id)
    WHERE status = 'pending_review' AND platform_id IS NOT NULL;
CREATE UNIQUE INDEX applications_one_pending_per_mobile_key
    ON applications (id_number_bidx, mobile_bidx)
    WHERE status = 'pending_review' AND platform_id IS NULL;
-- A person's applications, for officers (and the dropped index no longer serves it).
CREATE INDEX applications_id_number_idx ON applications (id_number_bidx);
