//! Invite links: a candidate looks at one and joins with a name.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::issue_token;
use super::extract::{Json, Path};
use super::sessions::{Audience, SessionView};
use crate::auth::Principal;
use crate::domain::PersonName;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use crate::store::sessions::{self, SessionRow};

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(preview_invite))
        .routes(routes!(join_invite))
}

/// Body of `POST /api/invites/{token}/join`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// The name the candidate wants to be shown as.
    pub name: String,
}

/// What an invite link leads to, before joining.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitePreview {
    /// Session id.
    pub session_id: String,
    /// Title.
    pub title: String,
    /// Candidate name the interviewer entered.
    pub candidate_name: String,
    /// `scheduled` or `active`.
    pub status: String,
}

/// A candidate's admission to one session.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JoinResponse {
    /// Candidate bearer token, scoped to this one session.
    pub token: String,
    /// When the token stops working (RFC 3339).
    pub expires_at: String,
    /// The session, as the candidate sees it.
    pub session: SessionView,
}

/// The session an invite opens, if it still accepts candidates.
async fn joinable(state: &AppState, token: &str) -> ApiResult<SessionRow> {
    let not_found = || ApiError::NotFound("this invite link is not valid".into());
    if token.len() > 128 {
        return Err(not_found());
    }
    let row = sessions::get_by_invite(&state.db, token)
        .await?
        .ok_or_else(not_found)?;
    if row.deleted_at.is_some() {
        return Err(ApiError::Gone("this interview was cancelled".into()));
    }
    if row.status == "completed" {
        return Err(ApiError::Gone("this interview has ended".into()));
    }
    Ok(row)
}

/// Tells the join page what the invite is for, or why it no longer works.
#[utoipa::path(get, path = "/api/invites/{token}", tag = "invites",
    params(("token" = String, Path, description = "Invite token")),
    responses(
        (status = 200, description = "The invite is valid", body = InvitePreview),
        (status = 404, description = "Unknown invite", body = ErrorBody),
        (status = 410, description = "The interview ended or was cancelled", body = ErrorBody)))]
async fn preview_invite(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<InvitePreview>> {
    let row = joinable(&state, &token).await?;
    Ok(Json(InvitePreview {
        session_id: row.id,
        title: row.title,
        candidate_name: row.candidate_name,
        status: row.status,
    }))
}

/// Admits a candidate: returns a token that opens this one session.
#[utoipa::path(post, path = "/api/invites/{token}/join", tag = "invites",
    params(("token" = String, Path, description = "Invite token")),
    request_body = JoinRequest,
    responses(
        (status = 200, description = "Joined", body = JoinResponse),
        (status = 404, description = "Unknown invite", body = ErrorBody),
        (status = 410, description = "The interview ended or was cancelled", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody)))]
async fn join_invite(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Json(body): Json<JoinRequest>,
) -> ApiResult<Json<JoinResponse>> {
    let row = joinable(&state, &token).await?;
    let name = PersonName::parse(&body.name, "name").map_err(ApiError::Unprocessable)?;
    let who = Principal::Candidate {
        candidate_id: uuid::Uuid::new_v4().to_string(),
        session_id: row.id.clone(),
        name: name.as_str().to_string(),
    };
    let (token, expires_at) = issue_token(&state, &who)?;
    tracing::info!(session_id = %row.id, "candidate joined by invite");
    Ok(Json(JoinResponse {
        token,
        expires_at,
        session: SessionView::of(row, Audience::Candidate, &state),
    }))
}
