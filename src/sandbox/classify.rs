//! How a run ended, turned into its verdict: a pure function, so every case is
//! tested in a table without running a guest.

use super::outcome::{RunStatus, TimeLimitKind};
use super::runtime::Runtime;

/// Why the guest stopped running, as the host saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// It asked to exit with this status (any `i32`; the shell's view is the low byte).
    Exited(i32),
    /// Its fuel ran out.
    OutOfFuel,
    /// The epoch deadline interrupted its code.
    Interrupted,
    /// The wall-clock timeout ended it while it was inside a host call.
    WallDeadline,
    /// stdout or stderr went past its cap (the pipe stopped the guest).
    OutputOverflow,
    /// Its native or C stack ran out, or it touched memory outside its own.
    StackOrBounds {
        /// An out-of-bounds access: its fuel reading is not trusted.
        out_of_bounds: bool,
    },
    /// Any other trap in guest code (`unreachable`, a bad indirect call, …).
    Trap(String),
    /// The host failed: not the guest's doing.
    HostFailure(String),
}

/// What else the host noticed about the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Observed {
    /// Some output was cut at its cap.
    pub output_truncated: bool,
    /// A `memory.grow` past the cap was refused.
    pub memory_refused: bool,
}

/// The run's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Status on the wire.
    pub status: RunStatus,
    /// For `time_limit`: which limit.
    pub time_limit_kind: Option<TimeLimitKind>,
    /// The exit status a shell would see (0–255), when the guest exited.
    pub exit_code: Option<i32>,
    /// A line the sandbox appends to stderr, saying what stopped the program.
    pub note: Option<String>,
    /// Whether the fuel reading is the run's cost (false after an
    /// out-of-bounds trap, whose reading can be inflated).
    pub bill_fuel: bool,
    /// The host failed: an operator should see this in the log.
    pub internal: bool,
}

impl Verdict {
    fn new(status: RunStatus) -> Self {
        Self {
            status,
            time_limit_kind: None,
            exit_code: None,
            note: None,
            bill_fuel: true,
            internal: false,
        }
    }

    fn time_limit(kind: TimeLimitKind) -> Self {
        Self {
            time_limit_kind: Some(kind),
            ..Self::new(RunStatus::TimeLimit)
        }
    }
}

/// The exit status a POSIX shell reports for `exit(status)`: its low byte, so
/// -1 is 255 and 256 is 0.
pub fn shell_status(status: i32) -> i32 {
    status & 0xff
}

/// The verdict for a run of `runtime` that ended this way.
pub fn classify(runtime: Runtime, ending: &Ending, observed: Observed) -> Verdict {
    if observed.output_truncated || *ending == Ending::OutputOverflow {
        return Verdict::new(RunStatus::OutputLimit);
    }
    match ending {
        Ending::Exited(status) => {
            let code = shell_status(*status);
            let status = match code {
                0 => RunStatus::Ok,
                _ if observed.memory_refused => RunStatus::MemoryLimit,
                _ => RunStatus::RuntimeError,
            };
            Verdict {
                exit_code: Some(code),
                ..Verdict::new(status)
            }
        }
        Ending::OutOfFuel => Verdict::time_limit(TimeLimitKind::Fuel),
        Ending::Interrupted | Ending::WallDeadline => Verdict::time_limit(TimeLimitKind::Wall),
        Ending::OutputOverflow => Verdict::new(RunStatus::OutputLimit),
        _ if observed.memory_refused => Verdict::new(RunStatus::MemoryLimit),
        Ending::StackOrBounds { out_of_bounds } => Verdict {
            note: Some(stack_exhausted(runtime).into()),
            bill_fuel: !out_of_bounds,
            ..Verdict::new(RunStatus::RuntimeError)
        },
        Ending::Trap(trap) => Verdict {
            note: Some(format!("the program was stopped: {trap}")),
            ..Verdict::new(RunStatus::RuntimeError)
        },
        Ending::HostFailure(_) => Verdict {
            note: Some("the sandbox failed to run the program".into()),
            bill_fuel: false,
            internal: true,
            ..Verdict::new(RunStatus::InternalError)
        },
    }
}

