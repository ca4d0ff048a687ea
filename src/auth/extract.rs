//! Extractors that authenticate the caller from `Authorization: Bearer …`.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};

use super::token::{Principal, TokenError};
use crate::error::ApiError;
use crate::state::AppState;

/// Any authenticated caller: an interviewer or a candidate.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

/// An authenticated interviewer; candidates are refused with 403.
#[derive(Debug, Clone)]
pub struct Interviewer {
    /// Account id.
    pub user_id: String,
    /// Display name.
    pub name: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiError::Unauthorized("missing Authorization: Bearer token".into()))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::Unauthorized("the Authorization header must be `Bearer <token>`".into())
            })?;
        match state.keys.verify(token) {
            Ok(principal) => Ok(Caller(principal)),
            Err(e @ (TokenError::Expired | TokenError::Invalid)) => {
                Err(ApiError::Unauthorized(e.to_string()))
            }
        }
    }
}

impl FromRequestParts<AppState> for Interviewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Caller::from_request_parts(parts, state).await?.0 {
            Principal::Interviewer { user_id, name } => Ok(Self { user_id, name }),
            Principal::Candidate { .. } => Err(ApiError::Forbidden(
                "this needs an interviewer account; candidate tokens open only their interview"
                    .into(),
            )),
        }
    }
}
