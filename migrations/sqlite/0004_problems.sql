-- The interviewers' problem banks. `document` is the whole problem as JSON (the
-- import/export shape, tests included); title and difficulty are copied out for
-- listing without parsing every document.
CREATE TABLE problems (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    difficulty TEXT NOT NULL,
    document   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX problems_owner ON problems (owner_id, created_at);
