//! The runs a room saw, kept for reviewing a finished interview.

use super::{Db, StoreResult};

/// Most runs kept per session; older ones are dropped as new ones arrive.
pub const MAX_RUNS_PER_SESSION: i64 = 500;

/// One stored run: the JSON the room received and when the server recorded it.
#[derive(Debug, Clone)]
pub struct StoredRun {
    /// The result as broadcast (`runId`, `source`, `status`, output, `by`…).
    pub result: String,
    /// Epoch milliseconds.
    pub created_at: i64,
}

/// Records a run of a live session (a deleted one records nothing).
pub async fn record(
    db: &Db,
    session_id: &str,
    source: &str,
    result: &str,
    now_ms: i64,
) -> StoreResult<()> {
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO session_runs (session_id, source, result, created_at)
         SELECT id, $2, $3, $4 FROM interview_sessions WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(session_id)
    .bind(source)
    .bind(result)
    .bind(now_ms)
    .execute(&mut *tx)
    .await?;
    // Bounded per session, so a room that runs code all day cannot grow without end.
    sqlx::query(
        "DELETE FROM session_runs WHERE session_id = $1 AND id <= (
           SELECT id FROM session_runs WHERE session_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)",
    )
    .bind(session_id)
    .bind(MAX_RUNS_PER_SESSION)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A session's runs, newest first.
pub async fn list(db: &Db, session_id: &str, limit: i64) -> StoreResult<Vec<StoredRun>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT result, created_at FROM session_runs WHERE session_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(session_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(result, created_at)| StoredRun { result, created_at })
        .collect())
}

/// Removes a session's runs (the session was deleted: they are the candidate's work).
pub async fn purge(db: &Db, session_id: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM session_runs WHERE session_id = $1")
        .bind(session_id)
        .execute(db.pool())
        .await?;
    Ok(())
}
