//! Building the application from its configuration and running it until told to stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Method, Request};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::auth::rate_limit::RateLimiter;
use crate::auth::{secret, TokenKeys};
use crate::clock::Clock;
use crate::config::Config;
use crate::error::ApiError;
use crate::realtime::{Realtime, SocketLayer};
use crate::sandbox::limits::{Limits, Maxima};
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::state::{AppState, LoginThrottle};
use crate::store::{users, Db};
use crate::telemetry::{self, Metrics};
use crate::{api, web};

/// The demo interviewer created when `DEMO_SEED` is on (documented in the README).
pub const DEMO_EMAIL: &str = "demo@devinterview.local";
/// The demo interviewer's password; a public, documented credential for trying the app.
pub const DEMO_PASSWORD: &str = "devinterview-demo";

/// A built server: bound to its port, database migrated, ready to run.
pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Builds the server on the system clock.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Clock::System).await
    }

    /// Builds the server with the given clock (tests pass a manual one).
    pub async fn build_with_clock(mut config: Config, clock: Clock) -> anyhow::Result<Self> {
        let addr = SocketAddr::new(config.bind, config.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} (set BIND and PORT)"))?;
        if config.public_url.is_none() {
            // Invite links point at this server unless PUBLIC_URL says otherwise.
            let host = if config.bind.is_unspecified() {
                "127.0.0.1".to_string()
            } else {
                config.bind.to_string()
            };
            let port = listener.local_addr()?.port();
            config.public_url = Some(format!("http://{host}:{port}"));
        }
        let state = build_state(config, clock).await?;
        if state.config.demo_seed {
            seed_demo(&state).await?;
        }
        let sockets = SocketLayer::build(&state.realtime).await?;
        state.realtime.spawn_sweeper();
        let router = build_router(state.clone(), sockets);
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    /// The port actually bound (useful with `PORT=0`).
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The shared state (tests inspect it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish for up
    /// to the configured grace period.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let grace = self.state.config.shutdown_timeout;
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        // Realtime traffic is many small writes: without TCP_NODELAY, Nagle's
        // algorithm and delayed ACKs add ~40 ms to every relayed keystroke.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY");
            }
        });
        let server = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: finishing in-flight requests");
            let _ = stopping_tx.send(());
        });
        let forced = async move {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(grace).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            result = server => result.context("server failed")?,
            () = forced => tracing::warn!(?grace, "in-flight requests did not finish in time"),
        }
        // Snapshots make the next load fast; the log already holds every acknowledged update.
        self.state.realtime.flush().await;
        self.state.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Connects storage, loads the signing secret and assembles the shared state.
pub async fn build_state(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create DATA_DIR {} (set DATA_DIR to a writable folder)",
            config.data_dir.display()
        )
    })?;
    let jwt_secret = secret::load_or_create(config.jwt_secret.as_ref(), &config.data_dir)?;
    let db = Db::connect(
        &config.effective_database_url(),
        config.db_max_connections,
        config.db_acquire_timeout,
    )
    .await?;
    db.migrate()
        .await
        .context("cannot run database migrations (is the database reachable?)")?;
    tracing::info!(backend = db.backend().name(), "database ready");
    let limits = &config.login_limits;
    let login_limits = LoginThrottle {
        by_ip: RateLimiter::new(limits.per_ip, limits.ip_window),
        by_account: RateLimiter::new(limits.per_account, limits.account_window),
    };
    let metrics = Metrics::new()?;
    let sandbox = build_sandbox(&config, metrics.registry())?;
    let execution_limits = RateLimiter::new(config.sandbox.per_minute, Duration::from_secs(60));
    let keys = Arc::new(TokenKeys::new(&jwt_secret));
    let realtime = Realtime::new(
        db.clone(),
        clock.clone(),
        keys.clone(),
        config.realtime.clone(),
        metrics.registry(),
    )?;
    Ok(AppState {
        keys,
        realtime,
        config: Arc::new(config),
        db,
        clock,
        login_limits: Arc::new(login_limits),
        metrics: Arc::new(metrics),
        sandbox,
        execution_limits: Arc::new(execution_limits),
    })
}

