//! Accounts: signup, login, throttling, tokens.

use devinterview::auth::{Principal, TokenKeys};
use devinterview::config::Secret;
use serde_json::json;

use crate::db_test;
use crate::helpers::{Backend, TestApp, PASSWORD, TEST_JWT_SECRET};

async fn signup_returns_the_account_and_a_working_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let reply = app
        .signup("  Ada.Lovelace@Example.COM ", PASSWORD, " Ada ")
        .await;
    let body = reply.expect(201);
    assert_eq!(body["user"]["email"], "ada.lovelace@example.com");
    assert_eq!(body["user"]["name"], "Ada");
    assert_eq!(body["user"]["role"], "interviewer");
    assert!(body["user"].get("passwordHash").is_none());
    assert!(body["expiresAt"].as_str().unwrap().ends_with('Z'));
    let token = body["token"].as_str().unwrap();

    let me = app.get("/api/auth/me", Some(token)).await;
    let me = me.expect(200);
    assert_eq!(me["role"], "interviewer");
    assert_eq!(me["user"]["id"], body["user"]["id"]);
    assert_eq!(me["user"]["email"], "ada.lovelace@example.com");
}
db_test!(signup_returns_the_account_and_a_working_token);

async fn passwords_are_stored_only_as_argon2id_hashes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.interviewer("ada@example.com").await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}
db_test!(passwords_are_stored_only_as_argon2id_hashes);

async fn a_registered_email_cannot_sign_up_again_in_any_case(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.interviewer("ada@example.com").await;
    let msg = app
        .signup("ADA@example.com", PASSWORD, "Other Ada")
        .await
        .expect_error(409, "conflict");
    assert!(msg.contains("already exists"), "{msg}");
}
db_test!(a_registered_email_cannot_sign_up_again_in_any_case);

async fn signup_validates_each_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cases = [
        (
            json!({"email": "ada@example.com", "password": "short", "name": "Ada"}),
            "at least 8",
        ),
        (
            json!({"email": "ada@example.com", "password": "x".repeat(1025), "name": "Ada"}),
            "at most 1024 bytes",
        ),
        (
            json!({"email": "not-an-email", "password": PASSWORD, "name": "Ada"}),
            "not an email",
        ),
        (
            json!({"email": "ada@example.com", "password": PASSWORD, "name": "   "}),
            "name is required",
        ),
        (
            json!({"email": "ada@example.com", "password": PASSWORD}),
            "missing field `name`",
        ),
        (
            json!({"email": "ada@example.com", "password": PASSWORD, "name": "Ada", "role": "admin"}),
            "unknown field `role`",
        ),
        (
            json!({"email": "ada@example.com", "password": 12345678, "name": "Ada"}),
            "invalid type",
        ),
    ];
    for (body, expected) in cases {
        let reply = app.post("/api/auth/signup", None, body.clone()).await;
        let msg = reply.expect_error(422, "validation_failed");
        assert!(msg.contains(expected), "{body}: {msg}");
    }
    // Nothing was created by any of them.
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
}
db_test!(signup_validates_each_field);

async fn signup_can_be_turned_off(backend: Backend) {
    let app = TestApp::builder(backend)
        .env("ALLOW_SIGNUP", "false")
        .spawn()
        .await;
    let msg = app
        .signup("ada@example.com", PASSWORD, "Ada")
        .await
        .expect_error(403, "forbidden");
    assert!(msg.contains("signup is disabled"), "{msg}");
}
db_test!(signup_can_be_turned_off);

async fn login_accepts_the_right_password_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.interviewer("ada@example.com").await;
    let ok = app.login("Ada@Example.com", PASSWORD).await;
    let token = ok.expect(200)["token"].as_str().unwrap().to_string();
    app.get("/api/auth/me", Some(&token)).await.expect(200);

    let wrong = app
        .login("ada@example.com", "wrong password")
        .await
        .expect_error(401, "unauthorized");
    let unknown = app
        .login("nobody@example.com", PASSWORD)
        .await
        .expect_error(401, "unauthorized");
    // The same answer either way: no hint which e-mail addresses are registered.
    assert_eq!(wrong, unknown);
}
db_test!(login_accepts_the_right_password_only);

