//! Health, metrics, API docs and the static web app.

use serde_json::json;

use crate::db_test;
use crate::helpers::{Backend, TestApp};

async fn health_reports_the_database(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let reply = app.get("/health", None).await;
    let body = reply.expect(200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["databaseBackend"], expected);
}
db_test!(health_reports_the_database);

async fn metrics_count_requests_by_route_and_status(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.interviewer("ada@example.com").await;
    let s = app.create_session(&token, "Grace").await;
    app.get(
        &format!("/api/sessions/{}", s["id"].as_str().unwrap()),
        Some(&token),
    )
    .await
    .expect(200);
    app.get(
        &format!("/api/sessions/{}", uuid::Uuid::new_v4()),
        Some(&token),
    )
    .await
    .expect(404);

    let text = app.get_text("/metrics").await;
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in:\n{text}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    assert_eq!(
        line(
            r#"devinterview_http_requests_total{method="POST",route="/api/auth/signup",status="201"}"#
        ),
        1.0
    );
    // Labelled by the route pattern, never by the id in the path.
    assert_eq!(
        line(
            r#"devinterview_http_requests_total{method="GET",route="/api/sessions/{id}",status="200"}"#
        ),
        1.0
    );
    assert_eq!(
        line(
            r#"devinterview_http_requests_total{method="GET",route="/api/sessions/{id}",status="404"}"#
        ),
        1.0
    );
    assert!(
        line(
            r#"devinterview_http_request_duration_seconds_count{method="POST",route="/api/sessions"}"#
        ) >= 1.0
    );
    assert!(!text.contains(s["id"].as_str().unwrap()));
}
db_test!(metrics_count_requests_by_route_and_status);

async fn the_openapi_document_describes_every_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc = app.get("/api/openapi.json", None).await;
    let doc = doc.expect(200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/auth/signup", "post"),
        ("/api/auth/login", "post"),
        ("/api/auth/me", "get"),
        ("/api/sessions", "get"),
        ("/api/sessions", "post"),
        ("/api/sessions/{id}", "get"),
        ("/api/sessions/{id}", "put"),
        ("/api/sessions/{id}", "delete"),
        ("/api/sessions/{id}/start", "post"),
        ("/api/sessions/{id}/terminate", "post"),
        ("/api/invites/{token}", "get"),
        ("/api/invites/{token}/join", "post"),
        ("/health", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} undocumented"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["SessionView"].is_object());

    let page = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("/api/docs/docs.js"));
    // Offline: the page and its script name no other host.
    let js = app.get_text("/api/docs/docs.js").await;
    for text in [&html, &js] {
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "external reference"
        );
    }
    assert!(js.contains("/api/openapi.json"));
}
db_test!(the_openapi_document_describes_every_route);

