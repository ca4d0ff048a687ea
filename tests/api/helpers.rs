//! `TestApp`: one real server per test, and typed helpers to talk to it.

use std::collections::HashMap;
use std::sync::Arc;

use devinterview::clock::Clock;
use devinterview::config::Config;
use devinterview::startup::Application;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::oneshot;

pub mod peer;
pub mod process;
pub mod proxy;
pub mod sio;

/// The signing secret every test server uses unless a test removes it.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// A password that passes validation.
pub const PASSWORD: &str = "correct horse battery";

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `async fn $name(backend: Backend)` once per backend.
#[macro_export]
macro_rules! db_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }

            #[tokio::test]
            async fn postgres() {
                if $crate::helpers::postgres_url().is_none() {
                    eprintln!("skipped: TEST_DATABASE_URL is not set");
                    return;
                }
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    };
}

/// The PostgreSQL server for tests, if configured.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A PostgreSQL database made for one test and dropped after it.
pub struct PgTestDb {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgTestDb {
    /// Creates a fresh database on the TEST_DATABASE_URL server.
    pub async fn create() -> Self {
        use sqlx::Connection;
        let admin_url = postgres_url().expect("TEST_DATABASE_URL");
        let name = format!("di_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to TEST_DATABASE_URL");
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let mut url = url::Url::parse(&admin_url).unwrap();
        url.set_path(&format!("/{name}"));
        Self {
            admin_url,
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; do the async clean-up on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                }
            })
        })
        .join();
    }
}

/// Configures and starts a [`TestApp`].
pub struct TestAppBuilder {
    backend: Backend,
    vars: HashMap<String, String>,
    data_dir: Option<Arc<tempfile::TempDir>>,
    pg: Option<Arc<PgTestDb>>,
    database_url: Option<String>,
    clock: Option<Clock>,
}

impl TestAppBuilder {
    /// Sets an environment-style configuration variable.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Removes a variable the builder sets by default.
    pub fn unset(mut self, name: &str) -> Self {
        self.vars.remove(name);
        self
    }

    /// Points the server at this database URL instead of the test's own.
    pub fn database_url(mut self, url: String) -> Self {
        self.database_url = Some(url);
        self
    }

    /// The test's PostgreSQL database (created on first use).
    pub async fn pg_db(&mut self) -> Arc<PgTestDb> {
        if self.pg.is_none() {
            self.pg = Some(Arc::new(PgTestDb::create().await));
        }
        self.pg.clone().unwrap()
    }

    /// Starts the server.
    pub async fn spawn(mut self) -> TestApp {
        if std::env::var_os("TEST_LOG").is_some() {
            devinterview::telemetry::init(devinterview::config::LogFormat::Pretty);
        }
        let data_dir = self
            .data_dir
            .clone()
            .unwrap_or_else(|| Arc::new(tempfile::tempdir().unwrap()));
        let mut vars = self.vars.clone();
        vars.insert("PORT".into(), "0".into());
        vars.insert("DATA_DIR".into(), data_dir.path().display().to_string());
        vars.entry("WEB_DIR".into())
            .or_insert_with(|| data_dir.path().join("no-web").display().to_string());
        // The sandbox is on only in the tests that use it; they share one compiled-module
        // cache, so CPython is compiled once per machine, not once per test.
        let root = env!("CARGO_MANIFEST_DIR");
        vars.entry("SANDBOX_ENABLED".into())
            .or_insert_with(|| "false".into());
        vars.entry("RUNTIMES_DIR".into())
            .or_insert_with(|| format!("{root}/runtimes"));
        vars.entry("SANDBOX_CACHE_DIR".into())
            .or_insert_with(|| format!("{root}/target/sandbox-cache"));
        let db_url = match (&self.database_url, self.backend) {
            (Some(url), _) => Some(url.clone()),
            (None, Backend::Postgres) => Some(self.pg_db().await.url.clone()),
            (None, Backend::Sqlite) => None,
        };
        if let Some(url) = &db_url {
            vars.insert("DATABASE_URL".into(), url.clone());
        }
        let config = Config::from_vars(&vars).expect("test configuration is valid");
        let clock = self
            .clock
            .clone()
            .unwrap_or_else(|| Clock::manual(chrono::Utc::now().timestamp_millis()));
        let app = Application::build_with_clock(config, clock.clone())
            .await
            .expect("server builds");
        let port = app.port();
        let state = app.state().clone();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            app.run_until_stopped(async move {
                let _ = stop_rx.await;
            })
            .await
            .expect("server runs");
        });
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            clock,
            state,
            stop: Some(stop_tx),
            handle: Some(handle),
            builder: TestAppBuilder {
                backend: self.backend,
                vars: self.vars,
                data_dir: Some(data_dir),
                pg: self.pg,
                database_url: self.database_url,
                clock: self.clock,
            },
        }
    }
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The server's clock; `advance_ms` moves time for duration checks.
    pub clock: Clock,
    /// The server's state (its database pool, configuration).
    pub state: devinterview::state::AppState,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
    builder: TestAppBuilder,
}

