//! Durability and availability of the database layer.

use std::net::SocketAddr;

use serde_json::json;

use crate::db_test;
use crate::helpers::{postgres_url, proxy::Proxy, Backend, TestApp, PASSWORD};

async fn a_restart_keeps_accounts_sessions_and_tokens(backend: Backend) {
    // No JWT_SECRET: the generated one in DATA_DIR must survive the restart too.
    let app = TestApp::builder(backend).unset("JWT_SECRET").spawn().await;
    let token = app.interviewer("ada@example.com").await;
    let s = app.create_session(&token, "Grace").await;
    let id = s["id"].as_str().unwrap().to_string();
    app.put(
        &format!("/api/sessions/{id}"),
        Some(&token),
        json!({"notes": "kept", "score": 77}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/sessions/{id}/start"),
        Some(&token),
        json!({}),
    )
    .await
    .expect(200);

    let app = app.restart().await;
    // The old token still works: same secret.
    let after = app.get(&format!("/api/sessions/{id}"), Some(&token)).await;
    let after = after.expect(200);
    assert_eq!(after["notes"], "kept");
    assert_eq!(after["score"], 77);
    assert_eq!(after["status"], "active");
    assert_eq!(after["inviteToken"], s["inviteToken"]);
    app.login("ada@example.com", PASSWORD).await.expect(200);
}
db_test!(a_restart_keeps_accounts_sessions_and_tokens);

async fn migrations_create_the_schema_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let files = std::fs::read_dir(match backend {
        Backend::Sqlite => "migrations/sqlite",
        Backend::Postgres => "migrations/postgres",
    })
    .unwrap()
    .count() as i64;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap()
    };
    assert_eq!(count().await, files);
    for table in ["users", "interview_sessions"] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let n: i64 = sqlx::query_scalar(&sql)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    // Running them again (as every start does) changes nothing.
    app.state.db.migrate().await.unwrap();
    assert_eq!(count().await, files);
}
db_test!(migrations_create_the_schema_once);

#[tokio::test]
async fn when_postgres_goes_away_requests_get_503_and_recover() {
    let Some(pg) = postgres_url() else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let mut builder = TestApp::builder(Backend::Postgres).env("DB_ACQUIRE_TIMEOUT_MS", "500");
    let db = builder.pg_db().await;
    let target = url::Url::parse(&pg).unwrap();
    let target: SocketAddr = tokio::net::lookup_host(format!(
        "{}:{}",
        target.host_str().unwrap(),
        target.port().unwrap_or(5432)
    ))
    .await
    .unwrap()
    .next()
    .unwrap();
    let proxy = Proxy::start(target).await;
    let mut via_proxy = url::Url::parse(&db.url).unwrap();
    via_proxy.set_host(Some("127.0.0.1")).unwrap();
    via_proxy.set_port(Some(proxy.addr.port())).unwrap();
    let app = builder.database_url(via_proxy.to_string()).spawn().await;
    let token = app.interviewer("ada@example.com").await;

    proxy.cut();
    let health = app.get("/health", None).await;
    let body = health.expect(503);
    assert_eq!(body["database"], "unavailable");
    let msg = app
        .get("/api/sessions", Some(&token))
        .await
        .expect_error(503, "service_unavailable");
    assert!(msg.contains("database"), "{msg}");
    app.login("ada@example.com", PASSWORD)
        .await
        .expect_error(503, "service_unavailable");

    proxy.restore();
    assert_eq!(app.get("/health", None).await.expect(200)["database"], "ok");
    app.create_session(&token, "Grace").await;
    assert_eq!(
        app.get("/api/sessions", Some(&token)).await.expect(200)["total"],
        1
    );
}
