//! A bounded, fair queue in front of the sandbox.
//!
//! At most `max_running` runs execute at once. Waiting runs queue per owner (a
//! user, or a candidate's session); a freed slot goes to the waiting owner that
//! was served least recently (an owner never served first), which cycles
//! round-robin among busy owners and lets a newcomer in ahead of an owner that
//! has just had a turn. So one owner submitting a hundred runs delays another
//! owner's single run by at most about one run. Past `max_queued` waiting runs
//! the caller is told to come back later. A caller that goes away leaves the queue.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

/// The queue is full; try again after `retry_after`.
#[derive(Debug, Clone, Copy)]
pub struct QueueFull {
    /// A fair estimate of when a slot will be free.
    pub retry_after: Duration,
}

/// Numbers for gauges and `/health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchedulerStats {
    /// Runs executing.
    pub running: usize,
    /// Runs waiting.
    pub queued: usize,
}

struct Waiter {
    id: u64,
    grant: oneshot::Sender<()>,
}

struct State {
    running: usize,
    queued: usize,
    queues: HashMap<String, VecDeque<Waiter>>,
    /// Owners with waiting runs, in arrival order (the tie-break).
    turn: VecDeque<String>,
    /// Grant sequence number of each owner's latest slot.
    last_grant: HashMap<String, u64>,
    grants: u64,
    next_id: u64,
    /// Moving average of how long a run holds a slot, for `Retry-After`.
    avg_hold_ms: f64,
}

/// The scheduler. Share it in an `Arc`.
pub struct Scheduler {
    max_running: usize,
    max_queued: usize,
    state: Mutex<State>,
}

/// A slot to run in; freeing it (drop) hands it to the next owner in turn.
pub struct Permit {
    scheduler: Arc<Scheduler>,
    since: Instant,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.scheduler.release(Some(self.since.elapsed()));
    }
}

