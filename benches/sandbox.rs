//! Sandbox speed, with native process spawns measured in the same run as the
//! reference (these machines are shared and noisy: read ratios, not absolutes).
//! Run: `cargo bench --bench sandbox`.
//!
//! - reference: `python3 -S -c "print('hi')"` and `node -e "console.log('hi')"`
//! - compile (cold, no cache) and instantiate (warm) of each runtime
//! - end to end in-process (`Sandbox::execute`) and over HTTP (`POST /api/executions`)
//! - throughput over HTTP at 1, 2 and 8 concurrent runs
//! - host RSS, idle and with 8 concurrent Python runs building `list(range(10**6))`
//!   (printed; criterion measures time only)

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use devinterview::sandbox::limits::Limits;
use devinterview::sandbox::{cache, manifest, RunRequest, Sandbox};
use serde_json::json;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

mod common;

struct Server {
    sandbox: Arc<Sandbox>,
    http: common::BenchServer,
}

async fn start() -> Server {
    let server = common::start(&[
        (
            "RUNTIMES_DIR",
            root().join("runtimes").display().to_string(),
        ),
        (
            "SANDBOX_CACHE_DIR",
            root().join("target/sandbox-cache").display().to_string(),
        ),
        ("SANDBOX_QUEUE_CAP", "1000".to_string()),
    ])
    .await;
    let sandbox = server.state.sandbox.clone();
    assert_eq!(
        sandbox.wait_ready(Duration::from_secs(300)).await.as_str(),
        "ready"
    );
    Server {
        sandbox,
        http: server,
    }
}

async fn http_run(s: &Server, language: &str, code: &str) {
    let r = s
        .http
        .post(
            "/api/executions",
            &json!({"language": language, "code": code}),
        )
        .await;
    assert_eq!(r["status"], "ok", "{r}");
}

fn sandbox(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    let mut reference = c.benchmark_group("reference");
    reference.sample_size(20);
    reference.bench_function("python3 -S -c print('hi') (process spawn)", |b| {
        b.iter(|| {
            assert!(Command::new("python3")
                .args(["-S", "-c", "print('hi')"])
                .output()
                .unwrap()
                .status
                .success())
        })
    });
    if Command::new("node").arg("--version").output().is_ok() {
        reference.bench_function("node -e console.log('hi') (process spawn)", |b| {
            b.iter(|| {
                assert!(Command::new("node")
                    .args(["-e", "console.log('hi')"])
                    .output()
                    .unwrap()
                    .status
                    .success())
            })
        });
    }
    reference.finish();

    let mut compile = c.benchmark_group("compile (cold, no cache)");
    compile.sample_size(10);
    let engine =
        devinterview::sandbox::engine::build(devinterview::sandbox::engine::EngineSettings {
            max_concurrent: 2,
            max_memory_bytes: 512 << 20,
        })
        .unwrap();
    for language in ["javascript", "python"] {
        let spec = manifest::load(&root().join("runtimes"), language).unwrap();
        let wasm = manifest::read_verified(&spec).unwrap();
        compile.bench_function(language, |b| {
            b.iter(|| {
                let dir = tempfile::tempdir().unwrap();
                cache::load_or_compile(&engine, &wasm, &spec.manifest.sha256, dir.path()).unwrap()
            })
        });
    }
    compile.finish();

    let idle_before = rss_kib();
    let s = rt.block_on(start());
    let idle = rss_kib();

    let mut inst = c.benchmark_group("instantiate (warm)");
    for language in ["javascript", "python"] {
        inst.bench_function(language, |b| {
            b.to_async(&rt)
                .iter(|| async { s.sandbox.instantiate_only(language).await.unwrap() })
        });
    }
    inst.finish();

    let mut e2e = c.benchmark_group("end to end");
    for (language, code) in [
        ("javascript", "console.log('hi')"),
        ("python", "print('hi')"),
    ] {
        e2e.bench_function(format!("{language} in-process"), |b| {
            b.to_async(&rt).iter(|| async {
                let o = s
                    .sandbox
                    .execute(RunRequest {
                        language: language.into(),
                        code: code.into(),
                        stdin: Vec::new(),
                        limits: Limits::DEFAULT,
                        owner: "bench".into(),
                    })
                    .await
                    .unwrap();
                assert_eq!(o.stdout, "hi\n");
            })
        });
        e2e.bench_function(format!("{language} over HTTP"), |b| {
            b.to_async(&rt).iter(|| http_run(&s, language, code))
        });
    }
    e2e.finish();

    let mut tput = c.benchmark_group("throughput over HTTP (time per batch of N concurrent runs)");
    tput.sample_size(10);
    for language in ["javascript", "python"] {
        let code = if language == "python" {
            "print('hi')"
        } else {
            "console.log('hi')"
        };
        for n in [1usize, 2, 8] {
            tput.bench_function(format!("{language} x{n}"), |b| {
                b.to_async(&rt).iter(|| async {
                    let runs = (0..n).map(|_| http_run(&s, language, code));
                    futures_join_all(runs).await;
                })
            });
        }
    }
    tput.finish();

    // Memory: 8 concurrent Python runs each building a million-element list.
    let peak = rt.block_on(async {
        let sampling = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sampler = {
            let (peak, stop) = (sampling.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    peak.fetch_max(rss_kib(), std::sync::atomic::Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            })
        };
        let started = Instant::now();
        futures_join_all((0..8).map(|_| {
            http_run(
                &s,
                "python",
                "x = list(range(10**6))\nprint('hi' if len(x) else '')",
            )
        }))
        .await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        sampler.await.unwrap();
        (
            sampling.load(std::sync::atomic::Ordering::Relaxed),
            started.elapsed(),
        )
    });
    eprintln!(
        "memory: RSS before server {} MiB, idle server with runtimes loaded {} MiB, peak with 8 concurrent list(range(10**6)) runs {} MiB ({:?})",
        idle_before / 1024,
        idle / 1024,
        peak.0 / 1024,
        peak.1
    );
}

/// Awaits all futures concurrently (no extra dependency for one helper).
async fn futures_join_all<F: std::future::Future<Output = ()>>(futures: impl Iterator<Item = F>) {
    let mut set = Vec::new();
    for f in futures {
        set.push(f);
    }
    let mut pinned: Vec<_> = set.into_iter().map(Box::pin).collect();
    std::future::poll_fn(|cx| {
        pinned.retain_mut(|f| f.as_mut().poll(cx).is_pending());
        if pinned.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
}

criterion_group!(benches, sandbox);
criterion_main!(benches);
