//! Health, metrics, API docs and the static web app.

use serde_json::json;

use crate::db_test;
use crate::helpers::{Backend, TestApp};

async fn health_reports_the_database(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let reply = app.get("/health", None).await;
    let body = reply.expect(200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["databaseBackend"], expected);
}
db_test!(health_reports_the_database);

async fn metrics_count_requests_by_route_and_status(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.interviewer("ada@example.com").await;
    let s = app.create_session(&token, "Grace").await;
    app.get(
        &format!("/api/sessions/{}", s["id"].as_str().unwrap()),
        Some(&token),
    )
    .await
    .expect(200);
    app.get(
        &format!("/api/sessions/{}", uuid::Uuid::new_v4()),
        Some(&token),
    )
    .await
    .expect(404);

    let text = app.get_text("/metrics").await;
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in:\n{text}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    assert_eq!(
        line(
            r#"devinterview_http_requests_total{method="POST",route="/api/auth/signup",status="201"}"#
        ),
        1.0
    );
    // Labelled by the route pattern, never by the id in the path.
    assert_eq!(
        line(
            r#"devinterview_http_requests_total{method="GET",route="/api/sessions/{id}",status="200"}"#
        ),
        1.0
    );
    assert_eq!(
        line(
            r#"devinterview_http_requests_total{method="GET",route="/api/sessions/{id}",status="404"}"#
        ),
        1.0
    );
    assert!(
        line(
            r#"devinterview_http_request_duration_seconds_count{method="POST",route="/api/sessions"}"#
        ) >= 1.0
    );
    assert!(!text.contains(s["id"].as_str().unwrap()));
}
db_test!(metrics_count_requests_by_route_and_status);

async fn the_openapi_document_describes_every_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc = app.get("/api/openapi.json", None).await;
    let doc = doc.expect(200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/auth/signup", "post"),
        ("/api/auth/login", "post"),
        ("/api/auth/me", "get"),
        ("/api/sessions", "get"),
        ("/api/sessions", "post"),
        ("/api/sessions/{id}", "get"),
        ("/api/sessions/{id}", "put"),
        ("/api/sessions/{id}", "delete"),
        ("/api/sessions/{id}/start", "post"),
        ("/api/sessions/{id}/terminate", "post"),
        ("/api/invites/{token}", "get"),
        ("/api/invites/{token}/join", "post"),
        ("/health", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} undocumented"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["SessionView"].is_object());

    let page = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("/api/docs/docs.js"));
    // Offline: the page and its script name no other host.
    let js = app.get_text("/api/docs/docs.js").await;
    for text in [&html, &js] {
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "external reference"
        );
    }
    assert!(js.contains("/api/openapi.json"));
}
db_test!(the_openapi_document_describes_every_route);

async fn the_built_web_app_is_served_with_a_spa_fallback(backend: Backend) {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(
        web.path().join("index.html"),
        "<!doctype html><title>DevInterview app</title>",
    )
    .unwrap();
    std::fs::create_dir(web.path().join("assets")).unwrap();
    std::fs::write(web.path().join("assets/app-1234.js"), "console.log('app')").unwrap();
    let app = TestApp::builder(backend)
        .env("WEB_DIR", &web.path().display().to_string())
        .spawn()
        .await;

    for path in ["/", "/dashboard", "/join/some-invite-token"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.headers()["cache-control"], "no-cache");
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(
            resp.text().await.unwrap().contains("DevInterview app"),
            "{path}"
        );
    }
    let asset = app
        .client
        .get(app.url("/assets/app-1234.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), 200);
    assert!(asset.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert_eq!(asset.text().await.unwrap(), "console.log('app')");
    // The API keeps answering JSON under the web app.
    app.get("/api/missing", None)
        .await
        .expect_error(404, "not_found");
    app.post(
        "/api/auth/login",
        None,
        json!({"email": "a@b.io", "password": "x"}),
    )
    .await
    .expect_error(401, "unauthorized");
}
db_test!(the_built_web_app_is_served_with_a_spa_fallback);

async fn without_a_built_web_app_a_placeholder_page_explains_what_to_do(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let resp = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("make run") && html.contains("/api/docs"),
        "{html}"
    );
}
db_test!(without_a_built_web_app_a_placeholder_page_explains_what_to_do);