/// What each language says when its stack runs out. Both runtimes normally
/// raise their own error first; this covers the native stack running out
/// before the language's own check does.
fn stack_exhausted(runtime: Runtime) -> &'static str {
    match runtime {
        Runtime::Python => "RecursionError: maximum recursion depth exceeded",
        Runtime::JavaScript => "RangeError: Maximum call stack size exceeded",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEAN: Observed = Observed {
        output_truncated: false,
        memory_refused: false,
    };
    const TRUNCATED: Observed = Observed {
        output_truncated: true,
        memory_refused: false,
    };
    const REFUSED: Observed = Observed {
        output_truncated: false,
        memory_refused: true,
    };

    #[test]
    fn every_ending_has_its_verdict() {
        use RunStatus::*;
        let py = Runtime::Python;
        let table: Vec<(Ending, Observed, RunStatus, Option<i32>)> = vec![
            (Ending::Exited(0), CLEAN, Ok, Some(0)),
            (Ending::Exited(1), CLEAN, RuntimeError, Some(1)),
            (Ending::Exited(125), CLEAN, RuntimeError, Some(125)),
            // Codes a guest may ask for that WASI's own exit would refuse.
            (Ending::Exited(126), CLEAN, RuntimeError, Some(126)),
            (Ending::Exited(200), CLEAN, RuntimeError, Some(200)),
            (Ending::Exited(255), CLEAN, RuntimeError, Some(255)),
            // As a shell sees them: the low byte.
            (Ending::Exited(-1), CLEAN, RuntimeError, Some(255)),
            (Ending::Exited(256), CLEAN, Ok, Some(0)),
            (Ending::Exited(-256), CLEAN, Ok, Some(0)),
            (Ending::Exited(i32::MIN), CLEAN, Ok, Some(0)),
            (Ending::Exited(3), REFUSED, MemoryLimit, Some(3)),
            (Ending::Exited(0), REFUSED, Ok, Some(0)),
            (Ending::Exited(0), TRUNCATED, OutputLimit, None),
            (Ending::OutOfFuel, CLEAN, TimeLimit, None),
            (Ending::OutOfFuel, TRUNCATED, OutputLimit, None),
            (Ending::Interrupted, CLEAN, TimeLimit, None),
            (Ending::WallDeadline, CLEAN, TimeLimit, None),
            (Ending::OutputOverflow, CLEAN, OutputLimit, None),
            (
                Ending::StackOrBounds {
                    out_of_bounds: false,
                },
                CLEAN,
                RuntimeError,
                None,
            ),
            (
                Ending::StackOrBounds {
                    out_of_bounds: true,
                },
                REFUSED,
                MemoryLimit,
                None,
            ),
            (
                Ending::Trap("unreachable".into()),
                CLEAN,
                RuntimeError,
                None,
            ),
            (
                Ending::HostFailure("boom".into()),
                CLEAN,
                InternalError,
                None,
            ),
        ];
        for (ending, observed, status, exit_code) in table {
            let verdict = classify(py, &ending, observed);
            assert_eq!(verdict.status, status, "{ending:?} {observed:?}");
            assert_eq!(verdict.exit_code, exit_code, "{ending:?} {observed:?}");
            assert_eq!(verdict.internal, status == InternalError, "{ending:?}");
        }
    }

    #[test]
    fn time_limits_say_which_limit() {
        let kind = |e| classify(Runtime::JavaScript, &e, CLEAN).time_limit_kind;
        assert_eq!(kind(Ending::OutOfFuel), Some(TimeLimitKind::Fuel));
        assert_eq!(kind(Ending::Interrupted), Some(TimeLimitKind::Wall));
        assert_eq!(kind(Ending::WallDeadline), Some(TimeLimitKind::Wall));
        assert_eq!(kind(Ending::Exited(1)), None);
    }

    #[test]
    fn a_full_stack_reads_as_the_language_error_and_bounds_traps_are_not_billed() {
        let overflow = Ending::StackOrBounds {
            out_of_bounds: false,
        };
        let js = classify(Runtime::JavaScript, &overflow, CLEAN);
        assert!(js.note.unwrap().starts_with("RangeError"));
        assert!(js.bill_fuel);
        let py = classify(Runtime::Python, &overflow, CLEAN);
        assert!(py.note.unwrap().starts_with("RecursionError"));
        let bounds = classify(
            Runtime::Python,
            &Ending::StackOrBounds {
                out_of_bounds: true,
            },
            CLEAN,
        );
        assert!(!bounds.bill_fuel);
    }
}
