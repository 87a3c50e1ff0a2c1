-- QR scans counted once per visitor, code and China day (issue 15): opening /j/{code}
-- again, reloading it or a link preview no longer inflates the funnel's first step.
-- A visitor is a keyed hash of the client address and user agent with the day and the
-- code in it (the key is the vault's signing key, so the hash cannot be reversed or
-- linked across days or codes without it). Only today's rows are kept: each count
-- deletes the earlier days', so no trace of who scanned outlives the day.
CREATE TABLE join_code_scan_visitors (
    join_code TEXT NOT NULL,
    -- The China day, YYYYMMDD.
    day       INTEGER NOT NULL,
    -- Hex of the keyed hash.
    visitor   TEXT NOT NULL,
    CONSTRAINT join_code_scan_visitors_key PRIMARY KEY (join_code, day, visitor)
);
CREATE INDEX join_code_scan_visitors_day_idx ON join_code_scan_visitors (day);
