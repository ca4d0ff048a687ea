//! A session's problem and its grading: `GET /api/sessions/{id}/problem`,
//! `POST …/grade` (interviewer), `POST …/test` (sample tests, candidate too),
//! `GET …/submissions` and `POST …/submissions/{sid}/rerun`.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::extract::{Json, Path};
use super::problems::{run_grade, GradeRequest};
use crate::auth::{Caller, Interviewer, Principal};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::grading::grade::GradeReport;
use crate::grading::problem::{ProblemDoc, TestCase};
use crate::state::AppState;
use crate::store::problems;
use crate::store::sessions::{self, SessionRow};
use crate::store::submissions::{self, SubmissionRow};

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(session_problem))
        .routes(routes!(grade_session))
        .routes(routes!(test_session))
        .routes(routes!(list_submissions))
        .routes(routes!(rerun_submission))
}

/// The attached problem as both sides of the room see it: sample tests in full,
/// hidden ones only counted.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomProblem {
    /// Problem id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown.
    pub statement: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    /// Labels.
    pub tags: Vec<String>,
    /// Starter code by language.
    pub starter_code: std::collections::BTreeMap<String, String>,
    /// The sample tests, with their position in the problem.
    #[schema(value_type = Vec<Object>)]
    pub samples: Vec<Value>,
    /// How many tests are hidden.
    pub hidden_count: usize,
}

/// A session grade request; `code` defaults to the room's current code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SessionGradeRequest {
    /// `python` or `javascript`.
    pub language: String,
    /// The code; absent: what the room's editor holds now.
    pub code: Option<String>,
}

/// A stored grading.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionView {
    /// Submission id.
    pub id: String,
    /// RFC 3339.
    pub created_at: String,
    /// Problem graded against.
    pub problem_id: String,
    /// The code graded.
    pub code: String,
    /// The report.
    #[serde(flatten)]
    pub report: GradeReport,
}

/// Submissions of a session, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionList {
    /// Newest first.
    pub items: Vec<SubmissionView>,
}

/// A re-run of a stored submission and whether it matched.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RerunView {
    /// True when verdicts, output, fuel and score equal the stored ones (times aside).
    pub identical: bool,
    /// The new report.
    pub report: GradeReport,
}

fn not_found() -> ApiError {
    ApiError::NotFound("no such session".into())
}

/// The session, if the caller is its owner or its candidate.
async fn visible(state: &AppState, id: Uuid, who: &Principal) -> ApiResult<SessionRow> {
    let row = sessions::get(&state.db, &id.to_string())
        .await?
        .ok_or_else(not_found)?;
    match who {
        Principal::Interviewer { user_id, .. } if *user_id == row.owner_id => Ok(row),
        Principal::Candidate { session_id, .. } if *session_id == row.id => Ok(row),
        _ => Err(not_found()),
    }
}

async fn owned(state: &AppState, id: Uuid, who: &Interviewer) -> ApiResult<SessionRow> {
    sessions::get(&state.db, &id.to_string())
        .await?
        .filter(|r| r.owner_id == who.user_id)
        .ok_or_else(not_found)
}

/// The attached problem's document.
async fn problem_of(state: &AppState, row: &SessionRow) -> ApiResult<(String, ProblemDoc)> {
    let missing = || ApiError::NotFound("this interview has no problem attached".into());
    let id = row.problem_id.clone().ok_or_else(missing)?;
    let stored = problems::get(&state.db, &id).await?.ok_or_else(missing)?;
    let doc = serde_json::from_str(&stored.document)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored problem {id}: {e}")))?;
    Ok((id, doc))
}

async fn code_for(state: &AppState, row: &SessionRow, given: Option<String>) -> ApiResult<String> {
    match given {
        Some(code) => Ok(code),
        None => Ok(state.realtime.code_of(row).await?),
    }
}

/// The session's problem, as the room shows it.
#[utoipa::path(get, path = "/api/sessions/{id}/problem", tag = "grading", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses((status = 200, description = "Statement, starter code, sample tests", body = RoomProblem),
        (status = 404, description = "No such session, or no problem attached", body = ErrorBody)))]
async fn session_problem(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RoomProblem>> {
    let row = visible(&state, id, &who).await?;
    let (problem_id, doc) = problem_of(&state, &row).await?;
    let samples = doc
        .tests
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.hidden())
        .map(|(index, t)| {
            let mut v = serde_json::to_value(t).unwrap_or(Value::Null);
            if let Some(o) = v.as_object_mut() {
                o.insert("index".into(), index.into());
            }
            v
        })
        .collect();
    Ok(Json(RoomProblem {
        id: problem_id,
        title: doc.title,
        statement: doc.statement,
        difficulty: doc.difficulty,
        tags: doc.tags,
        starter_code: doc.starter_code,
        samples,
        hidden_count: doc.tests.iter().filter(|t| t.hidden()).count(),
    }))
}

/// Grades the room's code (or the given code) against every test, stores the
/// submission and writes the score to the session.
#[utoipa::path(post, path = "/api/sessions/{id}/grade", tag = "grading", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")), request_body = SessionGradeRequest,
    responses((status = 200, description = "The stored submission", body = SubmissionView),
        (status = 403, description = "Candidate token", body = ErrorBody),
        (status = 404, description = "No such session, or no problem", body = ErrorBody),
        (status = 422, description = "Language that cannot run", body = ErrorBody),
        (status = 503, description = "The sandbox is unavailable", body = ErrorBody)))]
