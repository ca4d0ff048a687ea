//! A fixed-window counter per key (client address, account) for login throttling.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Allows `max` hits per key in each `window`.
pub struct RateLimiter {
    max: u32,
    window: Duration,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

/// Keys kept before expired windows are swept, so memory stays bounded under attack.
const SWEEP_AT: usize = 10_000;

impl RateLimiter {
    /// A limiter of `max` hits per `window`.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a hit for `key`; `Err(wait)` when the key is over its limit.
    pub fn hit(&self, key: &str) -> Result<(), Duration> {
        self.hit_at(key, Instant::now())
    }

    fn hit_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= SWEEP_AT {
            let window = self.window;
            windows.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = windows.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            return Err(self.window - now.duration_since(entry.0));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_key_within_its_window_and_resets_after() {
        let rl = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(rl.hit_at("a", t0).is_ok());
        assert!(rl.hit_at("a", t0).is_ok());
        let wait = rl.hit_at("a", t0 + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(rl.hit_at("b", t0).is_ok(), "keys are independent");
        assert!(rl.hit_at("a", t0 + Duration::from_secs(61)).is_ok());
    }
}
