//! The interview room's live layer: Socket.IO on `/socket.io`, a conflict-free
//! document per room (yrs), presence, the server-owned timer and run results.
//!
//! Event contract: see DESIGN.md ("Contract the parts share") and the README.
//! An update is applied and relayed to the other members first, then written by
//! the group-commit writer, and acknowledged to its sender only once committed.

pub mod cluster;
mod handlers;
pub mod limits;
pub mod metrics;
pub mod persist;
pub mod presence;
pub mod room;
mod server;
pub mod timer;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::Serialize;
use socketioxide::adapter::Adapter;
use socketioxide::SocketIo;
use tokio::sync::OnceCell;

use self::metrics::RealtimeMetrics;
use self::persist::Writer;
use self::room::Room;
use crate::auth::TokenKeys;
use crate::clock::Clock;
use crate::config::RealtimeSettings;
use crate::store::sessions::SessionRow;
use crate::store::{documents, Db, StoreError};

pub use handlers::{attach, attach_redis, Refusal};
pub use server::SocketLayer;

/// What an event sent from outside a socket handler carries.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Payload {
    /// JSON data.
    Json(serde_json::Value),
    /// One binary attachment (a JSON value would turn it into a number array).
    Binary(bytes::Bytes),
}

/// Which sockets of a room an event reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every node's.
    AllNodes,
    /// This node's only (each node sends its own view).
    ThisNode,
}

/// Emits to a room from outside a socket handler (REST routes, the sweeper).
pub trait RoomEmitter: Send + Sync {
    /// Sends `event` with `payload` to the sockets in `room` that `reach` selects.
    fn emit(
        &self,
        room: String,
        event: &'static str,
        payload: Payload,
        reach: Reach,
    ) -> BoxFuture<'static, ()>;
    /// Disconnects every socket in `room`, on every node.
    fn disconnect(&self, room: String) -> BoxFuture<'static, ()>;
}

impl<A: Adapter> RoomEmitter for SocketIo<A> {
    fn emit(
        &self,
        room: String,
        event: &'static str,
        payload: Payload,
        reach: Reach,
    ) -> BoxFuture<'static, ()> {
        let io = self.clone();
        Box::pin(async move {
            let to = match reach {
                Reach::AllNodes => io.to(room),
                Reach::ThisNode => io.local().to(room),
            };
            if let Err(e) = to.emit(event, &payload).await {
                tracing::warn!(event, error = %e, "cannot emit to a room");
            }
        })
    }

    fn disconnect(&self, room: String) -> BoxFuture<'static, ()> {
        let io = self.clone();
        Box::pin(async move {
            if let Err(e) = io.to(room).disconnect().await {
                tracing::warn!(error = %e, "cannot disconnect a room");
            }
        })
    }
}

type RoomSlot = Arc<OnceCell<Arc<Room>>>;

/// Every room this node holds, and what the handlers share.
pub struct Realtime {
    db: Db,
    clock: Clock,
    keys: Arc<TokenKeys>,
    settings: RealtimeSettings,
    rooms: Mutex<HashMap<String, RoomSlot>>,
    writer: Writer,
    metrics: Arc<RealtimeMetrics>,
    emitter: OnceLock<Box<dyn RoomEmitter>>,
    cluster: OnceLock<cluster::Cluster>,
    last_announce: Mutex<std::time::Instant>,
}

impl Realtime {
    /// Starts the group-commit writer; sockets attach later with [`attach`].
    pub fn new(
        db: Db,
        clock: Clock,
        keys: Arc<TokenKeys>,
        settings: RealtimeSettings,
        registry: &prometheus::Registry,
    ) -> anyhow::Result<Arc<Self>> {
        let metrics = Arc::new(RealtimeMetrics::new(registry)?);
        let writer = Writer::start(db.clone(), metrics.clone(), 16_384);
        Ok(Arc::new(Self {
            db,
            clock,
            keys,
            settings,
            rooms: Mutex::new(HashMap::new()),
            writer,
            metrics,
            emitter: OnceLock::new(),
            cluster: OnceLock::new(),
            last_announce: Mutex::new(std::time::Instant::now()),
        }))
    }

