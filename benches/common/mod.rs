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
    let signup: Value = client
        .post(format!("{base}/api/auth/signup"))
        .json(&json!({"email": "bench@example.com", "password": "bench-password", "name": "Bench"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    BenchServer {
        base,
        client,
        token: signup["token"].as_str().unwrap().to_string(),
        state,
        _dir: dir,
    }
}
