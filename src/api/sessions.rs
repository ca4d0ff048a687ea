//! Interview sessions: the interviewer's CRUD and life cycle, and the candidate's view.

use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::extract::{Json, Path, Query};
use crate::auth::{Caller, Interviewer, Principal};
use crate::clock::rfc3339;
use crate::domain::{bounded_text, Email, Language, PersonName};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use crate::store::sessions::{self, NewSession, SessionChanges, SessionRow};

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sessions, create_session))
        .routes(routes!(get_session, update_session, delete_session))
        .routes(routes!(start_session))
        .routes(routes!(terminate_session))
}

const MAX_TITLE_CHARS: usize = 200;
const MAX_NOTES_CHARS: usize = 50_000;
const DEFAULT_PAGE: i64 = 20;
const MAX_PAGE: i64 = 100;

/// Body of `POST /api/sessions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateSessionRequest {
    /// Candidate's name, 1–100 characters.
    pub candidate_name: String,
    /// Candidate's e-mail address.
    pub candidate_email: String,
    /// Editor language.
    pub language: Language,
    /// Title; defaults to "Interview with <candidate>".
    pub title: Option<String>,
    /// One of the interviewer's problems to attach.
    pub problem_id: Option<Uuid>,
}

/// Body of `PUT /api/sessions/{id}`; absent fields are left unchanged.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateSessionRequest {
    /// Title, 1–200 characters.
    pub title: Option<String>,
    /// Candidate's name.
    pub candidate_name: Option<String>,
    /// Candidate's e-mail address.
    pub candidate_email: Option<String>,
    /// Editor language.
    pub language: Option<Language>,
    /// Private notes, at most 50,000 characters.
    pub notes: Option<String>,
    /// Score, 0–100.
    pub score: Option<i64>,
    /// Attach one of the interviewer's problems, or detach with `null`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub problem_id: Option<Option<Uuid>>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Query of `GET /api/sessions`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page size, 1–100 (default 20).
    pub limit: Option<i64>,
    /// Sessions to skip (default 0).
    pub offset: Option<i64>,
    /// Only sessions of this status.
    pub status: Option<String>,
}

/// An interview session. Candidates get it without the interviewer-only fields.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// Session id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Candidate's name.
    pub candidate_name: String,
    /// Candidate's e-mail address (interviewer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_email: Option<String>,
    /// Editor language.
    pub language: String,
    /// `scheduled`, `active` or `completed`.
    pub status: String,
    /// Secret part of the invite link (interviewer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_token: Option<String>,
    /// The link to send the candidate (interviewer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_url: Option<String>,
    /// Private notes (interviewer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Score 0–100 (interviewer only; absent until scored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<i64>,
    /// Current plain text of the shared editor.
    pub code: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// When the interview started (RFC 3339), if it has.
    pub started_at: Option<String>,
    /// When it was completed (RFC 3339), if it has been.
    pub ended_at: Option<String>,
    /// Milliseconds between start and end (so far, while active; 0 if never started).
    pub duration_ms: i64,
    /// `durationMs` in whole seconds, rounded up so a started interview never shows 0.
    pub duration_seconds: i64,
    /// True when the session was completed without ever being started.
    pub never_started: bool,
    /// The attached problem, if any (`GET /api/sessions/{id}/problem` shows it).
    pub problem_id: Option<String>,
}

/// One page of sessions.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionPageView {
    /// The sessions, newest first.
    pub items: Vec<SessionView>,
    /// How many sessions match in all.
    pub total: i64,
    /// Page size used.
    pub limit: i64,
    /// Offset used.
    pub offset: i64,
}

/// How much of a session the viewer may see.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    Interviewer,
    Candidate,
}

impl SessionView {
    pub(crate) fn of(row: SessionRow, audience: Audience, state: &AppState) -> Self {
        let duration_ms = match (row.status.as_str(), row.duration_ms, row.started_at) {
            (_, Some(ms), _) => ms,
            ("active", None, Some(started)) => (state.clock.now_ms() - started).max(0),
            _ => 0,
        };
        let interviewer = audience == Audience::Interviewer;
        let base = state.config.public_url.as_deref().unwrap_or_default();
        let invite_url = format!("{base}/join/{}", row.invite_token);
        Self {
            never_started: row.status == "completed" && row.started_at.is_none(),
            id: row.id,
            title: row.title,
            candidate_name: row.candidate_name,
            candidate_email: interviewer.then_some(row.candidate_email),
            language: row.language,
            status: row.status,
            invite_token: interviewer.then_some(row.invite_token),
            invite_url: interviewer.then_some(invite_url),
            notes: interviewer.then_some(row.notes),
            score: if interviewer { row.score } else { None },
            code: row.code,
            created_at: rfc3339(row.created_at),
            updated_at: rfc3339(row.updated_at),
            started_at: row.started_at.map(rfc3339),
            ended_at: row.ended_at.map(rfc3339),
            duration_ms,
            duration_seconds: (duration_ms + 999) / 1000,
            problem_id: row.problem_id,
        }
    }
}

