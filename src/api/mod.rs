//! The REST API under `/api`, plus `/health`, `/metrics` and the API docs.

pub mod auth;
pub mod docs;
pub mod executions;
pub mod extract;
pub mod grading;
pub mod invites;
pub mod ops;
pub mod problems;
pub mod runs;
pub mod sessions;

use axum::http::{Method, Uri};
use axum::routing::{any, get};
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::state::AppState;

/// Every API route, with the OpenAPI document gathered from them.
pub fn router() -> Router<AppState> {
    let (api, doc) = OpenApiRouter::with_openapi(docs::ApiDoc::openapi())
        .merge(auth::router())
        .merge(sessions::router())
        .merge(invites::router())
        .merge(executions::router())
        .merge(runs::router())
        .merge(problems::router())
        .merge(grading::router())
        .merge(ops::router())
        .split_for_parts();
    api.merge(docs::router(doc))
        .route("/metrics", get(ops::metrics))
        // Unknown API paths answer JSON, never the web app's index page.
        .route("/api", any(unknown_route))
        .route("/api/{*rest}", any(unknown_route))
}

async fn unknown_route(method: Method, uri: Uri) -> ApiError {
    ApiError::NotFound(format!("no API route for {method} {}", uri.path()))
}

/// Answer for a known path used with a method it does not serve.
pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!("{method} is not allowed on {}", uri.path()))
}
