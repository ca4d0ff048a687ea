//! What a run produced, and how it ended.

use serde::Serialize;
use utoipa::ToSchema;

use super::limits::Limits;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Exit code 0 within every limit.
    Ok,
    /// Non-zero exit or a trap in the guest; the traceback is in stderr.
    RuntimeError,
    /// Out of fuel or past the wall-clock deadline (see `timeLimitKind`).
    TimeLimit,
    /// The guest asked for more memory than its cap and failed.
    MemoryLimit,
    /// stdout or stderr went past its cap.
    OutputLimit,
    /// The sandbox itself failed; not the guest's fault.
    InternalError,
}

impl RunStatus {
    /// The wire name, for metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::RuntimeError => "runtime_error",
            Self::TimeLimit => "time_limit",
            Self::MemoryLimit => "memory_limit",
            Self::OutputLimit => "output_limit",
            Self::InternalError => "internal_error",
        }
    }
}

/// Which time limit ended a `time_limit` run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimitKind {
    /// The fuel budget (deterministic: the same on every machine).
    Fuel,
    /// The wall-clock deadline (a backstop, e.g. for a guest blocked in a host call).
    Wall,
}

/// The result of one run.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// How it ended.
    pub status: RunStatus,
    /// For `time_limit`: fuel or wall.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_limit_kind: Option<TimeLimitKind>,
    /// The guest's exit code, when it exited.
    pub exit_code: Option<i32>,
    /// Captured standard output (UTF-8; invalid bytes replaced).
    pub stdout: String,
    /// Captured standard error.
    pub stderr: String,
    /// More stdout was written than the cap kept.
    pub stdout_truncated: bool,
    /// More stderr was written than the cap kept.
    pub stderr_truncated: bool,
    /// Fuel consumed: the run's deterministic CPU cost.
    pub fuel_used: u64,
    /// Wall-clock time of the run itself, in milliseconds.
    pub wall_time_ms: u64,
    /// Largest linear memory the guest had, in bytes.
    pub memory_peak_bytes: u64,
    /// Time spent waiting for a free slot, in milliseconds.
    pub queue_wait_ms: u64,
    /// `python` or `javascript`.
    pub language: String,
    /// Runtime name and version.
    pub runtime: String,
    /// The limits the run had.
    pub limits: Limits,
}
