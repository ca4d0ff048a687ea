//! One run: a fresh store and instance, the guest's I/O wired to memory, every
//! limit applied, and the way it ended turned into a verdict.

use std::time::{Duration, Instant};

use bytes::Bytes;
use wasmtime::{Engine, InstancePre, ResourceLimiter, Store, Trap};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{I32Exit, WasiCtxBuilder};

use super::clock::{seeded_random, VirtualMonotonicClock, VirtualTime, VirtualWallClock};
use super::engine::{EPOCH_TICK, FUEL_YIELD_INTERVAL};
use super::io::{CappedPipe, OutputOverflow};
use super::limits::Limits;
use super::manifest::{Manifest, RuntimeKind, RuntimeSpec};
use super::outcome::{Outcome, RunStatus, TimeLimitKind};
use super::poll::{shadow_poll_oneoff, HasVirtualTime};

/// The seed of every run's random source: fixed, so runs are reproducible.
pub const RANDOM_SEED: u64 = 0x5eed;

/// Per-run host state.
pub struct RunState {
    wasi: WasiP1Ctx,
    limiter: MemoryLimiter,
    time: VirtualTime,
}

impl HasVirtualTime for RunState {
    fn virtual_time(&self) -> &VirtualTime {
        &self.time
    }
}

/// A runtime ready to instantiate.
pub struct LoadedRuntime {
    /// Its manifest and harness.
    pub spec: RuntimeSpec,
    /// Imports resolved once; each run only instantiates.
    pub pre: InstancePre<RunState>,
}

/// Links WASI preview 1 (and nothing else) for a module.
pub fn link(engine: &Engine, module: &wasmtime::Module) -> wasmtime::Result<InstancePre<RunState>> {
    let mut linker = wasmtime::Linker::<RunState>::new(engine);
    wasmtime_wasi::p1::add_to_linker_async(&mut linker, |s: &mut RunState| &mut s.wasi)?;
    shadow_poll_oneoff(&mut linker)?;
    linker.instantiate_pre(module)
}

/// Caps linear memory and remembers both the peak and any refused growth (a
/// refused `memory.grow` is otherwise invisible: the guest just sees -1).
struct MemoryLimiter {
    max: usize,
    peak: usize,
    refused: bool,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max {
            self.refused = true;
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// What one run is given.
pub struct RunInput<'a> {
    /// Source code.
    pub code: &'a str,
    /// Standard input.
    pub stdin: &'a [u8],
    /// Limits.
    pub limits: Limits,
}

/// How the guest's own execution ended, before it becomes a verdict.
enum Ending {
    Exited(i32),
    Trapped(wasmtime::Error),
    WallDeadline,
}

/// A store as every run gets it: stdin from memory, stdout and stderr to capped
/// pipes, virtual clocks, seeded randomness, the manifest's environment, and
/// the limits' fuel and memory cap. `args` reach WASI commands only.
pub(super) fn new_store(
    engine: &Engine,
    manifest: &Manifest,
    stdin: &[u8],
    stdout: CappedPipe,
    stderr: CappedPipe,
    limits: Limits,
    args: &[String],
) -> wasmtime::Result<Store<RunState>> {
    let time = VirtualTime::default();
    let mut builder = WasiCtxBuilder::new();
    builder
        .stdin(MemoryInputPipe::new(Bytes::copy_from_slice(stdin)))
        .stdout(stdout)
        .stderr(stderr)
        .wall_clock(VirtualWallClock(time.clone()))
        .monotonic_clock(VirtualMonotonicClock(time.clone()))
        .secure_random(seeded_random(RANDOM_SEED))
        .insecure_random(seeded_random(RANDOM_SEED + 1))
        .insecure_random_seed(u128::from(RANDOM_SEED));
    for (key, value) in &manifest.env {
        builder.env(key, value);
    }
    if manifest.kind == RuntimeKind::Command {
        builder.args(args);
    }
    let state = RunState {
        wasi: builder.build_p1(),
        limiter: MemoryLimiter {
            max: usize::try_from(limits.memory_bytes).unwrap_or(usize::MAX),
            peak: 0,
            refused: false,
        },
        time,
    };
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.limiter);
    store.set_fuel(limits.fuel)?;
    store.fuel_async_yield_interval(Some(FUEL_YIELD_INTERVAL))?;
    Ok(store)
}

