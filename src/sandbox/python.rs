//! CPython 3.14 as a WebAssembly component (WASI preview 2), pre-initialised
//! by componentize-py from `runtimes/python/runner.py`: the interpreter and
//! the standard-library modules interview code uses are already loaded in the
//! component's memory image, so a run instantiates it and calls `run(code)`.

use wasmtime::component::{Component, InstancePre, Linker, Resource};
use wasmtime::{Engine, Store, StoreContextMut};
use wasmtime_wasi::p2::{subscribe, DynPollable, Pollable};
use wasmtime_wasi::{I32Exit, WasiView};

use super::store::RunState;

/// The component's export: `run(code) -> exit status`.
const RUN_EXPORT: &str = "run";

/// The component's import that ends the run at once (`os._exit`).
const EXIT_IMPORT: &str = "exit-now";

/// The WASI monotonic clock interface, as wasmtime-wasi 48 defines it (guests
/// built against any 0.2.x version link to it).
const MONOTONIC_CLOCK: &str = "wasi:clocks/monotonic-clock@0.2.12";

/// Links WASI preview 2, virtual sleeping and `exit-now` for the component.
pub fn link(engine: &Engine, component: &Component) -> wasmtime::Result<InstancePre<RunState>> {
    let mut linker = Linker::<RunState>::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    shadow_sleep(&mut linker)?;
    linker.root().func_wrap(
        EXIT_IMPORT,
        |_store, (status,): (i32,)| -> wasmtime::Result<()> { Err(I32Exit(status).into()) },
    )?;
    linker.instantiate_pre(component)
}

/// Runs the program; `Ok(status)` when the interpreter returned, the trap or
/// `I32Exit` otherwise.
pub async fn run(
    store: &mut Store<RunState>,
    pre: &InstancePre<RunState>,
    code: &str,
) -> wasmtime::Result<i32> {
    let instance = pre.instantiate_async(&mut *store).await?;
    let run = instance.get_typed_func::<(&str,), (i32,)>(&mut *store, RUN_EXPORT)?;
    let (status,) = run.call_async(&mut *store, (code,)).await?;
    Ok(status)
}

/// Creates an instance and drops it: the fixed cost of every run.
pub async fn instantiate(
    store: &mut Store<RunState>,
    pre: &InstancePre<RunState>,
) -> wasmtime::Result<()> {
    pre.instantiate_async(&mut *store).await.map(drop)
}

/// A clock subscription that is due at once: the run's virtual time has
/// already moved to its deadline.
struct Due;

#[wasmtime_wasi::async_trait]
impl Pollable for Due {
    async fn ready(&mut self) {}
}

/// Replaces the monotonic clock's subscriptions so that a guest that sleeps
/// (`time.sleep`, the event loop waiting for its next timer) moves the run's
/// virtual clock forward instead of waiting: reproducible, no wall time spent,
/// no scheduler slot held idle.
fn shadow_sleep(linker: &mut Linker<RunState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut clock = linker.instance(MONOTONIC_CLOCK)?;
    clock.func_wrap(
        "subscribe-duration",
        |store: StoreContextMut<'_, RunState>, (ns,): (u64,)| due_after(store, |_now| ns),
    )?;
    clock.func_wrap(
        "subscribe-instant",
        |store: StoreContextMut<'_, RunState>, (when,): (u64,)| {
            due_after(store, |now| when.saturating_sub(now))
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

fn due_after(
    mut store: StoreContextMut<'_, RunState>,
    wait: impl FnOnce(u64) -> u64,
) -> wasmtime::Result<(Resource<DynPollable>,)> {
    let time = store.data().time();
    time.advance(wait(time.elapsed_ns()));
    let table = store.data_mut().ctx().table;
    let due = table.push(Due)?;
    Ok((subscribe(table, due)?,))
}