async fn grade_session(
    State(state): State<AppState>,
    who: Interviewer,
    Path(id): Path<Uuid>,
    Json(body): Json<SessionGradeRequest>,
) -> ApiResult<Json<SubmissionView>> {
    let row = owned(&state, id, &who).await?;
    let (problem_id, doc) = problem_of(&state, &row).await?;
    let request = GradeRequest {
        language: body.language,
        code: code_for(&state, &row, body.code).await?,
    };
    let report = run_grade(&state, &doc, &request, format!("session:{}", row.id), None).await?;
    let now = state.clock.now_ms();
    let stored = SubmissionRow {
        id: Uuid::new_v4().to_string(),
        session_id: row.id.clone(),
        problem_id: problem_id.clone(),
        language: request.language.clone(),
        code: request.code.clone(),
        code_sha256: report.code_sha256.clone(),
        problem: serde_json::to_string(&doc).map_err(|e| ApiError::Internal(e.into()))?,
        report: serde_json::to_string(&report).map_err(|e| ApiError::Internal(e.into()))?,
        score: report.score,
        total_fuel: i64::try_from(report.total_fuel).unwrap_or(i64::MAX),
        created_at: now,
    };
    submissions::create(&state.db, &stored).await?;
    sessions::set_score(&state.db, &row.id, report.score.round() as i64, now).await?;
    Ok(Json(SubmissionView {
        id: stored.id,
        created_at: rfc3339(now),
        problem_id,
        code: request.code,
        report,
    }))
}

/// Runs the sample tests only (what the candidate may do); hidden tests never run here.
#[utoipa::path(post, path = "/api/sessions/{id}/test", tag = "grading", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")), request_body = SessionGradeRequest,
    responses((status = 200, description = "Verdicts of the sample tests", body = GradeReport),
        (status = 404, description = "No such session, or no problem", body = ErrorBody),
        (status = 409, description = "The interview is completed", body = ErrorBody)))]
async fn test_session(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<SessionGradeRequest>,
) -> ApiResult<Json<GradeReport>> {
    let row = visible(&state, id, &who).await?;
    if row.status == "completed" {
        return Err(ApiError::Conflict(
            "the interview is completed; its room is read-only".into(),
        ));
    }
    let (_, doc) = problem_of(&state, &row).await?;
    let samples: Vec<usize> = doc
        .tests
        .iter()
        .enumerate()
        .filter(|(_, t): &(usize, &TestCase)| !t.hidden())
        .map(|(i, _)| i)
        .collect();
    if samples.is_empty() {
        return Err(ApiError::Unprocessable(
            "this problem has no sample tests".into(),
        ));
    }
    let request = GradeRequest {
        language: body.language,
        code: code_for(&state, &row, body.code).await?,
    };
    let report = run_grade(
        &state,
        &doc,
        &request,
        format!("session:{}", row.id),
        Some(&samples),
    )
    .await?;
    Ok(Json(report.for_candidate()))
}

fn submission_view(row: SubmissionRow) -> ApiResult<SubmissionView> {
    Ok(SubmissionView {
        report: serde_json::from_str(&row.report)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored submission: {e}")))?,
        id: row.id,
        created_at: rfc3339(row.created_at),
        problem_id: row.problem_id,
        code: row.code,
    })
}

/// The session's gradings, newest first.
#[utoipa::path(get, path = "/api/sessions/{id}/submissions", tag = "grading", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses((status = 200, description = "Submissions", body = SubmissionList),
        (status = 404, description = "No such session, or not yours", body = ErrorBody)))]
async fn list_submissions(
    State(state): State<AppState>,
    who: Interviewer,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<SubmissionList>> {
    let row = owned(&state, id, &who).await?;
    let items = submissions::list(&state.db, &row.id)
        .await?
        .into_iter()
        .map(submission_view)
        .collect::<ApiResult<_>>()?;
    Ok(Json(SubmissionList { items }))
}

/// Grades a stored submission again, against the problem as it was then.
#[utoipa::path(post, path = "/api/sessions/{id}/submissions/{sid}/rerun", tag = "grading",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id"), ("sid" = Uuid, Path, description = "Submission id")),
    responses((status = 200, description = "The new report and whether it matched", body = RerunView),
        (status = 404, description = "No such submission", body = ErrorBody)))]
async fn rerun_submission(
    State(state): State<AppState>,
    who: Interviewer,
    Path((id, sid)): Path<(Uuid, Uuid)>,
) -> ApiResult<Json<RerunView>> {
    let row = owned(&state, id, &who).await?;
    let stored = submissions::get(&state.db, &row.id, &sid.to_string())
        .await?
        .ok_or_else(|| ApiError::NotFound("no such submission".into()))?;
    let doc: ProblemDoc = serde_json::from_str(&stored.problem)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored submission: {e}")))?;
    let before: GradeReport = serde_json::from_str(&stored.report)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored submission: {e}")))?;
    let request = GradeRequest {
        language: stored.language,
        code: stored.code,
    };
    let report = run_grade(&state, &doc, &request, format!("session:{}", row.id), None).await?;
    let untimed = |r: &GradeReport| {
        let mut r = r.clone();
        r.tests.iter_mut().for_each(|t| t.wall_time_ms = 0);
        r
    };
    Ok(Json(RerunView {
        identical: untimed(&before) == untimed(&report),
        report,
    }))
}
