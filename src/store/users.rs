//! Interviewer accounts.

use sqlx::FromRow;

use super::{is_unique_violation, Db, StoreError, StoreResult};

/// A stored account.
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    /// UUID.
    pub id: String,
    /// Normalised e-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// `interviewer` (or `admin`).
    pub role: String,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
}

/// Fields of a new account.
pub struct NewUser<'a> {
    /// Normalised e-mail address.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
    /// Role to grant.
    pub role: &'a str,
}

const COLUMNS: &str = "id, email, name, password_hash, role, created_at";

/// Creates an account; a taken e-mail address is a conflict.
pub async fn create(db: &Db, user: NewUser<'_>, now_ms: i64) -> StoreResult<UserRow> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query_as::<_, UserRow>(
        "INSERT INTO users (id, email, name, password_hash, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, email, name, password_hash, role, created_at",
    )
    .bind(&id)
    .bind(user.email)
    .bind(user.name)
    .bind(user.password_hash)
    .bind(user.role)
    .bind(now_ms)
    .fetch_one(db.pool())
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict("an account with this email already exists".into())
        } else {
            e.into()
        }
    })
}

/// The account with this (normalised) e-mail address.
pub async fn find_by_email(db: &Db, email: &str) -> StoreResult<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    Ok(sqlx::query_as::<_, UserRow>(&sql)
        .bind(email)
        .fetch_optional(db.pool())
        .await?)
}

/// The account with this id.
pub async fn find_by_id(db: &Db, id: &str) -> StoreResult<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    Ok(sqlx::query_as::<_, UserRow>(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}