/// A response's status, headers and JSON body (`Value::Null` when the body is not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        &self.body
    }

    /// The `Retry-After` header in seconds (asserted present and numeric).
    #[track_caller]
    pub fn retry_after(&self) -> u64 {
        let value = self
            .headers
            .get("retry-after")
            .expect("a Retry-After header");
        value
            .to_str()
            .unwrap()
            .parse()
            .expect("Retry-After in seconds")
    }

    /// Asserts an error answer: status, error code, and that the message says something.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> String {
        self.expect(status);
        assert_eq!(self.body["error"]["code"], code, "body: {}", self.text);
        let message = self.body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            !message.is_empty(),
            "error without a message: {}",
            self.text
        );
        message.to_string()
    }
}

impl TestApp {
    /// A builder for a server on `backend`.
    pub fn builder(backend: Backend) -> TestAppBuilder {
        let mut vars = HashMap::new();
        vars.insert("JWT_SECRET".to_string(), TEST_JWT_SECRET.to_string());
        TestAppBuilder {
            backend,
            vars,
            data_dir: None,
            pg: None,
            database_url: None,
            clock: None,
        }
    }

    /// A server on `backend` with the default test configuration.
    pub async fn spawn(backend: Backend) -> Self {
        Self::builder(backend).spawn().await
    }

    /// Stops the server, waiting for it to close its database connections.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("server task ends cleanly");
        }
    }

    /// Stops the server and starts a new one on the same data folder and database.
    pub async fn restart(mut self) -> TestApp {
        self.stop().await;
        let mut builder = std::mem::replace(&mut self.builder, TestApp::builder(Backend::Sqlite));
        builder.clock = Some(self.clock.clone());
        builder.spawn().await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        Self::reply(req.send().await.expect("request is sent")).await
    }

    /// Reads a response into a [`Reply`].
    pub async fn reply(resp: reqwest::Response) -> Reply {
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("response body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    /// GETs a path and returns its body as text (metrics, pages, scripts).
    pub async fn get_text(&self, path: &str) -> String {
        let resp = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request is sent");
        resp.text().await.expect("response body")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::DELETE, path, token, None).await
    }

    /// Waits until the sandbox has compiled its runtimes, and asserts it is ready.
    pub async fn sandbox_ready(&self) {
        let status = self
            .state
            .sandbox
            .wait_ready(std::time::Duration::from_secs(300))
            .await;
        assert_eq!(
            status,
            devinterview::sandbox::SandboxStatus::Ready,
            "the sandbox did not start; run `make runtimes` first"
        );
    }

    /// Runs code on the server and returns the reply.
    pub async fn execute(&self, token: &str, body: Value) -> Reply {
        self.post("/api/executions", Some(token), body).await
    }

    /// Signs up and returns the raw reply.
    pub async fn signup(&self, email: &str, password: &str, name: &str) -> Reply {
        self.post(
            "/api/auth/signup",
            None,
            json!({"email": email, "password": password, "name": name}),
        )
        .await
    }

    /// Signs up an interviewer and returns their token.
    pub async fn interviewer(&self, email: &str) -> String {
        let reply = self.signup(email, PASSWORD, "Test Interviewer").await;
        reply.expect(201)["token"].as_str().unwrap().to_string()
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.post(
            "/api/auth/login",
            None,
            json!({"email": email, "password": password}),
        )
        .await
    }

    /// Creates a session for `token` and returns its JSON.
    pub async fn create_session(&self, token: &str, candidate: &str) -> Value {
        self.post(
            "/api/sessions",
            Some(token),
            json!({"candidateName": candidate, "candidateEmail": "cand@example.com", "language": "python"}),
        )
        .await
        .expect(201)
        .clone()
    }

    /// Asks to join through an invite token and returns the raw reply.
    pub async fn join_invite(&self, invite: &str, name: &str) -> Reply {
        self.post(
            &format!("/api/invites/{invite}/join"),
            None,
            json!({"name": name}),
        )
        .await
    }

    /// Joins a session by its invite and returns the candidate token.
    pub async fn join(&self, session: &Value, name: &str) -> String {
        let invite = session["inviteToken"].as_str().unwrap();
        self.join_invite(invite, name).await.expect(200)["token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}
