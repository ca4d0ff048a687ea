//! A larger C stack for the Python component.
//!
//! componentize-py links CPython with a 1 MiB C stack at the bottom of its
//! memory, where recursion through C code (`functools.lru_cache`'s wrapper)
//! stops at about 2,300 levels with a `RecursionError`. At load time this
//! module rewrites the component so that runs use a larger stack placed past
//! the end of the memory the snapshot holds: the memory starts that much
//! larger, the stack pointer and wasi-libc's `__stack_high` / `__stack_low`
//! start there, and the main thread state's `c_stack_top`,
//! `c_stack_soft_limit` and `c_stack_hard_limit` (three adjacent words in the
//! memory image) describe it, so CPython still raises its own `RecursionError`
//! before the stack runs out. The allocators only ever take memory by growing
//! it, so they never hand out the stack's pages.
//!
//! The rewrite is a pure function of the component's bytes: the compiled-module
//! cache keyed by its output stays valid across starts.

use super::rewrite;
use wasmparser::{DataKind, ExternalKind, Operator, Parser, Payload, TypeRef};

/// CPython's `_PyOS_STACK_MARGIN_BYTES` on wasm32 (2,048 pointers): the hard
/// limit is one margin above the stack's base, the soft limit two.
const STACK_MARGIN: u32 = 2048 * 4;

/// The C stack a run gets: lru_cache recursion takes about 440 bytes of it a
/// level, so 8 MiB holds about 18,000 levels; the engine's native stack
/// (`engine::MAX_WASM_STACK`) must outlast it, so that CPython's own limit ends
/// deeper recursion.
pub const C_STACK_BYTES: u32 = 8 << 20;

const PAGE: u32 = 65536;

/// Where the stack ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relocated {
    /// Lowest address of the new stack.
    pub low: u32,
    /// Its top, where the stack pointer starts.
    pub high: u32,
}

/// The component with CPython's C stack moved into the reserved block.
pub fn relocate(component: &[u8]) -> Result<(Vec<u8>, Relocated), String> {
    if component.len() < 8 {
        return Err("the Python component is truncated".into());
    }
    let mut out = Vec::with_capacity(component.len() + 64);
    out.extend_from_slice(&component[..8]);
    let mut relocated = None;
    let mut pos = 8;
    while pos < component.len() {
        let id = component[pos];
        let (size, width) = read_leb(&component[pos + 1..])
            .ok_or_else(|| "the Python component has a malformed section".to_string())?;
        let start = pos + 1 + width;
        let end = start
            .checked_add(size as usize)
            .filter(|end| *end <= component.len())
            .ok_or_else(|| "the Python component has a section past its end".to_string())?;
        // Section 1 of a component is a core module; the one that exports the
        // stack pointer is the one that owns memory and the stack.
        match (id, relocated) {
            (1, None) => match rewrite_module(&component[start..end])? {
                Some((module, place)) => {
                    out.push(1);
                    write_leb(&mut out, module.len() as u32);
                    out.extend_from_slice(&module);
                    relocated = Some(place);
                }
                None => out.extend_from_slice(&component[pos..end]),
            },
            _ => out.extend_from_slice(&component[pos..end]),
        }
        pos = end;
    }
    let relocated = relocated
        .ok_or_else(|| "no module of the Python component exports __stack_pointer".to_string())?;
    Ok((out, relocated))
}

/// What the first pass learns about a module.
#[derive(Default)]
struct Layout {
    imported_globals: u32,
    /// Global index of `__stack_pointer`, `__stack_high`, `__stack_low`.
    stack_globals: [Option<u32>; 3],
    /// Constant initial values of the module's own globals, by index.
    initial: Vec<Option<i32>>,
    /// Active data segments of memory 0: (address, offset in the module, length).
    segments: Vec<(u32, usize, usize)>,
    /// Memory 0's initial size in pages, if the module defines it.
    memory_pages: Option<u64>,
}

const STACK_EXPORTS: [&str; 3] = ["__stack_pointer", "__stack_high", "__stack_low"];

