//! Gradings of a session's code, kept for review and for re-running.

use super::{Db, StoreResult};

/// A stored grading.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubmissionRow {
    /// UUID.
    pub id: String,
    /// The session.
    pub session_id: String,
    /// The problem graded against.
    pub problem_id: String,
    /// `python` or `javascript`.
    pub language: String,
    /// The code graded.
    pub code: String,
    /// Its SHA-256.
    pub code_sha256: String,
    /// The problem document as graded (JSON).
    pub problem: String,
    /// The grade report (JSON).
    pub report: String,
    /// 0–100.
    pub score: f64,
    /// Fuel of all tests.
    pub total_fuel: i64,
    /// Epoch milliseconds.
    pub created_at: i64,
}

const COLUMNS: &str = "id, session_id, problem_id, language, code, code_sha256, problem, \
    report, score, total_fuel, created_at";

/// Stores a grading.
pub async fn create(db: &Db, row: &SubmissionRow) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO submissions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(&row.id)
    .bind(&row.session_id)
    .bind(&row.problem_id)
    .bind(&row.language)
    .bind(&row.code)
    .bind(&row.code_sha256)
    .bind(&row.problem)
    .bind(&row.report)
    .bind(row.score)
    .bind(row.total_fuel)
    .bind(row.created_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A session's gradings, newest first.
pub async fn list(db: &Db, session_id: &str) -> StoreResult<Vec<SubmissionRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM submissions WHERE session_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200"
    ))
    .bind(session_id)
    .fetch_all(db.pool())
    .await?)
}

/// One grading of a session.
pub async fn get(db: &Db, session_id: &str, id: &str) -> StoreResult<Option<SubmissionRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM submissions WHERE session_id = $1 AND id = $2"
    ))
    .bind(session_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// Removes a session's gradings (the session was deleted).
pub async fn purge(db: &Db, session_id: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM submissions WHERE session_id = $1")
        .bind(session_id)
        .execute(db.pool())
        .await?;
    Ok(())
}
