//! The problem bank and grading: documents, validation, every verdict in both
//! languages and both test kinds, a forged result, reproducibility.

use serde_json::{json, Value};

use crate::db_test;
use crate::helpers::{Backend, TestApp};

fn add_two_numbers() -> Value {
    json!({
        "title": "Add two numbers", "statement": "Read *a* and *b*; print their sum.",
        "difficulty": "easy", "tags": ["math"],
        "starterCode": {"python": "def add(a, b):\n    pass\n", "javascript": "function add(a, b) {}\n"},
        "limits": {"fuel": 2000000000u64, "memoryBytes": 134217728, "wallTimeMs": 5000},
        "tests": [
            {"kind": "stdio", "stdin": "1 2\n", "expectedStdout": "3\n", "hidden": false, "weight": 1},
            {"kind": "function", "function": "add", "args": [2, 3], "expected": 5, "hidden": true, "weight": 2}
        ],
        "source": "an extra field is allowed"
    })
}

async fn the_bank_stores_validates_exports_and_imports_problems(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.interviewer("ada@example.com").await;
    let created = app
        .post("/api/problems", Some(&ada), add_two_numbers())
        .await;
    let created = created.expect(201).clone();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["title"], "Add two numbers");
    assert_eq!(created["tests"][1]["expected"], 5);
    assert_eq!(created["outputComparison"], "ignoreTrailingWhitespace");
    assert!(
        created.get("source").is_none(),
        "unknown fields are not kept"
    );

    let list = app.get("/api/problems", Some(&ada)).await;
    let list = list.expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["testCount"], 2);
    assert_eq!(
        list["items"][0]["languages"],
        json!(["javascript", "python"])
    );

    // Export and import: the exported document creates an equal problem.
    let exported = app.get(&format!("/api/problems/{id}"), Some(&ada)).await;
    let exported = exported.expect(200).clone();
    let imported = app
        .post("/api/problems", Some(&ada), exported.clone())
        .await;
    let imported = imported.expect(201).clone();
    assert_ne!(imported["id"], exported["id"]);
    for field in [
        "title",
        "statement",
        "difficulty",
        "tags",
        "starterCode",
        "limits",
        "tests",
    ] {
        assert_eq!(imported[field], exported[field], "{field}");
    }

    let mut changed = add_two_numbers();
    changed["title"] = json!("Add two integers");
    let replaced = app
        .put(&format!("/api/problems/{id}"), Some(&ada), changed)
        .await;
    assert_eq!(replaced.expect(200)["title"], "Add two integers");

    // Someone else's problem is not found; a candidate is refused.
    let bob = app.interviewer("bob@example.com").await;
    app.get(&format!("/api/problems/{id}"), Some(&bob))
        .await
        .expect_error(404, "not_found");
    app.delete(&format!("/api/problems/{id}"), Some(&bob))
        .await
        .expect_error(404, "not_found");
    let session = app.create_session(&ada, "Grace").await;
    let grace = app.join(&session, "Grace").await;
    app.get("/api/problems", Some(&grace))
        .await
        .expect_error(403, "forbidden");

    // Grading takes the same code checks as every other server run.
    let grade = format!("/api/problems/{id}/grade");
    for (body, says) in [
        (
            json!({"language": "cobol", "code": "x"}),
            "cannot run on the server",
        ),
        (
            json!({"language": "python", "code": "print(1)\u{0000}"}),
            "NUL",
        ),
    ] {
        let refused = app.post(&grade, Some(&ada), body).await;
        let message = refused.expect_error(422, "validation_failed");
        assert!(message.contains(says), "{message}");
    }

    app.delete(&format!("/api/problems/{id}"), Some(&ada))
        .await
        .expect(204);
    app.get(&format!("/api/problems/{id}"), Some(&ada))
        .await
        .expect_error(404, "not_found");
}
db_test!(the_bank_stores_validates_exports_and_imports_problems);

