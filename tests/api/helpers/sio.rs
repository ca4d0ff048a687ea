//! A small Socket.IO v5 client over WebSocket (Engine.IO v4), enough to drive
//! the server as a browser would: auth at connect, events with binary
//! attachments, acknowledgements. The Node test in `tests/node` proves the
//! same contract with the real `socket.io-client`.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// How long a test waits for any one reply.
const WAIT: Duration = Duration::from_secs(10);

/// One argument of an emitted event.
pub enum Arg {
    /// JSON data.
    Json(Value),
    /// A binary attachment, as an argument of its own.
    Bin(Vec<u8>),
    /// A binary attachment that a placeholder in an earlier JSON argument names
    /// (`{"_placeholder": true, "num": n}`, n counting attachments from 0).
    Attach(Vec<u8>),
}

/// A received event or acknowledgement: the first argument, and the attachments
/// its placeholders point at.
#[derive(Debug, Clone)]
pub struct Packet {
    pub name: String,
    pub data: Value,
    pub bins: Vec<Vec<u8>>,
}

impl Packet {
    /// The attachment a placeholder field refers to, e.g. `binary("doc")`.
    pub fn binary(&self, field: &str) -> Vec<u8> {
        let slot = if field.is_empty() {
            &self.data
        } else {
            &self.data[field]
        };
        let num = slot["num"]
            .as_u64()
            .unwrap_or_else(|| panic!("{field} is not a binary placeholder: {}", self.data));
        self.bins[num as usize].clone()
    }
}

struct Partial {
    kind: u8,
    id: Option<u64>,
    args: Value,
    want: usize,
    bins: Vec<Vec<u8>>,
}

type Acks = Arc<Mutex<HashMap<u64, oneshot::Sender<Packet>>>>;

/// A connected client.
pub struct SioClient {
    out: mpsc::UnboundedSender<Message>,
    events: tokio::sync::Mutex<(mpsc::UnboundedReceiver<Packet>, VecDeque<Packet>)>,
    acks: Acks,
    next_id: AtomicU64,
    closed: Arc<tokio::sync::Notify>,
}

impl SioClient {
    /// Connects to `base` (`http://host:port`) with `auth`; `Err` carries the
    /// server's `connect_error` message.
    pub async fn connect(base: &str, auth: Value) -> Result<SioClient, String> {
        Self::connect_from(base, auth, None).await
    }

