//! Realtime load: N clients in M rooms send real Yjs updates at R per second
//! over WebSocket; reports fan-out latency (p50/p99/max), loss, echoes, and the
//! server process's CPU per delivered message and peak RSS.
//!
//! `cargo bench --bench realtime_load -- --clients 1000 --rooms 200 --rate 2 --seconds 30`
//! runs the same load against DevInterview (the release binary as its own
//! process, SQLite, persistence on) and against Node's socket.io as a pure relay
//! (benches/node, `npm ci` there first), so the figures compare within one run.
//! Without `--bench` (as `cargo test` runs it) it is a small smoke run that
//! fails on any loss, echo or refused connection.

#[path = "../tests/api/helpers/sio.rs"]
#[allow(dead_code)]
mod sio;

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sio::{Arg, SioClient};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

struct Settings {
    clients: usize,
    rooms: usize,
    rate: f64,
    seconds: u64,
    targets: Vec<String>,
    smoke: bool,
}

fn settings() -> Settings {
    let args: Vec<String> = std::env::args().collect();
    let smoke = !args.iter().any(|a| a == "--bench");
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let num =
        |name: &str, default: f64| value(name).and_then(|v| v.parse().ok()).unwrap_or(default);
    if smoke {
        return Settings {
            clients: 12,
            rooms: 3,
            rate: 5.0,
            seconds: 2,
            targets: vec!["devinterview".into()],
            smoke,
        };
    }
    Settings {
        clients: num("--clients", 1000.0) as usize,
        rooms: num("--rooms", 200.0) as usize,
        rate: num("--rate", 2.0),
        seconds: num("--seconds", 30.0) as u64,
        targets: value("--target")
            .map(|t| t.split(',').map(str::to_string).collect())
            .unwrap_or_else(|| vec!["devinterview".into(), "node".into()]),
        smoke,
    }
}