async fn login_is_throttled_per_account(backend: Backend) {
    let app = TestApp::builder(backend)
        .env("LOGIN_MAX_PER_ACCOUNT", "3")
        .spawn()
        .await;
    app.interviewer("ada@example.com").await;
    app.interviewer("grace@example.com").await;
    for _ in 0..3 {
        app.login("ada@example.com", "wrong password")
            .await
            .expect_error(401, "unauthorized");
    }
    // Even the right password is refused until the window passes.
    let reply = app.login("ada@example.com", PASSWORD).await;
    reply.expect_error(429, "rate_limited");
    let retry = reply.retry_after();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    // Another account from the same address is not affected.
    app.login("grace@example.com", PASSWORD).await.expect(200);
}
db_test!(login_is_throttled_per_account);

async fn login_is_throttled_per_client_address(backend: Backend) {
    let app = TestApp::builder(backend)
        .env("LOGIN_MAX_PER_IP", "3")
        .spawn()
        .await;
    for i in 0..3 {
        app.login(&format!("user{i}@example.com"), PASSWORD)
            .await
            .expect_error(401, "unauthorized");
    }
    let reply = app.login("user9@example.com", PASSWORD).await;
    reply.expect_error(429, "rate_limited");
    let retry = reply.retry_after();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
}
db_test!(login_is_throttled_per_client_address);

async fn bad_missing_and_expired_tokens_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let msg = app
        .get("/api/auth/me", None)
        .await
        .expect_error(401, "unauthorized");
    assert!(msg.contains("missing"), "{msg}");

    let resp = app
        .client
        .get(app.url("/api/auth/me"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    TestApp::reply(resp).await.expect_error(401, "unauthorized");

    app.get("/api/auth/me", Some("garbage.token.here"))
        .await
        .expect_error(401, "unauthorized");

    let who = Principal::Interviewer {
        user_id: "someone".into(),
        name: "X".into(),
    };
    let now = chrono::Utc::now().timestamp();
    let expired = TokenKeys::new(&Secret::new(TEST_JWT_SECRET))
        .issue(&who, now - 7200, 3600)
        .unwrap();
    let msg = app
        .get("/api/auth/me", Some(&expired))
        .await
        .expect_error(401, "unauthorized");
    assert!(msg.contains("expired"), "{msg}");

    let forged = TokenKeys::new(&Secret::new("an-attacker-secret-an-attacker-secret"))
        .issue(&who, now, 3600)
        .unwrap();
    let msg = app
        .get("/api/auth/me", Some(&forged))
        .await
        .expect_error(401, "unauthorized");
    assert!(msg.contains("invalid"), "{msg}");
}
db_test!(bad_missing_and_expired_tokens_are_refused);

async fn the_command_line_creates_interviewers_when_signup_is_off(backend: Backend) {
    let mut builder = TestApp::builder(backend).env("ALLOW_SIGNUP", "false");
    let data_dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_devinterview"));
    cmd.args([
        "create-interviewer",
        "--email",
        "Boss@Example.com",
        "--name",
        "The Boss",
    ])
    .env("DATA_DIR", data_dir.path())
    .env("DEVINTERVIEW_PASSWORD", PASSWORD)
    .env("JWT_SECRET", TEST_JWT_SECRET);
    let url = match backend {
        Backend::Sqlite => format!(
            "sqlite://{}?mode=rwc",
            data_dir.path().join("devinterview.db").display()
        ),
        Backend::Postgres => builder.pg_db().await.url.clone(),
    };
    cmd.env("DATABASE_URL", &url);
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("boss@example.com"), "{stdout}");
    assert!(!stdout.contains(PASSWORD));

    let app = builder.database_url(url).spawn().await;
    app.login("boss@example.com", PASSWORD).await.expect(200);
}
db_test!(the_command_line_creates_interviewers_when_signup_is_off);

async fn the_demo_seed_creates_a_demo_interviewer_once(backend: Backend) {
    let app = TestApp::builder(backend)
        .env("DEMO_SEED", "true")
        .spawn()
        .await;
    app.login(
        devinterview::startup::DEMO_EMAIL,
        devinterview::startup::DEMO_PASSWORD,
    )
    .await
    .expect(200);
    let app = app.restart().await;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 1);
}
db_test!(the_demo_seed_creates_a_demo_interviewer_once);
