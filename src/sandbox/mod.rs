//! Server-side code execution in WebAssembly: bounded, fair and reproducible.
//!
//! CPython 3.14 (a pre-initialised component) and QuickJS-NG (a snapshotted
//! reactor) run inside wasmtime with fuel (a deterministic CPU budget), a
//! wall-clock deadline, a memory cap and output caps; clocks and randomness
//! are virtual and seeded, so the same code and input give the same output and
//! fuel count on any machine. Runs go through a fair scheduler.
//!
//! The parts: `store` builds the store every run gets, `loader` prepares each
//! runtime once, `python` and `quickjs` hold each runtime's ABI, `run` drives
//! one run and `classify` turns how it ended into its verdict.

pub mod cache;
pub mod classify;
pub mod clock;
pub mod cstack;
pub mod engine;
pub mod io;
pub mod limits;
pub mod loader;
pub mod manifest;
pub mod metrics;
pub mod outcome;
pub mod poll;
pub mod python;
pub mod quickjs;
pub mod rewrite;
pub mod run;
pub mod runtime;
pub mod scheduler;
pub mod snapshot;
pub mod store;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use limits::{Limits, Maxima};
use loader::LoadedRuntime;
use outcome::Outcome;
use run::RunInput;
pub use runtime::Runtime;
use scheduler::{QueueFull, Scheduler};

/// Sandbox settings (from the server configuration).
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Folder with `<language>/manifest.json` and `cache/<name>.wasm`.
    pub runtimes_dir: PathBuf,
    /// Where compiled modules are kept.
    pub cache_dir: PathBuf,
    /// Most runs at once.
    pub max_concurrent: usize,
    /// Most runs waiting; past it callers get 429.
    pub max_queued: usize,
    /// Limits of a run that asks for none.
    pub defaults: Limits,
    /// Ceilings.
    pub maxima: Maxima,
}

/// Where the sandbox is in its start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxStatus {
    /// Verifying and compiling the runtimes (in the background).
    Starting,
    /// Ready to run code.
    Ready,
    /// A runtime is missing or wrong; the message says which and how to fix it.
    Failed(String),
    /// Turned off by configuration.
    Disabled,
}

impl SandboxStatus {
    /// `starting`, `ready`, `failed` or `disabled`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Ready => "ready",
            Self::Failed(_) => "failed",
            Self::Disabled => "disabled",
        }
    }
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The executor is not ready (starting, failed or disabled).
    #[error("{0}")]
    Unavailable(String),
    /// The language has no server runtime.
    #[error("`{0}` cannot run on the server; server runs support {listed}", listed = Runtime::listed())]
    UnsupportedLanguage(String),
    /// Too many runs are waiting.
    #[error("the sandbox queue is full; try again shortly")]
    QueueFull(Duration),
}

struct Ready {
    engine: wasmtime::Engine,
    _ticker: engine::EpochTicker,
    runtimes: BTreeMap<Runtime, LoadedRuntime>,
}

enum State {
    Starting,
    Ready(Arc<Ready>),
    Failed(String),
    Disabled,
}

/// The executor: one engine, the loaded runtimes, the scheduler, and the
/// threads guests run on.
pub struct Sandbox {
    config: SandboxConfig,
    state: RwLock<State>,
    scheduler: Arc<Scheduler>,
    metrics: metrics::SandboxMetrics,
    workers: Workers,
}

/// Guests run on their own threads, never on the server's: a guest is always
/// ready to run, and on the server's threads it would delay HTTP and realtime
/// I/O (tokio polls for I/O only every few dozen task polls).
struct Workers(Option<tokio::runtime::Runtime>);

impl Workers {
    fn new(threads: usize) -> anyhow::Result<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name("sandbox-worker")
            .enable_all()
            .build()?;
        Ok(Self(Some(rt)))
    }

    fn handle(&self) -> &tokio::runtime::Handle {
        self.0
            .as_ref()
            .expect("workers live as long as the sandbox")
            .handle()
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        // The sandbox may be dropped inside the server's runtime, where a
        // blocking shutdown is not allowed.
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// Aborts a spawned run when the caller stops waiting for it.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One run to perform.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// `python` or `javascript`.
    pub language: String,
    /// Source code.
    pub code: String,
    /// Standard input.
    pub stdin: Vec<u8>,
    /// Resolved limits.
    pub limits: Limits,
    /// Whose queue the run waits in (a user, or a candidate's session).
    pub owner: String,
}

