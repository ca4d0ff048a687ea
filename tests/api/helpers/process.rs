//! The server as a separate process, for what only a real process can show
//! (being killed with SIGKILL).

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A `devinterview serve` child process.
pub struct ServerProcess {
    child: Child,
    pub address: String,
}

impl ServerProcess {
    /// Starts the binary with `vars` (on top of a quiet test configuration) and
    /// waits for its "listening" log line, which carries the bound port.
    pub async fn start(vars: &[(&str, String)]) -> ServerProcess {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_devinterview"));
        cmd.env("PORT", "0")
            .env("LOG_FORMAT", "json")
            .env(
                "RUST_LOG",
                std::env::var("TEST_SERVER_LOG")
                    .unwrap_or_else(|_| "warn,devinterview=info".into()),
            )
            .env("SANDBOX_ENABLED", "false")
            .env("JWT_SECRET", super::TEST_JWT_SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the server binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let address = tokio::time::timeout(std::time::Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.expect("read server output") {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                if v["message"] == "DevInterview is listening" {
                    return v["address"]
                        .as_str()
                        .unwrap()
                        .replace("0.0.0.0", "127.0.0.1");
                }
            }
            panic!("the server exited before listening");
        })
        .await
        .expect("the server listens within 30 s");
        // Keep draining its output so it never blocks on a full pipe.
        let echo = std::env::var_os("TEST_LOG").is_some();
        let label = address.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if echo {
                    eprintln!("server {label}: {line}");
                }
            }
        });
        ServerProcess { child, address }
    }

    /// SIGKILL: no shutdown hook, no flush, nothing but what is already durable.
    pub async fn kill_9(mut self) {
        self.child.start_kill().expect("kill the server");
        self.child.wait().await.expect("reap the server");
    }
}
