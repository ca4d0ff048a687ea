//! Grading: every test case in its own sandbox run, then verdicts and a score.

use futures_util::{stream, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::compare;
use super::harness::{self, Prepared};
use super::problem::{ProblemDoc, TestCase};
use crate::sandbox::limits::{Limits, RequestedLimits};
use crate::sandbox::outcome::{Outcome, RunStatus};
use crate::sandbox::{RunRequest, Sandbox, SandboxError};

/// How one test case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The output (or result) matched.
    Accepted,
    /// It ran to the end and the output (or result) differed.
    WrongAnswer,
    /// Out of fuel or past the wall clock.
    TimeLimit,
    /// Over the memory cap.
    MemoryLimit,
    /// Over the output cap.
    OutputLimit,
    /// An exception, a non-zero exit, or no result from the function.
    RuntimeError,
    /// The sandbox failed (not the candidate's fault).
    InternalError,
}

/// One test case's result. Data fields are left out of what candidates see for
/// hidden tests (see [`GradeReport::for_candidate`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestReport {
    /// Position in the problem's list.
    pub index: usize,
    /// `stdio` or `function`.
    pub kind: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Whether the test is hidden from candidates.
    pub hidden: bool,
    /// Its share of the score.
    pub weight: u32,
    /// Fuel the run used (reproducible).
    pub fuel_used: u64,
    /// Wall-clock time of the run (a timing: it varies between runs).
    pub wall_time_ms: u64,
    /// Short account of the first difference (wrong answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// What the program printed (for function tests, apart from the result).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stdout: Option<String>,
    /// Its error output (tracebacks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
    /// The function's result (function tests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
}

/// A whole grading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GradeReport {
    /// Weighted share of accepted tests, 0 to 100 (two decimals).
    pub score: f64,
    /// Fuel of all tests together.
    pub total_fuel: u64,
    /// Tests accepted.
    pub passed: usize,
    /// Tests run.
    pub total: usize,
    /// `python` or `javascript`.
    pub language: String,
    /// Runtime name and version the tests ran on.
    pub runtime: String,
    /// SHA-256 of the graded code.
    pub code_sha256: String,
    /// Limits each test got.
    pub limits: Limits,
    /// Per test, in the problem's order.
    pub tests: Vec<TestReport>,
}

impl GradeReport {
    /// What a candidate may see: hidden tests keep only their verdict, weight, fuel and time.
    pub fn for_candidate(mut self) -> Self {
        for t in self.tests.iter_mut().filter(|t| t.hidden) {
            t.diff = None;
            t.stdout = None;
            t.stderr = None;
            t.actual = None;
        }
        self
    }
}

/// What to grade and with which secrets.
pub struct Submission<'a> {
    /// `python` or `javascript`.
    pub language: &'a str,
    /// The candidate's code.
    pub code: &'a str,
    /// The problem.
    pub problem: &'a ProblemDoc,
    /// Only these tests (sample runs), or all.
    pub only: Option<&'a [usize]>,
    /// The harness key (see `TokenKeys::harness_key`).
    pub key: &'a [u8; 32],
    /// Whose queue the runs wait in.
    pub owner: String,
}

/// Output kept per test in a report.
const KEEP_OUTPUT: usize = 4 * 1024;

/// Runs the tests (as many at once as the sandbox has slots) and scores them.
pub async fn grade(sandbox: &Sandbox, sub: Submission<'_>) -> Result<GradeReport, GradeError> {
    let config = sandbox.config();
    let limits = config
        .maxima
        .resolve(
            &RequestedLimits {
                fuel: sub.problem.limits.fuel,
                memory_bytes: sub.problem.limits.memory_bytes,
                wall_time_ms: sub.problem.limits.wall_time_ms,
                stdout_bytes: None,
                stderr_bytes: None,
            },
            &config.defaults,
        )
        .map_err(GradeError::Invalid)?;
    let code_sha256 = harness::code_sha256(sub.code);
    let chosen: Vec<(usize, &TestCase)> = sub
        .problem
        .tests
        .iter()
        .enumerate()
        .filter(|(i, _)| sub.only.is_none_or(|only| only.contains(i)))
        .collect();
    let jobs: Vec<(usize, TestCase, Prepared, RunRequest)> = chosen
        .into_iter()
        .map(|(index, test)| {
            let prepared = harness::prepare(
                sub.language,
                sub.code,
                test,
                harness::delimiter(sub.key, &code_sha256, index),
            );
            let request = RunRequest {
                language: sub.language.to_string(),
                code: prepared.code.clone(),
                stdin: prepared.stdin.clone(),
                limits,
                owner: sub.owner.clone(),
            };
            (index, test.clone(), prepared, request)
        })
        .collect();
    // At most one run per slot waits at a time, so a large problem queues in the
    // scheduler like any other owner's runs instead of filling the queue.
    let width = config.max_concurrent.max(1);
    let finished: Vec<_> = stream::iter(jobs.into_iter().map(
        |(index, test, prepared, request)| async move {
            let outcome = sandbox.execute(request).await;
            (index, test, prepared, outcome)
        },
    ))
    .buffered(width)
    .collect()
    .await;

    let mut tests = Vec::with_capacity(finished.len());
    let mut runtime = String::new();
    for (index, test, prepared, outcome) in finished {
        let outcome = outcome.map_err(GradeError::Sandbox)?;
        runtime.clone_from(&outcome.runtime);
        tests.push(judge(index, &test, &prepared, outcome, sub.problem));
    }
    let total_weight: u64 = tests.iter().map(|t| u64::from(t.weight)).sum();
    let won: u64 = tests
        .iter()
        .filter(|t| t.verdict == Verdict::Accepted)
        .map(|t| u64::from(t.weight))
        .sum();
    // Two decimals, computed in integers so it is the same everywhere.
    let score = (won * 10_000)
        .checked_div(total_weight)
        .map_or(0.0, |hundredths| hundredths as f64 / 100.0);
    Ok(GradeReport {
        score,
        total_fuel: tests.iter().map(|t| t.fuel_used).sum(),
        passed: tests
            .iter()
            .filter(|t| t.verdict == Verdict::Accepted)
            .count(),
        total: tests.len(),
        language: sub.language.to_string(),
        runtime,
        code_sha256,
        limits,
        tests,
    })
}

