//! The problem bank: `GET/POST /api/problems`, `GET/PUT/DELETE /api/problems/{id}`,
//! and `POST /api/problems/{id}/grade` to try a solution while authoring.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::executions::{check_code, count_run, sandbox_error};
use super::extract::{Json, Path, Query};
use crate::auth::Interviewer;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::grading::grade::{self, GradeError, GradeReport, Submission};
use crate::grading::problem::ProblemDoc;
use crate::state::AppState;
use crate::store::problems::{self, ProblemRow};

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_problems, create_problem))
        .routes(routes!(get_problem, replace_problem, delete_problem))
        .routes(routes!(grade_problem))
}

/// A problem as stored: its document plus id and times. This is also the export
/// format; importing it (POST) ignores `id` and the times.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProblemView {
    /// UUID.
    pub id: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// The document.
    #[serde(flatten)]
    pub document: ProblemDoc,
}

/// A problem in a listing.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProblemSummary {
    /// UUID.
    pub id: String,
    /// Title.
    pub title: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    /// Labels.
    pub tags: Vec<String>,
    /// Number of test cases.
    pub test_count: usize,
    /// Languages with starter code.
    pub languages: Vec<String>,
    /// RFC 3339.
    pub updated_at: String,
}

/// A page of problems.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemPage {
    /// Newest first.
    pub items: Vec<ProblemSummary>,
    /// All of the caller's problems.
    pub total: i64,
    /// Page size.
    pub limit: i64,
    /// Page start.
    pub offset: i64,
}

/// Paging of `GET /api/problems`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1–100, default 50.
    pub limit: Option<i64>,
    /// Default 0.
    pub offset: Option<i64>,
}

/// `POST /api/problems/{id}/grade` and the sessions' grade requests.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GradeRequest {
    /// `python` or `javascript`.
    pub language: String,
    /// The code to grade.
    pub code: String,
}

fn not_found() -> ApiError {
    ApiError::NotFound("no such problem".into())
}

/// Parses a stored document (written by this server, so it parses).
fn document(row: &ProblemRow) -> ApiResult<ProblemDoc> {
    serde_json::from_str(&row.document)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored problem {}: {e}", row.id)))
}

fn view(row: &ProblemRow) -> ApiResult<ProblemView> {
    Ok(ProblemView {
        id: row.id.clone(),
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
        document: document(row)?,
    })
}

/// The caller's problem, or 404 (someone else's looks the same as none).
async fn owned(state: &AppState, id: Uuid, who: &Interviewer) -> ApiResult<ProblemRow> {
    problems::get(&state.db, &id.to_string())
        .await?
        .filter(|p| p.owner_id == who.user_id)
        .ok_or_else(not_found)
}

fn checked(state: &AppState, mut doc: ProblemDoc) -> ApiResult<ProblemDoc> {
    doc.title = doc.title.trim().to_string();
    doc.validate(&state.sandbox.config().maxima)
        .map_err(ApiError::Unprocessable)?;
    Ok(doc)
}

fn row_of(id: String, owner_id: String, doc: &ProblemDoc, now: i64) -> ApiResult<ProblemRow> {
    Ok(ProblemRow {
        id,
        owner_id,
        title: doc.title.clone(),
        difficulty: doc.difficulty.clone(),
        document: serde_json::to_string(doc).map_err(|e| ApiError::Internal(e.into()))?,
        created_at: now,
        updated_at: now,
    })
}

/// The caller's problems, newest first.
#[utoipa::path(get, path = "/api/problems", tag = "problems", security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of problems", body = ProblemPage),
        (status = 403, description = "Candidate token", body = ErrorBody)))]