#[tokio::test]
async fn invalid_problems_get_a_message_naming_the_field() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let ada = app.interviewer("ada@example.com").await;
    // (where, what to put there, what the message must name)
    let cases = [
        ("/tests", json!([]), "at least one test"),
        ("/title", json!("  "), "title"),
        ("/difficulty", json!("brutal"), "difficulty"),
        ("/limits/fuel", json!(10u64.pow(12)), "limits.fuel"),
        ("/limits/memoryBytes", json!(0), "limits.memoryBytes"),
        ("/tests/1/function", json!("add(); evil"), "tests[1]"),
        ("/tests/0/weight", json!(0), "tests[0]: weight"),
        (
            "/tests/1",
            json!({"kind": "function", "function": "add", "args": [1], "expected": 1, "tolerance": -1}),
            "tolerance",
        ),
        ("/starterCode", json!({"cobol": ""}), "starterCode.cobol"),
    ];
    for (pointer, value, expected) in cases {
        let mut problem = add_two_numbers();
        *problem.pointer_mut(pointer).unwrap() = value;
        let reply = app.post("/api/problems", Some(&ada), problem).await;
        let message = reply.expect_error(422, "validation_failed");
        assert!(
            message.contains(expected),
            "{message} should name {expected}"
        );
    }
    // Wrong types and unknown test kinds are refused by the parser, with where.
    let mut problem = add_two_numbers();
    problem["tests"][0]["kind"] = json!("telepathy");
    let reply = app.post("/api/problems", Some(&ada), problem).await;
    assert!(reply.status.is_client_error(), "{}", reply.text);
    assert!(
        reply.text.contains("telepathy") || reply.text.contains("kind"),
        "{}",
        reply.text
    );
}

/// Tests that make a program show each verdict: stdin (or the argument) says how to behave.
fn every_verdict() -> Value {
    let stdio = |mode: &str, expected: &str, hidden: bool| json!({"kind": "stdio", "stdin": format!("{mode}\n"), "expectedStdout": expected, "hidden": hidden});
    let call = |mode: &str, expected: Value| json!({"kind": "function", "function": "solve", "args": [mode], "expected": expected, "tolerance": 1e-6});
    json!({
        "title": "Every verdict", "difficulty": "hard",
        "limits": {"fuel": 1500000000u64, "memoryBytes": 67108864, "wallTimeMs": 10000},
        "tests": [
            stdio("ok", "3\n", false),
            stdio("wrong", "3\n", false),
            stdio("crash", "3\n", true),
            stdio("loop", "3\n", false),
            stdio("mem", "3\n", false),
            stdio("out", "3\n", false),
            call("ok", json!([1, 2.5000001, {"a": true}])),
            call("wrong", json!(42)),
            call("crash", json!(0)),
            call("exit", json!(0)),
            call("forge", json!(5)),
        ]
    })
}

const EXPECTED_VERDICTS: [&str; 11] = [
    "accepted",
    "wrong_answer",
    "runtime_error",
    "time_limit",
    "memory_limit",
    "output_limit",
    "accepted",
    "wrong_answer",
    "runtime_error",
    "runtime_error",
    "wrong_answer",
];

const PYTHON: &str = r#"import sys

def solve(mode):
    if mode == "ok":
        return [1, 2.5, {"a": True}]
    if mode == "wrong":
        return 41
    if mode == "crash":
        raise ValueError("boom")
    if mode == "exit":
        sys.exit(0)
    if mode == "forge":
        # The candidate cannot read the call, and a made-up frame is ignored.
        print(repr(sys.stdin.read()))
        print("\n@@" + "0" * 32 + "@@5@@" + "0" * 32 + "@@")
        return 0

data = sys.stdin.read().strip()
if data == "ok":
    print(3)
elif data == "wrong":
    print(4)
elif data == "crash":
    raise ValueError("boom")
elif data == "loop":
    while True:
        pass
elif data == "mem":
    block = bytearray(200 * 1024 * 1024)
    print(len(block))
elif data == "out":
    print("x" * (2 * 1024 * 1024))
"#;

const JAVASCRIPT: &str = r#"function solve(mode) {
  if (mode === 'ok') return [1, 2.5, { a: true }];
  if (mode === 'wrong') return 41;
  if (mode === 'crash') throw new Error('boom');
  if (mode === 'exit') process.exit(0);
  if (mode === 'forge') {
    console.log(JSON.stringify(require('fs').readFileSync(0, 'utf8')));
    console.log('\n@@' + '0'.repeat(32) + '@@5@@' + '0'.repeat(32) + '@@');
    return 0;
  }
}
const data = require('fs').readFileSync(0, 'utf8').trim();
if (data === 'ok') console.log(3);
else if (data === 'wrong') console.log(4);
else if (data === 'crash') throw new Error('boom');
else if (data === 'loop') for (;;) {}
else if (data === 'mem') { const block = new Uint8Array(200 * 1024 * 1024); console.log(block.length); }
else if (data === 'out') console.log('x'.repeat(2 * 1024 * 1024));
"#;