fn judge(
    index: usize,
    test: &TestCase,
    prepared: &Prepared,
    outcome: Outcome,
    problem: &ProblemDoc,
) -> TestReport {
    let keep = |s: &str| -> Option<String> {
        if s.is_empty() {
            return None;
        }
        let mut end = s.len().min(KEEP_OUTPUT);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        Some(s[..end].to_string())
    };
    let mut report = TestReport {
        index,
        kind: test.kind().to_string(),
        verdict: Verdict::InternalError,
        hidden: test.hidden(),
        weight: test.weight(),
        fuel_used: outcome.fuel_used,
        wall_time_ms: outcome.wall_time_ms,
        diff: None,
        stdout: None,
        stderr: keep(&outcome.stderr),
        actual: None,
    };
    report.verdict = match outcome.status {
        RunStatus::TimeLimit => Verdict::TimeLimit,
        RunStatus::MemoryLimit => Verdict::MemoryLimit,
        RunStatus::OutputLimit => Verdict::OutputLimit,
        RunStatus::RuntimeError => Verdict::RuntimeError,
        RunStatus::InternalError => Verdict::InternalError,
        RunStatus::Ok => Verdict::Accepted,
    };
    match test {
        TestCase::Stdio {
            expected_stdout, ..
        } => {
            report.stdout = keep(&outcome.stdout);
            if report.verdict == Verdict::Accepted
                && !compare::stdout_matches(
                    expected_stdout,
                    &outcome.stdout,
                    problem.output_comparison,
                )
            {
                report.verdict = Verdict::WrongAnswer;
                report.diff = Some(compare::first_difference(expected_stdout, &outcome.stdout));
            }
        }
        TestCase::Function {
            expected,
            tolerance,
            ..
        } => {
            let delimiter = prepared.delimiter.as_deref().unwrap_or_default();
            let (printed, result) = harness::extract(&outcome.stdout, delimiter);
            report.stdout = keep(&printed);
            if report.verdict == Verdict::Accepted {
                match result {
                    None => {
                        report.verdict = Verdict::RuntimeError;
                        report.diff = Some(
                            "the function returned no result (did the program exit early?)".into(),
                        );
                    }
                    Some(actual) => {
                        if !compare::json_matches(expected, &actual, *tolerance) {
                            report.verdict = Verdict::WrongAnswer;
                            report.diff = Some(format!("expected {expected}, got {actual}"));
                        }
                        report.actual = Some(actual);
                    }
                }
            }
        }
    }
    report
}

/// Why a grading could not happen (as opposed to tests failing).
#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    /// The problem's limits do not fit the server.
    #[error("{0}")]
    Invalid(String),
    /// The sandbox refused or is unavailable.
    #[error(transparent)]
    Sandbox(SandboxError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::limits::Limits;

    fn report(hidden: bool) -> TestReport {
        TestReport {
            index: 0,
            kind: "function".into(),
            verdict: Verdict::WrongAnswer,
            hidden,
            weight: 1,
            fuel_used: 10,
            wall_time_ms: 1,
            diff: Some("expected 5, got 4".into()),
            stdout: Some("debug".into()),
            stderr: Some("warning".into()),
            actual: Some(serde_json::json!(4)),
        }
    }

    #[test]
    fn candidates_see_only_the_outcome_of_hidden_tests() {
        let graded = GradeReport {
            score: 0.0,
            total_fuel: 20,
            passed: 0,
            total: 2,
            language: "python".into(),
            runtime: "cpython".into(),
            code_sha256: "x".into(),
            limits: Limits::DEFAULT,
            tests: vec![report(false), report(true)],
        };
        let seen = graded.for_candidate();
        assert_eq!(
            seen.tests[0],
            report(false),
            "sample tests keep their details"
        );
        let hidden = serde_json::to_value(&seen.tests[1]).unwrap();
        let keys: Vec<&str> = hidden
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "fuelUsed",
                "hidden",
                "index",
                "kind",
                "verdict",
                "wallTimeMs",
                "weight"
            ]
        );
    }
}
