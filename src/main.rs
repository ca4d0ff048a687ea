//! The `devinterview` binary: `serve` (default), `create-interviewer`, `precompile`
//! or `healthcheck`.

use std::io::BufRead;

use anyhow::Context;
use clap::{Parser, Subcommand};
use devinterview::config::Config;
use devinterview::domain::{Email, Password, PersonName};
use devinterview::startup::{self, Application};

#[derive(Parser)]
#[command(
    name = "devinterview",
    version,
    about = "Self-hosted technical interview platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default). Configuration comes from the environment.
    Serve,
    /// Create an interviewer account (for servers with ALLOW_SIGNUP=false).
    /// The password is read from DEVINTERVIEW_PASSWORD or, if unset, from standard input.
    CreateInterviewer {
        /// E-mail address to log in with.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// Verify the sandbox runtimes and compile them into SANDBOX_CACHE_DIR, then exit
    /// (container images run this at build time so the first run is fast).
    Precompile,
    /// Exit 0 if the server on BIND:PORT answers GET /health with 200, else 1
    /// (for container health checks, which have no curl).
    Healthcheck,
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("devinterview: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env()?;
    if let Some(Command::Healthcheck) = cli.command {
        return healthcheck(&config).await;
    }
    devinterview::telemetry::init(config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(config).await?;
            tracing::info!(
                address = %format!("http://{}:{}", app.state().config.bind, app.port()),
                "DevInterview is listening"
            );
            app.run_until_stopped(startup::shutdown_signal()).await
        }
        Command::Healthcheck => healthcheck(&config).await,
        Command::Precompile => {
            let sandbox = startup::sandbox_config(&config);
            let cache = sandbox.cache_dir.clone();
            tokio::task::spawn_blocking(move || {
                devinterview::sandbox::Sandbox::precompile(sandbox)
            })
            .await??;
            println!("runtimes verified and compiled into {}", cache.display());
            Ok(())
        }
        Command::CreateInterviewer { email, name } => {
            let email = Email::parse(&email).map_err(anyhow::Error::msg)?;
            let name = PersonName::parse(&name, "name").map_err(anyhow::Error::msg)?;
            let raw = match std::env::var("DEVINTERVIEW_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("password (then Enter):");
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .context("cannot read the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let password = Password::parse(raw).map_err(anyhow::Error::msg)?;
            let mut config = config;
            config.sandbox.enabled = false;
            let state = startup::build_state(config, Default::default()).await?;
            let user = devinterview::api::auth::create_interviewer(
                &state.db,
                state.clock.now_ms(),
                &email,
                &name,
                password,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created interviewer {} <{}>", user.name, user.email);
            Ok(())
        }
    }
}

/// Asks the local server for `/health` over plain HTTP/1.0 (no client library needed).
async fn healthcheck(config: &Config) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = if config.bind.is_unspecified() {
        std::net::IpAddr::from([127, 0, 0, 1])
    } else {
        config.bind
    };
    let check = async {
        let mut stream = tokio::net::TcpStream::connect((host, config.port)).await?;
        stream
            .write_all(b"GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .await?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await?;
        anyhow::Ok(head)
    };
    let head = tokio::time::timeout(std::time::Duration::from_secs(5), check)
        .await
        .context("no answer within 5 s")?
        .with_context(|| format!("cannot reach {host}:{}", config.port))?;
    // "HTTP/1.x 200"
    anyhow::ensure!(
        &head[9..12] == b"200",
        "unhealthy: {}",
        String::from_utf8_lossy(&head)
    );
    Ok(())
}