async fn sandbox_app() -> (TestApp, String) {
    let app = TestApp::builder(Backend::Sqlite)
        .env("SANDBOX_ENABLED", "true")
        .env("EXECUTIONS_PER_MINUTE", "1000")
        .spawn()
        .await;
    app.sandbox_ready().await;
    let ada = app.interviewer("ada@example.com").await;
    (app, ada)
}

#[tokio::test]
async fn grading_gives_every_verdict_in_both_languages_and_ignores_forged_results() {
    let (app, ada) = sandbox_app().await;
    let created = app.post("/api/problems", Some(&ada), every_verdict()).await;
    let id = created.expect(201)["id"].as_str().unwrap().to_string();
    for (language, code) in [("python", PYTHON), ("javascript", JAVASCRIPT)] {
        let reply = app
            .post(
                &format!("/api/problems/{id}/grade"),
                Some(&ada),
                json!({"language": language, "code": code}),
            )
            .await;
        let report = reply.expect(200).clone();
        let verdicts: Vec<&str> = report["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["verdict"].as_str().unwrap())
            .collect();
        assert_eq!(verdicts, EXPECTED_VERDICTS, "{language}: {report:#}");
        let tests = report["tests"].as_array().unwrap();
        assert_eq!(
            tests[1]["diff"], "line 1: expected \"3\", got \"4\"",
            "{language}"
        );
        assert_eq!(tests[6]["actual"], json!([1, 2.5, {"a": true}]));
        assert_eq!(tests[7]["diff"], "expected 42, got 41");
        // The forging test printed what it could read of stdin (nothing) and its
        // fake frame, which stays visible as its output; the real result decided.
        assert_eq!(tests[10]["actual"], 0);
        assert!(tests[10]["stdout"].as_str().unwrap().contains("@@5@@"));
        assert!(
            !tests[10]["stdout"].as_str().unwrap().contains("delimiter"),
            "{language}: {}",
            tests[10]
        );
        assert!(tests[2]["stderr"].as_str().unwrap().contains("boom"));
        assert_eq!(report["total"], 11);
        assert_eq!(report["passed"], 2);
        assert_eq!(report["score"], 18.18, "2 of 11 equal weights");
        let total: u64 = tests.iter().map(|t| t["fuelUsed"].as_u64().unwrap()).sum();
        assert_eq!(report["totalFuel"], total);
        assert!(tests.iter().all(|t| t["fuelUsed"].as_u64().unwrap() > 0));
    }
}

/// A report without its timings, which are the only part allowed to vary.
fn without_timings(mut report: Value) -> Value {
    for t in report["tests"].as_array_mut().unwrap() {
        t.as_object_mut().unwrap().remove("wallTimeMs");
    }
    report
}

#[tokio::test]
async fn the_same_code_gets_the_same_report_every_time() {
    let (app, ada) = sandbox_app().await;
    let created = app
        .post("/api/problems", Some(&ada), add_two_numbers())
        .await;
    let id = created.expect(201)["id"].as_str().unwrap().to_string();
    // Randomness and clocks are part of the program; the sandbox makes them repeatable.
    let code = "import random, sys, time\n\ndef add(a, b):\n    random.random(); time.time()\n    return a + b\n\nwords = sys.stdin.read().split()\nif words:\n    print(add(int(words[0]), int(words[1])))\n";
    let mut reports = Vec::new();
    for _ in 0..5 {
        let reply = app
            .post(
                &format!("/api/problems/{id}/grade"),
                Some(&ada),
                json!({"language": "python", "code": code}),
            )
            .await;
        reports.push(without_timings(reply.expect(200).clone()));
    }
    assert_eq!(reports[0]["score"], 100.0);
    for r in &reports[1..] {
        assert_eq!(r, &reports[0], "identical verdicts, output and fuel");
    }
}

#[tokio::test]
async fn a_sessions_problem_is_graded_by_the_interviewer_and_sample_tested_by_the_candidate() {
    use crate::helpers::peer::Peer;
    let (app, ada) = sandbox_app().await;
    let mut problem = add_two_numbers();
    // The hidden test carries data a candidate must never see.
    problem["tests"][1] = json!({"kind": "function", "function": "add", "args": [40961, 2],
        "expected": 40963, "hidden": true, "weight": 2});
    let created = app.post("/api/problems", Some(&ada), problem).await;
    let problem_id = created.expect(201)["id"].as_str().unwrap().to_string();
    let session = app
        .post(
            "/api/sessions",
            Some(&ada),
            json!({"candidateName": "Grace", "candidateEmail": "grace@example.com",
                   "language": "python", "problemId": problem_id}),
        )
        .await;
    let session = session.expect(201).clone();
    assert_eq!(session["problemId"], problem_id.as_str());
    let id = session["id"].as_str().unwrap().to_string();
    let grace = app.join(&session, "Grace").await;
    let bob = app.interviewer("bob@example.com").await;

    // Both see the statement, starter code and sample test; the hidden one is only counted.
    let seen = app
        .get(&format!("/api/sessions/{id}/problem"), Some(&grace))
        .await;
    assert_eq!(seen.expect(200)["hiddenCount"], 1);
    assert_eq!(seen.body["samples"].as_array().unwrap().len(), 1);
    assert_eq!(seen.body["samples"][0]["stdin"], "1 2\n");
    assert_eq!(
        seen.body["starterCode"]["python"],
        "def add(a, b):\n    pass\n"
    );

    let solution = "import sys\n\ndef add(a, b):\n    return a + b\n\nwords = sys.stdin.read().split()\nif words:\n    print(add(int(words[0]), int(words[1])))\n";
    // The candidate runs the sample tests only, and sees nothing of the hidden one.
    let tested = app
        .post(
            &format!("/api/sessions/{id}/test"),
            Some(&grace),
            json!({"language": "python", "code": solution}),
        )
        .await;
    assert_eq!(tested.expect(200)["total"], 1);
    assert_eq!(tested.body["tests"][0]["verdict"], "accepted");
    for reply in [&seen, &tested] {
        assert!(
            !reply.text.contains("40961") && !reply.text.contains("40963"),
            "{}",
            reply.text
        );
    }
    let as_candidate = app.get(&format!("/api/sessions/{id}"), Some(&grace)).await;
    assert!(!as_candidate.expect(200).to_string().contains("40963"));

    // Only the interviewer grades, by default the room's current code.
    app.post(
        &format!("/api/sessions/{id}/grade"),
        Some(&grace),
        json!({"language": "python"}),
    )
    .await
    .expect_error(403, "forbidden");
    app.post(
        &format!("/api/sessions/{id}/grade"),
        Some(&bob),
        json!({"language": "python"}),
    )
    .await
    .expect_error(404, "not_found");
    let editor = Peer::connect(&app, &ada).await;
    editor.join(&id).await;
    // The candidate is in the room throughout: nothing of the grading may reach them.
    let watcher = Peer::connect(&app, &grace).await;
    watcher.join(&id).await;
    assert_eq!(editor.type_text(0, solution).await.data["ok"], true);
    let graded = app
        .post(
            &format!("/api/sessions/{id}/grade"),
            Some(&ada),
            json!({"language": "python"}),
        )
        .await;
    let graded = graded.expect(200).clone();
    assert_eq!(graded["score"], 100.0);
    assert_eq!(graded["code"], solution);
    assert_eq!(
        graded["tests"][1]["actual"], 40963,
        "the interviewer sees hidden results"
    );
    let after = app.get(&format!("/api/sessions/{id}"), Some(&ada)).await;
    assert_eq!(after.expect(200)["score"], 100, "the grade wrote the score");

    // A wrong solution, graded explicitly later, is stored too; both are listed and re-run alike.
    app.clock.advance_ms(1_000);
    let wrong = app
        .post(
            &format!("/api/sessions/{id}/grade"),
            Some(&ada),
            json!({"language": "python", "code": "def add(a, b):\n    return a - b\n"}),
        )
        .await;
    assert_eq!(wrong.expect(200)["score"], 0.0);
    let list = app
        .get(&format!("/api/sessions/{id}/submissions"), Some(&ada))
        .await;
    let items = list.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["score"], 0.0, "newest first");
    app.get(&format!("/api/sessions/{id}/submissions"), Some(&grace))
        .await
        .expect_error(403, "forbidden");
    for item in &items {
        let sid = item["id"].as_str().unwrap();
        let rerun = app
            .post(
                &format!("/api/sessions/{id}/submissions/{sid}/rerun"),
                Some(&ada),
                json!({}),
            )
            .await;
        assert_eq!(rerun.expect(200)["identical"], true, "{}", rerun.text);
    }

    // An edit after the gradings reaches the candidate after anything the
    // gradings could have sent; then every event the candidate got is checked.
    let end = solution.len() as u32;
    assert_eq!(editor.type_text(end, "# done\n").await.data["ok"], true);
    watcher.receive().await;
    watcher.receive().await;
    assert!(watcher.text().ends_with("# done\n"), "{}", watcher.text());
    let events = watcher.sio.all_received().await;
    for event in &events {
        let mut text = event.data.to_string();
        for bin in &event.bins {
            text.push_str(&String::from_utf8_lossy(bin));
        }
        assert!(
            !text.contains("40961") && !text.contains("40963"),
            "the candidate received hidden test data in {}: {text}",
            event.name
        );
    }
}