    /// Like `connect`, from a chosen local address (to land on a chosen node
    /// behind a proxy that routes by client address).
    pub async fn connect_from(
        base: &str,
        auth: Value,
        local: Option<std::net::IpAddr>,
    ) -> Result<SioClient, String> {
        let url = format!(
            "{}/socket.io/?EIO=4&transport=websocket",
            base.replacen("http", "ws", 1)
        );
        let target: std::net::SocketAddr = url::Url::parse(&url)
            .ok()
            .and_then(|u| u.socket_addrs(|| None).ok())
            .and_then(|a| a.into_iter().next())
            .ok_or_else(|| format!("bad address {url}"))?;
        let socket = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
        if let Some(ip) = local {
            socket
                .bind(std::net::SocketAddr::new(ip, 0))
                .map_err(|e| format!("bind {ip}: {e}"))?;
        }
        let tcp = socket
            .connect(target)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let (ws, _) = tokio_tungstenite::client_async_with_config(url, tcp, None)
            .await
            .map_err(|e| format!("websocket: {e}"))?;
        let (mut sink, mut stream) = ws.split();
        let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
        let (ev_tx, ev_rx) = mpsc::unbounded_channel();
        let acks: Acks = Arc::default();
        let (connected_tx, connected_rx) = oneshot::channel::<Result<(), String>>();
        let closed = Arc::new(tokio::sync::Notify::new());

        tokio::spawn(async move {
            while let Some(m) = out_rx.recv().await {
                if sink.send(m).await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        });

        let reader_out = out.clone();
        let reader_acks = acks.clone();
        let reader_closed = closed.clone();
        tokio::spawn(async move {
            let mut connected = Some(connected_tx);
            let mut partial: Option<Partial> = None;
            while let Some(Ok(msg)) = stream.next().await {
                match msg {
                    Message::Text(text) => {
                        let text = text.as_str();
                        match text.as_bytes().first() {
                            Some(b'0') => {
                                let _ = reader_out.send(Message::text(format!("40{auth}")));
                            }
                            Some(b'2') => {
                                let _ = reader_out.send(Message::text("3"));
                            }
                            Some(b'4') => {
                                let (kind, id, args, want) = parse(&text[1..]);
                                match kind {
                                    0 => {
                                        if let Some(c) = connected.take() {
                                            let _ = c.send(Ok(()));
                                        }
                                    }
                                    // The server ended the socket (a namespace disconnect).
                                    1 => break,
                                    4 => {
                                        if let Some(c) = connected.take() {
                                            let msg =
                                                args["message"].as_str().unwrap_or("").to_string();
                                            let _ = c.send(Err(msg));
                                        }
                                    }
                                    _ if want > 0 => {
                                        partial = Some(Partial {
                                            kind,
                                            id,
                                            args,
                                            want,
                                            bins: vec![],
                                        })
                                    }
                                    _ => deliver(kind, id, args, vec![], &ev_tx, &reader_acks),
                                }
                            }
                            _ => {}
                        }
                    }
                    Message::Binary(data) => {
                        if let Some(p) = partial.as_mut() {
                            p.bins.push(data.to_vec());
                            if p.bins.len() == p.want {
                                let p = partial.take().unwrap();
                                deliver(p.kind, p.id, p.args, p.bins, &ev_tx, &reader_acks);
                            }
                        }
                    }
                    Message::Close(_) => break,
                    _ => {}
                }
            }
            reader_closed.notify_waiters();
            reader_closed.notify_one();
        });

        match tokio::time::timeout(WAIT, connected_rx).await {
            Ok(Ok(Ok(()))) => Ok(SioClient {
                out,
                events: tokio::sync::Mutex::new((ev_rx, VecDeque::new())),
                acks,
                next_id: AtomicU64::new(1),
                closed,
            }),
            Ok(Ok(Err(message))) => Err(message),
            Ok(Err(_)) => Err("connection closed before the handshake".into()),
            Err(_) => Err("handshake timed out".into()),
        }
    }

    fn send(&self, event: &str, args: Vec<Arg>, id: Option<u64>) {
        let mut array = vec![json!(event)];
        let mut bins = Vec::new();
        for a in args {
            match a {
                Arg::Json(v) => array.push(v),
                Arg::Bin(b) => {
                    array.push(json!({"_placeholder": true, "num": bins.len()}));
                    bins.push(b);
                }
                Arg::Attach(b) => bins.push(b),
            }
        }
        let id = id.map(|i: u64| i.to_string()).unwrap_or_default();
        let body = Value::Array(array);
        let head = if bins.is_empty() {
            format!("42{id}{body}")
        } else {
            format!("45{}-{id}{body}", bins.len())
        };
        let _ = self.out.send(Message::text(head));
        for b in bins {
            let _ = self.out.send(Message::binary(b));
        }
    }

    /// Emits and waits for the acknowledgement.
    pub async fn call(&self, event: &str, args: Vec<Arg>) -> Packet {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.acks.lock().unwrap().insert(id, tx);
        self.send(event, args, Some(id));
        tokio::time::timeout(WAIT, rx)
            .await
            .unwrap_or_else(|_| panic!("no acknowledgement of {event} within {WAIT:?}"))
            .expect("connection closed before the acknowledgement")
    }

    /// `call` with one JSON argument.
    pub async fn call_json(&self, event: &str, data: Value) -> Packet {
        self.call(event, vec![Arg::Json(data)]).await
    }

    /// The next event named `name`, keeping others for later.
    pub async fn next_event(&self, name: &str) -> Packet {
        let mut guard = self.events.lock().await;
        let (rx, backlog) = &mut *guard;
        if let Some(pos) = backlog.iter().position(|p| p.name == name) {
            return backlog.remove(pos).unwrap();
        }
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let p = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .unwrap_or_else(|_| panic!("no {name} event within {WAIT:?}"))
                .unwrap_or_else(|| panic!("connection closed while waiting for {name}"));
            if p.name == name {
                return p;
            }
            backlog.push_back(p);
        }
    }

