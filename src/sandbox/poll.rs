//! WASI preview 1 `poll_oneoff` on virtual time.
//!
//! wasmtime-wasi's own `poll_oneoff` sleeps for real, on its own clock. In the
//! sandbox a guest that sleeps (`time.sleep`, a QuickJS timer) instead moves
//! the run's virtual clock forward at once: the run stays reproducible, costs no
//! wall time, and does not hold a scheduler slot idle. stdin (in memory) and the
//! output pipes are always ready.

use wasmtime::{Caller, Linker, Memory};

use super::clock::{VirtualTime, EPOCH_START_NS};

const SUBSCRIPTION_SIZE: usize = 48;
const EVENT_SIZE: usize = 32;
const MAX_SUBSCRIPTIONS: u32 = 4096;

const ERRNO_SUCCESS: i32 = 0;
const ERRNO_BADF: u16 = 8;
const ERRNO_FAULT: i32 = 21;
const ERRNO_INVAL: i32 = 28;

const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;

const CLOCK_REALTIME: u32 = 0;
const SUBCLOCKFLAGS_ABSTIME: u16 = 1;

/// Host state that can reach the run's virtual time.
pub trait HasVirtualTime {
    /// The run's clock.
    fn virtual_time(&self) -> &VirtualTime;
}

/// Replaces `wasi_snapshot_preview1.poll_oneoff` in a linker that already has WASI.
pub fn shadow_poll_oneoff<T: HasVirtualTime + 'static>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    linker.func_wrap(
        "wasi_snapshot_preview1",
        "poll_oneoff",
        |mut caller: Caller<'_, T>, subs: i32, events: i32, count: i32, nevents: i32| -> i32 {
            let Some(memory) = caller.get_export("memory").and_then(|e| e.into_memory()) else {
                return ERRNO_FAULT;
            };
            poll(
                &mut caller,
                memory,
                subs as u32,
                events as u32,
                count as u32,
                nevents as u32,
            )
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

struct Subscription {
    userdata: u64,
    tag: u8,
    fd: u32,
    clock_id: u32,
    timeout: u64,
    flags: u16,
}

fn poll<T: HasVirtualTime>(
    caller: &mut Caller<'_, T>,
    memory: Memory,
    subs_ptr: u32,
    events_ptr: u32,
    count: u32,
    nevents_ptr: u32,
) -> i32 {
    if count == 0 || count > MAX_SUBSCRIPTIONS {
        return ERRNO_INVAL;
    }
    let mut raw = vec![0u8; count as usize * SUBSCRIPTION_SIZE];
    if memory.read(&*caller, subs_ptr as usize, &mut raw).is_err() {
        return ERRNO_FAULT;
    }
    let subs: Vec<Subscription> = raw
        .chunks_exact(SUBSCRIPTION_SIZE)
        .map(|s| Subscription {
            userdata: u64::from_le_bytes(s[0..8].try_into().unwrap()),
            tag: s[8],
            fd: u32::from_le_bytes(s[16..20].try_into().unwrap()),
            clock_id: u32::from_le_bytes(s[16..20].try_into().unwrap()),
            timeout: u64::from_le_bytes(s[24..32].try_into().unwrap()),
            flags: u16::from_le_bytes(s[40..42].try_into().unwrap()),
        })
        .collect();
    let time = caller.data().virtual_time().clone();
    let mut out = Vec::new();
    // File descriptors first: stdio is always ready, anything else is not ours.
    for s in subs
        .iter()
        .filter(|s| s.tag == EVENTTYPE_FD_READ || s.tag == EVENTTYPE_FD_WRITE)
    {
        let error = if s.fd <= 2 { 0 } else { ERRNO_BADF };
        out.push(event(s.userdata, error, s.tag, 1));
    }
    if out.is_empty() {
        // Only clocks: jump to the earliest deadline and report every clock due by then.
        let now = time.elapsed_ns();
        let waits: Vec<(u64, &Subscription)> = subs
            .iter()
            .filter(|s| s.tag == EVENTTYPE_CLOCK)
            .map(|s| (wait_ns(s, now), s))
            .collect();
        let Some(min) = waits.iter().map(|(w, _)| *w).min() else {
            return ERRNO_INVAL;
        };
        time.advance(min);
        for (wait, s) in waits {
            if wait <= min {
                out.push(event(s.userdata, 0, EVENTTYPE_CLOCK, 0));
            }
        }
    }
    let bytes: Vec<u8> = out.concat();
    if memory
        .write(&mut *caller, events_ptr as usize, &bytes)
        .is_err()
        || memory
            .write(
                &mut *caller,
                nevents_ptr as usize,
                &(out.len() as u32).to_le_bytes(),
            )
            .is_err()
    {
        return ERRNO_FAULT;
    }
    ERRNO_SUCCESS
}

/// How long a clock subscription waits from virtual `now`.
fn wait_ns(s: &Subscription, now: u64) -> u64 {
    if s.flags & SUBCLOCKFLAGS_ABSTIME == 0 {
        return s.timeout;
    }
    let clock_now = if s.clock_id == CLOCK_REALTIME {
        EPOCH_START_NS + now
    } else {
        now
    };
    s.timeout.saturating_sub(clock_now)
}

fn event(userdata: u64, error: u16, kind: u8, nbytes: u64) -> Vec<u8> {
    let mut e = vec![0u8; EVENT_SIZE];
    e[0..8].copy_from_slice(&userdata.to_le_bytes());
    e[8..10].copy_from_slice(&error.to_le_bytes());
    e[10] = kind;
    e[16..24].copy_from_slice(&nbytes.to_le_bytes());
    e
}
