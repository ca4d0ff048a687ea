//! Turning a test case into a program and stdin, and reading the result back.
//!
//! Function tests wrap the candidate's code in the language's harness
//! (`runtimes/<language>/function_harness.*`). The harness takes the call from
//! the first line of stdin, together with a delimiter derived from the server's
//! secret, the code and the test's position: unknown to the candidate, yet the
//! same each time the same submission is graded, so re-grading is reproducible.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::problem::TestCase;

const PYTHON_HARNESS: &str = include_str!("../../runtimes/python/function_harness.py");
const JAVASCRIPT_HARNESS: &str = include_str!("../../runtimes/javascript/function_harness.js");

/// What one test runs: the program and its stdin.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The code handed to the sandbox.
    pub code: String,
    /// Its standard input.
    pub stdin: Vec<u8>,
    /// For function tests, the delimiter around the result.
    pub delimiter: Option<String>,
}

/// The result delimiter of test `index` of this code.
pub fn delimiter(key: &[u8; 32], code_sha256: &str, index: usize) -> String {
    let mut h = Sha256::new();
    h.update(key);
    h.update(code_sha256.as_bytes());
    h.update(index.to_le_bytes());
    let digest = h.finalize();
    format!("@@{}@@", hex(&digest[..16]))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of the code, hex.
pub fn code_sha256(code: &str) -> String {
    hex(&Sha256::digest(code.as_bytes()))
}

/// The program and stdin for one test.
pub fn prepare(language: &str, code: &str, test: &TestCase, delimiter: String) -> Prepared {
    match test {
        TestCase::Stdio { stdin, .. } => Prepared {
            code: code.to_string(),
            stdin: stdin.as_bytes().to_vec(),
            delimiter: None,
        },
        TestCase::Function { function, args, .. } => {
            let harness = if language == "javascript" {
                JAVASCRIPT_HARNESS
            } else {
                PYTHON_HARNESS
            };
            let (prologue, epilogue) = parts(harness);
            let mut program = String::with_capacity(code.len() + harness.len());
            program.push_str(prologue);
            program.push_str(code);
            if !code.ends_with('\n') {
                program.push('\n');
            }
            program.push_str(&epilogue.replace("{{FUNCTION}}", function));
            let call = json!({ "args": args, "delimiter": delimiter });
            Prepared {
                code: program,
                stdin: format!("{call}\n").into_bytes(),
                delimiter: Some(delimiter),
            }
        }
    }
}

/// The harness split at its markers: the prologue (one line, so the candidate's
/// line numbers move by one) and the epilogue.
fn parts(harness: &str) -> (&str, &str) {
    let after = |marker: &str| {
        let at = harness.find(marker).expect("harness marker");
        let rest = &harness[at + marker.len()..];
        rest.strip_prefix('\n').unwrap_or(rest)
    };
    let prologue_and_rest = after("@@PROLOGUE@@");
    let epilogue = after("@@EPILOGUE@@");
    let prologue_end = prologue_and_rest
        .find('\n')
        .map_or(prologue_and_rest.len(), |i| i + 1);
    (&prologue_and_rest[..prologue_end], epilogue)
}

/// Splits a function test's stdout into what the candidate printed and the result
/// the harness printed (`None` when the harness never got to print one).
pub fn extract(stdout: &str, delimiter: &str) -> (String, Option<Value>) {
    let framed_end = format!("{delimiter}\n");
    let Some(end) = stdout.rfind(&framed_end) else {
        return (stdout.to_string(), None);
    };
    let Some(start) = stdout[..end].rfind(delimiter) else {
        return (stdout.to_string(), None);
    };
    let result = serde_json::from_str(&stdout[start + delimiter.len()..end]).ok();
    let mut printed = stdout[..start].to_string();
    // The harness starts its line with a newline of its own.
    if printed.ends_with('\n') {
        printed.pop();
    }
    printed.push_str(&stdout[end + framed_end.len()..]);
    (printed, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_harness_prologue_is_one_line_and_the_epilogue_names_the_function() {
        for harness in [PYTHON_HARNESS, JAVASCRIPT_HARNESS] {
            let (prologue, epilogue) = parts(harness);
            assert_eq!(prologue.lines().count(), 1, "{prologue}");
            assert!(epilogue.contains("{{FUNCTION}}"));
            assert!(!epilogue.contains("@@"));
        }
    }

    #[test]
    fn delimiters_are_stable_per_submission_and_test_and_differ_otherwise() {
        let key = [7u8; 32];
        let a = delimiter(&key, "abc", 0);
        assert_eq!(a, delimiter(&key, "abc", 0));
        assert_ne!(a, delimiter(&key, "abc", 1));
        assert_ne!(a, delimiter(&key, "abd", 0));
        assert_ne!(a, delimiter(&[8u8; 32], "abc", 0));
    }

    #[test]
    fn extract_separates_the_candidates_output_from_the_result() {
        let d = "@@x@@";
        let (printed, result) = extract("hello\n\n@@x@@[1, 2]@@x@@\n", d);
        assert_eq!(printed, "hello\n");
        assert_eq!(result, Some(json!([1, 2])));
        let (printed, result) = extract("no result here\n", d);
        assert_eq!((printed.as_str(), result), ("no result here\n", None));
    }
}
