//! Rooms across several nodes.
//!
//! Socket.IO traffic crosses nodes through socketioxide's Redis adapter: an
//! update relayed on node 1 reaches the room's sockets on node 2 directly. But
//! node 2's own copy of the document would not see it, and a client joining
//! there would get a stale state. So every node also publishes the updates it
//! accepts on one Redis channel, and every node applies the ones for rooms it
//! holds. Updates that arrive while a room is still loading wait in a backlog
//! and are applied when the load completes (applying an update twice is harmless).
//!
//! The same channel carries presence: each node announces who is in each of its
//! rooms when that changes and every few seconds, so a join on any node lists
//! the people on every node. An announcement not renewed within
//! [`PRESENCE_TTL`] (its node died) is ignored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use redis::AsyncCommands;

use super::presence::Participant;
use super::room::Room;

/// How long another node's presence announcement counts without renewal.
pub const PRESENCE_TTL: Duration = Duration::from_secs(30);
/// How often a node renews its announcements.
pub const PRESENCE_RENEW: Duration = Duration::from_secs(10);

const KIND_UPDATE: u8 = 0;
const KIND_PRESENCE: u8 = 1;

/// The Redis channel carrying accepted document updates.
const CHANNEL: &str = "devinterview:doc-updates";
/// Updates kept per loading room before the oldest are dropped (the room then
/// relies on the database, which it is reading at that moment anyway).
const MAX_BACKLOG: usize = 1024;

/// This node's link to the others.
pub struct Cluster {
    node: [u8; 16],
    publisher: redis::aio::MultiplexedConnection,
    state: Arc<Mutex<Shared>>,
}

/// People in a room on one node, and when that node said so.
type Announced = (Vec<Participant>, Instant);

#[derive(Default)]
struct Shared {
    rooms: HashMap<String, Weak<Room>>,
    backlog: HashMap<String, Vec<Vec<u8>>>,
    loading: std::collections::HashSet<String>,
    /// Room → node → what it announced.
    presence: HashMap<String, HashMap<[u8; 16], Announced>>,
}

impl Cluster {
    /// Connects to Redis and starts applying other nodes' updates.
    pub async fn connect(
        client: &redis::Client,
        hub: Weak<super::Realtime>,
    ) -> anyhow::Result<Self> {
        let publisher = client.get_multiplexed_async_connection().await?;
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(CHANNEL).await?;
        let node = *uuid::Uuid::new_v4().as_bytes();
        let state = Arc::new(Mutex::new(Shared::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            let mut messages = pubsub.into_on_message();
            while let Some(msg) = messages.next().await {
                match decode(msg.get_payload_bytes()) {
                    Some((_, from, _, _)) if from == node => {}
                    Some((KIND_UPDATE, _, room, update)) => receive(&shared, room, update),
                    Some((KIND_PRESENCE, from, room, people)) => {
                        if let Ok(people) = serde_json::from_slice::<Vec<Participant>>(people) {
                            let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
                            let rooms = s.presence.entry(room.to_string()).or_default();
                            let changed = match rooms.get(&from) {
                                Some((before, _)) => *before != people,
                                None => !people.is_empty(),
                            };
                            if people.is_empty() {
                                rooms.remove(&from);
                            } else {
                                rooms.insert(from, (people, Instant::now()));
                            }
                            drop(s);
                            if let (true, Some(hub)) = (changed, hub.upgrade()) {
                                let room = room.to_string();
                                tokio::spawn(async move { hub.presence_changed(&room).await });
                            }
                        }
                    }
                    _ => {}
                }
            }
            tracing::error!(
                "lost the Redis subscription: rooms on other nodes no longer sync here"
            );
        });
        Ok(Self {
            node,
            publisher,
            state,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes that a room starts loading: updates for it are kept until it is loaded.
    pub fn loading(&self, room_id: &str) {
        self.lock().loading.insert(room_id.to_string());
    }

    /// Registers a loaded room and applies what arrived while it loaded.
    pub fn loaded(&self, room: &Arc<Room>) {
        let mut shared = self.lock();
        shared.loading.remove(&room.id);
        shared.rooms.insert(room.id.clone(), Arc::downgrade(room));
        for update in shared.backlog.remove(&room.id).unwrap_or_default() {
            room.apply_remote(&update);
        }
    }

    /// Forgets an evicted room.
    pub fn evicted(&self, room_id: &str) {
        self.lock().rooms.remove(room_id);
    }

    /// Tells the other nodes about an update this node accepted.
    pub async fn publish(&self, room_id: &str, update: &[u8]) {
        self.send(KIND_UPDATE, room_id, update).await;
    }

    /// Tells the other nodes who is in a room on this node.
    pub async fn announce(&self, room_id: &str, people: &[Participant]) {
        if let Ok(body) = serde_json::to_vec(people) {
            self.send(KIND_PRESENCE, room_id, &body).await;
        }
    }

    /// People in a room on the other nodes, as last announced.
    pub fn remote_people(&self, room_id: &str) -> Vec<Participant> {
        let shared = self.lock();
        shared
            .presence
            .get(room_id)
            .into_iter()
            .flat_map(|nodes| nodes.values())
            .filter(|(_, at)| at.elapsed() < PRESENCE_TTL)
            .flat_map(|(people, _)| people.iter().cloned())
            .collect()
    }

    async fn send(&self, kind: u8, room_id: &str, body: &[u8]) {
        let room = &room_id.as_bytes()[..room_id.len().min(255)];
        let mut message = Vec::with_capacity(18 + room.len() + body.len());
        message.push(kind);
        message.extend_from_slice(&self.node);
        message.push(room.len() as u8);
        message.extend_from_slice(room);
        message.extend_from_slice(body);
        let mut conn = self.publisher.clone();
        if let Err(e) = conn.publish::<_, _, ()>(CHANNEL, message).await {
            tracing::warn!(error = %e, "cannot publish to the other nodes");
        }
    }
}

fn receive(state: &Mutex<Shared>, room_id: &str, update: &[u8]) {
    let mut shared = state.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(room) = shared.rooms.get(room_id).and_then(Weak::upgrade) {
        drop(shared);
        room.apply_remote(update);
    } else if shared.loading.contains(room_id) {
        let backlog = shared.backlog.entry(room_id.to_string()).or_default();
        if backlog.len() < MAX_BACKLOG {
            backlog.push(update.to_vec());
        }
    }
}

/// Splits a message into kind, sending node, room and body.
fn decode(payload: &[u8]) -> Option<(u8, [u8; 16], &str, &[u8])> {
    let kind = *payload.first()?;
    let node: [u8; 16] = payload.get(1..17)?.try_into().ok()?;
    let len = usize::from(*payload.get(17)?);
    let room = std::str::from_utf8(payload.get(18..18 + len)?).ok()?;
    Some((kind, node, room, payload.get(18 + len..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_garbage_is_ignored() {
        let mut m = vec![KIND_UPDATE];
        m.extend_from_slice(&[7u8; 16]);
        m.push(3);
        m.extend_from_slice(b"abc");
        m.extend_from_slice(&[1, 2, 3]);
        let (kind, node, room, update) = decode(&m).unwrap();
        assert_eq!(kind, KIND_UPDATE);
        assert_eq!(node, [7u8; 16]);
        assert_eq!(room, "abc");
        assert_eq!(update, &[1, 2, 3]);
        assert!(decode(&m[..10]).is_none());
    }
}
