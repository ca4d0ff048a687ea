//! One run: a fresh store and instance, the guest's I/O wired to memory, every
//! limit applied, and the way it ended turned into a verdict.

use std::time::{Duration, Instant};

use wasmtime::{Engine, Store, Trap};
use wasmtime_wasi::I32Exit;

use super::classify::{classify, Ending, Observed};
use super::engine::EPOCH_TICK;
use super::io::{CappedPipe, OutputOverflow};
use super::limits::Limits;
use super::loader::{LoadedRuntime, Prepared};
use super::outcome::{Outcome, RunStatus};
use super::store::{self, RunState, StoreInput};
use super::{python, quickjs};

/// What one run is given.
pub struct RunInput<'a> {
    /// Source code.
    pub code: &'a str,
    /// Standard input.
    pub stdin: &'a [u8],
    /// Limits.
    pub limits: Limits,
}

/// Runs code to completion or to a limit; never panics on guest behaviour.
pub async fn run(engine: &Engine, runtime: &LoadedRuntime, input: RunInput<'_>) -> Outcome {
    let started = Instant::now();
    let limits = input.limits;
    let stdout = CappedPipe::new("stdout", limits.stdout_bytes as usize);
    let stderr = CappedPipe::new("stderr", limits.stderr_bytes as usize);
    let manifest = &runtime.spec.manifest;
    let store = store::new_store(
        engine,
        StoreInput {
            manifest,
            stdin: input.stdin,
            stdout: stdout.clone(),
            stderr: stderr.clone(),
            limits,
            args: &runtime.run_args,
        },
    );
    let mut store = match store {
        Ok(store) => store,
        Err(e) => {
            tracing::error!(error = %e, runtime = %manifest.name, "sandbox store setup failed");
            let mut outcome = runtime.outcome(limits, started);
            outcome.status = RunStatus::InternalError;
            outcome.stderr = "the sandbox failed to run the program".into();
            return outcome;
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
        Ok(Ok(status)) => Ending::Exited(status),
        Ok(Err(e)) => ending_of(e),
        Err(_) => Ending::WallDeadline,
    };
    let remaining = store.get_fuel().unwrap_or(0);
    let state = store.data();
    let (memory_refused, memory_peak) = (state.memory_refused(), state.memory_peak());
    drop(store);

    let (out, out_truncated) = stdout.take();
    let (err, err_truncated) = stderr.take();
    let observed = Observed {
        output_truncated: out_truncated || err_truncated,
        memory_refused,
    };
    let verdict = classify(runtime.runtime, &ending, observed);
    if let Ending::HostFailure(error) = &ending {
        tracing::error!(%error, runtime = %manifest.name, "sandbox run failed");
    }
    let mut outcome = runtime.outcome(limits, started);
    outcome.status = verdict.status;
    outcome.time_limit_kind = verdict.time_limit_kind;
    outcome.exit_code = verdict.exit_code;
    outcome.stdout = String::from_utf8_lossy(&out).into_owned();
    outcome.stderr = if verdict.internal {
        String::new()
    } else {
        String::from_utf8_lossy(&err).into_owned()
    };
    if let Some(note) = verdict.note {
        if !outcome.stderr.is_empty() && !outcome.stderr.ends_with('\n') {
            outcome.stderr.push('\n');
        }
        outcome.stderr.push_str(&note);
        outcome.stderr.push('\n');
    }
    outcome.stdout_truncated = out_truncated;
    outcome.stderr_truncated = err_truncated;
    outcome.fuel_used = if verdict.bill_fuel {
        limits.fuel.saturating_sub(remaining)
    } else {
        0
    };
    outcome.memory_peak_bytes = memory_peak;
    outcome.wall_time_ms = started.elapsed().as_millis() as u64;
    outcome
}

/// How an error that ended the guest maps to an [`Ending`].
fn ending_of(error: wasmtime::Error) -> Ending {
    if let Some(I32Exit(status)) = error.downcast_ref::<I32Exit>() {
        return Ending::Exited(*status);
    }
    if error.downcast_ref::<OutputOverflow>().is_some() {
        return Ending::OutputOverflow;
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => Ending::OutOfFuel,
        Some(Trap::Interrupt) => Ending::Interrupted,
        Some(Trap::StackOverflow) => Ending::StackOrBounds {
            out_of_bounds: false,
        },
        Some(Trap::MemoryOutOfBounds) => Ending::StackOrBounds {
            out_of_bounds: true,
        },
        Some(trap) => Ending::Trap(trap.to_string()),
        None => Ending::HostFailure(format!("{error:?}")),
    }
}

/// Instantiates and runs the guest: the status it returned or asked to exit
/// with, or the error that ended it.
async fn drive(
    store: &mut Store<RunState>,
    runtime: &LoadedRuntime,
    code: &str,
) -> wasmtime::Result<i32> {
    match &runtime.prepared {
        Prepared::QuickJs(pre) => quickjs::run(store, pre, code).await,
        Prepared::Python(pre) => python::run(store, pre, code).await,
    }
}

/// Creates a store and instance and drops them: the fixed cost of every run.
pub async fn instantiate_only(engine: &Engine, runtime: &LoadedRuntime) -> wasmtime::Result<()> {
    let mut store = store::unlimited_store(engine)?;
    match &runtime.prepared {
        Prepared::QuickJs(pre) => quickjs::instantiate(&mut store, pre).await,
        Prepared::Python(pre) => python::instantiate(&mut store, pre).await,
    }
}
