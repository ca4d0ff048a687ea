//! The browser's own stack against the server: Node's `socket.io-client` and
//! `yjs` (tests/node, installed by `make test`), over WebSocket and long-polling.

use serde_json::Value;

use crate::db_test;
use crate::helpers::{Backend, TestApp};

async fn the_real_socket_io_client_and_yjs_converge(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.interviewer("ada@example.com").await;
    let session = app.create_session(&ada, "Grace").await;
    let cand = app.join(&session, "Grace").await;
    let id = session["id"].as_str().unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/node");
    assert!(
        std::path::Path::new(dir).join("node_modules/yjs").exists(),
        "tests/node has no node_modules: run `make test` (it runs npm ci there)"
    );
    let out = tokio::process::Command::new("node")
        .current_dir(dir)
        .args(["room_client.mjs", &app.address, &ada, &cand, id])
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "node client failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(seen["refusal"], "the token is not valid");
    assert_eq!(seen["acks"][0]["ok"], true);
    assert_eq!(seen["acks"][1]["ok"], true);
    let text = seen["a"].as_str().unwrap();
    assert_eq!(seen["b"], text, "both clients converge");
    assert_eq!(seen["late"], text, "a late joiner gets the full document");
    assert!(text.contains("print(\"hi\")\n") && text.contains("# candidate\n"));
    assert_eq!(text.len(), "print(\"hi\")\n# candidate\n".len());
    assert_eq!(seen["echoes"]["a"], 1, "each sees only the other's update");
    assert_eq!(seen["echoes"]["b"], 1);
    assert_eq!(seen["transports"][0], "websocket");
    assert_eq!(seen["transports"][1], "polling");
    let stored = app.get(&format!("/api/sessions/{id}"), Some(&ada)).await;
    assert_eq!(stored.expect(200)["code"], text);
}
db_test!(the_real_socket_io_client_and_yjs_converge);