impl Scheduler {
    /// A scheduler running at most `max_running` at once with at most
    /// `max_queued` waiting.
    pub fn new(max_running: usize, max_queued: usize) -> Arc<Self> {
        Arc::new(Self {
            max_running: max_running.max(1),
            max_queued,
            state: Mutex::new(State {
                running: 0,
                queued: 0,
                queues: HashMap::new(),
                turn: VecDeque::new(),
                last_grant: HashMap::new(),
                grants: 0,
                next_id: 0,
                avg_hold_ms: 1000.0,
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Current numbers.
    pub fn stats(&self) -> SchedulerStats {
        let s = self.lock();
        SchedulerStats {
            running: s.running,
            queued: s.queued,
        }
    }

    /// Waits for a slot for `owner`; returns it with the time spent waiting.
    pub async fn acquire(self: &Arc<Self>, owner: &str) -> Result<(Permit, Duration), QueueFull> {
        let asked = Instant::now();
        let (id, granted) = {
            let mut guard = self.lock();
            let s = &mut *guard;
            if s.running < self.max_running && s.queued == 0 {
                s.running += 1;
                s.note_grant(owner);
                return Ok((self.permit(), Duration::ZERO));
            }
            if s.queued >= self.max_queued {
                let waves = (s.queued / self.max_running + 1) as f64;
                let secs = (waves * s.avg_hold_ms / 1000.0).ceil().max(1.0);
                return Err(QueueFull {
                    retry_after: Duration::from_secs_f64(secs),
                });
            }
            let id = s.next_id;
            s.next_id += 1;
            let (tx, rx) = oneshot::channel();
            let queue = s.queues.entry(owner.to_string()).or_default();
            if queue.is_empty() {
                s.turn.push_back(owner.to_string());
            }
            queue.push_back(Waiter { id, grant: tx });
            s.queued += 1;
            (id, rx)
        };
        let mut guard = LeaveQueue {
            scheduler: self,
            owner,
            id,
            armed: true,
        };
        // The sender is dropped only after sending, so this cannot fail.
        let _ = granted.await;
        guard.armed = false;
        Ok((self.permit(), asked.elapsed()))
    }

    fn permit(self: &Arc<Self>) -> Permit {
        Permit {
            scheduler: self.clone(),
            since: Instant::now(),
        }
    }

    /// Frees a slot: hands it to the next waiting owner in turn, or counts it free.
    fn release(&self, held: Option<Duration>) {
        let mut guard = self.lock();
        let s = &mut *guard;
        if let Some(held) = held {
            s.avg_hold_ms = 0.9 * s.avg_hold_ms + 0.1 * held.as_secs_f64() * 1000.0;
        }
        while let Some(pos) = s.next_turn() {
            let owner = s.turn.remove(pos).expect("index from next_turn");
            let Some(queue) = s.queues.get_mut(&owner) else {
                continue;
            };
            let waiter = queue.pop_front();
            if queue.is_empty() {
                s.queues.remove(&owner);
            } else {
                s.turn.push_back(owner.clone());
            }
            if let Some(waiter) = waiter {
                s.queued -= 1;
                // The slot passes straight to the waiter: `running` is unchanged.
                if waiter.grant.send(()).is_ok() {
                    s.note_grant(&owner);
                    return;
                }
            }
        }
        s.running -= 1;
    }

    /// Removes a waiter that went away; `false` if it had already been granted.
    fn leave(&self, owner: &str, id: u64) -> bool {
        let mut guard = self.lock();
        let s = &mut *guard;
        let Some(queue) = s.queues.get_mut(owner) else {
            return false;
        };
        let Some(pos) = queue.iter().position(|w| w.id == id) else {
            return false;
        };
        queue.remove(pos);
        if queue.is_empty() {
            s.queues.remove(owner);
            s.turn.retain(|o| o != owner);
        }
        s.queued -= 1;
        true
    }
}

impl State {
    /// The waiting owner served least recently (position in `turn`).
    fn next_turn(&self) -> Option<usize> {
        (0..self.turn.len())
            .min_by_key(|&i| self.last_grant.get(&self.turn[i]).copied().unwrap_or(0))
    }

    fn note_grant(&mut self, owner: &str) {
        self.grants += 1;
        if self.last_grant.len() >= 10_000 {
            // Forget owners with nothing waiting; they start afresh (as newcomers).
            let queues = &self.queues;
            self.last_grant.retain(|o, _| queues.contains_key(o));
        }
        self.last_grant.insert(owner.to_string(), self.grants);
    }
}

/// Takes a cancelled waiter out of the queue; if the slot had already been
/// granted to it, passes the slot on instead of losing it.
struct LeaveQueue<'a> {
    scheduler: &'a Arc<Scheduler>,
    owner: &'a str,
    id: u64,
    armed: bool,
}

impl Drop for LeaveQueue<'_> {
    fn drop(&mut self) {
        if self.armed && !self.scheduler.leave(self.owner, self.id) {
            self.scheduler.release(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn slots_go_round_robin_across_owners() {
        let s = Scheduler::new(1, 100);
        let (first, _) = s.acquire("flood").await.unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        // Five runs from one owner queue up before one run from another.
        for (i, owner) in ["flood", "flood", "flood", "flood", "flood", "other"]
            .iter()
            .enumerate()
        {
            let (sched, order, owner) = (s.clone(), order.clone(), owner.to_string());
            tasks.push(tokio::spawn(async move {
                let (_permit, _) = sched.acquire(&owner).await.unwrap();
                order.lock().unwrap().push(format!("{owner}{i}"));
            }));
            while s.stats().queued < i + 1 {
                tokio::task::yield_now().await;
            }
        }
        drop(first);
        for t in tasks {
            t.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        // The flood's owner has just been served (the first permit), so the
        // newcomer gets the next slot; then the flood's runs go in order.
        assert_eq!(
            order[0], "other5",
            "the other owner waits for one run only: {order:?}"
        );
        assert_eq!(
            order[1..],
            ["flood0", "flood1", "flood2", "flood3", "flood4"]
        );
        assert_eq!(
            s.stats(),
            SchedulerStats {
                running: 0,
                queued: 0
            }
        );
    }

    #[tokio::test]
    async fn a_full_queue_refuses_with_a_retry_hint() {
        let s = Scheduler::new(1, 1);
        let (_running, _) = s.acquire("a").await.unwrap();
        let s2 = s.clone();
        let waiting = tokio::spawn(async move { s2.acquire("b").await.map(|_| ()) });
        while s.stats().queued < 1 {
            tokio::task::yield_now().await;
        }
        let full = s.acquire("c").await.err().expect("queue is full");
        assert!(full.retry_after >= Duration::from_secs(1));
        waiting.abort();
    }

    #[tokio::test]
    async fn a_caller_that_goes_away_leaves_the_queue_and_loses_no_slot() {
        let s = Scheduler::new(1, 10);
        let (running, _) = s.acquire("a").await.unwrap();
        let s2 = s.clone();
        let gone = tokio::spawn(async move { s2.acquire("b").await.map(|_| ()) });
        while s.stats().queued < 1 {
            tokio::task::yield_now().await;
        }
        gone.abort();
        let _ = gone.await;
        assert_eq!(s.stats().queued, 0);
        drop(running);
        assert_eq!(
            s.stats(),
            SchedulerStats {
                running: 0,
                queued: 0
            }
        );
        // The slot is free for the next caller at once.
        let (_p, waited) = s.acquire("c").await.unwrap();
        assert_eq!(waited, Duration::ZERO);
    }
}
