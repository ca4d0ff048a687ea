//! The room's interview timer, owned by the server.
//!
//! Clients never count time themselves from events: they get `elapsedMs` as of
//! `serverNow` and extrapolate while `running`, so a late joiner and a
//! reconnecting client show the same time (± their network delay).

use serde::Serialize;

/// What an interviewer may do to the timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerAction {
    /// Run (no change if it already runs).
    Start,
    /// Stop, keeping the time so far.
    Pause,
    /// Stop and go back to zero.
    Reset,
}

impl TimerAction {
    /// Parses the wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "start" => Some(Self::Start),
            "pause" => Some(Self::Pause),
            "reset" => Some(Self::Reset),
            _ => None,
        }
    }
}

/// Accumulated time plus the start of the current run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timer {
    /// Milliseconds accumulated before the current run.
    pub accumulated_ms: i64,
    /// When the current run started (epoch ms); `None` while stopped.
    pub started_at: Option<i64>,
}

/// The `timer_state` payload.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TimerState {
    /// Whether the timer is running.
    pub running: bool,
    /// Elapsed milliseconds as of `serverNow`.
    pub elapsed_ms: i64,
    /// When the current run started (epoch ms), if running.
    pub started_at: Option<i64>,
    /// The server's clock when this state was computed (epoch ms).
    pub server_now: i64,
}

impl Timer {
    /// Elapsed milliseconds at `now`.
    pub fn elapsed(&self, now: i64) -> i64 {
        self.accumulated_ms + self.started_at.map_or(0, |s| (now - s).max(0))
    }

    /// The timer after `action` at `now`.
    pub fn apply(self, action: TimerAction, now: i64) -> Self {
        match action {
            TimerAction::Start if self.started_at.is_some() => self,
            TimerAction::Start => Self {
                accumulated_ms: self.accumulated_ms,
                started_at: Some(now),
            },
            TimerAction::Pause => Self {
                accumulated_ms: self.elapsed(now),
                started_at: None,
            },
            TimerAction::Reset => Self::default(),
        }
    }

    /// The wire state at `now`.
    pub fn state(&self, now: i64) -> TimerState {
        TimerState {
            running: self.started_at.is_some(),
            elapsed_ms: self.elapsed(now),
            started_at: self.started_at,
            server_now: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_pause_resume_accumulates_only_running_time() {
        let t = Timer::default().apply(TimerAction::Start, 1_000);
        assert_eq!(t.elapsed(4_000), 3_000);
        let t = t.apply(TimerAction::Pause, 4_000);
        assert_eq!(t.elapsed(100_000), 3_000, "paused time does not count");
        let t = t.apply(TimerAction::Start, 10_000);
        assert_eq!(t.state(12_500).elapsed_ms, 5_500);
        assert!(t.state(12_500).running);
    }

    #[test]
    fn start_twice_keeps_the_first_start_and_reset_zeroes() {
        let t = Timer::default().apply(TimerAction::Start, 1_000);
        assert_eq!(t.apply(TimerAction::Start, 5_000), t);
        let t = t.apply(TimerAction::Reset, 9_000);
        assert_eq!(t, Timer::default());
        assert!(!t.state(9_000).running);
    }

    #[test]
    fn unknown_actions_are_refused() {
        assert_eq!(TimerAction::parse("start"), Some(TimerAction::Start));
        assert_eq!(TimerAction::parse("stop"), None);
    }
}