fn build_sandbox(config: &Config, registry: &prometheus::Registry) -> anyhow::Result<Arc<Sandbox>> {
    let sandbox_config = sandbox_config(config);
    if config.sandbox.enabled {
        Sandbox::start(sandbox_config, registry)
    } else {
        Sandbox::disabled(sandbox_config, registry)
    }
}

/// The sandbox's settings as the server would use them (also for `devinterview precompile`).
pub fn sandbox_config(config: &Config) -> SandboxConfig {
    let s = &config.sandbox;
    SandboxConfig {
        runtimes_dir: s.runtimes_dir.clone(),
        cache_dir: s
            .cache_dir
            .clone()
            .unwrap_or_else(|| config.data_dir.join("sandbox-cache")),
        max_concurrent: s.max_concurrent,
        max_queued: s.max_queued,
        defaults: Limits::DEFAULT,
        maxima: Maxima::DEFAULT,
    }
}

async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    if users::find_by_email(&state.db, DEMO_EMAIL).await?.is_some() {
        return Ok(());
    }
    let email = crate::domain::Email::parse(DEMO_EMAIL).map_err(anyhow::Error::msg)?;
    let name =
        crate::domain::PersonName::parse("Demo Interviewer", "name").map_err(anyhow::Error::msg)?;
    let password =
        crate::domain::Password::parse(DEMO_PASSWORD.into()).map_err(anyhow::Error::msg)?;
    api::auth::create_interviewer(&state.db, state.clock.now_ms(), &email, &name, password)
        .await
        .map_err(|e| anyhow::anyhow!("cannot create the demo interviewer: {e}"))?;
    tracing::info!(
        email = DEMO_EMAIL,
        "created the demo interviewer (DEMO_SEED is on)"
    );
    let demo = users::find_by_email(&state.db, DEMO_EMAIL)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo interviewer vanished"))?;
    for (name, json) in EXAMPLE_PROBLEMS {
        let doc: crate::grading::problem::ProblemDoc = serde_json::from_str(json)
            .map_err(|e| anyhow::anyhow!("problems/examples/{name}: {e}"))?;
        doc.validate(&state.sandbox.config().maxima)
            .map_err(|e| anyhow::anyhow!("problems/examples/{name}: {e}"))?;
        let now = state.clock.now_ms();
        crate::store::problems::create(
            &state.db,
            &crate::store::problems::ProblemRow {
                id: uuid::Uuid::new_v4().to_string(),
                owner_id: demo.id.clone(),
                title: doc.title.clone(),
                difficulty: doc.difficulty.clone(),
                document: serde_json::to_string(&doc)?,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    }
    Ok(())
}

/// The example problems the demo interviewer starts with (their reference
/// solutions stay in the files; the tests grade them).
pub const EXAMPLE_PROBLEMS: [(&str, &str); 3] = [
    (
        "two-sum.json",
        include_str!("../problems/examples/two-sum.json"),
    ),
    (
        "fizzbuzz.json",
        include_str!("../problems/examples/fizzbuzz.json"),
    ),
    (
        "average.json",
        include_str!("../problems/examples/average.json"),
    ),
];

/// The whole HTTP application: API, docs, metrics and the web app, with the
/// cross-cutting layers every request passes through.
pub fn build_router(state: AppState, sockets: SocketLayer) -> Router {
    let config = state.config.clone();
    let request_id = HeaderName::from_static("x-request-id");
    let app = api::router()
        .merge(web::router(&config.web_dir))
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            telemetry::track_http,
        ))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .with_state(state);
    // Socket.IO answers /socket.io itself, inside the cross-cutting layers below.
    let mut app = sockets.apply(app);
    if !config.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = config
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        app = app.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                .allow_credentials(true)
                .max_age(Duration::from_secs(600)),
        );
    }
    app.layer(SetResponseHeaderLayer::if_not_present(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("DENY"),
    ))
    // Invite links carry their token in the URL: never leak it to other sites.
    .layer(SetResponseHeaderLayer::if_not_present(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    ))
    .layer(PropagateRequestIdLayer::new(request_id.clone()))
    .layer(
        TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            // The path only: query strings may carry tokens.
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }),
    )
    .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
    .layer(SetSensitiveRequestHeadersLayer::new([header::AUTHORIZATION]))
    .layer(CatchPanicLayer::custom(|_panic| -> Response {
        ApiError::internal(anyhow::anyhow!("a request handler panicked")).into_response()
    }))
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
