//! Bad input of every kind gets a JSON 4xx with a message, and the server keeps serving.

use serde_json::json;

use crate::db_test;
use crate::helpers::{Backend, TestApp};

async fn unknown_routes_and_methods_answer_json(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let msg = app
        .get("/api/nothing/here", None)
        .await
        .expect_error(404, "not_found");
    assert!(msg.contains("/api/nothing/here"), "{msg}");
    app.get("/api", None).await.expect_error(404, "not_found");
    let msg = app
        .delete("/api/auth/signup", None)
        .await
        .expect_error(405, "method_not_allowed");
    assert!(msg.contains("DELETE"), "{msg}");
}
db_test!(unknown_routes_and_methods_answer_json);

async fn malformed_bodies_get_clear_4xx_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let send = |body: &'static str, content_type: Option<&'static str>| {
        let mut req = app.client.post(app.url("/api/auth/signup")).body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        async move { TestApp::reply(req.send().await.unwrap()).await }
    };
    let msg = send("{\"email\": ", Some("application/json"))
        .await
        .expect_error(400, "bad_request");
    assert!(msg.contains("parse"), "{msg}");
    send("[1, 2]", Some("application/json"))
        .await
        .expect_error(422, "validation_failed");
    send("", Some("application/json"))
        .await
        .expect_error(400, "bad_request");
    let msg = send("{}", None)
        .await
        .expect_error(415, "unsupported_media_type");
    assert!(msg.contains("application/json"), "{msg}");
    send("{}", Some("text/plain"))
        .await
        .expect_error(415, "unsupported_media_type");
    // And after all that, the server still works.
    app.interviewer("ada@example.com").await;
}
db_test!(malformed_bodies_get_clear_4xx_answers);

async fn oversized_bodies_are_refused_with_413(backend: Backend) {
    let app = TestApp::builder(backend)
        .env("MAX_BODY_BYTES", "4096")
        .spawn()
        .await;
    let big = json!({"email": "a@b.io", "password": "p".repeat(8192), "name": "A"});
    let msg = app
        .post("/api/auth/signup", None, big)
        .await
        .expect_error(413, "payload_too_large");
    assert!(msg.contains("larger"), "{msg}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
    app.interviewer("ada@example.com").await;
}
db_test!(oversized_bodies_are_refused_with_413);

async fn every_response_carries_a_request_id_and_security_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let reply = app.get("/health", None).await;
    let id = reply.headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(reply.headers["x-content-type-options"], "nosniff");
    assert_eq!(reply.headers["x-frame-options"], "DENY");
    assert_eq!(reply.headers["referrer-policy"], "no-referrer");
    // A caller's own id is kept, so logs on both sides line up.
    let resp = app
        .client
        .get(app.url("/api/nope"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "trace-me-123");
}
db_test!(every_response_carries_a_request_id_and_security_headers);

async fn cors_allows_only_the_configured_origins(backend: Backend) {
    let app = TestApp::builder(backend)
        .env("CORS_ORIGINS", "https://app.example.com")
        .spawn()
        .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/sessions"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let allowed = preflight("https://app.example.com").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert_eq!(
        allowed.headers()["access-control-allow-credentials"],
        "true"
    );
    let refused = preflight("https://evil.example.net").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}
db_test!(cors_allows_only_the_configured_origins);
