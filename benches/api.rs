//! HTTP API latency through the real server on loopback (SQLite in a temp folder).
//!
//! `GET /health` is the reference measured in the same run: the other figures
//! are best read as ratios to it, since these machines are shared and noisy.
//! Run: `cargo bench --bench api`.

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

mod common;

struct Server {
    base: String,
    client: reqwest::Client,
    token: String,
    session_id: String,
    _server: common::BenchServer,
}

async fn start() -> Server {
    let server = common::start(&[]).await;
    let (base, client, token) = (
        server.base.clone(),
        server.client.clone(),
        server.token.clone(),
    );
    // A fixed population for the list benchmark: one interviewer's 100 sessions.
    let mut last = Value::Null;
    for _ in 0..100 {
        last = server
            .post(
                "/api/sessions",
                &json!({"candidateName": "C", "candidateEmail": "c@example.com", "language": "python"}),
            )
            .await;
    }
    Server {
        session_id: last["id"].as_str().unwrap().to_string(),
        base,
        client,
        token,
        _server: server,
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
