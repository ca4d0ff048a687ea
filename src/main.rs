//! The `devinterview` binary: `serve` (default) or `create-interviewer`.

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