async fn the_built_web_app_is_served_with_a_spa_fallback(backend: Backend) {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(
        web.path().join("index.html"),
        "<!doctype html><title>DevInterview app</title>",
    )
    .unwrap();
    std::fs::create_dir(web.path().join("assets")).unwrap();
    std::fs::write(web.path().join("assets/app-1234.js"), "console.log('app')").unwrap();
    let app = TestApp::builder(backend)
        .env("WEB_DIR", &web.path().display().to_string())
        .spawn()
        .await;

    for path in ["/", "/dashboard", "/join/some-invite-token"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.headers()["cache-control"], "no-cache");
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(
            resp.text().await.unwrap().contains("DevInterview app"),
            "{path}"
        );
    }
    let asset = app
        .client
        .get(app.url("/assets/app-1234.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), 200);
    assert!(asset.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert_eq!(asset.text().await.unwrap(), "console.log('app')");
    // The API keeps answering JSON under the web app.
    app.get("/api/missing", None)
        .await
        .expect_error(404, "not_found");
    app.post(
        "/api/auth/login",
        None,
        json!({"email": "a@b.io", "password": "x"}),
    )
    .await
    .expect_error(401, "unauthorized");
}
db_test!(the_built_web_app_is_served_with_a_spa_fallback);

async fn without_a_built_web_app_a_placeholder_page_explains_what_to_do(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let resp = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("make run") && html.contains("/api/docs"),
        "{html}"
    );
}
db_test!(without_a_built_web_app_a_placeholder_page_explains_what_to_do);

/// Runs the server binary with a subcommand and the given environment.
fn devinterview(args: &[&str], vars: &[(&str, String)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_devinterview"));
    cmd.args(args).env("RUST_LOG", "error");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("run the server binary")
}

fn path(p: &std::path::Path) -> String {
    p.display().to_string()
}

#[tokio::test]
async fn precompile_verifies_and_caches_the_runtimes_or_says_what_is_missing() {
    let root = env!("CARGO_MANIFEST_DIR");
    let data = tempfile::tempdir().unwrap();
    // The suite's shared cache: compiling CPython again would only repeat the sandbox tests.
    let cache = format!("{root}/target/sandbox-cache");
    let vars = [
        ("DATA_DIR", path(data.path())),
        ("SANDBOX_CACHE_DIR", cache.clone()),
        ("RUNTIMES_DIR", format!("{root}/runtimes")),
    ];
    let ok = devinterview(&["precompile"], &vars);
    let said = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        said.contains("runtimes verified and compiled into"),
        "{said}"
    );
    let entries = std::fs::read_dir(&cache).unwrap().count();
    assert!(
        entries >= 2,
        "both runtimes are in the cache ({entries} entries)"
    );

    // The manifests without the fetched artefacts: a checkout before `make runtimes`.
    let unfetched = tempfile::tempdir().unwrap();
    for (language, files) in [
        ("python", &["manifest.json"][..]),
        ("javascript", &["manifest.json", "prelude.js"][..]),
    ] {
        let dir = unfetched.path().join(language);
        std::fs::create_dir_all(&dir).unwrap();
        for file in files {
            std::fs::copy(format!("{root}/runtimes/{language}/{file}"), dir.join(file)).unwrap();
        }
    }
    let missing = devinterview(
        &["precompile"],
        &[
            ("DATA_DIR", path(data.path())),
            ("SANDBOX_CACHE_DIR", cache),
            ("RUNTIMES_DIR", path(unfetched.path())),
        ],
    );
    assert!(!missing.status.success());
    let why = String::from_utf8_lossy(&missing.stderr);
    assert!(why.contains("make runtimes"), "says how to fix it: {why}");
}

#[tokio::test]
async fn healthcheck_passes_while_the_server_answers_and_fails_once_it_is_gone() {
    let data = tempfile::tempdir().unwrap();
    let server =
        crate::helpers::process::ServerProcess::start(&[("DATA_DIR", path(data.path()))]).await;
    let port = server.address.rsplit(':').next().unwrap().to_string();
    let vars = [("PORT", port), ("DATA_DIR", path(data.path()))];
    let healthy = devinterview(&["healthcheck"], &vars);
    assert!(
        healthy.status.success(),
        "{}",
        String::from_utf8_lossy(&healthy.stderr)
    );

    server.kill_9().await;
    let gone = devinterview(&["healthcheck"], &vars);
    assert!(!gone.status.success());
    assert!(String::from_utf8_lossy(&gone.stderr).contains("cannot reach"));
}

/// Every series of a scrape, summed over labels: `name` → value.
fn scrape(text: &str) -> std::collections::HashMap<String, f64> {
    let mut totals = std::collections::HashMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (series, value) = line.rsplit_once(' ').unwrap();
        let name = series.split('{').next().unwrap().to_string();
        *totals.entry(name).or_insert(0.0) += value.parse::<f64>().unwrap_or(0.0);
    }
    totals
}

