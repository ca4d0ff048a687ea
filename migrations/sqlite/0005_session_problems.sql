-- The problem an interview is about (cleared if the problem is deleted), and the
-- gradings of its code. A submission keeps the problem as it was graded, so
-- re-running it later uses the same tests and gives the same results.
ALTER TABLE interview_sessions ADD COLUMN problem_id TEXT REFERENCES problems (id) ON DELETE SET NULL;

CREATE TABLE submissions (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    problem_id  TEXT NOT NULL,
    language    TEXT NOT NULL,
    code        TEXT NOT NULL,
    code_sha256 TEXT NOT NULL,
    problem     TEXT NOT NULL,
    report      TEXT NOT NULL,
    score       REAL NOT NULL,
    total_fuel  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX submissions_session ON submissions (session_id, created_at);
