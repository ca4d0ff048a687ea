//! Runtime manifests (`runtimes/<language>/manifest.json`) and the check that an
//! artefact on disk is exactly the pinned one.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// How the host drives a runtime module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum RuntimeKind {
    /// A WASI command: `_start` runs the program from argv.
    #[serde(rename = "command")]
    Command,
    /// The QuickJS-NG reactor: `_initialize`, then `qjs_init_argv(argc, argv)`
    /// once at load time (the snapshot), then each run's code through `eval_buf`.
    #[serde(rename = "qjs-reactor")]
    QjsReactor,
}

/// One pinned guest runtime.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Artefact name; the file is `runtimes/cache/<name>.wasm`.
    pub name: String,
    /// `python` or `javascript`.
    pub language: String,
    /// Version shown to users.
    pub version: String,
    /// How to drive it.
    pub kind: RuntimeKind,
    /// Registry package it comes from.
    pub package: String,
    /// Pinned package version.
    pub package_version: String,
    /// File inside the package.
    pub path_in_package: String,
    /// Exact size in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256.
    pub sha256: String,
    /// Where upstream built it.
    pub origin: String,
    /// Licence terms.
    pub licence: String,
    /// Argument vector, `{prelude}` and `{code}` filled in: a command's per
    /// run; the reactor's once, when its start-up is snapshotted (no `{code}`).
    pub args: Vec<String>,
    /// The whole environment the guest sees.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Harness file (beside the manifest) prepended to the code, if any.
    #[serde(default)]
    pub prelude: Option<String>,
}

/// A manifest with its harness loaded and its artefact located.
#[derive(Debug, Clone)]
pub struct RuntimeSpec {
    /// The manifest.
    pub manifest: Manifest,
    /// Contents of the prelude file ("" when none).
    pub prelude: String,
    /// Where the artefact should be.
    pub wasm_path: PathBuf,
}

/// Loads `runtimes/<dir>/manifest.json` and its prelude.
pub fn load(runtimes_dir: &Path, dir: &str) -> Result<RuntimeSpec, String> {
    let folder = runtimes_dir.join(dir);
    let path = folder.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read {}: {e}; RUNTIMES_DIR must name the repository's runtimes/ folder",
            path.display()
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a valid manifest: {e}", path.display()))?;
    let prelude = match &manifest.prelude {
        Some(file) => std::fs::read_to_string(folder.join(file))
            .map_err(|e| format!("cannot read {}/{file}: {e}", folder.display()))?,
        None => String::new(),
    };
    let wasm_path = runtimes_dir
        .join("cache")
        .join(format!("{}.wasm", manifest.name));
    Ok(RuntimeSpec {
        manifest,
        prelude,
        wasm_path,
    })
}

/// Reads the artefact and checks its size and SHA-256 against the manifest.
pub fn read_verified(spec: &RuntimeSpec) -> Result<Vec<u8>, String> {
    let m = &spec.manifest;
    let fix = "run `make runtimes` (python3 runtimes/fetch.py) to fetch and verify it";
    let mut file = std::fs::File::open(&spec.wasm_path).map_err(|e| {
        format!(
            "runtime {} is missing at {} ({e}); {fix}",
            m.name,
            spec.wasm_path.display()
        )
    })?;
    let mut bytes = Vec::with_capacity(m.size as usize);
    file.read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", spec.wasm_path.display()))?;
    if bytes.len() as u64 != m.size {
        return Err(format!(
            "runtime {} at {} has {} bytes, the manifest pins {}; {fix}",
            m.name,
            spec.wasm_path.display(),
            bytes.len(),
            m.size
        ));
    }
    let digest = hex(&Sha256::digest(&bytes));
    if digest != m.sha256 {
        return Err(format!(
            "runtime {} at {} has SHA-256 {digest}, the manifest pins {}; {fix}",
            m.name,
            spec.wasm_path.display(),
            m.sha256
        ));
    }
    Ok(bytes)
}

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_with(dir: &Path, content: &[u8], sha: &str, size: u64) -> RuntimeSpec {
        let wasm_path = dir.join("x.wasm");
        std::fs::write(&wasm_path, content).unwrap();
        RuntimeSpec {
            manifest: Manifest {
                name: "x".into(),
                language: "python".into(),
                version: "1".into(),
                kind: RuntimeKind::Command,
                package: "p".into(),
                package_version: "1".into(),
                path_in_package: "x.wasm".into(),
                size,
                sha256: sha.into(),
                origin: String::new(),
                licence: String::new(),
                args: vec![],
                env: BTreeMap::new(),
                prelude: None,
            },
            prelude: String::new(),
            wasm_path,
        }
    }

    #[test]
    fn only_the_pinned_bytes_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let good = hex(&Sha256::digest(b"wasm"));
        assert!(read_verified(&spec_with(dir.path(), b"wasm", &good, 4)).is_ok());
        let err = read_verified(&spec_with(dir.path(), b"wasn", &good, 4)).unwrap_err();
        assert!(
            err.contains("SHA-256") && err.contains("make runtimes"),
            "{err}"
        );
        let err = read_verified(&spec_with(dir.path(), b"wasm!", &good, 4)).unwrap_err();
        assert!(err.contains("5 bytes"), "{err}");
    }

    #[test]
    fn the_shipped_manifests_parse() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtimes");
        let py = load(&root, "python").unwrap();
        assert_eq!(py.manifest.kind, RuntimeKind::Command);
        assert_eq!(py.manifest.env["PYTHONHASHSEED"], "0");
        let js = load(&root, "javascript").unwrap();
        assert_eq!(js.manifest.kind, RuntimeKind::QjsReactor);
        assert!(!js.prelude.is_empty());
    }
}
