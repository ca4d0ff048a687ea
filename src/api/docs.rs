//! The OpenAPI document and a small self-contained page that renders it, so the
//! docs work offline (no CDN, nothing downloaded at build time).

use std::sync::Arc;

use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};

use crate::state::AppState;

/// The document's fixed parts; paths and schemas are gathered from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(title = "DevInterview API", description = "REST API of the DevInterview server. \
        Errors are always `{\"error\": {\"code\", \"message\"}}`."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Accounts and tokens"),
        (name = "sessions", description = "Interview sessions"),
        (name = "invites", description = "Candidate invite links"),
        (name = "executions", description = "Running code in the server's WebAssembly sandbox"),
        (name = "ops", description = "Health"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Routes serving the document (`/api/openapi.json`) and the page (`/api/docs`).
pub fn router(doc: OpenApiDoc) -> Router<AppState> {
    let json: Arc<str> = doc
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
        .into();
    Router::new()
        .route(
            "/api/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        json.to_string(),
                    )
                }
            }),
        )
        .route(
            "/api/docs",
            get(|| async { Html(include_str!("docs/index.html")) }),
        )
        .route(
            "/api/docs/docs.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    include_str!("docs/docs.js"),
                )
                    .into_response()
            }),
        )
}