/// Attaches one of the interviewer's own problems (or detaches with `None`).
async fn attach(
    state: &AppState,
    session_id: &str,
    who: &Interviewer,
    problem: Option<Uuid>,
) -> ApiResult<()> {
    let problem = problem.map(|p| p.to_string());
    if let Some(p) = &problem {
        let owned = crate::store::problems::get(&state.db, p)
            .await?
            .is_some_and(|row| row.owner_id == who.user_id);
        if !owned {
            return Err(ApiError::Unprocessable(
                "problemId does not name one of your problems".into(),
            ));
        }
    }
    let now = state.clock.now_ms();
    if !sessions::set_problem(&state.db, session_id, &who.user_id, problem.as_deref(), now).await? {
        return Err(not_found());
    }
    Ok(())
}

/// A fresh invite token: 256 random bits, URL-safe.
fn new_invite_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn not_found() -> ApiError {
    ApiError::NotFound("no such session".into())
}

/// Fetches a live session the interviewer owns; anyone else's is "not found".
async fn owned(state: &AppState, id: Uuid, who: &Interviewer) -> ApiResult<SessionRow> {
    sessions::get(&state.db, &id.to_string())
        .await?
        .filter(|s| s.owner_id == who.user_id)
        .ok_or_else(not_found)
}

fn validate_title(raw: &str) -> ApiResult<String> {
    let title = raw.trim();
    if title.is_empty() {
        return Err(ApiError::Unprocessable("title must not be empty".into()));
    }
    bounded_text(title, "title", MAX_TITLE_CHARS).map_err(ApiError::Unprocessable)
}

/// Lists the caller's sessions, newest first.
#[utoipa::path(get, path = "/api/sessions", tag = "sessions",
    security(("bearer" = [])), params(ListQuery),
    responses(
        (status = 200, description = "A page of sessions", body = SessionPageView),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Candidates cannot list sessions", body = ErrorBody)))]
async fn list_sessions(
    State(state): State<AppState>,
    who: Interviewer,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<SessionPageView>> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )));
    }
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::BadRequest("offset must not be negative".into()));
    }
    if let Some(status) = &q.status {
        if !["scheduled", "active", "completed"].contains(&status.as_str()) {
            return Err(ApiError::BadRequest(
                "status must be scheduled, active or completed".into(),
            ));
        }
    }
    let page = sessions::list(&state.db, &who.user_id, q.status.as_deref(), limit, offset).await?;
    Ok(Json(SessionPageView {
        items: page
            .items
            .into_iter()
            .map(|row| SessionView::of(row, Audience::Interviewer, &state))
            .collect(),
        total: page.total,
        limit,
        offset,
    }))
}

/// Schedules a new interview and makes its invite link.
#[utoipa::path(post, path = "/api/sessions", tag = "sessions",
    security(("bearer" = [])), request_body = CreateSessionRequest,
    responses(
        (status = 201, description = "Created", body = SessionView),
        (status = 422, description = "Invalid fields", body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(user_id = %who.user_id))]
async fn create_session(
    State(state): State<AppState>,
    who: Interviewer,
    Json(body): Json<CreateSessionRequest>,
) -> ApiResult<(StatusCode, Json<SessionView>)> {
    let candidate_name = PersonName::parse(&body.candidate_name, "candidateName")
        .map_err(ApiError::Unprocessable)?;
    let candidate_email = Email::parse(&body.candidate_email).map_err(ApiError::Unprocessable)?;
    let title = match &body.title {
        Some(t) => validate_title(t)?,
        None => format!("Interview with {}", candidate_name.as_str()),
    };
    let token = new_invite_token();
    let row = sessions::create(
        &state.db,
        NewSession {
            owner_id: &who.user_id,
            title: &title,
            candidate_name: candidate_name.as_str(),
            candidate_email: candidate_email.as_str(),
            language: body.language.as_str(),
            invite_token: &token,
        },
        state.clock.now_ms(),
    )
    .await?;
    let mut row = row;
    if let Some(problem) = body.problem_id {
        attach(&state, &row.id, &who, Some(problem)).await?;
        row.problem_id = Some(problem.to_string());
    }
    tracing::info!(session_id = %row.id, "session created");
    Ok((
        StatusCode::CREATED,
        Json(SessionView::of(row, Audience::Interviewer, &state)),
    ))
}

/// One session: the owner sees all of it, its candidate the shared part.
#[utoipa::path(get, path = "/api/sessions/{id}", tag = "sessions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "The session", body = SessionView),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 404, description = "No such session, or not yours", body = ErrorBody)))]
async fn get_session(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<SessionView>> {
    let row = sessions::get(&state.db, &id.to_string())
        .await?
        .ok_or_else(not_found)?;
    let audience = match &who {
        Principal::Interviewer { user_id, .. } if *user_id == row.owner_id => Audience::Interviewer,
        Principal::Candidate { session_id, .. } if *session_id == row.id => Audience::Candidate,
        _ => return Err(not_found()),
    };
    // The room's document is the source of truth for the code.
    let code = state.realtime.code_of(&row).await?;
    let mut view = SessionView::of(row, audience, &state);
    view.code = code;
    Ok(Json(view))
}

/// Changes notes, score, candidate fields, title or language.
#[utoipa::path(put, path = "/api/sessions/{id}", tag = "sessions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Session id")),
    request_body = UpdateSessionRequest,
    responses(
        (status = 200, description = "The updated session", body = SessionView),
        (status = 404, description = "No such session, or not yours", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody)))]
