-- The 安康杯 safety knowledge contest (issue 18): a question bank per owning union,
-- contests of an organiser union, members' attempts on the server's clock, and what the
-- leaderboards read — each participant's best attempt, per-union totals kept in the same
-- transaction, and the union board as it stood when the window closed.

CREATE TABLE contest_questions (
    id           INTEGER PRIMARY KEY,
    -- The union whose bank it is: contests of that union and of unions below it draw it.
    owner_org_id INTEGER NOT NULL REFERENCES orgs (id),
    kind         TEXT NOT NULL
        CONSTRAINT contest_questions_kind_check CHECK (kind IN ('single', 'multiple', 'true_false')),
    stem         TEXT NOT NULL,
    -- huiji_core::contest::stem_key: one question per key in a bank.
    stem_key     TEXT NOT NULL,
    option_a     TEXT,
    option_b     TEXT,
    option_c     TEXT,
    option_d     TEXT,
    option_e     TEXT,
    option_f     TEXT,
    -- The right letters, e.g. 'ABD' (true/false: A true, B false).
    answer       TEXT NOT NULL,
    explanation  TEXT,
    category     TEXT NOT NULL,
    difficulty   TEXT NOT NULL
        CONSTRAINT contest_questions_difficulty_check CHECK (difficulty IN ('easy', 'medium', 'hard')),
    created_at   INTEGER NOT NULL,
    CONSTRAINT contest_questions_stem_key UNIQUE (owner_org_id, stem_key)
);
CREATE INDEX contest_questions_category_idx ON contest_questions (owner_org_id, category, id);

CREATE TABLE contests (
    id                    INTEGER PRIMARY KEY,
    -- The organiser: members of its subtree take part.
    org_id                INTEGER NOT NULL REFERENCES orgs (id),
    org_path              TEXT NOT NULL,
    name                  TEXT NOT NULL
        CONSTRAINT contests_name_check CHECK (length(trim(name)) BETWEEN 1 AND 100),
    -- The window's first and last days (YYYY-MM-DD, China time).
    open_from             TEXT NOT NULL,
    open_until            TEXT NOT NULL,
    questions_per_attempt INTEGER NOT NULL
        CONSTRAINT contests_questions_check CHECK (questions_per_attempt BETWEEN 1 AND 100),
    minutes               INTEGER NOT NULL CONSTRAINT contests_minutes_check CHECK (minutes BETWEEN 1 AND 120),
    attempts_per_day      INTEGER NOT NULL
        CONSTRAINT contests_attempts_check CHECK (attempts_per_day BETWEEN 1 AND 10),
    created_by            TEXT NOT NULL,
    created_at            INTEGER NOT NULL,
    -- Set once after the window closed: the union board reads contest_frozen from then on.
    frozen_at             INTEGER,
    CONSTRAINT contests_window_check CHECK (open_from <= open_until)
);
CREATE INDEX contests_org_path_idx ON contests (org_path, id);

-- How many questions each attempt draws from a category.
CREATE TABLE contest_quotas (
    contest_id INTEGER NOT NULL REFERENCES contests (id),
    category   TEXT NOT NULL,
    questions  INTEGER NOT NULL CONSTRAINT contest_quotas_questions_check CHECK (questions > 0),
    PRIMARY KEY (contest_id, category)
);

-- Attempts started per member and China day: the limit is checked and counted in one
-- statement, so two taps at once cannot both pass it.
CREATE TABLE contest_daily (
    contest_id    INTEGER NOT NULL REFERENCES contests (id),
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    day           TEXT NOT NULL,
    started       INTEGER NOT NULL,
    PRIMARY KEY (contest_id, membership_id, day)
);

CREATE TABLE contest_attempts (
    id            INTEGER PRIMARY KEY,
    contest_id    INTEGER NOT NULL REFERENCES contests (id),
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    -- The member's home union when the attempt started: the boards count it there.
    home_org_id   INTEGER NOT NULL REFERENCES orgs (id),
    home_path     TEXT NOT NULL,
    day           TEXT NOT NULL,
    seed          INTEGER NOT NULL,
    -- The drawn questions' ids in the order asked, comma-separated: fixed for the attempt.
    question_ids  TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    -- The time limit, but never past the window's close.
    deadline      INTEGER NOT NULL,
    answered      INTEGER NOT NULL DEFAULT 0,
    correct       INTEGER NOT NULL DEFAULT 0,
    flagged       INTEGER NOT NULL DEFAULT 0,
    -- The last answer's time (started_at before the first): the next question's clock.
    last_at       INTEGER NOT NULL,
    finished_at   INTEGER
);
CREATE INDEX contest_attempts_member_idx ON contest_attempts (membership_id, contest_id, id);
CREATE INDEX contest_attempts_contest_idx ON contest_attempts (contest_id, id);
CREATE INDEX contest_attempts_open_idx ON contest_attempts (deadline) WHERE finished_at IS NULL;

-- Every answer that came in time (late ones end the attempt instead).
CREATE TABLE contest_answers (
    attempt_id  INTEGER NOT NULL REFERENCES contest_attempts (id),
    position    INTEGER NOT NULL,
    question_id INTEGER NOT NULL REFERENCES contest_questions (id),
    -- The letters given; NULL when the member went on without answering.
    given       TEXT,
    timing      TEXT NOT NULL CONSTRAINT contest_answers_timing_check CHECK (timing IN ('counted', 'too_fast')),
    correct     BOOLEAN NOT NULL,
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, position)
);

-- Each participant's best finished attempt (most right answers, then the fastest).
CREATE TABLE contest_best (
    contest_id    INTEGER NOT NULL REFERENCES contests (id),
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    attempt_id    INTEGER NOT NULL REFERENCES contest_attempts (id),
    home_org_id   INTEGER NOT NULL REFERENCES orgs (id),
    home_path     TEXT NOT NULL,
    correct       INTEGER NOT NULL,
    millis        INTEGER NOT NULL,
    PRIMARY KEY (contest_id, membership_id)
);
CREATE INDEX contest_best_rank_idx ON contest_best (contest_id, correct DESC, millis, membership_id);
CREATE INDEX contest_best_path_idx ON contest_best (contest_id, home_path);

-- Participants and the sum of their best scores per home union, kept in the same
-- transaction as contest_best: the union board sums a subtree's rows.
CREATE TABLE contest_org_totals (
    contest_id   INTEGER NOT NULL REFERENCES contests (id),
    org_id       INTEGER NOT NULL REFERENCES orgs (id),
    path         TEXT NOT NULL,
    participants INTEGER NOT NULL,
    correct_sum  INTEGER NOT NULL,
    PRIMARY KEY (contest_id, org_id)
);
CREATE INDEX contest_org_totals_path_idx ON contest_org_totals (contest_id, path);

-- The union board as it stood when the window closed: members held, participants and
-- scores per union, so later joins and transfers do not move the final rates.
CREATE TABLE contest_frozen (
    contest_id   INTEGER NOT NULL REFERENCES contests (id),
    org_id       INTEGER NOT NULL REFERENCES orgs (id),
    path         TEXT NOT NULL,
    members      INTEGER NOT NULL,
    participants INTEGER NOT NULL,
    correct_sum  INTEGER NOT NULL,
    PRIMARY KEY (contest_id, org_id)
);
CREATE INDEX contest_frozen_path_idx ON contest_frozen (contest_id, path);
