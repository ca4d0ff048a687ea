//! What the benchmarks share: the real server on a free loopback port, with a
//! signed-up interviewer.

use std::collections::HashMap;

use devinterview::config::Config;
use devinterview::startup::Application;
use devinterview::state::AppState;
use serde_json::{json, Value};

/// A running server and a logged-in client.
// Each benchmark binary compiles this module and uses a different part of it.
#[allow(dead_code)]
pub struct BenchServer {
    pub base: String,
    pub client: reqwest::Client,
    pub token: String,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

impl BenchServer {
    /// POSTs JSON as the signed-up interviewer and returns the JSON answer.
    pub async fn post(&self, path: &str, body: &Value) -> Value {
        post_json(
            &self.client,
            &format!("{}{path}", self.base),
            Some(&self.token),
            body,
        )
        .await
    }
}

/// POSTs JSON (with a bearer token when given) and returns the JSON answer.
pub async fn post_json(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: &Value,
) -> Value {
    let mut req = client.post(url).json(body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap().json().await.unwrap()
}

/// Starts the server (SQLite in a temp folder) with `extra` settings on top of
/// limits high enough not to throttle a benchmark, and signs up an interviewer.
pub async fn start(extra: &[(&str, String)]) -> BenchServer {
    let dir = tempfile::tempdir().unwrap();
    let mut vars: HashMap<String, String> = [
        ("PORT", "0".to_string()),
        ("DATA_DIR", dir.path().display().to_string()),
        ("WEB_DIR", dir.path().join("none").display().to_string()),
        ("LOGIN_MAX_PER_IP", "100000000".to_string()),
        ("LOGIN_MAX_PER_ACCOUNT", "100000000".to_string()),
        ("EXECUTIONS_PER_MINUTE", "100000000".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in extra {
        vars.insert(k.to_string(), v.clone());
    }
    let app = Application::build(Config::from_vars(&vars).unwrap())
        .await
        .unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    let client = reqwest::Client::new();
    let signup = post_json(
        &client,
        &format!("{base}/api/auth/signup"),
        None,
        &json!({"email": "bench@example.com", "password": "bench-password", "name": "Bench"}),
    )
    .await;
    BenchServer {
        base,
        client,
        token: signup["token"].as_str().unwrap().to_string(),
        state,
        _dir: dir,
    }
}
