//! Grading speed and reproducibility, through the real server over HTTP.
//! Run: `cargo bench --bench grading`.
//!
//! - reference: one Python `print('hi')` run (`POST /api/executions`), same run
//! - grading a 10-test Python problem (`POST /api/problems/{id}/grade`): the
//!   target is at most 1.5 s end to end on 2 cores
//! - re-grading the same code 100 times: every report identical except the
//!   per-test wall times (printed; 2 times when run as a test)

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

mod common;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Ten tests: five on stdin/stdout, five calling a function.
fn problem() -> Value {
    let mut tests = Vec::new();
    for i in 0..5 {
        tests.push(json!({"kind": "stdio", "stdin": format!("{i} {}\n", i * 7),
            "expectedStdout": format!("{}\n", i * 8), "hidden": i > 1}));
        tests.push(
            json!({"kind": "function", "function": "add", "args": [i, i * 3],
            "expected": i * 4, "hidden": i > 1}),
        );
    }
    json!({"title": "Add two numbers", "tests": tests})
}

const SOLUTION: &str = "import sys\n\ndef add(a, b):\n    return a + b\n\nwords = sys.stdin.read().split()\nif words:\n    print(add(int(words[0]), int(words[1])))\n";

fn without_timings(mut report: Value) -> Value {
    for t in report["tests"].as_array_mut().unwrap() {
        t.as_object_mut().unwrap().remove("wallTimeMs");
    }
    report
}

fn grading(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(common::start(&[
        (
            "RUNTIMES_DIR",
            root().join("runtimes").display().to_string(),
        ),
        (
            "SANDBOX_CACHE_DIR",
            root().join("target/sandbox-cache").display().to_string(),
        ),
    ]));
    let ready = rt.block_on(server.state.sandbox.wait_ready(Duration::from_secs(300)));
    assert_eq!(ready.as_str(), "ready");
    let created = rt.block_on(server.post("/api/problems", &problem()));
    let path = format!("/api/problems/{}/grade", created["id"].as_str().unwrap());
    let body = json!({"language": "python", "code": SOLUTION});

    let mut group = c.benchmark_group("grading");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("reference: one python print run (HTTP)", |b| {
        b.to_async(&rt).iter(|| async {
            let r = server
                .post(
                    "/api/executions",
                    &json!({"language": "python", "code": "print('hi')"}),
                )
                .await;
            assert_eq!(r["status"], "ok");
        })
    });
    group.bench_function("python problem, 10 tests (HTTP)", |b| {
        b.to_async(&rt).iter(|| async {
            let r = server.post(&path, &body).await;
            assert_eq!(r["score"], 100.0, "{r}");
        })
    });
    group.finish();

    // Reproducibility: the full count under `cargo bench`, a token one under `cargo test`.
    let times = if std::env::args().any(|a| a == "--bench") {
        100
    } else {
        2
    };
    let first = without_timings(rt.block_on(server.post(&path, &body)));
    let identical = (0..times)
        .filter(|_| without_timings(rt.block_on(server.post(&path, &body))) == first)
        .count();
    println!("grading/regrade: {identical} of {times} re-gradings identical to the first (wall times aside)");
    assert_eq!(identical, times);
}

criterion_group!(benches, grading);
criterion_main!(benches);
