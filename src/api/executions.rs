//! Running code on the server: `POST /api/executions`, `GET /api/runtimes`.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::extract::Json;
use crate::auth::{Caller, Principal};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::sandbox::limits::{Limits, Maxima, RequestedLimits};
use crate::sandbox::outcome::Outcome;
use crate::sandbox::{RunRequest, Runtime, SandboxError, SandboxStatus};
use crate::state::AppState;
use crate::store::sessions;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(execute))
        .routes(routes!(list_runtimes))
}

/// Body of `POST /api/executions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExecutionRequest {
    /// `python` or `javascript`.
    pub language: String,
    /// Source code (at most 256 KiB).
    pub code: String,
    /// Standard input (at most 4 MiB, within the request size limit).
    #[serde(default)]
    pub stdin: String,
    /// Limits; absent fields take the server's defaults.
    #[serde(default)]
    pub limits: RequestedLimits,
}

/// A runtime the server can run.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeView {
    /// `python` or `javascript`.
    pub language: String,
    /// Artefact name.
    pub name: String,
    /// Version.
    pub version: String,
}

/// What the server can run and within which limits.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuntimesView {
    /// `starting`, `ready`, `failed` or `disabled`.
    pub status: String,
    /// Why the sandbox is not ready, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Loaded runtimes.
    pub runtimes: Vec<RuntimeView>,
    /// Limits of a run that asks for none.
    pub defaults: Limits,
    /// The most a run may ask for.
    pub maxima: Maxima,
}

/// Which queue a caller's runs wait in, after checking they may run code at all.
async fn owner_of(state: &AppState, who: &Principal) -> ApiResult<String> {
    match who {
        Principal::Interviewer { user_id, .. } => Ok(format!("user:{user_id}")),
        Principal::Candidate { session_id, .. } => {
            let session = sessions::get(&state.db, session_id).await?;
            match session {
                Some(s) if s.status == "active" => Ok(format!("session:{session_id}")),
                Some(_) => Err(ApiError::Forbidden(
                    "candidates can run code on the server only while the interview is active"
                        .into(),
                )),
                None => Err(ApiError::Forbidden(
                    "this interview no longer exists".into(),
                )),
            }
        }
    }
}

/// Runs code in the WebAssembly sandbox and returns how it ended.
#[utoipa::path(post, path = "/api/executions", tag = "executions",
    security(("bearer" = [])), request_body = ExecutionRequest,
    responses(
        (status = 200, description = "The run's outcome (any verdict)", body = Outcome),
        (status = 403, description = "A candidate outside an active interview", body = ErrorBody),
        (status = 413, description = "Code or stdin too large", body = ErrorBody),
        (status = 422, description = "Unknown language, bad limits", body = ErrorBody),
        (status = 429, description = "Too many runs; see Retry-After", body = ErrorBody),
        (status = 503, description = "The sandbox is starting or unavailable", body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(language = %body.language))]
async fn execute(
    State(state): State<AppState>,
    Caller(who): Caller,
    Json(body): Json<ExecutionRequest>,
) -> ApiResult<Json<Outcome>> {
    let owner = owner_of(&state, &who).await?;
    let request = build_request(&state, body, owner.clone())?;
    count_run(&state, &owner, "")?;
    let outcome = state
        .sandbox
        .execute(request)
        .await
        .map_err(sandbox_error)?;
    Ok(Json(outcome))
}

/// Counts a run against its queue's per-minute allowance (`per` names the
/// queue in the refusal, e.g. " per room").
pub(crate) fn count_run(state: &AppState, owner: &str, per: &str) -> ApiResult<()> {
    state
        .execution_limits
        .hit(owner)
        .map_err(|retry_after| ApiError::RateLimited {
            retry_after,
            message: format!(
                "at most {} server runs a minute{per}; try again shortly",
                state.config.sandbox.per_minute
            ),
        })
}

/// Checks what every server run (plain, room or grading) takes: a language the
/// sandbox runs, code within its size ceiling, no NUL characters.
pub(crate) fn check_code(state: &AppState, language: &str, code: &str) -> ApiResult<()> {
    if Runtime::from_language(language).is_none() {
        return Err(ApiError::Unprocessable(format!(
            "`{language}` cannot run on the server; server runs support {}",
            Runtime::listed()
        )));
    }
    let max = state.sandbox.config().maxima.code_bytes;
    if code.len() as u64 > max {
        return Err(ApiError::PayloadTooLarge(format!(
            "the code is {} bytes; at most {max} are accepted",
            code.len()
        )));
    }
    if code.contains('\0') {
        return Err(ApiError::Unprocessable(
            "the code must not contain NUL characters".into(),
        ));
    }
    Ok(())
}

/// Validates a run request against the sandbox's ceilings.
pub(crate) fn build_request(
    state: &AppState,
    body: ExecutionRequest,
    owner: String,
) -> ApiResult<RunRequest> {
    check_code(state, &body.language, &body.code)?;
    let maxima = state.sandbox.config().maxima;
    if body.stdin.len() as u64 > maxima.stdin_bytes {
        return Err(ApiError::PayloadTooLarge(format!(
            "stdin is {} bytes; at most {} are accepted",
            body.stdin.len(),
            maxima.stdin_bytes
        )));
    }
    let limits = maxima
        .resolve(&body.limits, &state.sandbox.config().defaults)
        .map_err(ApiError::Unprocessable)?;
    Ok(RunRequest {
        language: body.language,
        code: body.code,
        stdin: body.stdin.into_bytes(),
        limits,
        owner,
    })
}

/// Maps the sandbox's refusals to HTTP.
pub(crate) fn sandbox_error(err: SandboxError) -> ApiError {
    match err {
        SandboxError::Unavailable(m) => ApiError::Unavailable(m),
        e @ SandboxError::UnsupportedLanguage(_) => ApiError::Unprocessable(e.to_string()),
        SandboxError::QueueFull(retry_after) => ApiError::RateLimited {
            retry_after,
            message: "the server is busy running code; try again shortly".into(),
        },
    }
}

/// Lists the server's runtimes and their limits.
#[utoipa::path(get, path = "/api/runtimes", tag = "executions",
    security(("bearer" = [])),
    responses((status = 200, description = "Runtimes and limits", body = RuntimesView)))]
async fn list_runtimes(State(state): State<AppState>, _who: Caller) -> Json<RuntimesView> {
    let status = state.sandbox.status();
    let config = state.sandbox.config();
    Json(RuntimesView {
        status: status.as_str().to_string(),
        message: match status {
            SandboxStatus::Failed(m) => Some(m),
            _ => None,
        },
        runtimes: state
            .sandbox
            .runtimes()
            .into_iter()
            .map(|r| RuntimeView {
                language: r.language,
                name: r.name,
                version: r.version,
            })
            .collect(),
        defaults: config.defaults,
        maxima: config.maxima,
    })
}