/// Runs code to completion or to a limit; never panics on guest behaviour.
pub async fn run(engine: &Engine, runtime: &LoadedRuntime, input: RunInput<'_>) -> Outcome {
    let started = Instant::now();
    let limits = input.limits;
    let stdout = CappedPipe::new("stdout", limits.stdout_bytes as usize);
    let stderr = CappedPipe::new("stderr", limits.stderr_bytes as usize);
    let manifest = &runtime.spec.manifest;
    let args = match manifest.kind {
        RuntimeKind::Command => render_args(&runtime.spec, input.code),
        RuntimeKind::QjsReactor => Vec::new(),
    };
    let mut store = match new_store(
        engine,
        manifest,
        input.stdin,
        stdout.clone(),
        stderr.clone(),
        limits,
        &args,
    ) {
        Ok(store) => store,
        Err(e) => {
            return internal_error(
                &runtime.spec,
                limits,
                started,
                format!("store setup failed: {e}"),
            )
        }
    };
    let deadline = Duration::from_millis(limits.wall_time_ms);
    store.set_epoch_deadline(deadline.as_millis() as u64 / EPOCH_TICK.as_millis() as u64 + 1);
    store.epoch_deadline_trap();

    // The epoch traps guest code past the deadline; the timeout also ends a guest
    // blocked inside a host call, where no epoch check runs.
    let ending = match tokio::time::timeout(
        deadline + EPOCH_TICK * 2,
        drive(&mut store, runtime, input.code),
    )
    .await
    {
        Ok(Ok(code)) => Ending::Exited(code),
        Ok(Err(e)) => Ending::Trapped(e),
        Err(_) => Ending::WallDeadline,
    };
    let remaining = store.get_fuel().unwrap_or(0);
    let limiter = &store.data().limiter;
    let (memory_refused, memory_peak) = (limiter.refused, limiter.peak as u64);
    drop(store);

    let (out, out_truncated) = stdout.take();
    let (err, err_truncated) = stderr.take();
    let mut stderr_text = String::from_utf8_lossy(&err).into_owned();
    let mut fuel_used = limits.fuel.saturating_sub(remaining);
    let (status, kind, exit_code) = match ending {
        _ if out_truncated || err_truncated => (RunStatus::OutputLimit, None, None),
        Ending::WallDeadline => (RunStatus::TimeLimit, Some(TimeLimitKind::Wall), None),
        Ending::Exited(0) => (RunStatus::Ok, None, Some(0)),
        Ending::Exited(code) if memory_refused => (RunStatus::MemoryLimit, None, Some(code)),
        Ending::Exited(code) => (RunStatus::RuntimeError, None, Some(code)),
        Ending::Trapped(e) => {
            if e.downcast_ref::<OutputOverflow>().is_some() {
                (RunStatus::OutputLimit, None, None)
            } else {
                match e.downcast_ref::<Trap>() {
                    Some(Trap::OutOfFuel) => {
                        (RunStatus::TimeLimit, Some(TimeLimitKind::Fuel), None)
                    }
                    Some(Trap::Interrupt) => {
                        (RunStatus::TimeLimit, Some(TimeLimitKind::Wall), None)
                    }
                    _ if memory_refused => (RunStatus::MemoryLimit, None, None),
                    Some(trap @ (Trap::MemoryOutOfBounds | Trap::StackOverflow)) => {
                        // The fuel counter read after an out-of-bounds trap can be
                        // inflated; such a run is not billed.
                        if *trap == Trap::MemoryOutOfBounds {
                            fuel_used = 0;
                        }
                        stderr_text.push_str(&stack_exhausted_message(&manifest.language));
                        (RunStatus::RuntimeError, None, None)
                    }
                    Some(trap) => {
                        stderr_text.push_str(&format!("\nthe program was stopped: {trap}\n"));
                        (RunStatus::RuntimeError, None, None)
                    }
                    None => {
                        tracing::error!(error = ?e, runtime = %manifest.name, "sandbox run failed");
                        return internal_error(
                            &runtime.spec,
                            limits,
                            started,
                            "the sandbox failed to run the program".into(),
                        );
                    }
                }
            }
        }
    };
    Outcome {
        status,
        time_limit_kind: kind,
        exit_code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: stderr_text,
        stdout_truncated: out_truncated,
        stderr_truncated: err_truncated,
        fuel_used,
        wall_time_ms: started.elapsed().as_millis() as u64,
        memory_peak_bytes: memory_peak,
        queue_wait_ms: 0,
        language: manifest.language.clone(),
        runtime: format!("{} {}", manifest.name, manifest.version),
        limits,
    }
}

