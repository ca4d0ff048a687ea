//! QuickJS-NG's reactor ABI: starting it (`_initialize`, `qjs_init_argv`),
//! evaluating code in a snapshot of it (`snapshot.rs`), and the WASI preview 1
//! imports it links to.

use wasmtime::{Caller, Engine, Instance, InstancePre, Linker, Module, Store, TypedFunc};
use wasmtime_wasi::I32Exit;

use super::poll::shadow_poll_oneoff;
use super::snapshot::{
    AWAIT_EXPORT, DUMP_ERROR_EXPORT, EVAL_EXPORT, EXECUTE_JOB_EXPORT, GET_RUNTIME_EXPORT,
    JS_EVAL_EXPORT,
};
use super::store::RunState;

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

/// Runs a program in an instance of the snapshot, whose QuickJS context already
/// holds the prelude, the way Node's event loop would: evaluate the code, then
/// turn by turn empty the job queue, let QuickJS report unhandled rejections,
/// and run the next due timer. The prelude ends the run (`std.exit`) when no
/// timer is left, so this returns only through the guest's exit or a trap.
///
/// QuickJS's own `js_std_await` polls its timers after every job, so a loop
/// written in JavaScript around them sees a timer fire while jobs are still
/// queued; the host empties the queue itself instead.
pub async fn run(
    store: &mut Store<RunState>,
    pre: &InstancePre<RunState>,
    code: &str,
) -> wasmtime::Result<i32> {
    let instance = pre.instantiate_async(&mut *store).await?;
    let abi = Abi::new(store, &instance)?;
    let ctx = abi.context.call_async(&mut *store, ()).await?;
    if ctx == 0 {
        wasmtime::bail!("the JavaScript snapshot holds no QuickJS context");
    }
    let rt = abi.runtime.call_async(&mut *store, ctx).await?;
    let job_ctx = malloc(store, &instance, 4).await?;
    let start = Source::write(store, &instance, &start_script(code)).await?;
    let turn = Source::write(store, &instance, TURN).await?;
    abi.eval(store, ctx, start, JS_EVAL_TYPE_GLOBAL).await?;
    loop {
        loop {
            match abi
                .execute_job
                .call_async(&mut *store, (rt, job_ctx))
                .await?
            {
                0 => break,
                1 => {}
                _ => {
                    // A job threw outside any promise (the prelude catches the
                    // candidate's own); print it as qjs would and go on.
                    let failed = read_i32(store, &instance, job_ctx)?;
                    abi.dump_error.call_async(&mut *store, failed).await?;
                }
            }
        }
        // The turn's promise settles once QuickJS, finding the queue empty,
        // has looked for unhandled rejections; then the next timer runs.
        let promise = abi
            .js_eval
            .call_async(
                &mut *store,
                (ctx, turn.text, turn.len, turn.name, JS_EVAL_TYPE_GLOBAL),
            )
            .await?;
        let settled = abi.await_.call_async(&mut *store, (ctx, promise)).await?;
        if is_exception(promise) || is_exception(settled) {
            wasmtime::bail!("the JavaScript runner failed between turns");
        }
    }
}

/// QuickJS's `JS_TAG_EXCEPTION`, in the high word of a NaN-boxed value.
const JS_TAG_EXCEPTION: i64 = 6;

fn is_exception(value: i64) -> bool {
    value >> 32 == JS_TAG_EXCEPTION
}

/// What the host evaluates first: the candidate's code, through the prelude's
/// runner, as a string literal (so it runs as a classic script, like Node's).
fn start_script(code: &str) -> String {
    let literal = serde_json::to_string(code).unwrap_or_else(|_| "\"\"".into());
    format!("globalThis.__devinterviewRun({literal});\n")
}

/// What the host evaluates each time the job queue is empty: a promise that
/// QuickJS's timer resolves, and the next due timer runs after it.
const TURN: &str = "globalThis.__devinterviewTurn()";

/// QuickJS's `JS_EVAL_TYPE_GLOBAL`: a classic script.
const JS_EVAL_TYPE_GLOBAL: i32 = 0;

/// Creates an instance and drops it: the fixed cost of every run.
pub async fn instantiate(
    store: &mut Store<RunState>,
    pre: &InstancePre<RunState>,
) -> wasmtime::Result<()> {
    pre.instantiate_async(&mut *store).await.map(drop)
}

/// The functions of the snapshot a run calls.
struct Abi {
    context: TypedFunc<(), i32>,
    runtime: TypedFunc<i32, i32>,
    eval: TypedFunc<(i32, i32, i32, i32, i32), i32>,
    execute_job: TypedFunc<(i32, i32), i32>,
    dump_error: TypedFunc<i32, ()>,
    js_eval: TypedFunc<(i32, i32, i32, i32, i32), i64>,
    await_: TypedFunc<(i32, i64), i64>,
}

impl Abi {
    fn new(store: &mut Store<RunState>, instance: &Instance) -> wasmtime::Result<Self> {
        Ok(Self {
            context: instance.get_typed_func(&mut *store, "qjs_get_context")?,
            runtime: instance.get_typed_func(&mut *store, GET_RUNTIME_EXPORT)?,
            eval: instance.get_typed_func(&mut *store, EVAL_EXPORT)?,
            execute_job: instance.get_typed_func(&mut *store, EXECUTE_JOB_EXPORT)?,
            dump_error: instance.get_typed_func(&mut *store, DUMP_ERROR_EXPORT)?,
            js_eval: instance.get_typed_func(&mut *store, JS_EVAL_EXPORT)?,
            await_: instance.get_typed_func(&mut *store, AWAIT_EXPORT)?,
        })
    }

    /// `eval_buf`. The prelude reports the candidate's errors itself, so a
    /// failure here is the runner's own.
    async fn eval(
        &self,
        store: &mut Store<RunState>,
        ctx: i32,
        source: Source,
        flags: i32,
    ) -> wasmtime::Result<()> {
        let args = (ctx, source.text, source.len, source.name, flags);
        let status = self.eval.call_async(&mut *store, args).await?;
        if status != 0 {
            wasmtime::bail!("the JavaScript runner failed (eval_buf returned {status})");
        }
        Ok(())
    }
}

/// A NUL-terminated source text and script name in guest memory.
#[derive(Clone, Copy)]
struct Source {
    text: i32,
    len: i32,
    name: i32,
}

impl Source {
    /// Copies the source, then the name `qjs -e` gives its script (so error
    /// traces read as before), both NUL-terminated, in one allocation.
    async fn write(
        store: &mut Store<RunState>,
        instance: &Instance,
        source: &str,
    ) -> wasmtime::Result<Self> {
        let len = i32::try_from(source.len())?;
        let mut buffer = Vec::with_capacity(source.len() + 1 + SCRIPT_NAME.len());
        buffer.extend_from_slice(source.as_bytes());
        buffer.push(0);
        buffer.extend_from_slice(SCRIPT_NAME);
        let text = write_bytes(store, instance, &buffer).await?;
        Ok(Self {
            text,
            len,
            name: text + len + 1,
        })
    }
}

fn read_i32(store: &mut Store<RunState>, instance: &Instance, ptr: i32) -> wasmtime::Result<i32> {
    let memory = instance
        .get_memory(&mut *store, "memory")
        .ok_or_else(|| wasmtime::format_err!("the guest exports no memory"))?;
    let mut bytes = [0u8; 4];
    memory.read(&*store, ptr as u32 as usize, &mut bytes)?;
    Ok(i32::from_le_bytes(bytes))
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