/// The server under load, as its own process so its CPU and memory are its own.
struct Target {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Target {
    async fn start(kind: &str) -> Option<Target> {
        let dir = tempfile::tempdir().unwrap();
        let root = env!("CARGO_MANIFEST_DIR");
        let mut cmd = match kind {
            "devinterview" => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_devinterview"));
                c.env("PORT", "0")
                    .env("DATA_DIR", dir.path())
                    .env("LOG_FORMAT", "json")
                    .env("RUST_LOG", "warn,devinterview=info")
                    .env("SANDBOX_ENABLED", "false")
                    .env("ROOM_MAX_PARTICIPANTS", "50")
                    .env("LOGIN_MAX_PER_IP", "100000000")
                    .env("WEB_DIR", dir.path().join("none"));
                c
            }
            "node" => {
                let relay = format!("{root}/benches/node");
                if !std::path::Path::new(&relay)
                    .join("node_modules/socket.io")
                    .exists()
                {
                    eprintln!("skipping the node reference: run `npm ci` in benches/node");
                    return None;
                }
                let mut c = Command::new("node");
                c.current_dir(relay).arg("relay.mjs");
                c
            }
            other => panic!("unknown target {other}"),
        };
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut child = cmd.spawn().expect("start the target server");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut base = None;
        while let Some(line) = lines.next_line().await.unwrap() {
            let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if let Some(port) = v["port"].as_u64() {
                base = Some(format!("http://127.0.0.1:{port}"));
                break;
            }
            if v["message"] == "DevInterview is listening" {
                base = Some(v["address"].as_str().unwrap().to_string());
                break;
            }
        }
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Some(Target {
            child,
            base: base.expect("the target printed its address"),
            _dir: dir,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id().unwrap()
    }
}

/// User + system CPU seconds of a process.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line; 12 and 13 after the name.
    let ticks: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

/// Peak resident set size of a process in MiB.
fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

async fn post(client: &reqwest::Client, url: String, token: Option<&str>, body: Value) -> Value {
    let mut req = client.post(url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().json().await.unwrap()
}

/// Room ids and one token per client (candidates joined through invites on
/// DevInterview; anything goes for the relay).
async fn provision(kind: &str, base: &str, s: &Settings) -> (Vec<String>, Vec<String>) {
    if kind == "node" {
        let rooms = (0..s.rooms).map(|i| format!("room-{i}")).collect();
        return (rooms, vec!["-".to_string(); s.clients]);
    }
    let http = reqwest::Client::new();
    let signup = post(
        &http,
        format!("{base}/api/auth/signup"),
        None,
        json!({"email": "load@example.com", "password": "correct horse battery", "name": "Load"}),
    )
    .await;
    let token = signup["token"].as_str().unwrap().to_string();
    let mut rooms = Vec::new();
    let mut invites = Vec::new();
    for i in 0..s.rooms {
        let session = post(
            &http,
            format!("{base}/api/sessions"),
            Some(&token),
            json!({"candidateName": format!("Candidate {i}"), "candidateEmail": "c@example.com", "language": "python"}),
        )
        .await;
        rooms.push(session["id"].as_str().unwrap().to_string());
        invites.push(session["inviteToken"].as_str().unwrap().to_string());
    }
    let mut tokens = Vec::new();
    for c in 0..s.clients {
        let joined = post(
            &http,
            format!("{base}/api/invites/{}/join", invites[c % s.rooms]),
            None,
            json!({"name": format!("Client {c}")}),
        )
        .await;
        tokens.push(joined["token"].as_str().unwrap().to_string());
    }
    (rooms, tokens)
}

#[derive(Default)]
struct Tally {
    /// Update id → (send time, sender index, room index).
    sent: HashMap<u64, (Instant, usize)>,
    latencies_us: Vec<u64>,
    delivered: u64,
    echoes: u64,
    expected: u64,
}

/// The ids inside an update: each client types `~<16 hex digits>~`.
fn ids_in(update: &[u8]) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut i = 0;
    while i + 18 <= update.len() {
        if update[i] == b'~' && update[i + 17] == b'~' {
            if let Some(id) = std::str::from_utf8(&update[i + 1..i + 17])
                .ok()
                .and_then(|h| u64::from_str_radix(h, 16).ok())
            {
                ids.push(id);
                i += 18;
                continue;
            }
        }
        i += 1;
    }
    ids
}

struct Report {
    kind: String,
    connect_failures: usize,
    ack_failures: u64,
    sent: u64,
    expected: u64,
    delivered: u64,
    echoes: u64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    cpu_s: f64,
    rss_peak: f64,
}

async fn run(kind: &str, s: &Settings) -> Option<Report> {
    let target = Target::start(kind).await?;
    let pid = target.pid();
    let (rooms, tokens) = provision(kind, &target.base, s).await;

    // Connect in small waves, as real users arrive, rather than a SYN flood.
    let mut clients = Vec::new();
    let mut connect_failures = 0;
    for wave in tokens.chunks(50) {
        let attempts = wave
            .iter()
            .map(|t| SioClient::connect(&target.base, json!({"token": t})));
        for result in futures_util::future::join_all(attempts).await {
            match result {
                Ok(c) => clients.push(Some(c)),
                Err(e) => {
                    connect_failures += 1;
                    eprintln!("connect failed: {e}");
                    clients.push(None);
                }
            }
        }
    }
    let clients: Vec<Option<Arc<SioClient>>> =
        clients.into_iter().map(|c| c.map(Arc::new)).collect();
    let mut members: HashMap<usize, usize> = HashMap::new();
    for (i, c) in clients.iter().enumerate() {
        if let Some(c) = c {
            let ack = c
                .call_json("join_room", json!({"roomId": rooms[i % s.rooms]}))
                .await;
            assert_eq!(ack.data["ok"], true, "join refused: {}", ack.data);
            *members.entry(i % s.rooms).or_default() += 1;
        }
    }

    let tally = Arc::new(Mutex::new(Tally::default()));
    let running = Arc::new(AtomicBool::new(true));
    let next_id = Arc::new(AtomicU64::new(1));
    let ack_failures = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    let period = Duration::from_secs_f64(1.0 / s.rate);
    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    for (i, c) in clients.iter().enumerate() {
        let Some(c) = c.clone() else { continue };
        let room = i % s.rooms;
        let receivers = members[&room] as u64 - 1;
        // Receiver: every relayed update, timed against its send.
        let (t, r) = (tally.clone(), running.clone());
        let rc = c.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let wait =
                    Duration::from_millis(if r.load(Ordering::Relaxed) { 1000 } else { 300 });
                let Some(p) = rc.next_event_within("doc_update", wait).await else {
                    if r.load(Ordering::Relaxed) {
                        continue;
                    }
                    break;
                };
                let now = Instant::now();
                let mut t = t.lock().unwrap();
                for id in ids_in(&p.binary("")) {
                    if let Some((at, sender)) = t.sent.get(&id).copied() {
                        if sender == i {
                            t.echoes += 1;
                        } else {
                            t.delivered += 1;
                            t.latencies_us
                                .push(now.duration_since(at).as_micros() as u64);
                        }
                    }
                }
            }
        }));
        // Sender: one keystroke-sized update per period, phases spread at random.
        let (t, r, ids, fails) = (
            tally.clone(),
            running.clone(),
            next_id.clone(),
            ack_failures.clone(),
        );
        let offset = period.mul_f64((i as f64 * 0.618_034) % 1.0);
        tasks.push(tokio::spawn(async move {
            let doc = yrs::Doc::new();
            let mut typed = 0u32;
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + offset, period);
            while r.load(Ordering::Relaxed) {
                tick.tick().await;
                if !r.load(Ordering::Relaxed) {
                    break;
                }
                let id = ids.fetch_add(1, Ordering::Relaxed);
                // Typing appends to the client's own text, as a person types: each
                // insert follows the client's previous one. (Inserting every update at
                // index 0 of a document that never sees the others' edits would make
                // each insert a Yjs conflict with all earlier ones, which no editor does.)
                let text = format!("~{id:016x}~");
                let update = devinterview::realtime::room::insert_code_update(&doc, typed, &text);
                typed += text.len() as u32;
                {
                    let mut t = t.lock().unwrap();
                    t.sent.insert(id, (Instant::now(), i));
                    t.expected += receivers;
                }
                let ack = c.call("doc_update", vec![Arg::Bin(update)]).await;
                if ack.data["ok"] != true {
                    fails.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(s.seconds)).await;
    running.store(false, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed();
    let cpu_s = cpu_seconds(pid) - cpu_before;
    let rss_peak = peak_rss_mib(pid);
    let mut t = tally.lock().unwrap();
    t.latencies_us.sort_unstable();
    let pct = |p: f64| {
        let v = &t.latencies_us;
        if v.is_empty() {
            0.0
        } else {
            v[((v.len() - 1) as f64 * p) as usize] as f64 / 1000.0
        }
    };
    eprintln!("{kind}: measured {:.1} s", elapsed.as_secs_f64());
    Some(Report {
        kind: kind.to_string(),
        connect_failures,
        ack_failures: ack_failures.load(Ordering::Relaxed),
        sent: t.sent.len() as u64,
        expected: t.expected,
        delivered: t.delivered,
        echoes: t.echoes,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: pct(1.0),
        cpu_s,
        rss_peak,
    })
}

fn main() {
    let s = settings();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "realtime load: {} clients, {} rooms, {} updates/s each, {} s, WebSocket",
        s.clients, s.rooms, s.rate, s.seconds
    );
    println!(
        "{:<13} {:>8} {:>9} {:>6} {:>6} {:>8} {:>8} {:>8} {:>9} {:>11} {:>10} {:>9} {:>9}",
        "target",
        "sent",
        "delivered",
        "lost",
        "echoes",
        "p50 ms",
        "p99 ms",
        "max ms",
        "cpu s",
        "cpu µs/msg",
        "rss peak",
        "conn fail",
        "ack fail"
    );
    let mut reports = Vec::new();
    for kind in &s.targets {
        if let Some(r) = runtime.block_on(run(kind, &s)) {
            println!(
                "{:<13} {:>8} {:>9} {:>6} {:>6} {:>8.2} {:>8.2} {:>8.2} {:>9.2} {:>11.1} {:>8.0}MB {:>9} {:>9}",
                r.kind,
                r.sent,
                r.delivered,
                r.expected.saturating_sub(r.delivered),
                r.echoes,
                r.p50_ms,
                r.p99_ms,
                r.max_ms,
                r.cpu_s,
                r.cpu_s * 1e6 / r.delivered.max(1) as f64,
                r.rss_peak,
                r.connect_failures,
                r.ack_failures
            );
            reports.push(r);
        }
    }
    if s.smoke {
        let r = &reports[0];
        assert_eq!(r.connect_failures, 0, "connections refused");
        assert_eq!(r.ack_failures, 0, "updates refused");
        assert_eq!(r.echoes, 0, "updates echoed to their sender");
        assert!(r.sent > 0 && r.delivered == r.expected, "updates lost");
    }
}