fn stack_exhausted_message(language: &str) -> String {
    if language == "python" {
        "\nRecursionError: recursion too deep for the sandbox's Python (its C stack is \
         512 KiB: recursion through C code such as functools.lru_cache or map() stops \
         at about 50-100 levels; plain Python recursion goes to 10,000)\n"
            .into()
    } else {
        "\nRangeError: Maximum call stack size exceeded\n".into()
    }
}

fn internal_error(
    spec: &RuntimeSpec,
    limits: Limits,
    started: Instant,
    message: String,
) -> Outcome {
    Outcome {
        status: RunStatus::InternalError,
        time_limit_kind: None,
        exit_code: None,
        stdout: String::new(),
        stderr: message,
        stdout_truncated: false,
        stderr_truncated: false,
        fuel_used: 0,
        wall_time_ms: started.elapsed().as_millis() as u64,
        memory_peak_bytes: 0,
        queue_wait_ms: 0,
        language: spec.manifest.language.clone(),
        runtime: format!("{} {}", spec.manifest.name, spec.manifest.version),
        limits,
    }
}

/// The argument vector: the manifest's, with `{code}` and `{prelude}` filled in.
pub(super) fn render_args(spec: &RuntimeSpec, code: &str) -> Vec<String> {
    spec.manifest
        .args
        .iter()
        .map(|a| {
            a.replace("{prelude}", &spec.prelude)
                .replace("{code}", &harness_code(spec, code))
        })
        .collect()
}

/// The code as the guest receives it: JavaScript goes through the prelude's
/// runner as a string literal (so it runs as a classic script, like Node's),
/// evaluated as a module so the runner can be awaited; Python as itself.
fn harness_code(spec: &RuntimeSpec, code: &str) -> String {
    match spec.manifest.kind {
        RuntimeKind::Command => code.to_string(),
        RuntimeKind::QjsReactor => {
            let literal = serde_json::to_string(code).unwrap_or_else(|_| "\"\"".into());
            format!("\nawait globalThis.__devinterviewRun({literal});\n")
        }
    }
}

/// Creates a store and instance and drops them: the fixed cost of every run.
pub async fn instantiate_only(engine: &Engine, runtime: &LoadedRuntime) -> wasmtime::Result<()> {
    let time = VirtualTime::default();
    let state = RunState {
        wasi: WasiCtxBuilder::new().build_p1(),
        limiter: MemoryLimiter {
            max: usize::MAX,
            peak: 0,
            refused: false,
        },
        time,
    };
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.limiter);
    store.set_fuel(u64::MAX)?;
    store.set_epoch_deadline(u64::MAX / 2);
    runtime.pre.instantiate_async(&mut store).await?;
    Ok(())
}

/// Instantiates and runs the guest; `Ok(exit code)` or the trap that ended it.
async fn drive(
    store: &mut Store<RunState>,
    runtime: &LoadedRuntime,
    code: &str,
) -> Result<i32, wasmtime::Error> {
    let instance = runtime.pre.instantiate_async(&mut *store).await?;
    let result = match runtime.spec.manifest.kind {
        RuntimeKind::Command => {
            let start = instance.get_typed_func::<(), ()>(&mut *store, "_start")?;
            start.call_async(&mut *store, ()).await.map(|()| 0)
        }
        RuntimeKind::QjsReactor => {
            eval_in_snapshot(store, &instance, &harness_code(&runtime.spec, code)).await
        }
    };
    match result {
        Ok(code) => Ok(code),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(I32Exit(code)) => Ok(*code),
            None => Err(e),
        },
    }
}

