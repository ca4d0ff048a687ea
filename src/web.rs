//! Serves the built web app (`WEB_DIR`) with a single-page-app fallback, so one
//! process on one port is the whole product.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use crate::state::AppState;

/// Policy for our own pages: everything from this origin; WebAssembly compilation
/// (Pyodide) and workers from blobs (Monaco) allowed; no inline scripts.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
    font-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; \
    form-action 'self'";

/// The fallback service for every path the API does not claim.
pub fn router(web_dir: &Path) -> Router<AppState> {
    let index = web_dir.join("index.html");
    let router = if index.is_file() {
        tracing::info!(web_dir = %web_dir.display(), "serving the web app");
        Router::new().fallback_service(ServeDir::new(web_dir).fallback(ServeFile::new(index)))
    } else {
        tracing::warn!(
            web_dir = %web_dir.display(),
            "no built web app found; serving a placeholder page (build it with `make web`)"
        );
        Router::new().fallback(|| async { Html(PLACEHOLDER) })
    };
    router.layer(middleware::from_fn(page_headers))
}

/// Hashed assets and Pyodide's files (under its version) never change, so browsers
/// may keep them; everything else (above all index.html, which names the current
/// assets) is revalidated every time.
async fn page_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let immutable = path.starts_with("/assets/") || path.starts_with("/pyodide/");
    let mut response = next.run(req).await.into_response();
    // A missing file there gets the SPA's index.html, which must not be kept.
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    let immutable = immutable && response.status().is_success() && !is_page;
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    response
}

const PLACEHOLDER: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>DevInterview</title></head><body style=\"font-family:system-ui;background:#0f1115;color:#d8dee9;padding:40px\">\
<h1>DevInterview server is running</h1><p>The web app is not built in this folder yet. \
Run <code>make run</code> from the repository root, or see the <a style=\"color:#58a6ff\" href=\"/api/docs\">API docs</a>.</p>\
</body></html>";
