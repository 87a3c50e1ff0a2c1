-- Roster imports as durable jobs (issue 15): a running import's process stamps a
-- heartbeat; when it stops beating (the process died or restarted), any instance marks
-- the import `interrupted` with a message instead of leaving it running forever.
ALTER TABLE roster_imports ADD COLUMN heartbeat_at BIGINT;
ALTER TABLE roster_imports ADD COLUMN message TEXT;
UPDATE roster_imports SET heartbeat_at = started_at;
ALTER TABLE roster_imports DROP CONSTRAINT roster_imports_status_check;
ALTER TABLE roster_imports ADD CONSTRAINT roster_imports_status_check CHECK (status IN ('running', 'done',
    'cancelled', 'failed', 'interrupted'));
CREATE INDEX roster_imports_running_idx ON roster_imports (heartbeat_at) WHERE status = 'running';
