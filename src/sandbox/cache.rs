//! Compiled modules kept on disk, so a server compiles each runtime once (about
//! 6 s for CPython) and later starts map the artefact in milliseconds.
//!
//! Entries are keyed by the wasmtime version, the engine's compilation settings
//! and the module's SHA-256. Loading a compiled artefact is `unsafe` (it is
//! machine code), so each entry carries the SHA-256 of its own bytes, written by
//! us; an entry whose bytes do not match is rebuilt, never loaded.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Engine, Module};

use super::manifest::hex;

/// Whether a module came from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheResult {
    /// A valid entry was loaded.
    Hit,
    /// The module was compiled (no entry, or a stale or corrupt one).
    Miss,
}

impl CacheResult {
    /// `hit` or `miss`, for metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
        }
    }
}

/// Something the engine compiles ahead of time: a core module or a component.
pub trait Compiled: Sized {
    /// Compiles to the engine's serialised form.
    fn precompile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Vec<u8>>;

    /// Maps a serialised artefact.
    ///
    /// # Safety
    /// The file must hold bytes this engine's configuration produced.
    unsafe fn deserialize_file(engine: &Engine, path: &Path) -> wasmtime::Result<Self>;
}

impl Compiled for Module {
    fn precompile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Vec<u8>> {
        engine.precompile_module(wasm)
    }

    unsafe fn deserialize_file(engine: &Engine, path: &Path) -> wasmtime::Result<Self> {
        // SAFETY: passed on to the caller.
        unsafe { Module::deserialize_file(engine, path) }
    }
}

impl Compiled for Component {
    fn precompile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Vec<u8>> {
        engine.precompile_component(wasm)
    }

    unsafe fn deserialize_file(engine: &Engine, path: &Path) -> wasmtime::Result<Self> {
        // SAFETY: passed on to the caller.
        unsafe { Component::deserialize_file(engine, path) }
    }
}

/// The cache file for a module under this engine.
pub fn entry_path(engine: &Engine, cache_dir: &Path, module_sha256: &str) -> PathBuf {
    // `DefaultHasher::new()` has fixed keys: the same settings give the same key
    // in every process.
    #[allow(deprecated)]
    let mut hasher = std::hash::SipHasher::new();
    "wasmtime-48".hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    cache_dir.join(format!("{}-{:016x}.cwasm", module_sha256, hasher.finish()))
}

/// Loads the module or component from the cache, or compiles it and stores
/// the result.
pub fn load_or_compile<C: Compiled>(
    engine: &Engine,
    wasm: &[u8],
    module_sha256: &str,
    cache_dir: &Path,
) -> anyhow::Result<(C, CacheResult)> {
    std::fs::create_dir_all(cache_dir)?;
    let path = entry_path(engine, cache_dir, module_sha256);
    // Servers starting together in one process (tests) compile a module once;
    // the others then find it in the cache.
    static COMPILING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = COMPILING.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(module) = load_valid(engine, &path) {
        return Ok((module, CacheResult::Hit));
    }
    let compiled = C::precompile(engine, wasm)
        .map_err(|e| anyhow::anyhow!("compiling the module failed: {e}"))?;
    store(&path, &compiled)?;
    // Map the file just written rather than keeping the bytes: the mapping is
    // shared and paged in lazily.
    // SAFETY: these bytes were produced a moment ago by this engine.
    let module = unsafe { C::deserialize_file(engine, &path) }
        .map_err(|e| anyhow::anyhow!("loading the compiled module failed: {e}"))?;
    Ok((module, CacheResult::Miss))
}

fn checksum_path(path: &Path) -> PathBuf {
    path.with_extension("cwasm.sha256")
}

fn load_valid<C: Compiled>(engine: &Engine, path: &Path) -> Option<C> {
    let expected = std::fs::read_to_string(checksum_path(path)).ok()?;
    let bytes = std::fs::read(path).ok()?;
    if hex(&Sha256::digest(&bytes)) != expected.trim() {
        tracing::warn!(path = %path.display(), "compiled module cache entry is corrupt; rebuilding");
        return None;
    }
    drop(bytes);
    // SAFETY: the file's bytes hash to the checksum we wrote beside it when we
    // compiled it with an engine of the same settings (the key says so), and
    // deserialisation re-checks the engine compatibility header.
    match unsafe { C::deserialize_file(engine, path) } {
        Ok(module) => Some(module),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "stale compiled module; rebuilding");
            None
        }
    }
}

/// Writes atomically (temporary file, then rename) so concurrent servers or
/// tests never see half an entry.
fn store(path: &Path, compiled: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let unique = format!("{}.{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let tmp = dir.join(format!(".tmp-{unique}.cwasm"));
    let tmp_sum = dir.join(format!(".tmp-{unique}.sha256"));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(compiled)?;
    f.sync_all()?;
    std::fs::write(&tmp_sum, hex(&Sha256::digest(compiled)))?;
    // The checksum lands after the module: a reader that sees a checksum sees
    // the matching module (or rebuilds on mismatch).
    std::fs::rename(&tmp, path)?;
    std::fs::rename(&tmp_sum, checksum_path(path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAT: &str = r#"(module (func (export "f") (result i32) i32.const 42))"#;

    #[test]
    fn a_second_load_hits_and_a_corrupt_entry_is_rebuilt() {
        let engine = Engine::default();
        let wasm = wat_bytes();
        let dir = tempfile::tempdir().unwrap();
        let (_, first) = load_or_compile::<Module>(&engine, &wasm, "abc", dir.path()).unwrap();
        assert_eq!(first, CacheResult::Miss);
        let (_, second) = load_or_compile::<Module>(&engine, &wasm, "abc", dir.path()).unwrap();
        assert_eq!(second, CacheResult::Hit);

        let path = entry_path(&engine, dir.path(), "abc");
        let mut bytes = std::fs::read(&path).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();
        let (module, third) = load_or_compile::<Module>(&engine, &wasm, "abc", dir.path()).unwrap();
        assert_eq!(
            third,
            CacheResult::Miss,
            "a corrupt entry must not be trusted"
        );
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
        let f = instance.get_typed_func::<(), i32>(&mut store, "f").unwrap();
        assert_eq!(f.call(&mut store, ()).unwrap(), 42);
    }

    fn wat_bytes() -> Vec<u8> {
        // A tiny module in binary form (the text above, assembled by hand so the
        // crate needs no WAT parser): one function returning 42.
        let _ = WAT;
        vec![
            0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
            0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
            0x03, 0x02, 0x01, 0x00, // func 0 has type 0
            0x07, 0x05, 0x01, 0x01, b'f', 0x00, 0x00, // export "f" = func 0
            0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b, // body: i32.const 42
        ]
    }
}