/// A runtime as `GET /api/runtimes` lists it.
#[derive(Debug, Clone)]
pub struct RuntimeInfo {
    /// `python` or `javascript`.
    pub language: String,
    /// Artefact name.
    pub name: String,
    /// Version.
    pub version: String,
}

impl Sandbox {
    /// A sandbox that starts verifying and compiling its runtimes in the
    /// background; runs answer "starting" until that is done.
    pub fn start(
        config: SandboxConfig,
        registry: &prometheus::Registry,
    ) -> anyhow::Result<Arc<Self>> {
        let sandbox = Arc::new(Self::new(config, registry, State::Starting)?);
        let background = sandbox.clone();
        std::thread::Builder::new()
            .name("sandbox-compile".into())
            .spawn(move || background.load())?;
        Ok(sandbox)
    }

    /// Verifies and compiles every runtime into the cache now, so a server started
    /// later (a container built with `devinterview precompile`) loads them at once.
    pub fn precompile(config: SandboxConfig) -> anyhow::Result<()> {
        let sandbox = Self::new(config, &prometheus::Registry::new(), State::Disabled)?;
        sandbox.prepare().map(drop).map_err(anyhow::Error::msg)
    }

    /// A sandbox that never runs anything (`SANDBOX_ENABLED=false`).
    pub fn disabled(
        config: SandboxConfig,
        registry: &prometheus::Registry,
    ) -> anyhow::Result<Arc<Self>> {
        Ok(Arc::new(Self::new(config, registry, State::Disabled)?))
    }

    fn new(
        config: SandboxConfig,
        registry: &prometheus::Registry,
        state: State,
    ) -> anyhow::Result<Self> {
        let metrics = metrics::SandboxMetrics::new(registry)?;
        Ok(Self {
            scheduler: Scheduler::new(config.max_concurrent, config.max_queued),
            workers: Workers::new(config.max_concurrent)?,
            config,
            state: RwLock::new(state),
            metrics,
        })
    }