#[tokio::test]
async fn the_demo_seed_brings_example_problems_whose_reference_solutions_pass() {
    let app = TestApp::builder(Backend::Sqlite)
        .env("DEMO_SEED", "true")
        .env("SANDBOX_ENABLED", "true")
        .env("EXECUTIONS_PER_MINUTE", "1000")
        .spawn()
        .await;
    app.sandbox_ready().await;
    let login = app
        .login(
            devinterview::startup::DEMO_EMAIL,
            devinterview::startup::DEMO_PASSWORD,
        )
        .await;
    let token = login.expect(200)["token"].as_str().unwrap().to_string();
    let list = app.get("/api/problems", Some(&token)).await;
    let items = list.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), devinterview::startup::EXAMPLE_PROBLEMS.len());
    for (file, json) in devinterview::startup::EXAMPLE_PROBLEMS {
        let example: Value = serde_json::from_str(json).unwrap();
        let title = example["title"].as_str().unwrap();
        let id = items
            .iter()
            .find(|p| p["title"] == title)
            .unwrap_or_else(|| panic!("{file} was not seeded"))["id"]
            .as_str()
            .unwrap()
            .to_string();
        for (language, code) in example["referenceSolutions"].as_object().unwrap() {
            let reply = app
                .post(
                    &format!("/api/problems/{id}/grade"),
                    Some(&token),
                    json!({"language": language, "code": code}),
                )
                .await;
            assert_eq!(
                reply.expect(200)["score"],
                100.0,
                "{file} in {language}: {}",
                reply.text
            );
        }
    }
}

