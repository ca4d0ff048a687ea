//! Interview sessions and their life cycle: scheduled → active → completed.
//!
//! Every change is one conditional statement, so two requests racing to start or
//! terminate the same session cannot both win.

use sqlx::FromRow;

use super::{Db, StoreResult};

/// A stored interview session.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    /// UUID.
    pub id: String,
    /// The interviewer who owns it.
    pub owner_id: String,
    /// Title shown on the dashboard.
    pub title: String,
    /// Candidate's name.
    pub candidate_name: String,
    /// Candidate's e-mail address.
    pub candidate_email: String,
    /// Editor language.
    pub language: String,
    /// `scheduled`, `active` or `completed`.
    pub status: String,
    /// Secret part of the invite link.
    pub invite_token: String,
    /// Interviewer's private notes.
    pub notes: String,
    /// Interviewer's score, 0–100.
    pub score: Option<i64>,
    /// Latest plain text of the shared editor.
    pub code: String,
    /// Epoch milliseconds.
    pub created_at: i64,
    /// Epoch milliseconds.
    pub updated_at: i64,
    /// When it became active.
    pub started_at: Option<i64>,
    /// When it was completed.
    pub ended_at: Option<i64>,
    /// `ended_at - started_at`, or 0 if never started; set on completion.
    pub duration_ms: Option<i64>,
    /// Set when deleted (the row stays, scrubbed, as a tombstone).
    pub deleted_at: Option<i64>,
    /// Room timer: milliseconds accumulated before the current run.
    pub timer_elapsed_ms: i64,
    /// Room timer: when the current run started; `None` while paused.
    pub timer_started_at: Option<i64>,
    /// The attached problem, if any.
    pub problem_id: Option<String>,
}

/// Fields of a new session.
pub struct NewSession<'a> {
    /// The owning interviewer.
    pub owner_id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Candidate's name.
    pub candidate_name: &'a str,
    /// Candidate's e-mail address.
    pub candidate_email: &'a str,
    /// Editor language.
    pub language: &'a str,
    /// Secret part of the invite link.
    pub invite_token: &'a str,
}

/// Changes to a session; `None` leaves a field as it is.
#[derive(Default)]
pub struct SessionChanges {
    /// New title.
    pub title: Option<String>,
    /// New candidate name.
    pub candidate_name: Option<String>,
    /// New candidate e-mail address.
    pub candidate_email: Option<String>,
    /// New language.
    pub language: Option<String>,
    /// New notes.
    pub notes: Option<String>,
    /// New score.
    pub score: Option<i64>,
}

/// One page of sessions.
pub struct SessionPage {
    /// The sessions, newest first.
    pub items: Vec<SessionRow>,
    /// How many sessions match in all.
    pub total: i64,
}

const COLUMNS: &str = "id, owner_id, title, candidate_name, candidate_email, language, status, \
    invite_token, notes, score, code, created_at, updated_at, started_at, ended_at, duration_ms, \
    deleted_at, timer_elapsed_ms, timer_started_at, problem_id";

/// Creates a scheduled session.
pub async fn create(db: &Db, new: NewSession<'_>, now_ms: i64) -> StoreResult<SessionRow> {
    let id = uuid::Uuid::new_v4().to_string();
    let sql = format!(
        "INSERT INTO interview_sessions
           (id, owner_id, title, candidate_name, candidate_email, language, status,
            invite_token, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7, $8, $8)
         RETURNING {COLUMNS}"
    );
    Ok(sqlx::query_as::<_, SessionRow>(&sql)
        .bind(&id)
        .bind(new.owner_id)
        .bind(new.title)
        .bind(new.candidate_name)
        .bind(new.candidate_email)
        .bind(new.language)
        .bind(new.invite_token)
        .bind(now_ms)
        .fetch_one(db.pool())
        .await?)
}