/// The metric names the README's operations section documents.
fn documented_metrics() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut names: Vec<String> = readme
        .split('`')
        .filter_map(|chunk| {
            let name = chunk.split('{').next().unwrap();
            (name.starts_with("devinterview_")
                && name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .then(|| name.to_string())
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Gauges that sit at zero whenever nothing is running or waiting, and a counter of
/// storage failures: they are checked for presence only.
const PRESENCE_ONLY: [&str; 3] = [
    "devinterview_executions_running",
    "devinterview_executions_queued",
    "devinterview_doc_updates_failed_total",
];

#[tokio::test]
async fn every_documented_metric_is_exported_and_moves_with_traffic() {
    use crate::helpers::peer::Peer;
    let app = TestApp::builder(Backend::Sqlite)
        .env("SANDBOX_ENABLED", "true")
        .env("ROOM_COMPACT_UPDATES", "2")
        .spawn()
        .await;
    app.sandbox_ready().await;
    let documented = documented_metrics();
    assert!(
        documented.len() >= 15,
        "the README lists the metrics: {documented:?}"
    );

    // Traffic touching every part: HTTP, a run, a room with edits, a refusal.
    let ada = app.interviewer("ada@example.com").await;
    let session = app.create_session(&ada, "Grace").await;
    let id = session["id"].as_str().unwrap().to_string();
    app.post(
        "/api/executions",
        Some(&ada),
        json!({"language": "python", "code": "print(1)"}),
    )
    .await
    .expect(200);
    let a = Peer::connect(&app, &ada).await;
    a.join(&id).await;
    for (at, text) in [(0, "a"), (1, "b"), (2, "c")] {
        assert_eq!(a.type_text(at, text).await.data["ok"], true);
    }
    let refused = a.sio.call_json("no_such_event", json!({})).await;
    assert_eq!(refused.data["error"]["code"], "unknown_event");

    // Compaction runs on the room sweeper's one-second tick; no event announces it.
    let mut during = scrape(&app.get_text("/metrics").await);
    for _ in 0..100 {
        if during
            .get("devinterview_doc_compactions_total")
            .copied()
            .unwrap_or(0.0)
            > 0.0
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        during = scrape(&app.get_text("/metrics").await);
    }
    let value = |name: &str, scrape: &std::collections::HashMap<String, f64>| {
        scrape
            .get(name)
            .or_else(|| scrape.get(&format!("{name}_count")))
            .copied()
    };
    for name in &documented {
        let Some(v) = value(name, &during) else {
            panic!("{name} is documented but not exported");
        };
        if !PRESENCE_ONLY.contains(&name.as_str()) {
            assert!(v > 0.0, "{name} did not move with traffic ({v})");
        }
    }
    assert_eq!(value("devinterview_socket_connections", &during), Some(1.0));
    assert_eq!(value("devinterview_rooms_loaded", &during), Some(1.0));

    a.sio.close();
    a.sio.closed().await;
    // Exported series are all documented, too (no metric an operator cannot look up).
    for name in during.keys() {
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        if base.starts_with("devinterview_") {
            assert!(
                documented.iter().any(|d| d == base),
                "{base} is exported but not in the README"
            );
        }
    }
}

#[test]
fn the_env_example_names_every_documented_variable() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let example = std::fs::read_to_string(format!("{root}/.env.example")).unwrap();
    let start = readme.find("## Configuration").unwrap();
    let table = &readme[start..start + readme[start..].find("\n## ").unwrap()];
    let variables: Vec<&str> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    assert!(variables.len() >= 30, "{variables:?}");
    for name in variables {
        assert!(
            example.contains(&format!("{name}=")),
            ".env.example does not mention {name}"
        );
    }
}

#[test]
fn the_dockerfile_stubs_every_bench_target_for_its_dependency_layer() {
    let root = env!("CARGO_MANIFEST_DIR");
    let manifest = std::fs::read_to_string(format!("{root}/Cargo.toml")).unwrap();
    let dockerfile = std::fs::read_to_string(format!("{root}/Dockerfile")).unwrap();
    let benches: Vec<&str> = manifest
        .split("[[bench]]")
        .skip(1)
        .filter_map(|section| {
            section
                .lines()
                .find_map(|l| l.strip_prefix("name = \""))
                .and_then(|l| l.strip_suffix('"'))
        })
        .collect();
    assert!(!benches.is_empty());
    let stubbed = dockerfile
        .lines()
        .find_map(|l| l.trim().strip_prefix("&& for b in "))
        .and_then(|l| l.split("; do").next())
        .expect("the Dockerfile's stub loop");
    let stubbed: Vec<&str> = stubbed.split_whitespace().collect();
    for bench in benches {
        assert!(
            stubbed.contains(&bench),
            "the Dockerfile's dependency layer lacks a stub for bench {bench}"
        );
    }
}
