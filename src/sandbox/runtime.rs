//! The languages the sandbox runs, each backed by one kind of runtime.

use std::fmt;

/// A language the server runs, and so the runtime that runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Runtime {
    /// CPython 3.14, a pre-initialised WebAssembly component (`python.rs`).
    Python,
    /// QuickJS-NG, a reactor module started once and snapshotted (`quickjs.rs`).
    JavaScript,
}

impl Runtime {
    /// Every runtime, in the order the sandbox loads them.
    pub const ALL: [Runtime; 2] = [Runtime::Python, Runtime::JavaScript];

    /// The language name on the wire, and the folder under `runtimes/`.
    pub fn language(self) -> &'static str {
        match self {
            Self::Python => "python",
            Self::JavaScript => "javascript",
        }
    }

    /// The runtime for a language name, if the server runs that language.
    pub fn from_language(language: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.language() == language)
    }

    /// "python and javascript": the languages, for messages.
    pub fn listed() -> String {
        let names: Vec<_> = Self::ALL.iter().map(|r| r.language()).collect();
        names.join(" and ")
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.language())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_name_runtimes_both_ways() {
        for runtime in Runtime::ALL {
            assert_eq!(Runtime::from_language(runtime.language()), Some(runtime));
        }
        assert_eq!(Runtime::from_language("typescript"), None);
        assert_eq!(Runtime::from_language("Python"), None);
        assert_eq!(Runtime::listed(), "python and javascript");
    }
}
