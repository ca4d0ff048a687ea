//! QuickJS-NG's reactor ABI: starting it (`_initialize`, `qjs_init_argv`),
//! evaluating code in a snapshot of it (`snapshot.rs`), and the WASI preview 1
//! imports it links to.

use wasmtime::{Caller, Engine, Instance, InstancePre, Linker, Module, Store};
use wasmtime_wasi::I32Exit;

use super::poll::shadow_poll_oneoff;
use super::snapshot::EVAL_EXPORT;
use super::store::RunState;

/// QuickJS's `JS_EVAL_TYPE_MODULE`: the runner is awaited at top level.
const JS_EVAL_TYPE_MODULE: i32 = 1;

/// The script name `qjs -e` uses, NUL-terminated.
const SCRIPT_NAME: &[u8] = b"<cmdline>\0";

/// Links WASI preview 1 (and nothing else) for the module, with sleeping on
/// virtual time and an exit that takes any status.
pub fn link(engine: &Engine, module: &Module) -> wasmtime::Result<InstancePre<RunState>> {
    let mut linker = Linker::<RunState>::new(engine);
    wasmtime_wasi::p1::add_to_linker_async(&mut linker, RunState::p1)?;
    shadow_poll_oneoff(&mut linker)?;
    shadow_proc_exit(&mut linker)?;
    linker.instantiate_pre(module)
}

/// wasmtime-wasi's `proc_exit` refuses statuses of 126 and above (they are the
/// shell's own); a guest may still ask for them (`process.exit(200)`,
/// `process.exit(-1)`), and the verdict reports what a shell would see.
fn shadow_proc_exit(linker: &mut Linker<RunState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    linker.func_wrap(
        "wasi_snapshot_preview1",
        "proc_exit",
        |_caller: Caller<'_, RunState>, status: i32| -> wasmtime::Result<()> {
            Err(I32Exit(status).into())
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// Evaluates a run's code in an instance of the snapshot, whose QuickJS
/// context already holds the prelude: 0 if it ran, 1 if QuickJS printed an error.
pub async fn run(
    store: &mut Store<RunState>,
    pre: &InstancePre<RunState>,
    source: &str,
) -> wasmtime::Result<i32> {
    let instance = pre.instantiate_async(&mut *store).await?;
    eval(store, &instance, &wrap(source)).await
}

/// The code as QuickJS evaluates it: through the prelude's runner, as a string
/// literal (so it runs as a classic script, like Node's), in a module so that
/// the runner can be awaited.
fn wrap(code: &str) -> String {
    let literal = serde_json::to_string(code).unwrap_or_else(|_| "\"\"".into());
    format!("\nawait globalThis.__devinterviewRun({literal});\n")
}

/// Creates an instance and drops it: the fixed cost of every run.
pub async fn instantiate(
    store: &mut Store<RunState>,
    pre: &InstancePre<RunState>,
) -> wasmtime::Result<()> {
    pre.instantiate_async(&mut *store).await.map(drop)
}

async fn eval(
    store: &mut Store<RunState>,
    instance: &Instance,
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
    let eval =
        instance.get_typed_func::<(i32, i32, i32, i32, i32), i32>(&mut *store, EVAL_EXPORT)?;
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
pub async fn start(
    store: &mut Store<RunState>,
    instance: &Instance,
    args: &[String],
) -> wasmtime::Result<i32> {
    let init = instance.get_typed_func::<(), ()>(&mut *store, "_initialize")?;
    init.call_async(&mut *store, ()).await?;
    let mut pointers = Vec::with_capacity(args.len());
    for arg in args {
        let mut bytes = Vec::with_capacity(arg.len() + 1);
        bytes.extend_from_slice(arg.as_bytes());
        bytes.push(0);
        pointers.push(write_bytes(store, instance, &bytes).await?);
    }
    let argv: Vec<u8> = pointers.iter().flat_map(|p| p.to_le_bytes()).collect();
    let argv_ptr = write_bytes(store, instance, &argv).await?;
    let init_argv = instance.get_typed_func::<(i32, i32), i32>(&mut *store, "qjs_init_argv")?;
    init_argv
        .call_async(&mut *store, (i32::try_from(args.len())?, argv_ptr))
        .await
}

/// Copies bytes into guest memory allocated by its `malloc`.
pub async fn write_bytes(
    store: &mut Store<RunState>,
    instance: &Instance,
    bytes: &[u8],
) -> wasmtime::Result<i32> {
    let ptr = malloc(store, instance, bytes.len()).await?;
    let memory = instance
        .get_memory(&mut *store, "memory")
        .ok_or_else(|| wasmtime::format_err!("the guest exports no memory"))?;
    memory.write(&mut *store, ptr as u32 as usize, bytes)?;
    Ok(ptr)
}

/// Allocates guest memory with its own `malloc`.
pub async fn malloc(
    store: &mut Store<RunState>,
    instance: &Instance,
    len: usize,
) -> wasmtime::Result<i32> {
    let malloc = instance.get_typed_func::<i32, i32>(&mut *store, "malloc")?;
    let ptr = malloc.call_async(&mut *store, i32::try_from(len)?).await?;
    if ptr == 0 {
        wasmtime::bail!("the guest could not allocate {len} bytes");
    }
    Ok(ptr)
}
