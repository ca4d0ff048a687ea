//! The one wasmtime `Engine` every run shares, and the thread that advances its
//! epoch (the wall-clock deadline's tick).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig,
};

/// How often the epoch advances; wall deadlines are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Guest code yields to the async runtime after this much fuel (a few ms of
/// work), so long runs share threads with short ones and realtime traffic. The
/// interval does not change how much fuel a run uses.
pub const FUEL_YIELD_INTERVAL: u64 = 10_000_000;

/// Native stack for guest code. Each level of recursion takes more native
/// stack than C stack: a JavaScript call about twice as much, a Python call
/// through C (an `lru_cache` wrapper) about four times. 64 MiB lets both
/// runtimes reach their own limits first and raise a catchable error
/// (QuickJS on its 5 MiB C stack, `snapshot::JS_STACK_BYTES`, at about 15,000
/// frames; CPython on its 8 MiB one, `cstack::C_STACK_BYTES`, at about 18,000
/// lru_cache levels) rather than the engine trapping. Reserved per instance
/// slot, committed only as a run touches it.
pub const MAX_WASM_STACK: usize = 64 << 20;

/// Core instances one run may create (the Python component has 14).
const CORE_INSTANCES_PER_RUN: u32 = 20;

/// Engine settings that size the instance pool.
#[derive(Debug, Clone, Copy)]
pub struct EngineSettings {
    /// Most runs at once (the pool holds a few more for runs being torn down).
    pub max_concurrent: usize,
    /// Largest linear memory any run may have.
    pub max_memory_bytes: u64,
}

/// Builds the engine: Cranelift, fuel, epoch interruption, pooling allocator
/// with copy-on-write memory images.
pub fn build(settings: EngineSettings) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config
        .consume_fuel(true)
        .epoch_interruption(true)
        .cranelift_opt_level(OptLevel::Speed)
        .max_wasm_stack(MAX_WASM_STACK)
        // Each async run executes on its own stack; it must hold the wasm stack
        // plus the host frames (WASI calls) under it.
        .async_stack_size(MAX_WASM_STACK + (1 << 20))
        .memory_init_cow(true)
        .parallel_compilation(true);
    let slots = u32::try_from(settings.max_concurrent * 2 + 2).unwrap_or(u32::MAX);
    let mut pool = PoolingAllocationConfig::new();
    pool
        // One run is one QuickJS instance, or one Python component: 14 core
        // instances (CPython, its libraries, adapters and shims) sharing one
        // memory, with two tables.
        .total_component_instances(slots)
        .total_core_instances(slots * CORE_INSTANCES_PER_RUN)
        .max_core_instances_per_component(CORE_INSTANCES_PER_RUN)
        .total_memories(slots)
        .max_memories_per_component(1)
        .total_tables(slots * 2)
        .max_tables_per_component(2)
        .total_stacks(slots)
        .max_memory_size(usize::try_from(settings.max_memory_bytes).unwrap_or(usize::MAX))
        // CPython's function table is large (thousands of entries); leave room.
        .table_elements(100_000)
        // CPython and QuickJS carry many globals and functions in their instance state.
        .max_core_instance_size(4 << 20)
        .max_component_instance_size(1 << 20)
        // Keep the pages a run touched resident and copy only those back from the
        // image (PAGEMAP_SCAN, Linux 6.7+; elsewhere the first bytes are reset):
        // the next run on the slot then takes no page faults on the snapshots'
        // pages.
        .linear_memory_keep_resident(4 << 20)
        .pagemap_scan(Enabled::Auto)
        .max_unused_warm_slots(slots);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&config)
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until dropped.
pub struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    /// Starts ticking; holds only a weak reference, so the engine can still be dropped.
    pub fn start(engine: &Engine) -> Self {
        let weak = engine.weak();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("sandbox-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    match weak.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })
            .expect("spawning the epoch thread");
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
