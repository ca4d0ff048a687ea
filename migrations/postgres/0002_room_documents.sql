-- The collaborative document of each room: an append-only log of binary Yjs
-- updates (one row per acknowledged update, with its author and time) and a
-- compacted snapshot that the log continues from. A document is the snapshot
-- plus every logged update; applying an update twice is harmless (Yjs updates
-- are idempotent), which is what lets compaction and several nodes overlap.
CREATE TABLE doc_updates (
    id         BIGSERIAL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    data       BYTEA NOT NULL,
    author     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX doc_updates_session ON doc_updates (session_id, id);

CREATE TABLE doc_snapshots (
    session_id TEXT PRIMARY KEY REFERENCES interview_sessions (id) ON DELETE CASCADE,
    data       BYTEA NOT NULL,
    -- Compare-and-swap counter: two nodes compacting the same room cannot
    -- overwrite each other's snapshot.
    version    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The room's timer, owned by the server: time accumulated while paused, and
-- when the current run started (NULL while paused).
ALTER TABLE interview_sessions ADD COLUMN timer_elapsed_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE interview_sessions ADD COLUMN timer_started_at BIGINT;
