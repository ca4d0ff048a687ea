-- Every run a room saw (server runs and the results browsers reported), kept for
-- the review of a finished interview. `result` is the JSON the room received.
CREATE TABLE session_runs (
    id         BIGSERIAL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    result     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX session_runs_session ON session_runs (session_id, id);
