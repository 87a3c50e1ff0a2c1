-- Officer accounts managed in the console (issue 13 items 7 and 12): who the officer is
-- (a name, a mobile sealed with its blind index like members'), a password the officer
-- must replace at the next login (an admin's reset, a new account), and the opt-in daily
-- SMS digest of waiting reviews.
--
-- A table beside `users`, not new columns on it: on SQLite, 0040 rebuilds `users` with
-- the columns it knew, and a fresh database runs 0015 before it. Accounts without a row
-- (made at the command line) have no name or mobile and nothing to change.
CREATE TABLE officer_profiles (
    user_id              BIGINT PRIMARY KEY REFERENCES users (id),
    -- The officer's name, as the console shows who did something.
    full_name            TEXT NOT NULL DEFAULT '',
    -- Sealed mobile and its blind index.
    mobile_ct            BYTEA,
    mobile_bidx          TEXT,
    -- Set by a reset or a console-made account: every console page but the password
    -- form and logout waits until the officer chose their own.
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    -- The daily digest of waiting reviews, by SMS to the mobile.
    digest               BOOLEAN NOT NULL DEFAULT FALSE,
    -- The China date (YYYY-MM-DD) of the last digest round that claimed this account:
    -- one a day, whichever instance claims it first.
    digest_on            TEXT
);
CREATE INDEX officer_profiles_digest_idx ON officer_profiles (user_id) WHERE digest;

-- Pending reviews by deadline: the console header's overdue count.
CREATE INDEX applications_review_deadline_idx ON applications (reviewer_path, review_deadline)
    WHERE status = 'pending_review';
