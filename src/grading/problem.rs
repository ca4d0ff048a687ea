//! The problem document: what `POST /api/problems` takes and export returns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::sandbox::limits::Maxima;

/// A problem with its test cases; unknown fields are ignored on import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProblemDoc {
    /// Shown in the bank and the room.
    pub title: String,
    /// Markdown.
    #[serde(default)]
    pub statement: String,
    /// `easy`, `medium` or `hard`.
    #[serde(default = "medium")]
    pub difficulty: String,
    /// Free labels.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Code put into an empty editor, by language.
    #[serde(default)]
    pub starter_code: BTreeMap<String, String>,
    /// Per-test limits (absent: the server's defaults).
    #[serde(default)]
    pub limits: ProblemLimits,
    /// How stdio tests compare output.
    #[serde(default)]
    pub output_comparison: OutputComparison,
    /// At least one.
    pub tests: Vec<TestCase>,
}

fn medium() -> String {
    "medium".into()
}

/// Limits each test's run gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProblemLimits {
    /// Fuel per test.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    /// Memory per test, in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
    /// Wall clock per test, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wall_time_ms: Option<u64>,
}

/// Whether trailing whitespace matters when stdout is compared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum OutputComparison {
    /// Byte for byte.
    Exact,
    /// Trailing spaces on each line and trailing blank lines are ignored.
    #[default]
    IgnoreTrailingWhitespace,
}

/// One test case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TestCase {
    /// stdin in, stdout compared.
    #[serde(rename_all = "camelCase")]
    Stdio {
        /// Given on standard input.
        #[serde(default)]
        stdin: String,
        /// What stdout must be.
        expected_stdout: String,
        /// Candidates see only pass or fail.
        #[serde(default)]
        hidden: bool,
        /// Share of the score.
        #[serde(default = "one")]
        weight: u32,
    },
    /// A named function called with JSON arguments, its JSON result compared.
    #[serde(rename_all = "camelCase")]
    Function {
        /// The function's name in the candidate's code.
        function: String,
        /// Positional arguments.
        #[serde(default)]
        args: Vec<Value>,
        /// The result it must return.
        expected: Value,
        /// Largest difference allowed between numbers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tolerance: Option<f64>,
        /// Candidates see only pass or fail.
        #[serde(default)]
        hidden: bool,
        /// Share of the score.
        #[serde(default = "one")]
        weight: u32,
    },
}

fn one() -> u32 {
    1
}

impl TestCase {
    /// Whether candidates may see its data.
    pub fn hidden(&self) -> bool {
        match self {
            Self::Stdio { hidden, .. } | Self::Function { hidden, .. } => *hidden,
        }
    }

    /// Its share of the score.
    pub fn weight(&self) -> u32 {
        match self {
            Self::Stdio { weight, .. } | Self::Function { weight, .. } => *weight,
        }
    }

    /// `stdio` or `function`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Stdio { .. } => "stdio",
            Self::Function { .. } => "function",
        }
    }
}

/// Most test cases per problem.
pub const MAX_TESTS: usize = 100;
const MAX_TITLE: usize = 200;
const MAX_STATEMENT: usize = 100 * 1024;
const MAX_TAGS: usize = 20;
const MAX_TAG: usize = 40;
const MAX_WEIGHT: u32 = 1000;
/// Largest JSON of one test's data (stdin, expected output, arguments).
const MAX_TEST_DATA: usize = 1024 * 1024;

impl ProblemDoc {
    /// Checks every field; the message names the first one at fault.
    pub fn validate(&self, maxima: &Maxima) -> Result<(), String> {
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE {
            return Err(format!("title must be 1 to {MAX_TITLE} characters"));
        }
        if self.statement.len() > MAX_STATEMENT {
            return Err(format!("statement may be at most {MAX_STATEMENT} bytes"));
        }
        if !["easy", "medium", "hard"].contains(&self.difficulty.as_str()) {
            return Err("difficulty must be easy, medium or hard".into());
        }
        if self.tags.len() > MAX_TAGS
            || self
                .tags
                .iter()
                .any(|t| t.trim().is_empty() || t.chars().count() > MAX_TAG)
        {
            return Err(format!(
                "tags: at most {MAX_TAGS}, each 1 to {MAX_TAG} characters"
            ));
        }
        for (language, code) in &self.starter_code {
            if crate::domain::Language::parse(language).is_err() {
                return Err(format!("starterCode.{language}: unknown language"));
            }
            if code.len() as u64 > maxima.code_bytes {
                return Err(format!(
                    "starterCode.{language} may be at most {} bytes",
                    maxima.code_bytes
                ));
            }
        }
        let check = |name: &str, v: Option<u64>, max: u64| match v {
            Some(0) => Err(format!("limits.{name} must be at least 1")),
            Some(v) if v > max => Err(format!(
                "limits.{name} is {v}, above the server's maximum of {max}"
            )),
            _ => Ok(()),
        };
        check("fuel", self.limits.fuel, maxima.limits.fuel)?;
        check(
            "memoryBytes",
            self.limits.memory_bytes,
            maxima.limits.memory_bytes,
        )?;
        check(
            "wallTimeMs",
            self.limits.wall_time_ms,
            maxima.limits.wall_time_ms,
        )?;
        if self.tests.is_empty() {
            return Err("tests: a problem needs at least one test case".into());
        }
        if self.tests.len() > MAX_TESTS {
            return Err(format!("tests: at most {MAX_TESTS} test cases"));
        }
        for (i, test) in self.tests.iter().enumerate() {
            validate_test(test).map_err(|e| format!("tests[{i}]: {e}"))?;
        }
        Ok(())
    }
}

fn validate_test(test: &TestCase) -> Result<(), String> {
    if !(1..=MAX_WEIGHT).contains(&test.weight()) {
        return Err(format!("weight must be 1 to {MAX_WEIGHT}"));
    }
    match test {
        TestCase::Stdio {
            stdin,
            expected_stdout,
            ..
        } => {
            if stdin.len() + expected_stdout.len() > MAX_TEST_DATA {
                return Err(format!(
                    "stdin and expectedStdout together may be at most {MAX_TEST_DATA} bytes"
                ));
            }
        }
        TestCase::Function {
            function,
            args,
            expected,
            tolerance,
            ..
        } => {
            let identifier = function
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && function
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && function.len() <= 100;
            if !identifier {
                return Err(format!(
                    "function `{function}` is not a valid function name (letters, digits, _)"
                ));
            }
            let size = serde_json::to_vec(args).map_or(usize::MAX, |v| v.len())
                + serde_json::to_vec(expected).map_or(usize::MAX, |v| v.len());
            if size > MAX_TEST_DATA {
                return Err(format!(
                    "args and expected together may be at most {MAX_TEST_DATA} bytes of JSON"
                ));
            }
            if tolerance.is_some_and(|t| !(t.is_finite() && t >= 0.0)) {
                return Err("tolerance must be a number ≥ 0".into());
            }
        }
    }
    Ok(())
}