    fn load(&self) {
        let started = Instant::now();
        tracing::info!("sandbox: verifying and compiling the runtimes");
        let state = match self.prepare() {
            Ok(ready) => {
                tracing::info!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "sandbox ready"
                );
                State::Ready(Arc::new(ready))
            }
            Err(message) => {
                tracing::error!(%message, "sandbox unavailable; the rest of the server keeps running");
                State::Failed(message)
            }
        };
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = state;
    }

    fn prepare(&self) -> Result<Ready, String> {
        let engine = engine::build(engine::EngineSettings {
            max_concurrent: self.config.max_concurrent,
            max_memory_bytes: self.config.maxima.limits.memory_bytes,
        })
        .map_err(|e| format!("cannot create the WebAssembly engine: {e}"))?;
        let mut runtimes = BTreeMap::new();
        let on_compile = |cached: cache::CacheResult| {
            self.metrics
                .compile_cache
                .with_label_values(&[cached.as_str()])
                .inc();
        };
        for runtime in Runtime::ALL {
            let loaded = loader::load(
                &engine,
                &self.config.runtimes_dir,
                &self.config.cache_dir,
                runtime,
                &on_compile,
            )?;
            runtimes.insert(runtime, loaded);
        }
        Ok(Ready {
            _ticker: engine::EpochTicker::start(&engine),
            engine,
            runtimes,
        })
    }

    /// Where the sandbox is in its start-up.
    pub fn status(&self) -> SandboxStatus {
        match &*self.state.read().unwrap_or_else(|p| p.into_inner()) {
            State::Starting => SandboxStatus::Starting,
            State::Ready(_) => SandboxStatus::Ready,
            State::Failed(m) => SandboxStatus::Failed(m.clone()),
            State::Disabled => SandboxStatus::Disabled,
        }
    }

    /// Waits (up to `timeout`) until the sandbox is no longer starting.
    pub async fn wait_ready(&self, timeout: Duration) -> SandboxStatus {
        let until = Instant::now() + timeout;
        loop {
            let status = self.status();
            if status != SandboxStatus::Starting || Instant::now() >= until {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The settings: defaults and ceilings.
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// The loaded runtimes (empty until ready), by language name.
    pub fn runtimes(&self) -> Vec<RuntimeInfo> {
        let mut list: Vec<RuntimeInfo> =
            match &*self.state.read().unwrap_or_else(|p| p.into_inner()) {
                State::Ready(ready) => ready
                    .runtimes
                    .iter()
                    .map(|(runtime, rt)| RuntimeInfo {
                        language: runtime.language().to_string(),
                        name: rt.spec.manifest.name.clone(),
                        version: rt.spec.manifest.version.clone(),
                    })
                    .collect(),
                _ => Vec::new(),
            };
        list.sort_by(|a, b| a.language.cmp(&b.language));
        list
    }

    /// Runs and queued runs now.
    pub fn load_stats(&self) -> scheduler::SchedulerStats {
        self.scheduler.stats()
    }

    fn ready(&self) -> Result<Arc<Ready>, SandboxError> {
        match &*self.state.read().unwrap_or_else(|p| p.into_inner()) {
            State::Ready(ready) => Ok(ready.clone()),
            State::Starting => Err(SandboxError::Unavailable(
                "the sandbox is still compiling its runtimes; try again in a few seconds".into(),
            )),
            State::Failed(m) => Err(SandboxError::Unavailable(format!(
                "the sandbox is unavailable: {m}"
            ))),
            State::Disabled => Err(SandboxError::Unavailable(
                "server-side execution is turned off on this server (SANDBOX_ENABLED=false)".into(),
            )),
        }
    }

    /// Instantiates a runtime without running it (benchmarks measure this step).
    #[doc(hidden)]
    pub async fn instantiate_only(&self, language: &str) -> Result<(), SandboxError> {
        let ready = self.ready()?;
        let runtime = Runtime::from_language(language)
            .and_then(|r| ready.runtimes.get(&r))
            .ok_or_else(|| SandboxError::UnsupportedLanguage(language.to_string()))?;
        run::instantiate_only(&ready.engine, runtime)
            .await
            .map_err(|e| SandboxError::Unavailable(e.to_string()))
    }

    /// Runs code once it gets a fair turn. Dropping the future cancels the run
    /// (or takes it out of the queue).
    pub async fn execute(&self, req: RunRequest) -> Result<Outcome, SandboxError> {
        let ready = self.ready()?;
        let Some(runtime) =
            Runtime::from_language(&req.language).filter(|r| ready.runtimes.contains_key(r))
        else {
            return Err(SandboxError::UnsupportedLanguage(req.language));
        };
        let queued = QueuedGauge::new(&self.metrics);
        let (permit, waited) = self
            .scheduler
            .acquire(&req.owner)
            .await
            .map_err(|QueueFull { retry_after }| SandboxError::QueueFull(retry_after))?;
        drop(queued);
        self.metrics.queue_wait.observe(waited.as_secs_f64());
        let _running = RunningGauge::new(&self.metrics);
        let task = self.workers.handle().spawn(async move {
            let runtime = &ready.runtimes[&runtime];
            run::run(
                &ready.engine,
                runtime,
                RunInput {
                    code: &req.code,
                    stdin: &req.stdin,
                    limits: req.limits,
                },
            )
            .await
        });
        let mut task = AbortOnDrop(task);
        let joined = (&mut task.0).await;
        drop(permit);
        let mut outcome = match joined {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::error!(error = %e, "a sandbox run task failed");
                return Err(SandboxError::Unavailable(
                    "the sandbox failed to run the program; try again".into(),
                ));
            }
        };
        outcome.queue_wait_ms = waited.as_millis() as u64;
        self.metrics.record(&outcome);
        Ok(outcome)
    }
}

/// Counts a run as queued while it waits (also when it is cancelled).
struct QueuedGauge<'a>(&'a metrics::SandboxMetrics);

impl<'a> QueuedGauge<'a> {
    fn new(m: &'a metrics::SandboxMetrics) -> Self {
        m.queued.inc();
        Self(m)
    }
}

impl Drop for QueuedGauge<'_> {
    fn drop(&mut self) {
        self.0.queued.dec();
    }
}

/// Counts a run as running while it runs.
struct RunningGauge<'a>(&'a metrics::SandboxMetrics);

impl<'a> RunningGauge<'a> {
    fn new(m: &'a metrics::SandboxMetrics) -> Self {
        m.running.inc();
        Self(m)
    }
}

impl Drop for RunningGauge<'_> {
    fn drop(&mut self) {
        self.0.running.dec();
    }
}
