//! Runtime manifests (`runtimes/<language>/manifest.json`) and the check that an
//! artefact on disk is exactly the pinned one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// How the host drives a runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum RuntimeKind {
    /// The QuickJS-NG reactor: `_initialize`, then `qjs_init_argv(argc, argv)`
    /// once at load time (the snapshot), then each run's code through `eval_buf`.
    #[serde(rename = "qjs-reactor")]
    QjsReactor,
    /// A pre-initialised CPython component exporting `run(code) -> status`.
    #[serde(rename = "python-component")]
    PythonComponent,
}

/// Where a runtime's `.wasm` comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    tag = "from",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum Source {
    /// A file inside a registry package, pinned by size and SHA-256.
    WheelFile {
        /// Registry package it comes from.
        package: String,
        /// Pinned package version.
        package_version: String,
        /// File inside the package.
        path_in_package: String,
        /// Exact size in bytes.
        size: u64,
        /// Lower-case hex SHA-256.
        sha256: String,
    },
    /// Built here by componentize-py (a pinned wheel) from files beside the manifest.
    ComponentizePy {
        /// Registry package of the builder.
        package: String,
        /// Pinned builder version.
        package_version: String,
        /// The builder's wheel for each machine (`x86_64`, `aarch64`).
        wheels: BTreeMap<String, Wheel>,
        /// The WIT world the component targets.
        world: String,
        /// The Python module it wraps.
        app: String,
        /// Every file the build reads, relative to the manifest's folder.
        inputs: Vec<String>,
    },
}

/// One pinned wheel.
#[derive(Debug, Clone, Deserialize)]
pub struct Wheel {
    /// File name, as the registry serves it.
    pub file: String,
    /// Lower-case hex SHA-256.
    pub sha256: String,
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
    /// Where its `.wasm` comes from.
    pub source: Source,
    /// Where upstream built it.
    pub origin: String,
    /// Licence terms.
    pub licence: String,
    /// Argument vector, `{prelude}` filled in: the reactor's, once, when its
    /// start-up is snapshotted; the component's for every run.
    #[serde(default)]
    pub args: Vec<String>,
    /// The whole environment the guest sees.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Harness file (beside the manifest) the runtime starts with, if any.
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
    /// The manifest's folder (a built runtime's inputs are there).
    pub folder: PathBuf,
    /// Where the artefact should be.
    pub wasm_path: PathBuf,
}

impl RuntimeSpec {
    /// The manifest's `args` with `{prelude}` filled in.
    pub fn args(&self) -> Vec<String> {
        self.manifest
            .args
            .iter()
            .map(|a| a.replace("{prelude}", &self.prelude))
            .collect()
    }
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
        folder,
        wasm_path,
    })
}

const FIX: &str = "run `make runtimes` (python3 runtimes/fetch.py) to fetch or build it";

/// Reads the artefact and checks it is the pinned one: a fetched file by its
/// size and SHA-256, a built one by the key of the inputs it was built from.
pub fn read_verified(spec: &RuntimeSpec) -> Result<Vec<u8>, String> {
    let m = &spec.manifest;
    let bytes = std::fs::read(&spec.wasm_path).map_err(|e| {
        format!(
            "runtime {} is missing at {} ({e}); {FIX}",
            m.name,
            spec.wasm_path.display()
        )
    })?;
    match &m.source {
        Source::WheelFile { size, sha256, .. } => {
            if bytes.len() as u64 != *size {
                return Err(format!(
                    "runtime {} at {} has {} bytes, the manifest pins {size}; {FIX}",
                    m.name,
                    spec.wasm_path.display(),
                    bytes.len(),
                ));
            }
            let digest = hex(&Sha256::digest(&bytes));
            if digest != *sha256 {
                return Err(format!(
                    "runtime {} at {} has SHA-256 {digest}, the manifest pins {sha256}; {FIX}",
                    m.name,
                    spec.wasm_path.display(),
                ));
            }
        }
        Source::ComponentizePy { .. } => {
            let expected = build_key(spec)?;
            let key_path = spec.wasm_path.with_extension("key");
            let found = std::fs::read_to_string(&key_path).unwrap_or_default();
            if found.trim() != expected {
                return Err(format!(
                    "runtime {} at {} was built from other inputs than runtimes/{}/ holds now; {FIX}",
                    m.name,
                    spec.wasm_path.display(),
                    m.language,
                ));
            }
        }
    }
    Ok(bytes)
}