#[tokio::test]
async fn several_gradings_at_once_queue_within_the_schedulers_limits() {
    // One slot and room for two waiting runs: three gradings of four tests each
    // would overflow the queue if a grading submitted all its tests at once.
    let app = TestApp::builder(Backend::Sqlite)
        .env("SANDBOX_ENABLED", "true")
        .env("SANDBOX_CONCURRENCY", "1")
        .env("SANDBOX_QUEUE_CAP", "2")
        .env("EXECUTIONS_PER_MINUTE", "1000")
        .spawn()
        .await;
    app.sandbox_ready().await;
    let ada = app.interviewer("ada@example.com").await;
    let mut problem = add_two_numbers();
    let stdio = problem["tests"][0].clone();
    problem["tests"] = json!([stdio, stdio, stdio, stdio]);
    let created = app.post("/api/problems", Some(&ada), problem).await;
    let id = created.expect(201)["id"].as_str().unwrap().to_string();
    let code = json!({"language": "javascript", "code":
        "const [a, b] = require('fs').readFileSync(0, 'utf8').split(' ').map(Number);\nconsole.log(a + b);\n"});
    let path = format!("/api/problems/{id}/grade");
    let gradings = (0..3).map(|_| app.post(&path, Some(&ada), code.clone()));
    for reply in futures_util::future::join_all(gradings).await {
        let report = reply.expect(200);
        assert_eq!(report["score"], 100.0);
        assert_eq!(report["total"], 4);
    }
}