    /// The next event named `name` within `wait`, or `None` (load tools, which
    /// must not panic when traffic stops).
    #[allow(dead_code)] // used by benches/realtime_load.rs, which includes this file
    pub async fn next_event_within(&self, name: &str, wait: Duration) -> Option<Packet> {
        let mut guard = self.events.lock().await;
        let (rx, backlog) = &mut *guard;
        if let Some(pos) = backlog.iter().position(|p| p.name == name) {
            return backlog.remove(pos);
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let p = tokio::time::timeout_at(deadline, rx.recv()).await.ok()??;
            if p.name == name {
                return Some(p);
            }
            // Other events are not kept: a load tool would only accumulate them.
        }
    }

    /// Events named `name` received so far and not yet consumed.
    pub async fn received(&self, name: &str) -> Vec<Packet> {
        let mut guard = self.events.lock().await;
        let (rx, backlog) = &mut *guard;
        while let Ok(p) = rx.try_recv() {
            backlog.push_back(p);
        }
        backlog.iter().filter(|p| p.name == name).cloned().collect()
    }

    /// Every event received so far and not yet consumed, whatever its name.
    #[allow(dead_code)] // not every test binary that includes this file uses it
    pub async fn all_received(&self) -> Vec<Packet> {
        let mut guard = self.events.lock().await;
        let (rx, backlog) = &mut *guard;
        while let Ok(p) = rx.try_recv() {
            backlog.push_back(p);
        }
        backlog.iter().cloned().collect()
    }

    /// Waits until the server closes the connection.
    pub async fn closed(&self) {
        tokio::time::timeout(WAIT, self.closed.notified())
            .await
            .expect("the server did not close the connection");
    }

    /// Closes the connection.
    pub fn close(&self) {
        let _ = self.out.send(Message::Close(None));
    }
}

fn deliver(
    kind: u8,
    id: Option<u64>,
    args: Value,
    bins: Vec<Vec<u8>>,
    events: &mpsc::UnboundedSender<Packet>,
    acks: &Acks,
) {
    let mut list = match args {
        Value::Array(a) => a,
        other => vec![other],
    };
    match kind {
        2 | 5 => {
            let name = list
                .first()
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let data = list.get(1).cloned().unwrap_or(Value::Null);
            let _ = events.send(Packet { name, data, bins });
        }
        3 | 6 => {
            let data = if list.is_empty() {
                Value::Null
            } else {
                list.remove(0)
            };
            if let Some(tx) = id.and_then(|id| acks.lock().unwrap().remove(&id)) {
                let _ = tx.send(Packet {
                    name: "ack".into(),
                    data,
                    bins,
                });
            }
        }
        _ => {}
    }
}

/// Splits a Socket.IO packet (after the Engine.IO `4`) into type, ack id, JSON and attachment count.
fn parse(p: &str) -> (u8, Option<u64>, Value, usize) {
    let bytes = p.as_bytes();
    let kind = bytes[0] - b'0';
    let mut i = 1;
    let mut want = 0;
    if kind == 5 || kind == 6 {
        let dash = p[i..].find('-').map(|d| d + i).unwrap_or(i);
        want = p[i..dash].parse().unwrap_or(0);
        i = dash + 1;
    }
    if bytes.get(i) == Some(&b'/') {
        i = p[i..].find(',').map(|c| c + i + 1).unwrap_or(p.len());
    }
    let digits_end = p[i..]
        .find(|c: char| !c.is_ascii_digit())
        .map(|d| d + i)
        .unwrap_or(p.len());
    let id = p[i..digits_end].parse().ok();
    let json = serde_json::from_str(&p[digits_end..]).unwrap_or(Value::Null);
    (kind, id, json, want)
}