/// The key of a built runtime: SHA-256 over the builder's pinned wheel for
/// this machine and every input file. `runtimes/fetch.py` computes the same.
pub fn build_key(spec: &RuntimeSpec) -> Result<String, String> {
    let Source::ComponentizePy {
        package,
        package_version,
        wheels,
        world,
        app,
        inputs,
    } = &spec.manifest.source
    else {
        return Err(format!("runtime {} is not built here", spec.manifest.name));
    };
    let arch = std::env::consts::ARCH;
    let wheel = wheels.get(arch).ok_or_else(|| {
        format!("{package} {package_version} has no pinned wheel for this machine ({arch})")
    })?;
    let mut text = format!(
        "{package}=={package_version} {}\nworld {world}\napp {app}\n",
        wheel.sha256
    );
    for input in inputs {
        let path = spec.folder.join(input);
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        text.push_str(&format!("{input} {}\n", sha256_hex(&bytes)));
    }
    Ok(sha256_hex(text.as_bytes()))
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

    fn fetched(dir: &Path, content: &[u8], sha: &str, size: u64) -> RuntimeSpec {
        let wasm_path = dir.join("x.wasm");
        std::fs::write(&wasm_path, content).unwrap();
        RuntimeSpec {
            manifest: Manifest {
                name: "x".into(),
                language: "javascript".into(),
                version: "1".into(),
                kind: RuntimeKind::QjsReactor,
                source: Source::WheelFile {
                    package: "p".into(),
                    package_version: "1".into(),
                    path_in_package: "x.wasm".into(),
                    size,
                    sha256: sha.into(),
                },
                origin: String::new(),
                licence: String::new(),
                args: vec![],
                env: BTreeMap::new(),
                prelude: None,
            },
            prelude: String::new(),
            folder: dir.to_path_buf(),
            wasm_path,
        }
    }

    #[test]
    fn only_the_pinned_bytes_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let good = hex(&Sha256::digest(b"wasm"));
        assert!(read_verified(&fetched(dir.path(), b"wasm", &good, 4)).is_ok());
        let err = read_verified(&fetched(dir.path(), b"wasn", &good, 4)).unwrap_err();
        assert!(
            err.contains("SHA-256") && err.contains("make runtimes"),
            "{err}"
        );
        let err = read_verified(&fetched(dir.path(), b"wasm!", &good, 4)).unwrap_err();
        assert!(err.contains("5 bytes"), "{err}");
    }

    #[test]
    fn a_built_runtime_is_accepted_only_with_the_key_of_its_inputs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.py"), "print(1)").unwrap();
        let mut spec = fetched(dir.path(), b"component", "", 0);
        spec.manifest.source = Source::ComponentizePy {
            package: "componentize-py".into(),
            package_version: "1".into(),
            wheels: [(
                std::env::consts::ARCH.to_string(),
                Wheel {
                    file: "w.whl".into(),
                    sha256: "00".into(),
                },
            )]
            .into(),
            world: "w".into(),
            app: "app".into(),
            inputs: vec!["app.py".into()],
        };
        let err = read_verified(&spec).unwrap_err();
        assert!(err.contains("other inputs"), "{err}");
        let key = build_key(&spec).unwrap();
        std::fs::write(spec.wasm_path.with_extension("key"), &key).unwrap();
        assert_eq!(read_verified(&spec).unwrap(), b"component");
        // Changing an input makes the built file stale.
        std::fs::write(dir.path().join("app.py"), "print(2)").unwrap();
        assert_ne!(build_key(&spec).unwrap(), key);
        assert!(read_verified(&spec).is_err());
    }

    #[test]
    fn the_shipped_manifests_parse() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtimes");
        let py = load(&root, "python").unwrap();
        assert_eq!(py.manifest.kind, RuntimeKind::PythonComponent);
        assert!(
            build_key(&py).is_ok(),
            "every input of the Python build exists"
        );
        let js = load(&root, "javascript").unwrap();
        assert_eq!(js.manifest.kind, RuntimeKind::QjsReactor);
        assert!(!js.prelude.is_empty());
    }
}
