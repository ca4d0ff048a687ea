//! Getting each runtime ready to instantiate: verify the artefact, compile it
//! (or map it from the compiled-module cache), snapshot QuickJS's start-up,
//! and link the imports once.

use std::path::Path;
use std::time::Instant;

use wasmtime::component::Component;
use wasmtime::{Engine, Module};

use super::cache::{self, CacheResult, Compiled};
use super::limits::Limits;
use super::manifest::{self, RuntimeKind, RuntimeSpec};
use super::outcome::{Outcome, RunStatus};
use super::runtime::Runtime;
use super::store::RunState;
use super::{cstack, python, quickjs, snapshot};

/// A runtime linked and ready: each run only instantiates it.
pub enum Prepared {
    /// The QuickJS snapshot module.
    QuickJs(wasmtime::InstancePre<RunState>),
    /// The CPython component.
    Python(wasmtime::component::InstancePre<RunState>),
}

/// A runtime ready to run code.
pub struct LoadedRuntime {
    /// Which one it is.
    pub runtime: Runtime,
    /// Its manifest and harness.
    pub spec: RuntimeSpec,
    /// Imports resolved once.
    pub prepared: Prepared,
    /// The argument vector each run's guest sees.
    pub run_args: Vec<String>,
}

impl LoadedRuntime {
    /// An outcome of this runtime with nothing in it yet.
    pub fn outcome(&self, limits: Limits, started: Instant) -> Outcome {
        let manifest = &self.spec.manifest;
        Outcome {
            status: RunStatus::InternalError,
            time_limit_kind: None,
            exit_code: None,
            stdout: String::new(),
            stderr: String::new(),
            stdout_truncated: false,
            stderr_truncated: false,
            fuel_used: 0,
            wall_time_ms: started.elapsed().as_millis() as u64,
            memory_peak_bytes: 0,
            queue_wait_ms: 0,
            language: manifest.language.clone(),
            runtime: format!("{} {}", manifest.name, manifest.version),
            limits,
        }
    }
}

/// Loads, compiles and links one runtime. `cache_dir` holds compiled artefacts;
/// `on_compile` hears whether each came from there.
pub fn load(
    engine: &Engine,
    runtimes_dir: &Path,
    cache_dir: &Path,
    runtime: Runtime,
    on_compile: &dyn Fn(CacheResult),
) -> Result<LoadedRuntime, String> {
    let spec = manifest::load(runtimes_dir, runtime.language())?;
    let wasm = manifest::read_verified(&spec)?;
    let loader = Loader {
        engine,
        cache_dir,
        spec: &spec,
        on_compile,
    };
    let (prepared, run_args) = match spec.manifest.kind {
        RuntimeKind::QjsReactor => (Prepared::QuickJs(loader.snapshot(&wasm)?), Vec::new()),
        RuntimeKind::PythonComponent => {
            let (wasm, stack) = cstack::relocate(&wasm)?;
            tracing::debug!(low = stack.low, high = stack.high, "Python C stack moved");
            let component: Component = loader.compile("", &wasm, &manifest::sha256_hex(&wasm))?;
            let pre = python::link(engine, &component)
                .map_err(|e| format!("cannot link {}: {e:#}", spec.manifest.name))?;
            (Prepared::Python(pre), spec.args())
        }
    };
    Ok(LoadedRuntime {
        runtime,
        spec,
        prepared,
        run_args,
    })
}

struct Loader<'a> {
    engine: &'a Engine,
    cache_dir: &'a Path,
    spec: &'a RuntimeSpec,
    on_compile: &'a dyn Fn(CacheResult),
}

impl Loader<'_> {
    /// Loads a module or component from the compiled-module cache, or compiles it.
    fn compile<C: Compiled>(&self, variant: &str, wasm: &[u8], sha256: &str) -> Result<C, String> {
        let name = &self.spec.manifest.name;
        let (compiled, cached) = cache::load_or_compile(self.engine, wasm, sha256, self.cache_dir)
            .map_err(|e| format!("cannot compile {name}{variant}: {e:#}"))?;
        (self.on_compile)(cached);
        tracing::info!(runtime = %name, variant, cache = cached.as_str(), "runtime loaded");
        Ok(compiled)
    }

    fn link_module(
        &self,
        variant: &str,
        module: &Module,
    ) -> Result<wasmtime::InstancePre<RunState>, String> {
        quickjs::link(self.engine, module)
            .map_err(|e| format!("cannot link {}{variant}: {e:#}", self.spec.manifest.name))
    }

    /// The QuickJS reactor started once with its prelude and baked into a
    /// module of its own (`snapshot.rs`); runs instantiate that.
    fn snapshot(&self, wasm: &[u8]) -> Result<wasmtime::InstancePre<RunState>, String> {
        let started = Instant::now();
        let instrumented = snapshot::instrument(wasm)?;
        let variant = " (instrumented)";
        let module: Module = self.compile(
            variant,
            &instrumented.wasm,
            &manifest::sha256_hex(&instrumented.wasm),
        )?;
        let pre = self.link_module(variant, &module)?;
        let engine = self.engine;
        let spec = self.spec;
        // A thread of its own: `precompile` may be called inside a tokio runtime,
        // where blocking on another is not allowed.
        let image = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .build()
                        .map_err(|e| format!("cannot start the snapshot's runtime: {e}"))?;
                    rt.block_on(snapshot::capture(engine, &pre, &instrumented, spec))
                })
                .join()
                .unwrap_or_else(|_| Err("the JavaScript snapshot panicked".into()))
        })?;
        let baked = snapshot::bake(&instrumented, &image)?;
        let sha256 = manifest::sha256_hex(&baked);
        tracing::info!(
            runtime = %spec.manifest.name,
            bytes = baked.len(),
            sha256 = %sha256,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "JavaScript start-up snapshotted"
        );
        let variant = " (snapshot)";
        let module: Module = self.compile(variant, &baked, &sha256)?;
        self.link_module(variant, &module)
    }
}
