//! Operator endpoints: health and Prometheus metrics.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::extract::Json;
use crate::sandbox::SandboxStatus;
use crate::state::AppState;

/// Routes of this module (`/metrics` is added outside the documented API).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

/// Liveness and dependency state.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: &'static str,
    /// `ok` or `unavailable`.
    pub database: &'static str,
    /// `sqlite` or `postgres`.
    pub database_backend: &'static str,
    /// Server-side execution: `starting`, `ready`, `failed` or `disabled`.
    pub sandbox: &'static str,
    /// Why the sandbox is unavailable, when it has failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sandbox_message: Option<String>,
    /// Server version.
    pub version: &'static str,
}

/// Whether the server and its database answer (503 when the database does not),
/// and how the sandbox is doing (a failed sandbox degrades, it does not take the node out).
#[utoipa::path(get, path = "/health", tag = "ops",
    responses(
        (status = 200, description = "Healthy", body = Health),
        (status = 503, description = "The database is unavailable", body = Health)))]
async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let db_ok = tokio::time::timeout(state.config.db_acquire_timeout, state.db.ping())
        .await
        .is_ok_and(|r| r.is_ok());
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let sandbox = state.sandbox.status();
    let sandbox_ok = !matches!(sandbox, SandboxStatus::Failed(_));
    (
        status,
        Json(Health {
            status: if db_ok && sandbox_ok {
                "ok"
            } else {
                "degraded"
            },
            sandbox: sandbox.as_str(),
            sandbox_message: match sandbox {
                SandboxStatus::Failed(m) => Some(m),
                _ => None,
            },
            database: if db_ok { "ok" } else { "unavailable" },
            database_backend: state.db.backend().name(),
            version: env!("CARGO_PKG_VERSION"),
        }),
    )
}

/// Prometheus text exposition of every metric.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    match state.metrics.render() {
        Ok(body) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            body,
        )
            .into_response(),
        Err(e) => crate::error::ApiError::internal(e).into_response(),
    }
}
