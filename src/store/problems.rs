//! Problem banks: each interviewer's problems, stored as their JSON document.

use super::{Db, StoreResult};

/// A stored problem.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProblemRow {
    /// UUID.
    pub id: String,
    /// The interviewer who owns it.
    pub owner_id: String,
    /// Copied from the document, for listing.
    pub title: String,
    /// Copied from the document, for listing.
    pub difficulty: String,
    /// The problem document (JSON).
    pub document: String,
    /// Epoch milliseconds.
    pub created_at: i64,
    /// Epoch milliseconds.
    pub updated_at: i64,
}

const COLUMNS: &str = "id, owner_id, title, difficulty, document, created_at, updated_at";

/// Stores a new problem.
pub async fn create(db: &Db, row: &ProblemRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO problems (id, owner_id, title, difficulty, document, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&row.id)
    .bind(&row.owner_id)
    .bind(&row.title)
    .bind(&row.difficulty)
    .bind(&row.document)
    .bind(row.created_at)
    .bind(row.updated_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The owner's problems, newest first, and how many there are.
pub async fn list(
    db: &Db,
    owner_id: &str,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<ProblemRow>, i64)> {
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM problems WHERE owner_id = $1
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(owner_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    let total = sqlx::query_scalar("SELECT COUNT(*) FROM problems WHERE owner_id = $1")
        .bind(owner_id)
        .fetch_one(db.pool())
        .await?;
    Ok((rows, total))
}

/// One problem, whoever owns it.
pub async fn get(db: &Db, id: &str) -> StoreResult<Option<ProblemRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM problems WHERE id = $1"))
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Replaces the owner's problem; `false` if there is no such problem of theirs.
pub async fn replace(db: &Db, row: &ProblemRow) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE problems SET title = $3, difficulty = $4, document = $5, updated_at = $6
         WHERE id = $1 AND owner_id = $2",
    )
    .bind(&row.id)
    .bind(&row.owner_id)
    .bind(&row.title)
    .bind(&row.difficulty)
    .bind(&row.document)
    .bind(row.updated_at)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the owner's problem; `false` if there is no such problem of theirs.
pub async fn delete(db: &Db, id: &str, owner_id: &str) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM problems WHERE id = $1 AND owner_id = $2")
        .bind(id)
        .bind(owner_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}
