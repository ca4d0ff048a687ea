//! The store every run gets, whatever the runtime: stdin from memory, stdout
//! and stderr to capped pipes, virtual clocks, seeded randomness, the
//! manifest's environment, fuel, and a memory cap.

use bytes::Bytes;
use wasmtime::{Engine, ResourceLimiter, Store};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{WasiCtxBuilder, WasiCtxView, WasiView};

use super::clock::{seeded_random, VirtualMonotonicClock, VirtualTime, VirtualWallClock};
use super::engine::FUEL_YIELD_INTERVAL;
use super::io::CappedPipe;
use super::limits::Limits;
use super::manifest::Manifest;
use super::poll::HasVirtualTime;

/// The seed of every run's random source: fixed, so runs are reproducible.
pub const RANDOM_SEED: u64 = 0x5eed;

/// Per-run host state. One WASI context serves both preview 1 (the QuickJS
/// module) and preview 2 (the Python component).
pub struct RunState {
    wasi: WasiP1Ctx,
    limiter: MemoryLimiter,
    time: VirtualTime,
}

impl RunState {
    /// The preview 1 context, for a core module's linker.
    pub fn p1(&mut self) -> &mut WasiP1Ctx {
        &mut self.wasi
    }

    /// The run's virtual clock.
    pub fn time(&self) -> &VirtualTime {
        &self.time
    }

    /// Whether the guest asked for more memory than its cap.
    pub fn memory_refused(&self) -> bool {
        self.limiter.refused
    }

    /// The largest linear memory the guest had, in bytes.
    pub fn memory_peak(&self) -> u64 {
        self.limiter.peak as u64
    }
}

impl HasVirtualTime for RunState {
    fn virtual_time(&self) -> &VirtualTime {
        &self.time
    }
}

impl WasiView for RunState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        self.wasi.ctx()
    }
}

/// Caps each linear memory and remembers both the peak and any refused growth
/// (a refused `memory.grow` is otherwise invisible: the guest just sees -1).
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

/// What a run's store is built from.
pub struct StoreInput<'a> {
    /// The runtime's manifest (its environment).
    pub manifest: &'a Manifest,
    /// Standard input.
    pub stdin: &'a [u8],
    /// Where stdout goes.
    pub stdout: CappedPipe,
    /// Where stderr goes.
    pub stderr: CappedPipe,
    /// Fuel and memory cap.
    pub limits: Limits,
    /// The guest's argument vector.
    pub args: &'a [String],
}

/// A store as every run gets it.
pub fn new_store(engine: &Engine, input: StoreInput<'_>) -> wasmtime::Result<Store<RunState>> {
    let time = VirtualTime::default();
    let mut builder = WasiCtxBuilder::new();
    builder
        .stdin(MemoryInputPipe::new(Bytes::copy_from_slice(input.stdin)))
        .stdout(input.stdout)
        .stderr(input.stderr)
        .wall_clock(VirtualWallClock(time.clone()))
        .monotonic_clock(VirtualMonotonicClock(time.clone()))
        .secure_random(seeded_random(RANDOM_SEED))
        .insecure_random(seeded_random(RANDOM_SEED + 1))
        .insecure_random_seed(u128::from(RANDOM_SEED))
        .args(input.args);
    for (key, value) in &input.manifest.env {
        builder.env(key, value);
    }
    let max = usize::try_from(input.limits.memory_bytes).unwrap_or(usize::MAX);
    let mut store = store_with(engine, builder, time, max);
    store.set_fuel(input.limits.fuel)?;
    store.fuel_async_yield_interval(Some(FUEL_YIELD_INTERVAL))?;
    Ok(store)
}

/// A store with no I/O and no limits: for measuring instantiation alone.
pub fn unlimited_store(engine: &Engine) -> wasmtime::Result<Store<RunState>> {
    let mut store = store_with(
        engine,
        WasiCtxBuilder::new(),
        VirtualTime::default(),
        usize::MAX,
    );
    store.set_fuel(u64::MAX)?;
    store.set_epoch_deadline(u64::MAX / 2);
    Ok(store)
}

fn store_with(
    engine: &Engine,
    mut wasi: WasiCtxBuilder,
    time: VirtualTime,
    max_memory: usize,
) -> Store<RunState> {
    let state = RunState {
        wasi: wasi.build_p1(),
        limiter: MemoryLimiter {
            max: max_memory,
            peak: 0,
            refused: false,
        },
        time,
    };
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.limiter);
    store
}