fn rewrite_module(module: &[u8]) -> Result<Option<(Vec<u8>, Relocated)>, String> {
    let invalid = |e: wasmparser::BinaryReaderError| {
        format!("the Python component holds an invalid module: {e}")
    };
    let mut layout = Layout::default();
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(invalid)? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if let TypeRef::Global(_) = import.map_err(invalid)?.ty {
                        layout.imported_globals += 1;
                    }
                }
            }
            Payload::GlobalSection(globals) => {
                for global in globals {
                    let global = global.map_err(invalid)?;
                    let mut ops = global.init_expr.get_operators_reader();
                    let value = match ops.read().map_err(invalid)? {
                        Operator::I32Const { value } => Some(value),
                        _ => None,
                    };
                    layout.initial.push(value);
                }
            }
            Payload::MemorySection(memories) => {
                if let Some(memory) = memories.into_iter().next() {
                    layout.memory_pages = Some(memory.map_err(invalid)?.initial);
                }
            }
            Payload::ExportSection(exports) => {
                for export in exports {
                    let export = export.map_err(invalid)?;
                    if export.kind != ExternalKind::Global {
                        continue;
                    }
                    if let Some(i) = STACK_EXPORTS.iter().position(|n| *n == export.name) {
                        layout.stack_globals[i] = Some(export.index);
                    }
                }
            }
            Payload::DataSection(data) => {
                for segment in data {
                    let segment = segment.map_err(invalid)?;
                    if let DataKind::Active {
                        memory_index: 0,
                        offset_expr,
                    } = segment.kind
                    {
                        let mut ops = offset_expr.get_operators_reader();
                        if let Operator::I32Const { value } = ops.read().map_err(invalid)? {
                            let at = segment.data.as_ptr() as usize - module.as_ptr() as usize;
                            layout.segments.push((value as u32, at, segment.data.len()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let [Some(sp), Some(high), Some(low)] = layout.stack_globals else {
        return Ok(None);
    };
    let value_of = |index: u32| -> Result<u32, String> {
        index
            .checked_sub(layout.imported_globals)
            .and_then(|i| layout.initial.get(i as usize).copied().flatten())
            .map(|v| v as u32)
            .ok_or_else(|| format!("global {index} of the Python component is not a constant"))
    };
    let (old_high, old_low) = (value_of(high)?, value_of(low)?);

    let pages = layout
        .memory_pages
        .ok_or("the Python component's stack module defines no memory")?;
    let old_end = u32::try_from(pages * u64::from(PAGE))
        .map_err(|_| "the Python component's memory is too large".to_string())?;
    let place = Relocated {
        low: old_end,
        high: old_end + C_STACK_BYTES,
    };
    let mut patched = module.to_vec();
    let limits = |low: u32, high: u32| -> Vec<u8> {
        [high, low + 2 * STACK_MARGIN, low + STACK_MARGIN]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect()
    };
    let (_, at) = find_once(&layout, module, &limits(old_low, old_high))
        .ok_or("cannot find CPython's stack limits in the Python runtime's memory")?;
    patched[at..at + 12].copy_from_slice(&limits(place.low, place.high));

    let new_values = [(sp, place.high), (high, place.high), (low, place.low)];
    let mut out = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(&patched) {
        let payload = payload.map_err(invalid)?;
        match &payload {
            Payload::MemorySection(memories) => {
                let grown = |minimum: u64, maximum: Option<u64>| {
                    let minimum = minimum + u64::from(C_STACK_BYTES / PAGE);
                    match maximum {
                        Some(max) if max < minimum => {
                            Err("the Python component's memory cannot hold a larger stack".into())
                        }
                        _ => Ok(minimum),
                    }
                };
                out.section(&rewrite::memories(memories, grown)?);
            }
            Payload::GlobalSection(globals) => {
                let replace = |index: u32| {
                    Ok(new_values
                        .iter()
                        .find(|(g, _)| *g == index)
                        .map(|(_, value)| wasm_encoder::ConstExpr::i32_const(*value as i32)))
                };
                out.section(&rewrite::globals(
                    globals,
                    layout.imported_globals,
                    replace,
                )?);
            }
            _ => rewrite::copy(&mut out, &payload, &patched),
        }
    }
    Ok(Some((out.finish(), place)))
}

/// The memory address and module offset of the one place the bytes occur in
/// the module's data segments; `None` when they occur nowhere or more than once.
fn find_once(layout: &Layout, module: &[u8], needle: &[u8]) -> Option<(u32, usize)> {
    let mut found = None;
    for &(address, at, len) in &layout.segments {
        let data = &module[at..at + len];
        let mut from = 0;
        while let Some(i) = data[from..].windows(needle.len()).position(|w| w == needle) {
            if found.is_some() {
                return None;
            }
            let offset = from + i;
            found = Some((address + offset as u32, at + offset));
            from = offset + 1;
        }
    }
    found
}

fn read_leb(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value = 0u32;
    for (i, byte) in bytes.iter().take(5).enumerate() {
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

fn write_leb(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leb128_round_trips() {
        for value in [0, 1, 127, 128, 300, 1 << 20, u32::MAX] {
            let mut out = Vec::new();
            write_leb(&mut out, value);
            assert_eq!(read_leb(&out), Some((value, out.len())));
        }
    }

    /// The built runtime: its stack moves past its memory, and the output is
    /// the same every time (the compile cache depends on it).
    #[test]
    fn the_built_runtime_gets_its_large_stack() {
        let runtimes = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runtimes");
        let spec = super::super::manifest::load(&runtimes, "python").unwrap();
        let wasm = super::super::manifest::read_verified(&spec)
            .expect("`make runtimes` builds the Python component");
        let (first, place) = relocate(&wasm).unwrap();
        let (second, _) = relocate(&wasm).unwrap();
        assert!(first == second, "the rewrite is not deterministic");
        assert_eq!(place.high - place.low, C_STACK_BYTES, "{place:?}");
        assert!(
            place.low > 1 << 20,
            "the new stack is above the old one: {place:?}"
        );
        assert_eq!(place.low % PAGE, 0, "{place:?}");
    }
}
