//! Ordinary interview programs give the same output in the sandbox as under the
//! native `python3` and `node` (tests/corpus/<language>/*, stdin in `*.in`).

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::helpers::{Backend, TestApp};

fn native(program: &str, file: &Path, stdin: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new(program)
        .arg(file)
        .env("PYTHONHASHSEED", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("`{program}` must be installed for this test (.ci/run installs it): {e}")
        });
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "native {program} {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn interview_programs_print_what_native_python_and_node_print() {
    let app = TestApp::builder(Backend::Sqlite)
        .env("SANDBOX_ENABLED", "true")
        .spawn()
        .await;
    app.sandbox_ready().await;
    let token = app.interviewer("corpus@example.com").await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut checked = 0;
    for (language, native_program, ext) in
        [("python", "python3", "py"), ("javascript", "node", "js")]
    {
        let mut files: Vec<_> = std::fs::read_dir(root.join(language))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .collect();
        files.sort();
        for file in files {
            let code = std::fs::read_to_string(&file).unwrap();
            let stdin = std::fs::read(file.with_extension("in")).unwrap_or_default();
            let expected = native(native_program, &file, &stdin);
            let reply = app
                .execute(&token, json!({"language": language, "code": code, "stdin": String::from_utf8(stdin).unwrap()}))
                .await;
            let got = reply.expect(200);
            assert_eq!(got["status"], "ok", "{}: {got}", file.display());
            let stdout = got["stdout"].as_str().unwrap();
            if stdout != expected {
                let first = stdout
                    .lines()
                    .zip(expected.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                panic!(
                    "{} differs from native {native_program} at line {}:\n sandbox: {:?}\n  native: {:?}\n\nsandbox:\n{stdout}\nnative:\n{expected}",
                    file.display(),
                    first + 1,
                    stdout.lines().nth(first),
                    expected.lines().nth(first)
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "the corpus went missing");
}
