//! Per-run limits: what a caller may ask for, and the server's ceilings.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Limits a caller may request; absent fields take the server's defaults.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestedLimits {
    /// Fuel (deterministic CPU budget, in wasmtime fuel units).
    pub fuel: Option<u64>,
    /// Linear memory cap in bytes.
    pub memory_bytes: Option<u64>,
    /// Wall-clock deadline in milliseconds.
    pub wall_time_ms: Option<u64>,
    /// Captured stdout cap in bytes.
    pub stdout_bytes: Option<u64>,
    /// Captured stderr cap in bytes.
    pub stderr_bytes: Option<u64>,
}

/// The limits a run actually gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Fuel.
    pub fuel: u64,
    /// Linear memory cap in bytes.
    pub memory_bytes: u64,
    /// Wall-clock deadline in milliseconds.
    pub wall_time_ms: u64,
    /// Captured stdout cap in bytes.
    pub stdout_bytes: u64,
    /// Captured stderr cap in bytes.
    pub stderr_bytes: u64,
}

/// Ceilings for each limit and for the inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Maxima {
    /// Largest limits a caller may request.
    pub limits: Limits,
    /// Largest source code accepted, in bytes.
    pub code_bytes: u64,
    /// Largest stdin accepted, in bytes.
    pub stdin_bytes: u64,
}

impl Limits {
    /// The defaults a run gets when it asks for nothing.
    pub const DEFAULT: Limits = Limits {
        fuel: 4_000_000_000,
        memory_bytes: 256 * 1024 * 1024,
        wall_time_ms: 10_000,
        stdout_bytes: 1024 * 1024,
        stderr_bytes: 256 * 1024,
    };
}

impl Maxima {
    /// The server's ceilings.
    pub const DEFAULT: Maxima = Maxima {
        limits: Limits {
            fuel: 40_000_000_000,
            memory_bytes: 512 * 1024 * 1024,
            wall_time_ms: 30_000,
            stdout_bytes: 4 * 1024 * 1024,
            stderr_bytes: 1024 * 1024,
        },
        code_bytes: 256 * 1024,
        stdin_bytes: 4 * 1024 * 1024,
    };

    /// Resolves a request against the defaults; asking for more than a ceiling
    /// (or for zero) is an error naming the field.
    pub fn resolve(
        &self,
        requested: &RequestedLimits,
        defaults: &Limits,
    ) -> Result<Limits, String> {
        let pick = |name: &str, asked: Option<u64>, default: u64, max: u64| match asked {
            None => Ok(default.min(max)),
            Some(0) => Err(format!("limits.{name} must be at least 1")),
            Some(v) if v > max => Err(format!("limits.{name} must be at most {max} (got {v})")),
            Some(v) => Ok(v),
        };
        let m = &self.limits;
        Ok(Limits {
            fuel: pick("fuel", requested.fuel, defaults.fuel, m.fuel)?,
            memory_bytes: pick(
                "memoryBytes",
                requested.memory_bytes,
                defaults.memory_bytes,
                m.memory_bytes,
            )?,
            wall_time_ms: pick(
                "wallTimeMs",
                requested.wall_time_ms,
                defaults.wall_time_ms,
                m.wall_time_ms,
            )?,
            stdout_bytes: pick(
                "stdoutBytes",
                requested.stdout_bytes,
                defaults.stdout_bytes,
                m.stdout_bytes,
            )?,
            stderr_bytes: pick(
                "stderrBytes",
                requested.stderr_bytes,
                defaults.stderr_bytes,
                m.stderr_bytes,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_bounded_by_the_maxima() {
        let max = Maxima::DEFAULT;
        let d = Limits::DEFAULT;
        assert_eq!(max.resolve(&RequestedLimits::default(), &d).unwrap(), d);
        let asked = RequestedLimits {
            fuel: Some(max.limits.fuel),
            ..Default::default()
        };
        assert_eq!(max.resolve(&asked, &d).unwrap().fuel, max.limits.fuel);
        let too_much = RequestedLimits {
            memory_bytes: Some(max.limits.memory_bytes + 1),
            ..Default::default()
        };
        assert!(max
            .resolve(&too_much, &d)
            .unwrap_err()
            .contains("memoryBytes"));
        let zero = RequestedLimits {
            wall_time_ms: Some(0),
            ..Default::default()
        };
        assert!(max.resolve(&zero, &d).unwrap_err().contains("wallTimeMs"));
    }
}