/// A page of the owner's live sessions, newest first, optionally of one status.
pub async fn list(
    db: &Db,
    owner_id: &str,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<SessionPage> {
    // Two fixed statements rather than one with an "any status" parameter, so
    // each can be answered from its own index.
    let filter = match status {
        None => "owner_id = $1 AND deleted_at IS NULL",
        Some(_) => "owner_id = $1 AND deleted_at IS NULL AND status = $2",
    };
    let (page_at, next) = if status.is_some() {
        ("$3", "$4")
    } else {
        ("$2", "$3")
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM interview_sessions WHERE {filter}
         ORDER BY created_at DESC, id DESC LIMIT {page_at} OFFSET {next}"
    );
    let mut query = sqlx::query_as::<_, SessionRow>(&sql).bind(owner_id);
    if let Some(status) = status {
        query = query.bind(status);
    }
    let items = query.bind(limit).bind(offset).fetch_all(db.pool()).await?;
    let count_sql = format!("SELECT COUNT(*) FROM interview_sessions WHERE {filter}");
    let mut count = sqlx::query_scalar(&count_sql).bind(owner_id);
    if let Some(status) = status {
        count = count.bind(status);
    }
    let total: i64 = count.fetch_one(db.pool()).await?;
    Ok(SessionPage { items, total })
}

/// A live (not deleted) session by id.
pub async fn get(db: &Db, id: &str) -> StoreResult<Option<SessionRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM interview_sessions WHERE id = $1 AND deleted_at IS NULL");
    Ok(sqlx::query_as::<_, SessionRow>(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// A session by invite token, deleted ones included (so the link can say "gone").
pub async fn get_by_invite(db: &Db, token: &str) -> StoreResult<Option<SessionRow>> {
    let sql = format!("SELECT {COLUMNS} FROM interview_sessions WHERE invite_token = $1");
    Ok(sqlx::query_as::<_, SessionRow>(&sql)
        .bind(token)
        .fetch_optional(db.pool())
        .await?)
}

/// Applies changes to the owner's live session; `None` if there is no such session.
pub async fn update(
    db: &Db,
    id: &str,
    owner_id: &str,
    changes: SessionChanges,
    now_ms: i64,
) -> StoreResult<Option<SessionRow>> {
    let sql = format!(
        "UPDATE interview_sessions SET
           title = COALESCE($3, title),
           candidate_name = COALESCE($4, candidate_name),
           candidate_email = COALESCE($5, candidate_email),
           language = COALESCE($6, language),
           notes = COALESCE($7, notes),
           score = COALESCE($8, score),
           updated_at = $9
         WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL
         RETURNING {COLUMNS}"
    );
    Ok(sqlx::query_as::<_, SessionRow>(&sql)
        .bind(id)
        .bind(owner_id)
        .bind(changes.title)
        .bind(changes.candidate_name)
        .bind(changes.candidate_email)
        .bind(changes.language)
        .bind(changes.notes)
        .bind(changes.score)
        .bind(now_ms)
        .fetch_optional(db.pool())
        .await?)
}

/// Moves a scheduled session to active; `None` if it was not scheduled (or not found).
pub async fn start(
    db: &Db,
    id: &str,
    owner_id: &str,
    now_ms: i64,
) -> StoreResult<Option<SessionRow>> {
    let sql = format!(
        "UPDATE interview_sessions SET status = 'active', started_at = $3, updated_at = $3
         WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL AND status = 'scheduled'
         RETURNING {COLUMNS}"
    );
    Ok(sqlx::query_as::<_, SessionRow>(&sql)
        .bind(id)
        .bind(owner_id)
        .bind(now_ms)
        .fetch_optional(db.pool())
        .await?)
}

/// Completes a session that is not yet completed, fixing its duration from the
/// server's clock; `None` if it was already completed (or not found).
pub async fn terminate(
    db: &Db,
    id: &str,
    owner_id: &str,
    now_ms: i64,
) -> StoreResult<Option<SessionRow>> {
    let sql = format!(
        "UPDATE interview_sessions SET
           status = 'completed',
           ended_at = $3,
           updated_at = $3,
           duration_ms = CASE WHEN started_at IS NULL THEN 0
                              WHEN $3 > started_at THEN $3 - started_at
                              ELSE 0 END
         WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL AND status <> 'completed'
         RETURNING {COLUMNS}"
    );
    Ok(sqlx::query_as::<_, SessionRow>(&sql)
        .bind(id)
        .bind(owner_id)
        .bind(now_ms)
        .fetch_optional(db.pool())
        .await?)
}

/// Deletes the owner's session: scrubs what it held about the candidate and
/// keeps a tombstone; `false` if there was no such live session.
pub async fn delete(db: &Db, id: &str, owner_id: &str, now_ms: i64) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE interview_sessions SET
           deleted_at = $3, updated_at = $3, title = '', candidate_name = '',
           candidate_email = '', notes = '', code = '', score = NULL
         WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(owner_id)
    .bind(now_ms)
    .execute(db.pool())
    .await?;
    let deleted = done.rows_affected() == 1;
    if deleted {
        // The document is the candidate's work: it goes with the rest.
        super::documents::purge(db, id).await?;
        super::runs::purge(db, id).await?;
        super::submissions::purge(db, id).await?;
    }
    Ok(deleted)
}

/// Saves the room timer of a live session.
pub async fn set_timer(
    db: &Db,
    id: &str,
    elapsed_ms: i64,
    started_at: Option<i64>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE interview_sessions SET timer_elapsed_ms = $2, timer_started_at = $3
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(elapsed_ms)
    .bind(started_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Saves the editor language of a live, not completed session; `false` if there is none.
pub async fn set_language(db: &Db, id: &str, language: &str, now_ms: i64) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE interview_sessions SET language = $2, updated_at = $3
         WHERE id = $1 AND deleted_at IS NULL AND status <> 'completed'",
    )
    .bind(id)
    .bind(language)
    .bind(now_ms)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Attaches a problem to (or, with `None`, detaches it from) the owner's live
/// session; `false` if there is no such session.
pub async fn set_problem(
    db: &Db,
    id: &str,
    owner_id: &str,
    problem_id: Option<&str>,
    now_ms: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE interview_sessions SET problem_id = $3, updated_at = $4
         WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(owner_id)
    .bind(problem_id)
    .bind(now_ms)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes the score a grading gave (only the interviewer's grade does this).
pub async fn set_score(db: &Db, id: &str, score: i64, now_ms: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE interview_sessions SET score = $2, updated_at = $3 WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(score)
    .bind(now_ms)
    .execute(db.pool())
    .await?;
    Ok(())
}
