//! Server-side execution through the real HTTP API: verdicts, limits,
//! determinism, isolation, fairness. The sandbox is independent of the database,
//! so these run on SQLite only.

use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp, TestAppBuilder};

fn sandbox_app() -> TestAppBuilder {
    TestApp::builder(Backend::Sqlite).env("SANDBOX_ENABLED", "true")
}

async fn ready(builder: TestAppBuilder) -> (TestApp, String) {
    let app = builder.spawn().await;
    app.sandbox_ready().await;
    let token = app.interviewer("runner@example.com").await;
    (app, token)
}

async fn run(app: &TestApp, token: &str, language: &str, code: &str, stdin: &str) -> Value {
    run_with(
        app,
        token,
        json!({"language": language, "code": code, "stdin": stdin}),
    )
    .await
}

async fn run_with(app: &TestApp, token: &str, body: Value) -> Value {
    let reply = app.execute(token, body).await;
    reply.expect(200).clone()
}

#[tokio::test]
async fn python_and_javascript_run_and_report_their_costs() {
    let (app, token) = ready(sandbox_app()).await;
    let py = run(
        &app,
        &token,
        "python",
        "import sys\nprint(sum(map(int, sys.stdin.read().split())))",
        "1 2 3\n",
    )
    .await;
    assert_eq!(py["status"], "ok", "{py}");
    assert_eq!(py["stdout"], "6\n");
    assert_eq!(py["exitCode"], 0);
    assert!(py["fuelUsed"].as_u64().unwrap() > 10_000, "{py}");
    assert!(py["memoryPeakBytes"].as_u64().unwrap() >= 1 << 20);
    assert!(py["runtime"].as_str().unwrap().contains("3.14"), "{py}");

    let js = run(&app, &token, "javascript",
        "const s = require('fs').readFileSync(0, 'utf8');\nconsole.log(s.trim().split(' ').map(Number).reduce((a, b) => a + b));",
        "1 2 3\n").await;
    assert_eq!(js["status"], "ok", "{js}");
    assert_eq!(js["stdout"], "6\n");
    assert!(js["fuelUsed"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn errors_end_as_runtime_errors_with_the_guests_traceback() {
    let (app, token) = ready(sandbox_app()).await;
    let py = run(
        &app,
        &token,
        "python",
        "def f():\n    raise ValueError('bad input')\nf()",
        "",
    )
    .await;
    assert_eq!(py["status"], "runtime_error");
    assert_eq!(py["exitCode"], 1);
    let err = py["stderr"].as_str().unwrap();
    assert!(
        err.contains("Traceback")
            && err.contains("ValueError: bad input")
            && err.contains("line 2"),
        "{err}"
    );

    let exit = run(
        &app,
        &token,
        "python",
        "import sys\nprint('partial')\nsys.exit(3)",
        "",
    )
    .await;
    assert_eq!(exit["status"], "runtime_error");
    assert_eq!(exit["exitCode"], 3);
    assert_eq!(exit["stdout"], "partial\n");

    let js = run(
        &app,
        &token,
        "javascript",
        "function f() { throw new TypeError('nope'); }\nf();",
        "",
    )
    .await;
    assert_eq!(js["status"], "runtime_error");
    assert_eq!(js["exitCode"], 1);
    let err = js["stderr"].as_str().unwrap();
    assert!(
        err.contains("TypeError: nope") && err.contains("at f"),
        "{err}"
    );

    let js_exit = run(
        &app,
        &token,
        "javascript",
        "console.log('bye'); process.exit(4);",
        "",
    )
    .await;
    assert_eq!(js_exit["exitCode"], 4);
    assert_eq!(js_exit["stdout"], "bye\n");

    let syntax = run(&app, &token, "javascript", "let = ;", "").await;
    assert_eq!(syntax["status"], "runtime_error");
    assert!(
        syntax["stderr"].as_str().unwrap().contains("SyntaxError"),
        "{syntax}"
    );
}

/// Any status a program asks for is its own verdict, as a shell reports it:
/// never the platform's `internal_error`.
#[tokio::test]
async fn every_exit_status_the_guest_asks_for_is_reported_as_a_shell_would() {
    let (app, token) = ready(sandbox_app()).await;
    let cases = [
        (
            "python",
            "import sys\nprint('out')\nsys.exit(126)",
            126,
            "out\n",
        ),
        ("python", "import sys\nsys.exit(255)", 255, ""),
        ("python", "import sys\nsys.exit(-1)", 255, ""),
        ("python", "import sys\nsys.exit(256)", 0, ""),
        ("python", "import sys\nsys.exit(True)", 1, ""),
        // os._exit ends at once: stdout is line-buffered, so whole lines are
        // out already and a partial one is lost, as on a terminal.
        (
            "python",
            "import os\nprint('kept')\nprint('lost', end='')\nos._exit(200)",
            200,
            "kept\n",
        ),
        (
            "javascript",
            "console.log('out'); process.exit(126);",
            126,
            "out\n",
        ),
        ("javascript", "process.exit(200);", 200, ""),
        ("javascript", "process.exit(-1);", 255, ""),
        ("javascript", "process.exitCode = 130;", 130, ""),
    ];
    for (language, code, status, stdout) in cases {
        let r = run(&app, &token, language, code, "").await;
        let verdict = if status == 0 { "ok" } else { "runtime_error" };
        assert_eq!(r["status"], verdict, "{language} {code:?}: {r}");
        assert_eq!(r["exitCode"], status, "{language} {code:?}: {r}");
        assert_eq!(r["stdout"], stdout, "{language} {code:?}: {r}");
    }
    // A string status is printed to stderr and exits 1.
    let r = run(
        &app,
        &token,
        "python",
        "import sys\nsys.exit('bad input')",
        "",
    )
    .await;
    assert_eq!(
        (r["exitCode"].as_i64(), r["stderr"].as_str()),
        (Some(1), Some("bad input\n")),
        "{r}"
    );
}

/// A JavaScript run ends as a Node process does: when no job and no timer is
/// left, at process.exit, or on an uncaught error or unhandled rejection.
#[tokio::test]
async fn javascript_runs_end_when_node_would() {
    let (app, token) = ready(sandbox_app()).await;
    let cases: [(&str, &str, i64, &str); 7] = [
        // Every await finishes, however long the chain of jobs.
        (
            "(async () => { for (let i = 0; i < 50; i++) await null; console.log('all 50'); })();",
            "ok", 0, "all 50\n",
        ),
        // A rejection handled by a later job of the same turn is handled.
        (
            "const p = Promise.reject(new Error('x'));\nPromise.resolve().then(() => p.catch((e) => console.log('caught', e.message)));",
            "ok", 0, "caught x\n",
        ),
        // One left unhandled when the queue empties ends the run before any timer.
        (
            "Promise.reject(new Error('boom'));\nsetTimeout(() => console.log('never'), 1);",
            "runtime_error", 1, "",
        ),
        // An error thrown by a timer ends the run; later timers never run.
        (
            "setTimeout(() => { throw new TypeError('in timer'); }, 5);\nsetTimeout(() => console.log('never'), 10);",
            "runtime_error", 1, "",
        ),
        // process.exit inside an async function ends it at once.
        (
            "(async () => { await null; console.log('before'); process.exit(7); })();\nsetTimeout(() => console.log('never'), 1);",
            "runtime_error", 7, "before\n",
        ),
        // A promise that never settles keeps nothing alive, as in Node.
        ("new Promise(() => {});\nconsole.log('done');", "ok", 0, "done\n"),
        // exitCode set along the way is the status at the end.
        (
            "process.exitCode = 3;\nsetTimeout(() => console.log('later'), 5);",
            "runtime_error", 3, "later\n",
        ),
    ];
    for (code, status, exit_code, stdout) in cases {
        let r = run(&app, &token, "javascript", code, "").await;
        assert_eq!(r["status"], status, "{code}: {r}");
        assert_eq!(r["exitCode"], exit_code, "{code}: {r}");
        assert_eq!(r["stdout"], stdout, "{code}: {r}");
    }
    let r = run(
        &app,
        &token,
        "javascript",
        "Promise.reject(new RangeError('left alone'));",
        "",
    )
    .await;
    let err = r["stderr"].as_str().unwrap();
    assert!(err.contains("RangeError: left alone"), "{r}");
    let r = run(
        &app,
        &token,
        "javascript",
        "setTimeout(() => { throw new TypeError('in timer'); }, 5);",
        "",
    )
    .await;
    let err = r["stderr"].as_str().unwrap();
    assert!(err.starts_with("TypeError: in timer\n"), "{r}");
    assert!(
        !err.contains("<cmdline>"),
        "the prelude's own frames are not shown: {err}"
    );
}

/// The Python runtime holds the standard library modules.txt names, and
/// nothing else: any other module is Python's own ModuleNotFoundError.
#[tokio::test]
async fn python_has_the_listed_standard_library_and_nothing_more() {
    let (app, token) = ready(sandbox_app()).await;
    let list = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runtimes/python/modules.txt"),
    )
    .unwrap();
    let modules: Vec<&str> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(modules.len() >= 35, "{modules:?}");
    for required in [
        "collections",
        "heapq",
        "functools",
        "asyncio",
        "unittest",
        "os.path",
        "decimal",
    ] {
        assert!(modules.contains(&required), "{required} is not on the list");
    }
    let code = format!(
        "import importlib, sys\nfor name in {modules:?}:\n    importlib.import_module(name)\nprint(len({modules:?}), sys.version_info[:2])"
    );
    let r = run(&app, &token, "python", &code, "").await;
    assert_eq!(r["status"], "ok", "{r}");
    assert_eq!(r["stdout"], format!("{} (3, 14)\n", modules.len()), "{r}");
    let r = run(&app, &token, "python", "import sqlite3", "").await;
    assert_eq!(r["status"], "runtime_error", "{r}");
    assert!(
        r["stderr"]
            .as_str()
            .unwrap()
            .ends_with("ModuleNotFoundError: No module named 'sqlite3'\n"),
        "{r}"
    );
}

#[tokio::test]
async fn runaway_loops_hit_the_fuel_limit_or_the_wall_deadline() {
    let (app, token) = ready(sandbox_app()).await;
    for (language, code) in [
        ("python", "while True: pass"),
        ("javascript", "for (;;) {}"),
    ] {
        let fuel = run_with(
            &app,
            &token,
            json!({"language": language, "code": code,
            "limits": {"fuel": 200_000_000}}),
        )
        .await;
        assert_eq!(fuel["status"], "time_limit", "{fuel}");
        assert_eq!(fuel["timeLimitKind"], "fuel");
        assert_eq!(fuel["fuelUsed"], 200_000_000);

        let wall = run_with(
            &app,
            &token,
            json!({"language": language, "code": code,
            "limits": {"fuel": 40_000_000_000u64, "wallTimeMs": 200}}),
        )
        .await;
        assert_eq!(wall["status"], "time_limit", "{wall}");
        assert_eq!(wall["timeLimitKind"], "wall");
        assert!(wall["wallTimeMs"].as_u64().unwrap() < 2_000, "{wall}");
    }
}

#[tokio::test]
async fn output_before_a_time_limit_is_kept() {
    let (app, token) = ready(sandbox_app()).await;
    for (language, code) in [
        ("python", "print('progress: 1 of 3')\nwhile True: pass"),
        ("javascript", "console.log('progress: 1 of 3'); for (;;) {}"),
    ] {
        let r = run_with(
            &app,
            &token,
            json!({"language": language, "code": code, "limits": {"fuel": 300_000_000}}),
        )
        .await;
        assert_eq!(r["status"], "time_limit", "{r}");
        assert_eq!(r["stdout"], "progress: 1 of 3\n", "{language}: {r}");
    }
}

#[tokio::test]
async fn sleeping_takes_virtual_time_only() {
    let (app, token) = ready(sandbox_app()).await;
    let py = run(
        &app,
        &token,
        "python",
        "import time\nt = time.monotonic()\ntime.sleep(30)\nprint(round(time.monotonic() - t))",
        "",
    )
    .await;
    assert_eq!(py["status"], "ok", "{py}");
    assert_eq!(py["stdout"], "30\n");
    assert!(py["wallTimeMs"].as_u64().unwrap() < 5_000);
    let js = run(&app, &token, "javascript",
        "setTimeout(() => console.log('b'), 60000); setTimeout(() => console.log('a'), 10); Promise.resolve().then(() => console.log('micro')); console.log('sync');", "").await;
    assert_eq!(js["stdout"], "sync\nmicro\na\nb\n", "{js}");
}

#[tokio::test]
async fn memory_past_the_cap_is_a_memory_limit() {
    let (app, token) = ready(sandbox_app()).await;
    let limits = json!({"memoryBytes": 64 * 1024 * 1024});
    let py = run_with(
        &app,
        &token,
        json!({"language": "python", "limits": limits,
        "code": "x = bytearray(200 * 1024 * 1024)\nprint(len(x))"}),
    )
    .await;
    assert_eq!(py["status"], "memory_limit", "{py}");
    assert!(
        py["stderr"].as_str().unwrap().contains("MemoryError"),
        "{py}"
    );
    assert!(py["memoryPeakBytes"].as_u64().unwrap() <= 64 * 1024 * 1024);

    let js = run_with(
        &app,
        &token,
        json!({"language": "javascript", "limits": limits,
        "code": "const keep = []; for (;;) keep.push(new Array(1e6).fill(1));"}),
    )
    .await;
    assert_eq!(js["status"], "memory_limit", "{js}");

    // Within the cap the same kind of allocation is fine.
    let fits = run_with(
        &app,
        &token,
        json!({"language": "python", "limits": limits,
        "code": "x = bytearray(16 * 1024 * 1024)\nprint(len(x))"}),
    )
    .await;
    assert_eq!(fits["status"], "ok", "{fits}");
}

#[tokio::test]
async fn output_stops_at_its_cap_exactly() {
    let (app, token) = ready(sandbox_app()).await;
    let limits = |n: u64| json!({"stdoutBytes": n});
    // 1000 bytes exactly fit a 1000-byte cap; one more byte does not.
    let exact = run_with(
        &app,
        &token,
        json!({"language": "python", "limits": limits(1000),
        "code": "import sys\nsys.stdout.write('x' * 1000)"}),
    )
    .await;
    assert_eq!(exact["status"], "ok", "{exact}");
    assert_eq!(exact["stdout"].as_str().unwrap().len(), 1000);
    assert_eq!(exact["stdoutTruncated"], false);
    let over = run_with(
        &app,
        &token,
        json!({"language": "python", "limits": limits(1000),
        "code": "import sys\nsys.stdout.write('x' * 1001)"}),
    )
    .await;
    assert_eq!(over["status"], "output_limit", "{over}");
    assert_eq!(over["stdout"].as_str().unwrap().len(), 1000);
    assert_eq!(over["stdoutTruncated"], true);

    for (language, code) in [
        ("python", "while True: print('flood' * 100)"),
        ("javascript", "for (;;) console.log('flood'.repeat(100));"),
    ] {
        let flood = run_with(
            &app,
            &token,
            json!({"language": language, "code": code, "limits": limits(64 * 1024)}),
        )
        .await;
        assert_eq!(flood["status"], "output_limit", "{language}");
        assert_eq!(flood["stdout"].as_str().unwrap().len(), 64 * 1024);
        assert!(flood["wallTimeMs"].as_u64().unwrap() < 5_000);
    }
}

#[tokio::test]
async fn the_fuel_limit_is_exact_at_the_bound() {
    let (app, token) = ready(sandbox_app()).await;
    let code = "print(sum(range(1000)))";
    let first = run(&app, &token, "python", code, "").await;
    let used = first["fuelUsed"].as_u64().unwrap();
    let at = run_with(
        &app,
        &token,
        json!({"language": "python", "code": code, "limits": {"fuel": used}}),
    )
    .await;
    assert_eq!(at["status"], "ok", "exactly enough fuel: {at}");
    assert_eq!(at["fuelUsed"], used);
    // Fuel is checked at loop back-edges and function entries, so the bound is
    // exact to within the code after the last check (here: exiting).
    let below = run_with(
        &app,
        &token,
        json!({"language": "python", "code": code, "limits": {"fuel": used - 100_000}}),
    )
    .await;
    assert_eq!(below["status"], "time_limit", "{below}");
    assert_eq!(below["timeLimitKind"], "fuel");
}

#[tokio::test]
async fn the_same_program_gives_the_same_output_and_fuel_every_time() {
    let (app, token) = ready(sandbox_app()).await;
    let programs = [
        ("python", "import random, time, os\nprint(random.random(), random.randint(1, 10**9))\nprint(time.time(), os.urandom(8).hex())\nprint(list({'apple', 'pear', 'fig', 'kiwi'}))\nprint({str(i): i for i in range(5)})\nprint(hash('interview'))"),
        ("javascript", "console.log(Math.random(), Math.random());\nconsole.log(Date.now(), new Date().toISOString());\nconsole.log(Object.keys({b: 1, a: 2}), [...new Set([3, 1, 2])]);"),
    ];
    for (language, code) in programs {
        let mut seen: Option<(Value, Value)> = None;
        for _ in 0..5 {
            let r = run(&app, &token, language, code, "").await;
            assert_eq!(r["status"], "ok", "{r}");
            let now = (r["stdout"].clone(), r["fuelUsed"].clone());
            if let Some(before) = &seen {
                assert_eq!(&now, before, "{language} run differed");
            }
            seen = Some(now);
        }
        // Randomness is seeded, not constant.
        let out = seen.unwrap().0;
        assert!(!out.as_str().unwrap().contains("0.0 0.0"), "{out}");
    }
}

#[tokio::test]
async fn the_guest_sees_no_files_network_environment_or_processes() {
    let (app, token) = ready(sandbox_app()).await;
    let py = run(&app, &token, "python", r#"
import os
for attempt in [lambda: open('/etc/passwd').read(), lambda: os.listdir('/etc'), lambda: open('/tmp/x', 'w').write('x')]:
    try:
        attempt()
        print('allowed')
    except OSError as e:
        print('denied', type(e).__name__)
print(sorted(k for k in os.environ if k not in ('PYTHONHASHSEED', 'PYTHONUNBUFFERED', 'PYTHONDONTWRITEBYTECODE', 'PYTHONIOENCODING', 'LANG', 'HOME')))
try:
    import socket
    socket.socket().connect(('127.0.0.1', 80))
    print('network allowed')
except Exception as e:
    print('network denied', type(e).__name__)
for name in ['fork', 'system', 'execv']:
    try:
        getattr(os, name)
        print(name, 'exists')
    except AttributeError:
        print(name, 'missing')
"#, "").await;
    let out = py["stdout"].as_str().unwrap();
    assert!(!out.contains("allowed\n"), "{out}");
    assert_eq!(out.matches("denied").count(), 4, "{out}");
    assert!(
        out.contains("[]\n"),
        "only the manifest's environment: {out}"
    );
    assert!(!out.contains("exists"), "{out}");

    let js = run(&app, &token, "javascript", r#"
console.log(typeof std, typeof os, typeof bjson);
try { require('fs').readFileSync('/etc/passwd', 'utf8'); console.log('allowed'); } catch (e) { console.log('denied', e.code); }
try { require('child_process'); } catch (e) { console.log(e.code); }
console.log(JSON.stringify(process.env));
"#, "").await;
    assert_eq!(
        js["stdout"], "undefined undefined undefined\ndenied ENOENT\nMODULE_NOT_FOUND\n{}\n",
        "{js}"
    );
}

#[tokio::test]
async fn recursion_reaches_interview_depths_and_fails_cleanly_beyond() {
    let (app, token) = ready(sandbox_app()).await;
    let deep = run(&app, &token, "python",
        "import sys\nsys.setrecursionlimit(20000)\ndef depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\nprint(depth(10000))", "").await;
    assert_eq!(deep["status"], "ok", "{deep}");
    assert_eq!(deep["stdout"], "10000\n");

    // Recursion through C (lru_cache's wrapper) uses the C stack; past it,
    // Python's own RecursionError, never a trap.
    let memoised = |n: u32| {
        format!("import sys, functools\nsys.setrecursionlimit(100000)\n@functools.lru_cache(None)\ndef f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\nprint(f({n}))")
    };
    let c_stack = run(&app, &token, "python", &memoised(5000), "").await;
    assert_eq!(c_stack["status"], "ok", "{c_stack}");
    assert_eq!(c_stack["stdout"], "5000\n");
    let too_deep = run(&app, &token, "python", &memoised(50000), "").await;
    assert_eq!(too_deep["status"], "runtime_error", "{too_deep}");
    assert_eq!(too_deep["exitCode"], 1, "{too_deep}");
    let err = too_deep["stderr"].as_str().unwrap();
    assert!(
        err.ends_with("\n") && err.lines().last().unwrap().starts_with("RecursionError: "),
        "{err}"
    );

    // JavaScript: at least as deep as Node's default (about 10,800 frames of a
    // simple function), then a RangeError the program can catch.
    let js = run(
        &app,
        &token,
        "javascript",
        "function d(n) { return n === 0 ? 0 : 1 + d(n - 1); }\nconsole.log(d(10000));",
        "",
    )
    .await;
    assert_eq!(
        (js["status"].as_str(), js["stdout"].as_str()),
        (Some("ok"), Some("10000\n")),
        "{js}"
    );
    for code in [
        "let max = 0; function f(n) { max = n; f(n + 1); } try { f(0); } catch (e) { console.log(e instanceof RangeError, max); }",
        "let max = 0; function f(n, a, b) { max = n; return f(n + 1, [a, b], b) + 1; } try { f(0, 1, 2); } catch (e) { console.log(e instanceof RangeError, max); }",
        "let max = 0; const g = (n) => { max = n; return [1].map(() => g(n + 1)); }; try { g(0); } catch (e) { console.log(e instanceof RangeError, max); }",
    ] {
        let js = run(&app, &token, "javascript", code, "").await;
        assert_eq!(js["status"], "ok", "caught, not a trap: {code}: {js}");
        let out = js["stdout"].as_str().unwrap();
        let depth: u64 = out.trim().strip_prefix("true ").expect(out).parse().unwrap();
        eprintln!("JavaScript recursion depth reached: {depth} ({code})");
        assert!(depth > 2_000, "{code}: {out}");
    }
}

#[tokio::test]
async fn bad_requests_are_refused_with_clear_errors() {
    let (app, token) = ready(sandbox_app()).await;
    let msg = app
        .execute(&token, json!({"language": "cobol", "code": "x"}))
        .await
        .expect_error(422, "validation_failed");
    assert!(msg.contains("python and javascript"), "{msg}");
    let msg = app
        .execute(
            &token,
            json!({"language": "python", "code": "x", "limits": {"fuel": 10u64.pow(15)}}),
        )
        .await
        .expect_error(422, "validation_failed");
    assert!(msg.contains("limits.fuel"), "{msg}");
    app.execute(
        &token,
        json!({"language": "python", "code": "x", "limits": {"cpus": 8}}),
    )
    .await
    .expect_error(422, "validation_failed");
    app.execute(
        &token,
        json!({"language": "python", "code": "print(1)\u{0}"}),
    )
    .await
    .expect_error(422, "validation_failed");
    let big = format!("#{}", "x".repeat(256 * 1024));
    let msg = app
        .execute(&token, json!({"language": "python", "code": big}))
        .await
        .expect_error(413, "payload_too_large");
    assert!(msg.contains("262144"), "{msg}");
    let at_bound = format!("#{}", "x".repeat(256 * 1024 - 1));
    assert_eq!(
        run(&app, &token, "python", &at_bound, "").await["status"],
        "ok"
    );
    app.post(
        "/api/executions",
        None,
        json!({"language": "python", "code": "1"}),
    )
    .await
    .expect_error(401, "unauthorized");
    // Invalid UTF-8 cannot even be a JSON string.
    let resp = app
        .client
        .post(app.url("/api/executions"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(b"{\"language\":\"python\",\"code\":\"print(1)\",\"stdin\":\"\xff\xfe\"}".to_vec())
        .send()
        .await
        .unwrap();
    TestApp::reply(resp).await.expect_error(400, "bad_request");
    // Output that is not UTF-8 is shown with replacement characters.
    let bytes = run(
        &app,
        &token,
        "python",
        "import sys\nsys.stdout.buffer.write(b'ok \\xff\\n')",
        "",
    )
    .await;
    assert_eq!(bytes["stdout"], "ok \u{fffd}\n");
}

#[tokio::test]
async fn one_users_flood_does_not_starve_another_user() {
    let (app, flood_token) = ready(sandbox_app().env("SANDBOX_CONCURRENCY", "1")).await;
    let other_token = app.interviewer("other@example.com").await;
    let slow = json!({"language": "python", "code": "while True: pass", "limits": {"fuel": 1_500_000_000u64}});
    let app = std::sync::Arc::new(app);
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    for i in 0..6 {
        let (app, token, body, tx) = (
            app.clone(),
            flood_token.clone(),
            slow.clone(),
            done_tx.clone(),
        );
        tokio::spawn(async move {
            app.execute(&token, body).await.expect(200);
            let _ = tx.send(format!("flood{i}"));
        });
    }
    // Wait until the flood is running and queued, then submit one quick run.
    while app.state.sandbox.load_stats().queued < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let quick = run(&app, &other_token, "python", "print('mine')", "").await;
    let _ = done_tx.send("other".into());
    assert_eq!(quick["stdout"], "mine\n");
    let mut order = Vec::new();
    while order.len() < 7 {
        order.push(done_rx.recv().await.unwrap());
    }
    eprintln!("completion order: {order:?}");
    let other_at = order.iter().position(|o| o == "other").unwrap();
    assert!(
        other_at <= 1,
        "the single run waited behind the flood: {order:?}"
    );
    assert!(
        quick["queueWaitMs"].as_u64().unwrap() > 0,
        "it did queue behind the running one"
    );
}

#[tokio::test]
async fn a_full_queue_answers_429_with_retry_after() {
    let (app, token) = ready(
        sandbox_app()
            .env("SANDBOX_CONCURRENCY", "1")
            .env("SANDBOX_QUEUE_CAP", "1"),
    )
    .await;
    let slow = json!({"language": "python", "code": "while True: pass", "limits": {"fuel": 3_000_000_000u64}});
    let app = std::sync::Arc::new(app);
    let mut held = Vec::new();
    for _ in 0..2 {
        let (app2, token, body) = (app.clone(), token.clone(), slow.clone());
        held.push(tokio::spawn(async move {
            app2.execute(&token, body).await.status
        }));
        let want = held.len();
        while app.state.sandbox.load_stats().running + app.state.sandbox.load_stats().queued < want
        {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    let reply = app
        .execute(&token, json!({"language": "python", "code": "print(1)"}))
        .await;
    let msg = reply.expect_error(429, "rate_limited");
    assert!(msg.contains("busy"), "{msg}");
    assert!(reply.retry_after() >= 1);
    for h in held {
        assert_eq!(h.await.unwrap(), 200);
    }
    // The server kept answering other requests meanwhile and is free again.
    assert_eq!(
        run(&app, &token, "python", "print(2)", "").await["stdout"],
        "2\n"
    );
}

#[tokio::test]
async fn each_user_has_a_run_rate_limit() {
    let (app, token) = ready(sandbox_app().env("EXECUTIONS_PER_MINUTE", "2")).await;
    for _ in 0..2 {
        run(&app, &token, "python", "print(1)", "").await;
    }
    let reply = app
        .execute(&token, json!({"language": "python", "code": "print(1)"}))
        .await;
    reply.expect_error(429, "rate_limited");
    assert!(reply.retry_after() >= 1);
    let other = app.interviewer("fresh@example.com").await;
    run(&app, &other, "python", "print(1)", "").await;
}

#[tokio::test]
async fn candidates_run_code_only_while_their_interview_is_active() {
    let (app, token) = ready(sandbox_app()).await;
    let session = app.create_session(&token, "Grace").await;
    let cand = app.join(&session, "Grace").await;
    let msg = app
        .execute(&cand, json!({"language": "python", "code": "print(1)"}))
        .await
        .expect_error(403, "forbidden");
    assert!(msg.contains("active"), "{msg}");
    let id = session["id"].as_str().unwrap();
    app.post(
        &format!("/api/sessions/{id}/start"),
        Some(&token),
        json!({}),
    )
    .await
    .expect(200);
    assert_eq!(
        run(&app, &cand, "python", "print('candidate')", "").await["stdout"],
        "candidate\n"
    );
    app.post(
        &format!("/api/sessions/{id}/terminate"),
        Some(&token),
        json!({}),
    )
    .await
    .expect(200);
    app.execute(&cand, json!({"language": "python", "code": "print(1)"}))
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn a_missing_runtime_disables_execution_but_not_the_server() {
    let empty = tempfile::tempdir().unwrap();
    let app = TestApp::builder(Backend::Sqlite)
        .env("SANDBOX_ENABLED", "true")
        .env("RUNTIMES_DIR", &empty.path().display().to_string())
        .spawn()
        .await;
    let status = app
        .state
        .sandbox
        .wait_ready(std::time::Duration::from_secs(60))
        .await;
    assert_eq!(status.as_str(), "failed");
    let health = app.get("/health", None).await;
    let health = health.expect(200);
    assert_eq!(health["sandbox"], "failed");
    assert!(
        health["sandboxMessage"]
            .as_str()
            .unwrap()
            .contains("manifest.json"),
        "{health}"
    );
    let token = app.interviewer("ada@example.com").await;
    let msg = app
        .execute(&token, json!({"language": "python", "code": "print(1)"}))
        .await
        .expect_error(503, "service_unavailable");
    assert!(msg.contains("unavailable"), "{msg}");
    let runtimes = app.get("/api/runtimes", Some(&token)).await;
    assert_eq!(runtimes.expect(200)["status"], "failed");
    app.create_session(&token, "Grace").await;
}

#[tokio::test]
async fn runtimes_and_metrics_describe_the_sandbox() {
    let (app, token) = ready(sandbox_app()).await;
    let rts = app.get("/api/runtimes", Some(&token)).await;
    let rts = rts.expect(200);
    assert_eq!(rts["status"], "ready");
    let languages: Vec<_> = rts["runtimes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["language"].clone())
        .collect();
    assert_eq!(languages, [json!("javascript"), json!("python")]);
    assert!(
        rts["maxima"]["limits"]["fuel"].as_u64().unwrap()
            >= rts["defaults"]["fuel"].as_u64().unwrap()
    );

    run(&app, &token, "python", "print(1)", "").await;
    run(&app, &token, "python", "raise SystemExit(2)", "").await;
    let text = app.get_text("/metrics").await;
    for needle in [
        r#"devinterview_executions_total{language="python",status="ok"} 1"#,
        r#"devinterview_executions_total{language="python",status="runtime_error"} 1"#,
        r#"devinterview_execution_fuel_count{language="python"} 2"#,
        "devinterview_execution_queue_wait_seconds_count 2",
        "devinterview_executions_running 0",
        "devinterview_executions_queued 0",
        "devinterview_compile_cache_total",
    ] {
        assert!(text.contains(needle), "no `{needle}` in metrics:\n{text}");
    }
}
