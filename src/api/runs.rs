//! `POST /api/sessions/{id}/runs`: a server run from inside a room, whose result
//! everyone in the room sees; `GET` lists the runs a room saw, for the review.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::executions::{build_request, count_run, sandbox_error, ExecutionRequest};
use super::extract::{Json, Path};
use crate::auth::{Caller, Interviewer, Principal};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::realtime::presence::Participant;
use crate::sandbox::outcome::Outcome;
use crate::state::AppState;
use crate::store::{runs, sessions};

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(run_in_room, list_runs))
}

/// A room run's result, as answered and as broadcast in `execution_result`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomRun {
    /// Identifies the run (also in `execution_started`).
    pub run_id: String,
    /// Always `server` (browser runs report `local` through the socket).
    pub source: &'static str,
    /// Who started it.
    #[schema(value_type = Object)]
    pub by: Participant,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunStarted<'a> {
    run_id: &'a str,
    source: &'static str,
    language: &'a str,
    by: &'a Participant,
}

/// Runs code in the sandbox for a room; the room gets `execution_started`, then
/// `execution_result` with the outcome.
#[utoipa::path(post, path = "/api/sessions/{id}/runs", tag = "executions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Session id")),
    request_body = ExecutionRequest,
    responses(
        (status = 200, description = "The run's outcome (any verdict)", body = RoomRun),
        (status = 403, description = "A candidate outside an active interview", body = ErrorBody),
        (status = 404, description = "No such session, or not yours", body = ErrorBody),
        (status = 409, description = "The interview is completed", body = ErrorBody),
        (status = 422, description = "Unknown language, bad limits", body = ErrorBody),
        (status = 429, description = "Too many runs; see Retry-After", body = ErrorBody),
        (status = 503, description = "The sandbox is starting or unavailable", body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(session_id = %id, language = %body.language))]
async fn run_in_room(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<ExecutionRequest>,
) -> ApiResult<Json<RoomRun>> {
    let id = id.to_string();
    let not_found = || ApiError::NotFound("no such session".into());
    let row = sessions::get(&state.db, &id)
        .await?
        .filter(|r| r.deleted_at.is_none())
        .ok_or_else(not_found)?;
    match &who {
        Principal::Interviewer { user_id, .. } if *user_id == row.owner_id => {}
        Principal::Candidate { session_id, .. } if *session_id == row.id => {
            if row.status != "active" {
                return Err(ApiError::Forbidden(
                    "candidates can run code on the server only while the interview is active"
                        .into(),
                ));
            }
        }
        _ => return Err(not_found()),
    }
    if row.status == "completed" {
        return Err(ApiError::Conflict(
            "the interview is completed; its room is read-only".into(),
        ));
    }
    // A room's runs share one queue, whoever starts them.
    let owner = format!("session:{id}");
    let request = build_request(&state, body, owner.clone())?;
    count_run(&state, &owner, " per room")?;
    let run_id = Uuid::new_v4().to_string();
    let by = Participant::of(&who);
    let started = RunStarted {
        run_id: &run_id,
        source: "server",
        language: &request.language,
        by: &by,
    };
    state
        .realtime
        .emit(&id, "execution_started", &started)
        .await;
    let outcome = match state.sandbox.execute(request).await {
        Ok(outcome) => outcome,
        Err(e) => {
            let error = sandbox_error(e);
            // The room saw the run start: tell it the run did not happen.
            let not_run = serde_json::json!({
                "runId": run_id, "source": "server", "by": by,
                "status": "not_run", "message": error.to_string(),
            });
            state.realtime.emit(&id, "execution_result", &not_run).await;
            return Err(error);
        }
    };
    let run = RoomRun {
        run_id,
        source: "server",
        by,
        outcome,
    };
    state.realtime.emit(&id, "execution_result", &run).await;
    if let Ok(json) = serde_json::to_value(&run) {
        state.realtime.record_run(&id, "server", &json).await;
    }
    Ok(Json(run))
}

/// The runs of a session, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunHistory {
    /// Each run as the room received it, plus `at` (when the server recorded it).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
}

/// Most runs one listing returns.
const HISTORY_LIMIT: i64 = 200;

/// Lists the runs a room saw (server runs and reported browser runs), newest first.
#[utoipa::path(get, path = "/api/sessions/{id}/runs", tag = "executions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "The session's runs, newest first (at most 200)", body = RunHistory),
        (status = 403, description = "Candidate token", body = ErrorBody),
        (status = 404, description = "No such session, or not yours", body = ErrorBody)))]
async fn list_runs(
    State(state): State<AppState>,
    who: Interviewer,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RunHistory>> {
    let id = id.to_string();
    sessions::get(&state.db, &id)
        .await?
        .filter(|r| r.deleted_at.is_none() && r.owner_id == who.user_id)
        .ok_or_else(|| ApiError::NotFound("no such session".into()))?;
    let items = runs::list(&state.db, &id, HISTORY_LIMIT)
        .await?
        .into_iter()
        .filter_map(|run| {
            let mut value: serde_json::Value = serde_json::from_str(&run.result).ok()?;
            value
                .as_object_mut()?
                .insert("at".into(), rfc3339(run.created_at).into());
            Some(value)
        })
        .collect();
    Ok(Json(RunHistory { items }))
}
