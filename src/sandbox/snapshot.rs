//! QuickJS started once per server instead of once per run.
//!
//! Creating QuickJS's runtime and evaluating the JavaScript prelude costs about
//! 14M fuel (2.5 ms), the same for every run, while `console.log('hi')` itself
//! costs 0.15M. So at load time the server does that start-up once, in a store
//! as deterministic as a run's, and bakes the resulting linear memory and
//! globals into a new module (the technique Wizer made known). Each run
//! instantiates the baked module copy-on-write and evaluates only its own code
//! through QuickJS's `eval_buf`, the function `qjs -e` uses.
//!
//! The snapshot depends only on the pinned artefact and the prelude, so its
//! bytes, and the compiled-module cache entry keyed by them, are the same on
//! every machine and every start.

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};
use wasmtime::{Engine, InstancePre, Val};

use super::io::CappedPipe;
use super::limits::Limits;
use super::manifest::RuntimeSpec;
use super::store::{self, RunState, StoreInput};
use super::{quickjs, rewrite};

/// The export a run evaluates its code through: QuickJS's
/// `eval_buf(ctx, buf, len, filename, flags) -> status`, found by name.
pub const EVAL_EXPORT: &str = "__devinterview_eval";

/// `JS_GetRuntime(ctx) -> rt`.
pub const GET_RUNTIME_EXPORT: &str = "__devinterview_get_runtime";

/// `JS_ExecutePendingJob(rt, &ctx) -> 1 (ran one) | 0 (none) | -1 (it threw)`:
/// the host drains the job queue with it, so a run ends only when it is empty.
pub const EXECUTE_JOB_EXPORT: &str = "__devinterview_execute_pending_job";

/// `js_std_dump_error(ctx)`: prints the pending exception as qjs does.
pub const DUMP_ERROR_EXPORT: &str = "__devinterview_dump_error";

/// `JS_Eval(ctx, input, len, filename, flags) -> JSValue` (NaN-boxed, i64).
pub const JS_EVAL_EXPORT: &str = "__devinterview_js_eval";

/// `js_std_await(ctx, promise) -> JSValue`: runs jobs and QuickJS's own timers
/// until the promise settles, and checks for unhandled rejections each time
/// the job queue is empty.
pub const AWAIT_EXPORT: &str = "__devinterview_await";

/// Internal functions a run calls, by their names in the artefact's `name`
/// section, and the names they are exported under.
const FUNCTIONS: [(&str, &str); 6] = [
    ("eval_buf", EVAL_EXPORT),
    ("JS_GetRuntime", GET_RUNTIME_EXPORT),
    ("JS_ExecutePendingJob", EXECUTE_JOB_EXPORT),
    ("js_std_dump_error", DUMP_ERROR_EXPORT),
    ("JS_Eval", JS_EVAL_EXPORT),
    ("js_std_await", AWAIT_EXPORT),
];

/// Mutable globals are exported under this prefix plus their index, so the
/// snapshot can read them (wasm offers no other way to).
const GLOBAL_EXPORT_PREFIX: &str = "__devinterview_global_";

/// Zero runs shorter than this stay inside one data segment: a segment header
/// costs about as much as a few dozen zero bytes.
const ZERO_GAP: usize = 64;

/// The artefact with the exports a snapshot and a run need.
pub struct Instrumented {
    /// The rewritten module.
    pub wasm: Vec<u8>,
    /// Indices of the module's own mutable globals, which the snapshot records.
    mutable_globals: Vec<u32>,
    /// How many globals are imported (global indices count them first).
    imported_globals: u32,
    /// The C stack pointer global (`__stack_pointer`), by index.
    stack_pointer: u32,
}

/// The state the start-up left behind.
pub struct Image {
    /// Linear memory, whole.
    memory: Vec<u8>,
    /// Its size in wasm pages.
    pages: u64,
    /// Each mutable global's value, by index.
    globals: Vec<(u32, Val)>,
}