    /// The limits in force.
    pub fn settings(&self) -> &RealtimeSettings {
        &self.settings
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<String, RoomSlot>> {
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The room in memory, loading it from storage on first use.
    async fn room(&self, row: &SessionRow) -> Result<Arc<Room>, StoreError> {
        let slot = self.slots().entry(row.id.clone()).or_default().clone();
        let room = slot
            .get_or_try_init(|| async {
                if let Some(cluster) = self.cluster.get() {
                    cluster.loading(&row.id);
                }
                let stored = documents::load(&self.db, &row.id).await?;
                let room = Arc::new(Room::from_stored(row, stored));
                if let Some(cluster) = self.cluster.get() {
                    cluster.loaded(&room);
                }
                self.metrics.rooms.inc();
                Ok::<_, StoreError>(room)
            })
            .await;
        match room {
            Ok(room) => Ok(room.clone()),
            Err(e) => {
                // Let the next join try again rather than caching the failure.
                let mut slots = self.slots();
                if slots.get(&row.id).is_some_and(|s| Arc::ptr_eq(s, &slot)) {
                    slots.remove(&row.id);
                }
                Err(e)
            }
        }
    }

    /// People in a room on any node, one entry each.
    pub fn people_in(&self, room: &Room) -> Vec<presence::Participant> {
        let remote = self.remote_people(&room.id);
        presence::merge(room.participants().into_iter().chain(remote))
    }

    /// People in a room on the other nodes (none on a single node).
    fn remote_people(&self, room_id: &str) -> Vec<presence::Participant> {
        self.cluster
            .get()
            .map(|c| c.remote_people(room_id))
            .unwrap_or_default()
    }

    /// Another node's people in a room changed: show this node's members the new list.
    async fn presence_changed(&self, room_id: &str) {
        let Some(room) = self.loaded(room_id) else {
            return;
        };
        if room.member_count() > 0 {
            let people = self.people_in(&room);
            self.send(&room.id, "participants", &people, Reach::ThisNode)
                .await;
        }
    }

    /// Tells the other nodes who is in this room here.
    async fn announce(&self, room: &Room) {
        if let Some(cluster) = self.cluster.get() {
            cluster.announce(&room.id, &room.participants()).await;
        }
    }

    /// The room if this node holds it.
    pub fn loaded(&self, id: &str) -> Option<Arc<Room>> {
        self.slots().get(id).and_then(|s| s.get().cloned())
    }

    /// Keeps a run a member reported for the session's review; a failure is only
    /// logged, since the room has already seen the result.
    pub async fn record_run(&self, session_id: &str, source: &str, result: &serde_json::Value) {
        let json = result.to_string();
        let now = self.clock.now_ms();
        if let Err(e) = crate::store::runs::record(&self.db, session_id, source, &json, now).await {
            tracing::warn!(error = %e, session_id, "could not store a run in the session's history");
        }
    }

    /// The current plain code of a session: live if the room is open here,
    /// otherwise rebuilt from the stored document, else the saved text.
    pub async fn code_of(&self, row: &SessionRow) -> Result<String, StoreError> {
        if let Some(room) = self.loaded(&row.id) {
            return Ok(room.code());
        }
        let stored = documents::load(&self.db, &row.id).await?;
        Ok(room::code_of_stored(&stored).unwrap_or_else(|| row.code.clone()))
    }

    /// Tells a loaded room and its members that REST changed the session.
    pub async fn session_changed(&self, row: &SessionRow) {
        let Some(room) = self.loaded(&row.id) else {
            return;
        };
        let language_changed = room.language() != row.language;
        let status_changed = room.status() != row.status;
        room.refresh_from(row);
        if language_changed {
            self.emit(
                &row.id,
                "language_change",
                &LanguageChanged::by_server(&row.language),
            )
            .await;
        }
        if status_changed {
            self.emit(&row.id, "session_status", &SessionStatus::of(row))
                .await;
            self.emit(
                &row.id,
                "timer_state",
                &room.timer().state(self.clock.now_ms()),
            )
            .await;
        }
    }

    /// Closes a deleted session's room: members are told, then disconnected.
    pub async fn session_deleted(&self, id: &str) {
        let status = SessionStatus {
            status: "deleted".into(),
            read_only: true,
        };
        self.emit(id, "session_status", &status).await;
        if let Some(emitter) = self.emitter.get() {
            emitter.disconnect(id.to_string()).await;
        }
        if self.slots().remove(id).is_some_and(|s| s.get().is_some()) {
            self.metrics.rooms.dec();
        }
    }

    /// Sends binary data (a Socket.IO attachment) to a whole room, on every node.
    pub async fn emit_binary(&self, room: &str, event: &'static str, data: bytes::Bytes) {
        if let Some(emitter) = self.emitter.get() {
            let payload = Payload::Binary(data);
            emitter
                .emit(room.to_string(), event, payload, Reach::AllNodes)
                .await;
        }
    }

    /// Sends an event to a whole room, on every node (JSON; binary fields would
    /// become number arrays: use [`Realtime::emit_binary`] for those).
    pub async fn emit<T: Serialize>(&self, room: &str, event: &'static str, data: &T) {
        self.send(room, event, data, Reach::AllNodes).await;
    }

    async fn send<T: Serialize>(&self, room: &str, event: &'static str, data: &T, reach: Reach) {
        let Some(emitter) = self.emitter.get() else {
            return;
        };
        match serde_json::to_value(data) {
            Ok(value) => {
                let payload = Payload::Json(value);
                emitter.emit(room.to_string(), event, payload, reach).await
            }
            Err(e) => tracing::error!(event, error = %e, "cannot encode a room event"),
        }
    }

    /// Writes a snapshot of the room and drops the log rows it covers. Retries
    /// when another node's compaction of the same room got in first.
    pub async fn compact(&self, room: &Arc<Room>) -> Result<(), StoreError> {
        for _ in 0..5 {
            let stored = documents::read_snapshot(&self.db, &room.id).await?;
            let c = room.prepare_compaction(stored.as_ref().map(|s| s.data.as_slice()));
            let expected = stored.map(|s| s.version);
            let now = self.clock.now_ms();
            if documents::write_snapshot(&self.db, &room.id, &c.state, expected, now).await? {
                documents::delete_updates(&self.db, &room.id, &c.covered_ids).await?;
                documents::save_code(&self.db, &room.id, &c.code).await?;
                room.compacted(&c);
                self.metrics.compactions.inc();
                return Ok(());
            }
        }
        tracing::warn!(
            room = %room.id,
            "no snapshot written (other nodes kept winning, or the session is gone); trying again later"
        );
        Ok(())
    }

    /// One pass of housekeeping: compact busy rooms, compact and evict idle ones,
    /// renew presence announcements.
    pub async fn sweep(&self) {
        let rooms: Vec<Arc<Room>> = self
            .slots()
            .values()
            .filter_map(|s| s.get().cloned())
            .collect();
        let renew = {
            let mut last = self.last_announce.lock().unwrap_or_else(|e| e.into_inner());
            let due = last.elapsed() >= cluster::PRESENCE_RENEW;
            if due {
                *last = std::time::Instant::now();
            }
            due && self.cluster.get().is_some()
        };
        if renew {
            for room in rooms.iter().filter(|r| r.member_count() > 0) {
                self.announce(room).await;
            }
        }
        for room in rooms {
            let empty = room.member_count() == 0;
            let s = &self.settings;
            if room.needs_compaction(s.compact_updates, s.compact_interval)
                || (empty && room.needs_compaction(1, Duration::ZERO))
            {
                if let Err(e) = self.compact(&room).await {
                    tracing::warn!(room = %room.id, error = %e, "cannot compact a room");
                    continue;
                }
            }
            if room.evict_if_idle(s.room_idle) {
                let mut slots = self.slots();
                if slots
                    .get(&room.id)
                    .and_then(|s| s.get())
                    .is_some_and(|r| Arc::ptr_eq(r, &room))
                {
                    slots.remove(&room.id);
                    self.metrics.rooms.dec();
                    if let Some(cluster) = self.cluster.get() {
                        cluster.evicted(&room.id);
                    }
                }
            }
        }
    }

    /// Compacts every room with unsaved changes (at shutdown).
    pub async fn flush(&self) {
        let rooms: Vec<Arc<Room>> = self
            .slots()
            .values()
            .filter_map(|s| s.get().cloned())
            .collect();
        for room in rooms {
            if room.needs_compaction(1, Duration::ZERO) {
                if let Err(e) = self.compact(&room).await {
                    tracing::warn!(room = %room.id, error = %e, "cannot compact a room at shutdown");
                }
            }
        }
    }

    /// Runs [`Realtime::sweep`] every second until the process ends.
    pub fn spawn_sweeper(self: &Arc<Self>) {
        let hub = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(hub) = hub.upgrade() else { return };
                hub.sweep().await;
            }
        });
    }

    /// Rooms held in memory (tests).
    pub fn loaded_rooms(&self) -> usize {
        self.slots().values().filter(|s| s.get().is_some()).count()
    }
}

/// The `language_change` payload.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LanguageChanged {
    /// The new editor language.
    pub language: String,
    /// Who changed it (participant id), or `None` for a REST change.
    pub by: Option<String>,
}

impl LanguageChanged {
    fn by_server(language: &str) -> Self {
        Self {
            language: language.to_string(),
            by: None,
        }
    }
}

/// The `session_status` payload: the session started or ended.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    /// `scheduled`, `active` or `completed`.
    pub status: String,
    /// Completed sessions are read-only.
    pub read_only: bool,
}

impl SessionStatus {
    fn of(row: &SessionRow) -> Self {
        Self {
            read_only: row.status == "completed",
            status: row.status.clone(),
        }
    }
}
