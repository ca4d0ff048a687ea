//! HTTP API latency through the real server on loopback (SQLite in a temp folder).
//!
//! `GET /health` is the reference measured in the same run: the other figures
//! are best read as ratios to it, since these machines are shared and noisy.
//! Run: `cargo bench --bench api`.

use std::collections::HashMap;

use criterion::{criterion_group, criterion_main, Criterion};
use devinterview::config::Config;
use devinterview::startup::Application;
use serde_json::{json, Value};

struct Server {
    base: String,
    client: reqwest::Client,
    token: String,
    session_id: String,
    _dir: tempfile::TempDir,
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let vars: HashMap<String, String> = [
        ("PORT", "0".to_string()),
        ("DATA_DIR", dir.path().display().to_string()),
        ("WEB_DIR", dir.path().join("none").display().to_string()),
        ("LOGIN_MAX_PER_IP", "1000000".to_string()),
        ("LOGIN_MAX_PER_ACCOUNT", "1000000".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let app = Application::build(Config::from_vars(&vars).unwrap())
        .await
        .unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
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
    let token = signup["token"].as_str().unwrap().to_string();
    // A fixed population for the list benchmark: one interviewer's 100 sessions.
    for _ in 0..99 {
        client
            .post(format!("{base}/api/sessions"))
            .bearer_auth(&token)
            .json(&json!({"candidateName": "C", "candidateEmail": "c@example.com", "language": "python"}))
            .send()
            .await
            .unwrap();
    }
    let session: Value = client
        .post(format!("{base}/api/sessions"))
        .bearer_auth(&token)
        .json(
            &json!({"candidateName": "C", "candidateEmail": "c@example.com", "language": "python"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Server {
        base,
        client,
        token,
        session_id: session["id"].as_str().unwrap().to_string(),
        _dir: dir,
    }
}

fn api(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let s = rt.block_on(start());
    let mut group = c.benchmark_group("http");
    group.bench_function("health (reference)", |b| {
        b.to_async(&rt).iter(|| async {
            let r = s
                .client
                .get(format!("{}/health", s.base))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
        })
    });
    group.bench_function("get session", |b| {
        b.to_async(&rt).iter(|| async {
            let r = s
                .client
                .get(format!("{}/api/sessions/{}", s.base, s.session_id))
                .bearer_auth(&s.token)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
        })
    });
    group.bench_function("list sessions (page of 20 of 100)", |b| {
        b.to_async(&rt).iter(|| async {
            let r = s
                .client
                .get(format!("{}/api/sessions?limit=20", s.base))
                .bearer_auth(&s.token)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
        })
    });
    group.bench_function("create session", |b| {
        b.to_async(&rt).iter(|| async {
            let r = s
                .client
                .post(format!("{}/api/sessions", s.base))
                .bearer_auth(&s.token)
                .json(&json!({"candidateName": "C", "candidateEmail": "c@example.com", "language": "python"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
        })
    });
    group.sample_size(10);
    group.bench_function("login (argon2id verify)", |b| {
        b.to_async(&rt).iter(|| async {
            let r = s
                .client
                .post(format!("{}/api/auth/login", s.base))
                .json(&json!({"email": "bench@example.com", "password": "bench-password"}))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
        })
    });
    group.finish();
}

criterion_group!(benches, api);
criterion_main!(benches);
