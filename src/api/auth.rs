//! Accounts: sign up, log in, who am I.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::extract::{ClientIp, Json};
use crate::auth::{password, Caller, Principal};
use crate::clock::rfc3339;
use crate::domain::{Email, Password, PersonName};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use crate::store::users::{self, NewUser, UserRow};
use crate::store::Db;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup))
        .routes(routes!(login))
        .routes(routes!(me))
}

/// Body of `POST /api/auth/signup`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// E-mail address (normalised to lower case).
    pub email: String,
    /// At least 8 characters, at most 1,024 bytes.
    pub password: String,
    /// Display name, 1–100 characters.
    pub name: String,
}

/// Body of `POST /api/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// E-mail address.
    pub email: String,
    /// Password.
    pub password: String,
}

/// An account as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    /// Account id.
    pub id: String,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// `interviewer`.
    pub role: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<UserRow> for UserView {
    fn from(u: UserRow) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            created_at: rfc3339(u.created_at),
        }
    }
}

/// A signed-in account and its bearer token.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthResponse {
    /// The account.
    pub user: UserView,
    /// Bearer token for `Authorization: Bearer …`.
    pub token: String,
    /// When the token stops working (RFC 3339).
    pub expires_at: String,
}

/// The caller of `GET /api/auth/me`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeResponse {
    /// `interviewer` or `candidate`.
    pub role: String,
    /// Display name.
    pub name: String,
    /// The account (interviewers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserView>,
    /// The one session a candidate token opens (candidates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

/// Issues a token for `who` and the moment it expires.
pub(crate) fn issue_token(state: &AppState, who: &Principal) -> ApiResult<(String, String)> {
    let now_s = chrono::Utc::now().timestamp();
    let ttl_s = state.config.token_ttl.as_secs() as i64;
    let token = state
        .keys
        .issue(who, now_s, ttl_s)
        .map_err(ApiError::internal)?;
    Ok((token, rfc3339((now_s + ttl_s) * 1000)))
}

/// Creates an interviewer account.
#[utoipa::path(post, path = "/api/auth/signup", tag = "auth",
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Account created", body = AuthResponse),
        (status = 403, description = "Signup is disabled", body = ErrorBody),
        (status = 409, description = "E-mail already registered", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
async fn signup(
    State(state): State<AppState>,
    Json(body): Json<SignupRequest>,
) -> ApiResult<(StatusCode, Json<AuthResponse>)> {
    if !state.config.allow_signup {
        return Err(ApiError::Forbidden(
            "signup is disabled on this server; ask an administrator for an account".into(),
        ));
    }
    let email = Email::parse(&body.email).map_err(ApiError::Unprocessable)?;
    let name = PersonName::parse(&body.name, "name").map_err(ApiError::Unprocessable)?;
    let password = Password::parse(body.password).map_err(ApiError::Unprocessable)?;
    let user = create_interviewer(&state.db, state.clock.now_ms(), &email, &name, password).await?;
    let who = Principal::Interviewer {
        user_id: user.id.clone(),
        name: user.name.clone(),
    };
    let (token, expires_at) = issue_token(&state, &who)?;
    tracing::info!(user_id = %user.id, "interviewer signed up");
    Ok((
        StatusCode::CREATED,
        Json(AuthResponse {
            user: user.into(),
            token,
            expires_at,
        }),
    ))
}

/// Hashes the password and stores a new interviewer (shared with the CLI and demo seed).
pub async fn create_interviewer(
    db: &Db,
    now_ms: i64,
    email: &Email,
    name: &PersonName,
    password: Password,
) -> ApiResult<UserRow> {
    let hash = password::hash(password).await.map_err(ApiError::internal)?;
    let user = users::create(
        db,
        NewUser {
            email: email.as_str(),
            name: name.as_str(),
            password_hash: &hash,
            role: "interviewer",
        },
        now_ms,
    )
    .await?;
    Ok(user)
}

/// Exchanges e-mail and password for a token.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = AuthResponse),
        (status = 401, description = "Wrong e-mail or password", body = ErrorBody),
        (status = 429, description = "Too many attempts; see Retry-After", body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(client_ip = %ip))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<LoginRequest>,
) -> ApiResult<Json<AuthResponse>> {
    let too_many = |retry_after| ApiError::RateLimited {
        retry_after,
        message: "too many login attempts; try again later".into(),
    };
    state
        .login_limits
        .by_ip
        .hit(&ip.to_string())
        .map_err(too_many)?;
    // A malformed address cannot have an account; answer as for a wrong password.
    let email = Email::parse(&body.email).ok();
    if let Some(email) = &email {
        state
            .login_limits
            .by_account
            .hit(email.as_str())
            .map_err(too_many)?;
    }
    let user = match &email {
        Some(email) => users::find_by_email(&state.db, email.as_str()).await?,
        None => None,
    };
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    let ok = password::verify(stored_hash, body.password)
        .await
        .map_err(ApiError::internal)?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(ApiError::Unauthorized("wrong email or password".into()));
    };
    let who = Principal::Interviewer {
        user_id: user.id.clone(),
        name: user.name.clone(),
    };
    let (token, expires_at) = issue_token(&state, &who)?;
    Ok(Json(AuthResponse {
        user: user.into(),
        token,
        expires_at,
    }))
}

/// Who the bearer token speaks for.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = MeResponse),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody)))]
async fn me(State(state): State<AppState>, Caller(who): Caller) -> ApiResult<Json<MeResponse>> {
    match who {
        Principal::Interviewer { user_id, .. } => {
            let user = users::find_by_id(&state.db, &user_id)
                .await?
                .ok_or_else(|| ApiError::Unauthorized("this account no longer exists".into()))?;
            Ok(Json(MeResponse {
                role: "interviewer".into(),
                name: user.name.clone(),
                user: Some(user.into()),
                session_id: None,
            }))
        }
        Principal::Candidate {
            session_id, name, ..
        } => Ok(Json(MeResponse {
            role: "candidate".into(),
            name,
            user: None,
            session_id: Some(session_id),
        })),
    }
}
