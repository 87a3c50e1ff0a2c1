-- Judge-only accounts (role 'judge'): experts from outside the unions who score the
-- entries of the innovation calls they sit on, and see nothing else.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'reviewer', 'viewer', 'judge'));