/// QuickJS's `JS_EVAL_TYPE_MODULE`: the runner is awaited at top level.
const JS_EVAL_TYPE_MODULE: i32 = 1;

/// The script name `qjs -e` uses, NUL-terminated.
const SCRIPT_NAME: &[u8] = b"<cmdline>\0";

/// Evaluates code in an instance of the snapshot (`snapshot.rs`), whose QuickJS
/// context already holds the prelude: 0 if it ran, 1 if QuickJS printed an error.
async fn eval_in_snapshot(
    store: &mut Store<RunState>,
    instance: &wasmtime::Instance,
    source: &str,
) -> wasmtime::Result<i32> {
    let context = instance.get_typed_func::<(), i32>(&mut *store, "qjs_get_context")?;
    let ctx = context.call_async(&mut *store, ()).await?;
    if ctx == 0 {
        wasmtime::bail!("the JavaScript snapshot holds no QuickJS context");
    }
    // The source, then the name `qjs -e` gives its script (so error traces read
    // as before), both NUL-terminated in one allocation.
    let len = i32::try_from(source.len())?;
    let mut buffer = Vec::with_capacity(source.len() + 1 + SCRIPT_NAME.len());
    buffer.extend_from_slice(source.as_bytes());
    buffer.push(0);
    buffer.extend_from_slice(SCRIPT_NAME);
    let source_ptr = write_bytes(store, instance, &buffer).await?;
    let name_ptr = source_ptr + len + 1;
    let eval = instance.get_typed_func::<(i32, i32, i32, i32, i32), i32>(
        &mut *store,
        super::snapshot::EVAL_EXPORT,
    )?;
    let status = eval
        .call_async(
            &mut *store,
            (ctx, source_ptr, len, name_ptr, JS_EVAL_TYPE_MODULE),
        )
        .await?;
    Ok(if status == 0 { 0 } else { 1 })
}

/// Runs the reactor's start-up: `_initialize`, then `qjs_init_argv(args)`;
/// its status (0 when QuickJS started and evaluated its `-e` script).
pub(super) async fn start_reactor(
    store: &mut Store<RunState>,
    instance: &wasmtime::Instance,
    args: &[String],
) -> wasmtime::Result<i32> {
    let init = instance.get_typed_func::<(), ()>(&mut *store, "_initialize")?;
    init.call_async(&mut *store, ()).await?;
    let mut pointers = Vec::with_capacity(args.len());
    for arg in args {
        pointers.push(write_c_string(store, instance, arg).await?);
    }
    let argv: Vec<u8> = pointers.iter().flat_map(|p| p.to_le_bytes()).collect();
    let argv_ptr = write_bytes(store, instance, &argv).await?;
    let init_argv = instance.get_typed_func::<(i32, i32), i32>(&mut *store, "qjs_init_argv")?;
    init_argv
        .call_async(&mut *store, (i32::try_from(args.len())?, argv_ptr))
        .await
}

/// Copies a NUL-terminated string into guest memory allocated by its `malloc`.
async fn write_c_string(
    store: &mut Store<RunState>,
    instance: &wasmtime::Instance,
    text: &str,
) -> wasmtime::Result<i32> {
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(0);
    write_bytes(store, instance, &bytes).await
}

async fn write_bytes(
    store: &mut Store<RunState>,
    instance: &wasmtime::Instance,
    bytes: &[u8],
) -> wasmtime::Result<i32> {
    let malloc = instance.get_typed_func::<i32, i32>(&mut *store, "malloc")?;
    let memory = instance
        .get_memory(&mut *store, "memory")
        .ok_or_else(|| wasmtime::format_err!("the guest exports no memory"))?;
    let ptr = malloc
        .call_async(&mut *store, i32::try_from(bytes.len())?)
        .await?;
    if ptr == 0 {
        wasmtime::bail!(
            "the guest could not allocate {} bytes for its input",
            bytes.len()
        );
    }
    memory.write(&mut *store, ptr as u32 as usize, bytes)?;
    Ok(ptr)
}