/// Adds the exports for the internal functions a run calls ([`FUNCTIONS`]) and
/// for every mutable global.
pub fn instrument(wasm: &[u8]) -> Result<Instrumented, String> {
    let invalid = |e: wasmparser::BinaryReaderError| {
        format!("the QuickJS module is not valid WebAssembly: {e}")
    };
    let mut found: [Option<u32>; FUNCTIONS.len()] = [None; FUNCTIONS.len()];
    let mut stack_pointer = None;
    let mut imported_globals = 0u32;
    let mut mutable_globals = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(invalid)? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if let TypeRef::Global(_) = import.map_err(invalid)?.ty {
                        imported_globals += 1;
                    }
                }
            }
            Payload::GlobalSection(globals) => {
                for (i, global) in globals.into_iter().enumerate() {
                    if global.map_err(invalid)?.ty.mutable {
                        mutable_globals.push(imported_globals + i as u32);
                    }
                }
            }
            Payload::CustomSection(custom) => {
                if let KnownCustom::Name(names) = custom.as_known() {
                    for name in names {
                        match name.map_err(invalid)? {
                            Name::Function(functions) => {
                                for naming in functions {
                                    let naming = naming.map_err(invalid)?;
                                    if let Some(i) =
                                        FUNCTIONS.iter().position(|(name, _)| *name == naming.name)
                                    {
                                        found[i] = Some(naming.index);
                                    }
                                }
                            }
                            Name::Global(globals) => {
                                for naming in globals {
                                    let naming = naming.map_err(invalid)?;
                                    if naming.name == "__stack_pointer" {
                                        stack_pointer = Some(naming.index);
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let stack_pointer = stack_pointer
        .ok_or_else(|| "the QuickJS module names no `__stack_pointer` global".to_string())?;
    let mut functions = Vec::with_capacity(FUNCTIONS.len());
    for ((name, export), index) in FUNCTIONS.iter().zip(found) {
        let index = index.ok_or_else(|| {
            format!(
                "the QuickJS module names no `{name}` function; the sandbox needs a \
                 reactor build with its name section (see runtimes/javascript/manifest.json)"
            )
        })?;
        functions.push((*export, index));
    }

    let mut out = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(invalid)?;
        match &payload {
            Payload::ExportSection(exports) => {
                let mut section = wasm_encoder::ExportSection::new();
                for export in exports.clone() {
                    let export = export.map_err(invalid)?;
                    let kind = RoundtripReencoder
                        .export_kind(export.kind)
                        .map_err(|e| e.to_string())?;
                    section.export(export.name, kind, export.index);
                }
                for (export, index) in &functions {
                    section.export(export, wasm_encoder::ExportKind::Func, *index);
                }
                for index in &mutable_globals {
                    section.export(
                        &format!("{GLOBAL_EXPORT_PREFIX}{index}"),
                        wasm_encoder::ExportKind::Global,
                        *index,
                    );
                }
                out.section(&section);
            }
            // DWARF is never used (the engine keeps no debug info) and is the
            // largest part of the artefact after its code.
            Payload::CustomSection(custom) if custom.name().starts_with(".debug") => {}
            _ => {
                if let Some((id, range)) = payload.as_section() {
                    out.section(&wasm_encoder::RawSection {
                        id,
                        data: &wasm[range],
                    });
                }
            }
        }
    }
    Ok(Instrumented {
        wasm: out.finish(),
        mutable_globals,
        imported_globals,
        stack_pointer,
    })
}

/// Runs QuickJS's start-up with the prelude (`_initialize`, then
/// `qjs_init_argv` with the manifest's arguments) and records what it left.
pub async fn capture(
    engine: &Engine,
    pre: &InstancePre<RunState>,
    instrumented: &Instrumented,
    spec: &RuntimeSpec,
) -> Result<Image, String> {
    let stderr = CappedPipe::new("stderr", 64 * 1024);
    let stdout = CappedPipe::new("stdout", 64 * 1024);
    let args = spec.args();
    let mut store = store::new_store(
        engine,
        StoreInput {
            manifest: &spec.manifest,
            stdin: b"",
            stdout,
            stderr: stderr.clone(),
            limits: Limits::DEFAULT,
            args: &args,
        },
    )
    .map_err(|e| format!("cannot set up the JavaScript start-up: {e}"))?;
    // No epoch ticks reach a store before the engine's ticker starts; keep it so.
    store.set_epoch_deadline(u64::MAX / 2);
    let failed = |e: wasmtime::Error| {
        let (err, _) = stderr.take();
        format!(
            "the JavaScript runtime failed to start with its prelude: {e}; {}",
            String::from_utf8_lossy(&err)
        )
    };
    let instance = pre.instantiate_async(&mut store).await.map_err(failed)?;
    let status = quickjs::start(&mut store, &instance, &args)
        .await
        .map_err(failed)?;
    if status != 0 {
        return Err(failed(wasmtime::format_err!(
            "qjs_init_argv returned {status}"
        )));
    }
    let memory = instance
        .get_memory(&mut store, "memory")
        .ok_or_else(|| "the QuickJS module exports no memory".to_string())?;
    move_stack(&mut store, &instance, memory, instrumented)
        .await
        .map_err(failed)?;
    let pages = memory.size(&store);
    let bytes = memory.data(&store).to_vec();
    let mut globals = Vec::new();
    for index in &instrumented.mutable_globals {
        let name = format!("{GLOBAL_EXPORT_PREFIX}{index}");
        let global = instance
            .get_global(&mut store, &name)
            .ok_or_else(|| format!("the instrumented module lost its export {name}"))?;
        globals.push((*index, global.get(&mut store)));
    }
    Ok(Image {
        memory: bytes,
        pages,
        globals,
    })
}

/// The C stack QuickJS runs on in a run: 10,000 frames of a simple recursive
/// function need about 3.2 MiB (Node allows about 10,800); the reactor's own
/// stack region is 2 MiB, with QuickJS's limit at 1 MiB (3,271 frames).
pub const JS_STACK_BYTES: usize = 5 << 20;

/// Room left below QuickJS's stack limit for C code that does not check it.
const JS_STACK_MARGIN: u32 = 128 << 10;

/// Moves QuickJS's C stack into a block of [`JS_STACK_BYTES`] on its heap and
/// sets QuickJS's limit to match, so deep recursion ends in a catchable
/// `RangeError` far later than the reactor's own stack would allow.
///
/// No function of the reactor changes the stack top, so the runtime's
/// `stack_size`, `stack_top` and `stack_limit` (three adjacent fields of
/// `JSRuntime`, with `limit == top - size`) are found in its memory and
/// rewritten, and `__stack_pointer` starts every run at the new top.
async fn move_stack(
    store: &mut wasmtime::Store<RunState>,
    instance: &wasmtime::Instance,
    memory: wasmtime::Memory,
    instrumented: &Instrumented,
) -> wasmtime::Result<()> {
    let context = instance.get_typed_func::<(), i32>(&mut *store, "qjs_get_context")?;
    let ctx = context.call_async(&mut *store, ()).await?;
    let get_runtime = instance.get_typed_func::<i32, i32>(&mut *store, GET_RUNTIME_EXPORT)?;
    let rt = get_runtime.call_async(&mut *store, ctx).await? as u32 as usize;
    let block = quickjs::malloc(store, instance, JS_STACK_BYTES).await? as u32;
    let top = (block + JS_STACK_BYTES as u32) & !15;
    let limit = block + JS_STACK_MARGIN;
    let fields = find_stack_fields(&memory.data(&*store)[rt..], top)
        .ok_or_else(|| wasmtime::format_err!("cannot find QuickJS's stack limit in its runtime"))?;
    let mut triple = Vec::with_capacity(12);
    for value in [top - limit, top, limit] {
        triple.extend_from_slice(&value.to_le_bytes());
    }
    memory.write(&mut *store, rt + fields, &triple)?;
    let name = format!("{GLOBAL_EXPORT_PREFIX}{}", instrumented.stack_pointer);
    let sp = instance
        .get_global(&mut *store, &name)
        .ok_or_else(|| wasmtime::format_err!("the instrumented module lost its export {name}"))?;
    sp.set(&mut *store, Val::I32(top as i32))?;
    Ok(())
}

/// The offset in a `JSRuntime` of `stack_size, stack_top, stack_limit`: the
/// one place in its first 4 KiB holding a size of 64 KiB or more, a top below
/// the new stack, and a non-zero `limit == top - size`.
fn find_stack_fields(runtime: &[u8], below: u32) -> Option<usize> {
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(
            runtime.get(at..at + 4)?.try_into().ok()?,
        ))
    };
    let mut found = None;
    for at in (0..4096).step_by(4) {
        let (Some(size), Some(top), Some(limit)) = (word(at), word(at + 4), word(at + 8)) else {
            break;
        };
        // (An empty list head, two words pointing at themselves, followed by
        // zero looks alike; a limit is never zero when a size is set.)
        if size >= 64 << 10 && top < below && limit != 0 && top.checked_sub(size) == Some(limit) {
            if found.is_some() {
                return None;
            }
            found = Some(at);
        }
    }
    found
}

/// The instrumented module with the image as its initial memory and globals.
pub fn bake(instrumented: &Instrumented, image: &Image) -> Result<Vec<u8>, String> {
    let wasm = &instrumented.wasm;
    let invalid =
        |e: wasmparser::BinaryReaderError| format!("cannot rewrite the QuickJS module: {e}");
    let mut out = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(invalid)?;
        match &payload {
            Payload::MemorySection(memories) => {
                out.section(&rewrite::memories(memories, |_, _| Ok(image.pages))?);
            }
            Payload::GlobalSection(globals) => {
                let replace = |index: u32| match image.globals.iter().find(|(g, _)| *g == index) {
                    Some((_, value)) => const_of(value).map(Some),
                    None => Ok(None),
                };
                out.section(&rewrite::globals(
                    globals,
                    instrumented.imported_globals,
                    replace,
                )?);
            }
            Payload::DataCountSection { .. } => {
                // `memory.init` would copy the original segments over the image.
                return Err(
                    "the QuickJS module uses passive data segments; it cannot be snapshotted"
                        .into(),
                );
            }
            Payload::DataSection(_) => {
                out.section(&data_segments(&image.memory));
            }
            _ => rewrite::copy(&mut out, &payload, wasm),
        }
    }
    Ok(out.finish())
}

fn const_of(value: &Val) -> Result<wasm_encoder::ConstExpr, String> {
    Ok(match value {
        Val::I32(v) => wasm_encoder::ConstExpr::i32_const(*v),
        Val::I64(v) => wasm_encoder::ConstExpr::i64_const(*v),
        Val::F32(bits) => wasm_encoder::ConstExpr::f32_const(wasm_encoder::Ieee32::new(*bits)),
        Val::F64(bits) => wasm_encoder::ConstExpr::f64_const(wasm_encoder::Ieee64::new(*bits)),
        other => return Err(format!("cannot snapshot a global holding {other:?}")),
    })
}

/// Active segments for every non-zero stretch of memory (the rest is zero
/// when memory is created).
fn data_segments(memory: &[u8]) -> wasm_encoder::DataSection {
    let mut section = wasm_encoder::DataSection::new();
    for (start, end) in non_zero_runs(memory, ZERO_GAP) {
        let offset = i32::try_from(start).expect("a 32-bit memory's offsets fit in i32 bits");
        section.active(
            0,
            &wasm_encoder::ConstExpr::i32_const(offset),
            memory[start..end].iter().copied(),
        );
    }
    section
}

/// `[start, end)` ranges covering every non-zero byte, joining ranges
/// separated by fewer than `gap` zeros.
fn non_zero_runs(memory: &[u8], gap: usize) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < memory.len() {
        if memory[i] == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < memory.len() && memory[i] != 0 {
            i += 1;
        }
        match runs.last_mut() {
            Some(last) if start - last.1 < gap => last.1 = i,
            _ => runs.push((start, i)),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::{engine, manifest};

    /// The cache entry of the snapshot is keyed by its bytes: two start-ups must
    /// bake the very same module, or every server start would compile it anew.
    #[tokio::test]
    async fn the_snapshot_is_the_same_module_every_time() {
        let runtimes = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runtimes");
        let spec = manifest::load(&runtimes, "javascript").unwrap();
        let wasm = manifest::read_verified(&spec).expect("`make runtimes` fetches the artefact");
        let instrumented = instrument(&wasm).unwrap();
        let engine = engine::build(engine::EngineSettings {
            max_concurrent: 1,
            max_memory_bytes: 64 << 20,
        })
        .unwrap();
        let module = wasmtime::Module::new(&engine, &instrumented.wasm).unwrap();
        let pre = quickjs::link(&engine, &module).unwrap();
        let first = capture(&engine, &pre, &instrumented, &spec).await.unwrap();
        let second = capture(&engine, &pre, &instrumented, &spec).await.unwrap();
        let baked = bake(&instrumented, &first).unwrap();
        assert!(
            baked == bake(&instrumented, &second).unwrap(),
            "two snapshots differ"
        );

        // The baked module starts where the start-up ended, and exports the eval entry.
        let mut memory_minimum = None;
        let mut exports = Vec::new();
        let mut custom = Vec::new();
        for payload in Parser::new(0).parse_all(&baked) {
            match payload.unwrap() {
                Payload::MemorySection(m) => {
                    memory_minimum = Some(m.into_iter().next().unwrap().unwrap().initial)
                }
                Payload::ExportSection(e) => {
                    exports.extend(e.into_iter().map(|e| e.unwrap().name.to_string()))
                }
                Payload::CustomSection(c) => custom.push(c.name().to_string()),
                _ => {}
            }
        }
        assert_eq!(memory_minimum, Some(first.pages));
        assert!(exports.iter().any(|e| e == EVAL_EXPORT), "{exports:?}");
        assert!(
            exports.iter().any(|e| e == "qjs_get_context"),
            "{exports:?}"
        );
        assert!(
            !custom.iter().any(|c| c.starts_with(".debug")),
            "{custom:?}"
        );
        // The prelude's own text is in the image (QuickJS keeps its argv).
        let needle = b"__devinterviewRun";
        assert!(first.memory.windows(needle.len()).any(|w| w == needle));
    }

    #[test]
    fn runs_cover_every_non_zero_byte_and_join_short_gaps() {
        let mut memory = vec![0u8; 400];
        memory[10] = 1;
        memory[12] = 2;
        memory[200] = 3;
        memory[399] = 4;
        assert_eq!(
            non_zero_runs(&memory, 64),
            vec![(10, 13), (200, 201), (399, 400)]
        );
        assert_eq!(non_zero_runs(&memory, 300), vec![(10, 400)]);
        assert!(non_zero_runs(&[0; 100], 64).is_empty());
    }
}