async fn list_problems(
    State(state): State<AppState>,
    who: Interviewer,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<ProblemPage>> {
    let limit = q.limit.unwrap_or(50);
    let offset = q.offset.unwrap_or(0);
    if !(1..=100).contains(&limit) || offset < 0 {
        return Err(ApiError::Unprocessable(
            "limit must be 1 to 100 and offset at least 0".into(),
        ));
    }
    let (rows, total) = problems::list(&state.db, &who.user_id, limit, offset).await?;
    let items = rows
        .iter()
        .map(|row| {
            let doc = document(row)?;
            Ok(ProblemSummary {
                id: row.id.clone(),
                title: row.title.clone(),
                difficulty: row.difficulty.clone(),
                tags: doc.tags,
                test_count: doc.tests.len(),
                languages: doc.starter_code.into_keys().collect(),
                updated_at: rfc3339(row.updated_at),
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok(Json(ProblemPage {
        items,
        total,
        limit,
        offset,
    }))
}

/// Creates (or imports) a problem.
#[utoipa::path(post, path = "/api/problems", tag = "problems", security(("bearer" = [])),
    request_body = ProblemDoc,
    responses((status = 201, description = "Created", body = ProblemView),
        (status = 403, description = "Candidate token", body = ErrorBody),
        (status = 422, description = "Invalid document; the message names the field", body = ErrorBody)))]
async fn create_problem(
    State(state): State<AppState>,
    who: Interviewer,
    Json(doc): Json<ProblemDoc>,
) -> ApiResult<(StatusCode, Json<ProblemView>)> {
    let doc = checked(&state, doc)?;
    let row = row_of(
        Uuid::new_v4().to_string(),
        who.user_id,
        &doc,
        state.clock.now_ms(),
    )?;
    problems::create(&state.db, &row).await?;
    Ok((StatusCode::CREATED, Json(view(&row)?)))
}

/// One of the caller's problems, whole (the export format).
#[utoipa::path(get, path = "/api/problems/{id}", tag = "problems", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Problem id")),
    responses((status = 200, description = "The problem", body = ProblemView),
        (status = 404, description = "No such problem, or not yours", body = ErrorBody)))]
async fn get_problem(
    State(state): State<AppState>,
    who: Interviewer,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ProblemView>> {
    Ok(Json(view(&owned(&state, id, &who).await?)?))
}

/// Replaces one of the caller's problems.
#[utoipa::path(put, path = "/api/problems/{id}", tag = "problems", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Problem id")), request_body = ProblemDoc,
    responses((status = 200, description = "The new version", body = ProblemView),
        (status = 404, description = "No such problem, or not yours", body = ErrorBody),
        (status = 422, description = "Invalid document", body = ErrorBody)))]
async fn replace_problem(
    State(state): State<AppState>,
    who: Interviewer,
    Path(id): Path<Uuid>,
    Json(doc): Json<ProblemDoc>,
) -> ApiResult<Json<ProblemView>> {
    let existing = owned(&state, id, &who).await?;
    let doc = checked(&state, doc)?;
    let mut row = row_of(existing.id, existing.owner_id, &doc, state.clock.now_ms())?;
    row.created_at = existing.created_at;
    if !problems::replace(&state.db, &row).await? {
        return Err(not_found());
    }
    Ok(Json(view(&row)?))
}

/// Deletes one of the caller's problems.
#[utoipa::path(delete, path = "/api/problems/{id}", tag = "problems", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Problem id")),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "No such problem, or not yours", body = ErrorBody)))]
async fn delete_problem(
    State(state): State<AppState>,
    who: Interviewer,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    if !problems::delete(&state.db, &id.to_string(), &who.user_id).await? {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Grades code against every test of the problem (to try a reference solution).
#[utoipa::path(post, path = "/api/problems/{id}/grade", tag = "problems", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Problem id")), request_body = GradeRequest,
    responses((status = 200, description = "Verdicts, score and fuel", body = GradeReport),
        (status = 404, description = "No such problem, or not yours", body = ErrorBody),
        (status = 422, description = "Language that cannot run, code too large", body = ErrorBody),
        (status = 429, description = "Too many runs", body = ErrorBody),
        (status = 503, description = "The sandbox is starting or unavailable", body = ErrorBody)))]
async fn grade_problem(
    State(state): State<AppState>,
    who: Interviewer,
    Path(id): Path<Uuid>,
    Json(body): Json<GradeRequest>,
) -> ApiResult<Json<GradeReport>> {
    let doc = document(&owned(&state, id, &who).await?)?;
    let owner = format!("user:{}", who.user_id);
    Ok(Json(run_grade(&state, &doc, &body, owner, None).await?))
}

/// Checks a grade request and runs it (shared with the sessions' grading).
pub(crate) async fn run_grade(
    state: &AppState,
    doc: &ProblemDoc,
    body: &GradeRequest,
    owner: String,
    only: Option<&[usize]>,
) -> ApiResult<GradeReport> {
    check_code(state, &body.language, &body.code)?;
    count_run(state, &owner, "")?;
    let submission = Submission {
        language: &body.language,
        code: &body.code,
        problem: doc,
        only,
        key: state.keys.harness_key(),
        owner,
    };
    grade::grade(&state.sandbox, submission)
        .await
        .map_err(|e| match e {
            GradeError::Invalid(m) => ApiError::Unprocessable(m),
            GradeError::Sandbox(e) => sandbox_error(e),
        })
}
