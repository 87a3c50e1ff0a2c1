-- SQLite only (see sqlite/0084): PostgreSQL's join path is being reworked separately and
-- keeps its indexes for now. Kept so both trees number alike.
SELECT 1;
