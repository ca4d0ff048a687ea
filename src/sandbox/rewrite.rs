//! Re-encoding the parts of a core module that a snapshot changes (the first
//! memory's initial size, the initial values of some globals), copying the
//! rest as it is. Used by the QuickJS snapshot and the Python stack move.

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::ConstExpr;
use wasmparser::{GlobalSectionReader, MemorySectionReader, Payload};

fn invalid(e: wasmparser::BinaryReaderError) -> String {
    format!("cannot rewrite the module: {e}")
}

/// The memory section with the first memory's initial size changed by `resize`
/// (which may refuse, with a message).
pub fn memories(
    memories: &MemorySectionReader<'_>,
    resize: impl Fn(u64, Option<u64>) -> Result<u64, String>,
) -> Result<wasm_encoder::MemorySection, String> {
    let mut section = wasm_encoder::MemorySection::new();
    for (i, memory) in memories.clone().into_iter().enumerate() {
        let mut ty = RoundtripReencoder
            .memory_type(memory.map_err(invalid)?)
            .map_err(|e| e.to_string())?;
        if i == 0 {
            ty.minimum = resize(ty.minimum, ty.maximum)?;
        }
        section.memory(ty);
    }
    Ok(section)
}

/// The global section with the initial values `replace` gives (by global
/// index, which counts `imported` globals first); the others as they were.
pub fn globals(
    globals: &GlobalSectionReader<'_>,
    imported: u32,
    replace: impl Fn(u32) -> Result<Option<ConstExpr>, String>,
) -> Result<wasm_encoder::GlobalSection, String> {
    let mut section = wasm_encoder::GlobalSection::new();
    for (i, global) in globals.clone().into_iter().enumerate() {
        let global = global.map_err(invalid)?;
        let ty = RoundtripReencoder
            .global_type(global.ty)
            .map_err(|e| e.to_string())?;
        let init = match replace(imported + i as u32)? {
            Some(value) => value,
            None => RoundtripReencoder
                .const_expr(global.init_expr)
                .map_err(|e| e.to_string())?,
        };
        section.global(ty, &init);
    }
    Ok(section)
}

/// Copies a section of `wasm` unchanged.
pub fn copy(out: &mut wasm_encoder::Module, payload: &Payload<'_>, wasm: &[u8]) {
    if let Some((id, range)) = payload.as_section() {
        out.section(&wasm_encoder::RawSection {
            id,
            data: &wasm[range],
        });
    }
}