async fn update_session(
    State(state): State<AppState>,
    who: Interviewer,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateSessionRequest>,
) -> ApiResult<Json<SessionView>> {
    let invalid = ApiError::Unprocessable;
    let changes = SessionChanges {
        title: body.title.as_deref().map(validate_title).transpose()?,
        candidate_name: body
            .candidate_name
            .as_deref()
            .map(|n| PersonName::parse(n, "candidateName").map(|n| n.as_str().to_string()))
            .transpose()
            .map_err(invalid)?,
        candidate_email: body
            .candidate_email
            .as_deref()
            .map(|e| Email::parse(e).map(|e| e.as_str().to_string()))
            .transpose()
            .map_err(invalid)?,
        language: body.language.map(|l| l.as_str().to_string()),
        notes: body
            .notes
            .as_deref()
            .map(|n| bounded_text(n, "notes", MAX_NOTES_CHARS))
            .transpose()
            .map_err(invalid)?,
        score: match body.score {
            Some(s) if !(0..=100).contains(&s) => {
                return Err(invalid("score must be between 0 and 100".into()))
            }
            other => other,
        },
    };
    if let Some(problem) = body.problem_id {
        attach(&state, &id.to_string(), &who, problem).await?;
    }
    let row = sessions::update(
        &state.db,
        &id.to_string(),
        &who.user_id,
        changes,
        state.clock.now_ms(),
    )
    .await?
    .ok_or_else(not_found)?;
    state.realtime.session_changed(&row).await;
    Ok(Json(SessionView::of(row, Audience::Interviewer, &state)))
}

/// Deletes a session: its candidate data is erased and its invite link stops working.
#[utoipa::path(delete, path = "/api/sessions/{id}", tag = "sessions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such session, or not yours", body = ErrorBody)))]
async fn delete_session(
    State(state): State<AppState>,
    who: Interviewer,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    if sessions::delete(
        &state.db,
        &id.to_string(),
        &who.user_id,
        state.clock.now_ms(),
    )
    .await?
    {
        tracing::info!(session_id = %id, "session deleted");
        state.realtime.session_deleted(&id.to_string()).await;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}

/// Starts a scheduled interview (its duration counts from now).
#[utoipa::path(post, path = "/api/sessions/{id}/start", tag = "sessions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "Now active", body = SessionView),
        (status = 404, description = "No such session, or not yours", body = ErrorBody),
        (status = 409, description = "Already active or completed", body = ErrorBody)))]
async fn start_session(
    State(state): State<AppState>,
    who: Interviewer,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<SessionView>> {
    let now = state.clock.now_ms();
    match sessions::start(&state.db, &id.to_string(), &who.user_id, now).await? {
        Some(row) => {
            state.realtime.session_changed(&row).await;
            Ok(Json(SessionView::of(row, Audience::Interviewer, &state)))
        }
        None => {
            let current = owned(&state, id, &who).await?;
            Err(ApiError::Conflict(format!(
                "the session is {} and cannot be started",
                current.status
            )))
        }
    }
}

/// Completes an interview; its duration is fixed by the server's clock.
#[utoipa::path(post, path = "/api/sessions/{id}/terminate", tag = "sessions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "Now completed", body = SessionView),
        (status = 404, description = "No such session, or not yours", body = ErrorBody),
        (status = 409, description = "Already completed", body = ErrorBody)))]
async fn terminate_session(
    State(state): State<AppState>,
    who: Interviewer,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<SessionView>> {
    let now = state.clock.now_ms();
    match sessions::terminate(&state.db, &id.to_string(), &who.user_id, now).await? {
        Some(mut row) => {
            tracing::info!(session_id = %row.id, duration_ms = row.duration_ms, "session completed");
            // The interview is over: its timer stops where it is.
            if row.timer_started_at.is_some() {
                let timer = crate::realtime::timer::Timer {
                    accumulated_ms: row.timer_elapsed_ms,
                    started_at: row.timer_started_at,
                }
                .apply(crate::realtime::timer::TimerAction::Pause, now);
                sessions::set_timer(&state.db, &row.id, timer.accumulated_ms, None).await?;
                row.timer_elapsed_ms = timer.accumulated_ms;
                row.timer_started_at = None;
            }
            state.realtime.session_changed(&row).await;
            Ok(Json(SessionView::of(row, Audience::Interviewer, &state)))
        }
        None => {
            owned(&state, id, &who).await?;
            Err(ApiError::Conflict(
                "the session is already completed".into(),
            ))
        }
    }
}
