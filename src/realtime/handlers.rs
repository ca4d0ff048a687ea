//! Socket.IO event handlers: authentication at connect, then one function per event.
//!
//! Every event answers its acknowledgement with `{ok: true, ...}` or
//! `{ok: false, error: {code, message}}`, the same error shape as the REST API.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use socketioxide::adapter::{Adapter, Emitter, LocalAdapter};
use socketioxide::extract::{AckSender, SocketRef, State, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;
use socketioxide_redis::RedisAdapter;

use super::limits::TokenBucket;
use super::presence::Participant;
use super::room::{DocError, Room};
use super::timer::{TimerAction, TimerState};
use super::{LanguageChanged, Realtime, SessionStatus};
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::ClientID;

use crate::auth::{Principal, TokenError};
use crate::domain::Language;
use crate::store::documents::NewUpdate;
use crate::store::sessions::{self, SessionRow};
use crate::store::StoreError;

/// Largest awareness update (cursors and selections) relayed.
const MAX_AWARENESS_BYTES: usize = 64 * 1024;
/// Largest run result relayed, as JSON.
const MAX_RESULT_BYTES: usize = 256 * 1024;

/// Registers the default namespace's handlers on a single node's `io`.
pub fn attach(io: &SocketIo<LocalAdapter>, hub: &Arc<Realtime>) {
    let _ = hub.emitter.set(Box::new(io.clone()));
    io.ns(
        "/",
        on_connect::<LocalAdapter>.with(authenticate::<LocalAdapter>),
    );
}

/// Registers the handlers on an `io` whose rooms span nodes through Redis.
pub async fn attach_redis(
    io: &SocketIo<RedisAdapter<Emitter>>,
    hub: &Arc<Realtime>,
) -> anyhow::Result<()> {
    type R = RedisAdapter<Emitter>;
    let _ = hub.emitter.set(Box::new(io.clone()));
    io.ns("/", on_connect::<R>.with(authenticate::<R>))
        .await
        .map_err(|e| anyhow::anyhow!("cannot set up the Redis adapter: {e}"))
}

/// Why an event or a connection was refused; sent as `{code, message}`.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    /// Machine-readable reason.
    pub code: &'static str,
    /// What to tell the person.
    pub message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Refusal {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    fn unavailable(e: StoreError) -> Self {
        tracing::warn!(error = %e, "storage error in a socket handler");
        Self::new(
            "unavailable",
            "the server cannot reach its database; try again shortly",
        )
    }
}

impl From<DocError> for Refusal {
    fn from(e: DocError) -> Self {
        let code = match e {
            DocError::Malformed(_) => "invalid_update",
            DocError::TooLarge(_) => "document_too_large",
            DocError::ReadOnly => "read_only",
        };
        Self::new(code, e.to_string())
    }
}

/// Who is behind a socket, and its flood limit (behind an `Arc`: the
/// extension is cloned on every event).
struct Ctx {
    principal: Principal,
    participant: Participant,
    bucket: Arc<Mutex<TokenBucket>>,
}

/// The room a socket has joined.
#[derive(Clone)]
struct Joined(Arc<Room>);

/// Awareness clients (Yjs client id → latest clock) a socket has announced, so
/// that its cursors can be removed for the others when it leaves.
#[derive(Clone, Default)]
struct AwarenessClients(Arc<Mutex<HashMap<ClientID, u32>>>);

/// Awareness client ids one socket may announce (a tab uses one).
const MAX_AWARENESS_CLIENTS: usize = 8;

#[derive(Deserialize)]
struct AuthPayload {
    token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JoinRoom {
    room_id: String,
    /// The client's Yjs state vector when it rejoins with a document of its own
    /// (absent or empty: send everything). Not an `Option`: the Socket.IO parser
    /// resolves binary attachments only in plain byte fields.
    #[serde(default)]
    state_vector: Bytes,
}

#[derive(Deserialize)]
struct TimerControl {
    action: String,
}

#[derive(Deserialize)]
struct LanguageChange {
    language: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JoinState {
    ok: bool,
    room_id: String,
    /// What the client lacks, as one Yjs update (the whole document on a first join).
    doc: Bytes,
    /// The server's state vector: the client sends back what the server lacks.
    state_vector: Bytes,
    participants: Vec<Participant>,
    you: Participant,
    language: String,
    status: String,
    read_only: bool,
    timer: TimerState,
    server_now: i64,
}

fn reply<A: Adapter, T: Serialize>(ack: AckSender<A>, outcome: Result<T, Refusal>) {
    // The payload is sent as a struct, not a serde_json::Value, so that binary
    // fields (`bytes::Bytes`) travel as Socket.IO attachments.
    let _ = match outcome {
        Ok(body) => ack.send(&body),
        Err(refusal) => ack.send(&json!({ "ok": false, "error": refusal })),
    };
}

async fn authenticate<A: Adapter>(
    s: SocketRef<A>,
    State(hub): State<Arc<Realtime>>,
    TryData(auth): TryData<AuthPayload>,
) -> Result<(), Refusal> {
    let auth = auth.map_err(|_| {
        Refusal::new(
            "unauthorized",
            "connect with auth: {token} (sign in, or open the invite link again)",
        )
    })?;
    let principal = hub.keys.verify(&auth.token).map_err(|e| match e {
        TokenError::Expired => Refusal::new(
            "token_expired",
            "your session token has expired; sign in or open the invite link again",
        ),
        TokenError::Invalid => Refusal::new("unauthorized", "the token is not valid"),
    })?;
    let s_cfg = &hub.settings;
    s.extensions.insert(Arc::new(Ctx {
        participant: Participant::of(&principal),
        principal,
        bucket: Arc::new(Mutex::new(TokenBucket::new(
            s_cfg.events_per_second,
            s_cfg.event_burst,
        ))),
    }));
    // Handlers are registered here, before the client is told it is connected:
    // the connect handler runs concurrently with the client's first events, and
    // an event that arrives before its handler exists would be lost.
    s.on("join_room", join_room::<A>);
    s.on("leave_room", leave_room::<A>);
    s.on("doc_update", doc_update::<A>);
    s.on("awareness_update", awareness_update::<A>);
    s.on("timer_control", timer_control::<A>);
    s.on("language_change", language_change::<A>);
    s.on("execution_result", execution_result::<A>);
    s.on_fallback(unknown_event::<A>);
    s.on_disconnect(async |s: SocketRef<A>, State(hub): State<Arc<Realtime>>| {
        hub.metrics.sockets.dec();
        leave(&hub, &s).await;
    });
    Ok(())
}

async fn on_connect<A: Adapter>(s: SocketRef<A>, State(hub): State<Arc<Realtime>>) {
    hub.metrics.sockets.inc();
    // A socket that never joins a room holds a connection for nothing.
    let timeout = hub.settings.join_timeout;
    let s = s.clone();
    tokio::spawn(async move {
        tokio::time::sleep(timeout).await;
        if s.connected() && s.extensions.get::<Joined>().is_none() {
            let _ = s.emit(
                "room_error",
                &Refusal::new(
                    "join_timeout",
                    "no room was joined in time; reconnect to try again",
                ),
            );
            let _ = s.disconnect();
        }
    });
}

/// Checks the caller and the flood limit for one event.
fn admit<A: Adapter>(
    hub: &Realtime,
    s: &SocketRef<A>,
    event: &'static str,
) -> Result<Arc<Ctx>, Refusal> {
    hub.metrics.events.with_label_values(&[event]).inc();
    let ctx = s
        .extensions
        .get::<Arc<Ctx>>()
        .ok_or_else(|| Refusal::new("unauthorized", "not authenticated"))?;
    let allowed = ctx
        .bucket
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .try_take();
    if !allowed {
        hub.metrics
            .refused
            .with_label_values(&["rate_limited"])
            .inc();
        return Err(Refusal::new(
            "rate_limited",
            "too many messages; slow down (the editor sends again on its own)",
        ));
    }
    Ok(ctx)
}

fn joined<A: Adapter>(s: &SocketRef<A>) -> Result<Arc<Room>, Refusal> {
    s.extensions
        .get::<Joined>()
        .map(|j| j.0)
        .ok_or_else(|| Refusal::new("not_joined", "join a room first (join_room {roomId})"))
}

fn refused(hub: &Realtime, r: Refusal) -> Refusal {
    hub.metrics.refused.with_label_values(&[r.code]).inc();
    r
}

async fn authorise(hub: &Realtime, who: &Principal, room_id: &str) -> Result<SessionRow, Refusal> {
    let not_found = || Refusal::new("not_found", "no such interview room");
    if room_id.is_empty() || room_id.len() > 64 {
        return Err(not_found());
    }
    let row = sessions::get(&hub.db, room_id)
        .await
        .map_err(Refusal::unavailable)?
        .filter(|r| r.deleted_at.is_none())
        .ok_or_else(not_found)?;
    let allowed = match who {
        Principal::Interviewer { user_id, .. } => &row.owner_id == user_id,
        Principal::Candidate { session_id, .. } => session_id == room_id,
    };
    if allowed {
        Ok(row)
    } else {
        Err(not_found())
    }
}

async fn join_room<A: Adapter>(
    s: SocketRef<A>,
    State(hub): State<Arc<Realtime>>,
    TryData(req): TryData<JoinRoom>,
    ack: AckSender<A>,
) {
    let outcome = async {
        let ctx = admit(&hub, &s, "join_room")?;
        let req = req.map_err(|_| {
            Refusal::new(
                "invalid",
                "join_room takes {roomId: string, stateVector?: binary}",
            )
        })?;
        let row = authorise(&hub, &ctx.principal, &req.room_id).await?;
        tracing::debug!(room = %row.id, "join: authorised");
        if let Ok(current) = joined(&s) {
            if current.id != row.id {
                leave(&hub, &s).await;
            }
        }
        let (room, participants, arrived) = loop {
            let room = hub.room(&row).await.map_err(Refusal::unavailable)?;
            room.refresh_from(&row);
            let elsewhere = hub.remote_people(&room.id);
            match room.add_member(
                &s.id.to_string(),
                ctx.participant.clone(),
                &elsewhere,
                hub.settings.max_participants,
            ) {
                Ok(Some(arrived)) => break (room.clone(), hub.people_in(&room), arrived),
                // Evicted between load and join: load it again.
                Ok(None) => continue,
                Err(cap) => {
                    return Err(Refusal::new(
                        "room_full",
                        format!("this room already has {cap} people in it"),
                    ))
                }
            }
        };
        let sv = Some(req.state_vector.as_ref()).filter(|sv| !sv.is_empty());
        tracing::debug!(room = %room.id, "join: loaded");
        let (doc, state_vector) = room.sync_state(sv)?;
        s.extensions.insert(Joined(room.clone()));
        s.join(room.id.clone());
        hub.announce(&room).await;
        // A second tab of someone already here is not news to the others.
        if arrived {
            let _ = s
                .to(room.id.clone())
                .emit("user_joined", &ctx.participant)
                .await;
        }
        let _ = s
            .within(room.id.clone())
            .emit("participants", &participants)
            .await;
        let now = hub.clock.now_ms();
        let status = room.status();
        Ok(JoinState {
            ok: true,
            room_id: room.id.clone(),
            doc: Bytes::from(doc),
            state_vector: Bytes::from(state_vector),
            participants,
            you: ctx.participant.clone(),
            language: room.language(),
            read_only: status == "completed",
            status,
            timer: room.timer().state(now),
            server_now: now,
        })
    }
    .await;
    reply(ack, outcome.map_err(|r| refused(&hub, r)));
}

async fn leave_room<A: Adapter>(
    s: SocketRef<A>,
    State(hub): State<Arc<Realtime>>,
    ack: AckSender<A>,
) {
    let outcome = admit(&hub, &s, "leave_room").map(|_| json!({ "ok": true }));
    leave(&hub, &s).await;
    reply(ack, outcome);
}

/// Takes the socket out of its room and tells the others.
async fn leave<A: Adapter>(hub: &Realtime, s: &SocketRef<A>) {
    let Some(Joined(room)) = s.extensions.remove::<Joined>() else {
        return;
    };
    s.leave(room.id.clone());
    // Remove this socket's cursors for the others, as y-protocols does: the same
    // clients with a newer clock and no state.
    if let Some(AwarenessClients(clients)) = s.extensions.remove::<AwarenessClients>() {
        let clients = std::mem::take(&mut *clients.lock().unwrap_or_else(|e| e.into_inner()));
        if !clients.is_empty() {
            let removal = AwarenessUpdate {
                clients: clients
                    .into_iter()
                    .map(|(id, clock)| {
                        let entry = AwarenessUpdateEntry {
                            clock: clock.wrapping_add(1),
                            json: Arc::from("null"),
                        };
                        (id, entry)
                    })
                    .collect(),
            };
            hub.emit_binary(
                &room.id,
                "awareness_update",
                Bytes::from(removal.encode_v1()),
            )
            .await;
        }
    }
    if let Some((who, gone, _)) = room.remove_member(&s.id.to_string()) {
        hub.announce(&room).await;
        if gone && !hub.remote_people(&room.id).iter().any(|p| p.id == who.id) {
            hub.emit(&room.id, "user_left", &who).await;
        }
        hub.emit(&room.id, "participants", &hub.people_in(&room))
            .await;
    }
}

async fn doc_update<A: Adapter>(
    s: SocketRef<A>,
    State(hub): State<Arc<Realtime>>,
    TryData(update): TryData<Bytes>,
    ack: AckSender<A>,
) {
    let outcome = async {
        let ctx = admit(&hub, &s, "doc_update")?;
        let room = joined(&s)?;
        let update = update.map_err(|_| {
            Refusal::new("invalid_update", "doc_update takes one binary Yjs update")
        })?;
        let max = hub.settings.max_update_bytes;
        if update.len() > max {
            return Err(Refusal::new(
                "too_large",
                format!(
                    "an update may be at most {max} bytes; this one is {}",
                    update.len()
                ),
            ));
        }
        room.apply(&update, hub.settings.max_doc_bytes)?;
        // Relay before storing: the others see the edit at network speed.
        if let Err(e) = s.to(room.id.clone()).emit("doc_update", &update).await {
            tracing::warn!(room = %room.id, error = %e, "cannot relay a document update");
        }
        if let Some(cluster) = hub.cluster.get() {
            cluster.publish(&room.id, &update).await;
        }
        let row = NewUpdate {
            session_id: room.id.clone(),
            data: update.to_vec(),
            author: ctx.participant.id.clone(),
            created_at: hub.clock.now_ms(),
        };
        hub.writer
            .persist(room, row)
            .await
            .map_err(|m| Refusal::new("not_saved", m))?;
        Ok(json!({ "ok": true }))
    }
    .await;
    reply(ack, outcome.map_err(|r| refused(&hub, r)));
}

async fn awareness_update<A: Adapter>(
    s: SocketRef<A>,
    State(hub): State<Arc<Realtime>>,
    TryData(update): TryData<Bytes>,
    ack: AckSender<A>,
) {
    let outcome = async {
        admit(&hub, &s, "awareness_update")?;
        let room = joined(&s)?;
        let update = update.map_err(|_| {
            Refusal::new(
                "invalid",
                "awareness_update takes one binary awareness update",
            )
        })?;
        if update.len() > MAX_AWARENESS_BYTES {
            return Err(Refusal::new(
                "too_large",
                format!("an awareness update may be at most {MAX_AWARENESS_BYTES} bytes"),
            ));
        }
        let decoded = AwarenessUpdate::decode_v1(&update)
            .map_err(|e| Refusal::new("invalid", format!("not a Yjs awareness update: {e}")))?;
        let clients = s.extensions.get::<AwarenessClients>().unwrap_or_default();
        {
            let mut known = clients.0.lock().unwrap_or_else(|e| e.into_inner());
            for (id, entry) in &decoded.clients {
                if !known.contains_key(id) && known.len() >= MAX_AWARENESS_CLIENTS {
                    return Err(Refusal::new(
                        "invalid",
                        "too many awareness clients on one connection",
                    ));
                }
                let clock = known.entry(*id).or_insert(entry.clock);
                *clock = (*clock).max(entry.clock);
            }
        }
        s.extensions.insert(clients);
        let _ = s
            .to(room.id.clone())
            .emit("awareness_update", &update)
            .await;
        Ok(json!({ "ok": true }))
    }
    .await;
    reply(ack, outcome.map_err(|r| refused(&hub, r)));
}

async fn timer_control<A: Adapter>(
    s: SocketRef<A>,
    State(hub): State<Arc<Realtime>>,
    TryData(req): TryData<TimerControl>,
    ack: AckSender<A>,
) {
    let outcome = async {
        let ctx = admit(&hub, &s, "timer_control")?;
        let room = joined(&s)?;
        let Principal::Interviewer { user_id, .. } = &ctx.principal else {
            return Err(Refusal::new(
                "forbidden",
                "only the interviewer controls the timer",
            ));
        };
        let action = req
            .ok()
            .and_then(|r| TimerAction::parse(&r.action))
            .ok_or_else(|| {
                Refusal::new("invalid", "timer_control takes {action: start|pause|reset}")
            })?;
        if room.status() == "completed" {
            return Err(DocError::ReadOnly.into());
        }
        let now = hub.clock.now_ms();
        let timer = room.timer().apply(action, now);
        sessions::set_timer(&hub.db, &room.id, timer.accumulated_ms, timer.started_at)
            .await
            .map_err(Refusal::unavailable)?;
        room.set_timer(timer);
        if action == TimerAction::Start && room.status() == "scheduled" {
            // Starting the clock starts the interview.
            if let Some(row) = sessions::start(&hub.db, &room.id, user_id, now)
                .await
                .map_err(Refusal::unavailable)?
            {
                room.set_status(&row.status);
                hub.emit(&room.id, "session_status", &SessionStatus::of(&row))
                    .await;
            }
        }
        let state = timer.state(now);
        hub.emit(&room.id, "timer_state", &state).await;
        Ok(json!({ "ok": true, "timer": state }))
    }
    .await;
    reply(ack, outcome.map_err(|r| refused(&hub, r)));
}

async fn language_change<A: Adapter>(
    s: SocketRef<A>,
    State(hub): State<Arc<Realtime>>,
    TryData(req): TryData<LanguageChange>,
    ack: AckSender<A>,
) {
    let outcome = async {
        let ctx = admit(&hub, &s, "language_change")?;
        let room = joined(&s)?;
        let req = req.map_err(|_| Refusal::new("invalid", "language_change takes {language}"))?;
        let language = Language::parse(&req.language).map_err(|m| Refusal::new("invalid", m))?;
        let changed =
            sessions::set_language(&hub.db, &room.id, language.as_str(), hub.clock.now_ms())
                .await
                .map_err(Refusal::unavailable)?;
        if !changed {
            return Err(DocError::ReadOnly.into());
        }
        room.set_language(language.as_str());
        let event = LanguageChanged {
            language: language.as_str().to_string(),
            by: Some(ctx.participant.id.clone()),
        };
        let _ = s.to(room.id.clone()).emit("language_change", &event).await;
        Ok(json!({ "ok": true, "language": language.as_str() }))
    }
    .await;
    reply(ack, outcome.map_err(|r| refused(&hub, r)));
}

async fn execution_result<A: Adapter>(
    s: SocketRef<A>,
    State(hub): State<Arc<Realtime>>,
    TryData(result): TryData<Value>,
    ack: AckSender<A>,
) {
    let outcome = async {
        let ctx = admit(&hub, &s, "execution_result")?;
        let room = joined(&s)?;
        let Ok(Value::Object(mut result)) = result else {
            return Err(Refusal::new(
                "invalid",
                "execution_result takes one JSON object",
            ));
        };
        let size = serde_json::to_vec(&result).map_or(usize::MAX, |v| v.len());
        if size > MAX_RESULT_BYTES {
            return Err(Refusal::new(
                "too_large",
                format!("a run result may be at most {MAX_RESULT_BYTES} bytes of JSON"),
            ));
        }
        // Who ran it is the server's word, not the sender's.
        result.insert("by".into(), json!(ctx.participant));
        // Only POST /runs produces server results; a reported one ran in a browser.
        result.insert("source".into(), json!("local"));
        let _ = s
            .to(room.id.clone())
            .emit("execution_result", &result)
            .await;
        hub.record_run(&room.id, "local", &Value::Object(result))
            .await;
        Ok(json!({ "ok": true }))
    }
    .await;
    reply(ack, outcome.map_err(|r| refused(&hub, r)));
}

async fn unknown_event<A: Adapter>(State(hub): State<Arc<Realtime>>, ack: AckSender<A>) {
    let refusal = Refusal::new("unknown_event", "this server does not handle that event");
    reply::<A, Value>(ack, Err(refused(&hub, refusal)));
}
