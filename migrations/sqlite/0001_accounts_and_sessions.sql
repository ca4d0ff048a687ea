-- Interviewer accounts. Candidates have no account: their tokens come from invites.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('interviewer', 'admin')),
    created_at    BIGINT NOT NULL
);

-- Interview sessions. Times are milliseconds since the Unix epoch (UTC) so that
-- both backends store and compare them the same way. A deleted session keeps a
-- scrubbed tombstone so its invite link can answer "gone" rather than "unknown".
CREATE TABLE interview_sessions (
    id              TEXT PRIMARY KEY,
    owner_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    candidate_name  TEXT NOT NULL,
    candidate_email TEXT NOT NULL,
    language        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('scheduled', 'active', 'completed')),
    invite_token    TEXT NOT NULL UNIQUE,
    notes           TEXT NOT NULL DEFAULT '',
    score           BIGINT CHECK (score BETWEEN 0 AND 100),
    code            TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    started_at      BIGINT,
    ended_at        BIGINT,
    duration_ms     BIGINT,
    deleted_at      BIGINT
);

-- The dashboard lists live sessions of one owner, newest first, optionally of one
-- status; both orders and counts are answered from these indexes alone.
CREATE INDEX interview_sessions_owner_created
    ON interview_sessions (owner_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX interview_sessions_owner_status_created
    ON interview_sessions (owner_id, status, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
