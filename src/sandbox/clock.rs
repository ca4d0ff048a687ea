//! Virtual clocks and a seeded random source, so that a run's output and fuel
//! count depend only on its code and input.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wasmtime_wasi::{HostMonotonicClock, HostWallClock};

/// 2024-01-01T00:00:00Z: the wall-clock time at which every run starts.
pub const EPOCH_START_NS: u64 = 1_704_067_200_000_000_000;

/// Each reading of a clock moves it on by this much, so that code measuring
/// elapsed time sees time pass, by the same amount on every machine.
const TICK_NS: u64 = 1_000;

/// Virtual time shared by a run's wall and monotonic clocks (nanoseconds since start).
#[derive(Clone, Default, Debug)]
pub struct VirtualTime(Arc<AtomicU64>);

impl VirtualTime {
    /// Reads the clock and advances it by one tick.
    fn read(&self) -> u64 {
        self.0.fetch_add(TICK_NS, Ordering::Relaxed)
    }

    /// Moves time forward (a guest "sleeping").
    pub fn advance(&self, ns: u64) {
        self.0.fetch_add(ns, Ordering::Relaxed);
    }

    /// Nanoseconds since the run started, without advancing.
    pub fn elapsed_ns(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The guest's wall clock: `EPOCH_START_NS` plus virtual time.
pub struct VirtualWallClock(pub VirtualTime);

impl HostWallClock for VirtualWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(TICK_NS)
    }

    fn now(&self) -> Duration {
        Duration::from_nanos(EPOCH_START_NS + self.0.read())
    }
}

/// The guest's monotonic clock: virtual time.
pub struct VirtualMonotonicClock(pub VirtualTime);

impl HostMonotonicClock for VirtualMonotonicClock {
    fn resolution(&self) -> u64 {
        TICK_NS
    }

    fn now(&self) -> u64 {
        self.0.read()
    }
}

/// A seeded ChaCha20 stream: portable, fixed algorithm, same bytes everywhere.
pub fn seeded_random(seed: u64) -> rand10::rngs::ChaCha20Rng {
    use rand10::SeedableRng;
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(b"devintvw");
    rand10::rngs::ChaCha20Rng::from_seed(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand10::Rng;

    #[test]
    fn clocks_start_at_the_same_instant_and_tick_on_reads() {
        let t = VirtualTime::default();
        let wall = VirtualWallClock(t.clone());
        let mono = VirtualMonotonicClock(t.clone());
        assert_eq!(wall.now(), Duration::from_nanos(EPOCH_START_NS));
        assert_eq!(mono.now(), TICK_NS);
        t.advance(1_000_000_000);
        assert_eq!(mono.now(), 2 * TICK_NS + 1_000_000_000);
    }

    #[test]
    fn the_random_stream_is_fixed_by_its_seed() {
        let a: Vec<u32> = (0..4)
            .map(|_| 0)
            .scan(seeded_random(7), |r, _| Some(r.next_u32()))
            .collect();
        let b: Vec<u32> = (0..4)
            .map(|_| 0)
            .scan(seeded_random(7), |r, _| Some(r.next_u32()))
            .collect();
        let c: Vec<u32> = (0..4)
            .map(|_| 0)
            .scan(seeded_random(8), |r, _| Some(r.next_u32()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().any(|&x| x != a[0]), "not a constant stream");
    }
}
