//! Rooms across several nodes.
//!
//! Socket.IO traffic crosses nodes through socketioxide's Redis adapter: an
//! update relayed on node 1 reaches the room's sockets on node 2 directly. But
//! node 2's own copy of the document would not see it, and a client joining
//! there would get a stale state. So every node also publishes the updates it
//! accepts on one Redis channel, and every node applies the ones for rooms it
//! holds. Updates that arrive while a room is still loading wait in a backlog
//! and are applied when the load completes (applying an update twice is harmless).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use futures_util::StreamExt;
use redis::AsyncCommands;

use super::room::Room;

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

#[derive(Default)]
struct Shared {
    rooms: HashMap<String, Weak<Room>>,
    backlog: HashMap<String, Vec<Vec<u8>>>,
    loading: std::collections::HashSet<String>,
}

impl Cluster {
    /// Connects to Redis and starts applying other nodes' updates.
    pub async fn connect(client: &redis::Client) -> anyhow::Result<Self> {
        let publisher = client.get_multiplexed_async_connection().await?;
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(CHANNEL).await?;
        let node = *uuid::Uuid::new_v4().as_bytes();
        let state = Arc::new(Mutex::new(Shared::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            let mut messages = pubsub.into_on_message();
            while let Some(msg) = messages.next().await {
                if let Some((from, room, update)) = decode(msg.get_payload_bytes()) {
                    if from != node {
                        receive(&shared, room, update);
                    }
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
        let mut message = Vec::with_capacity(17 + room_id.len() + update.len());
        message.extend_from_slice(&self.node);
        message.push(room_id.len().min(255) as u8);
        message.extend_from_slice(&room_id.as_bytes()[..room_id.len().min(255)]);
        message.extend_from_slice(update);
        let mut conn = self.publisher.clone();
        if let Err(e) = conn.publish::<_, _, ()>(CHANNEL, message).await {
            tracing::warn!(error = %e, "cannot publish a document update to the other nodes");
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

fn decode(payload: &[u8]) -> Option<([u8; 16], &str, &[u8])> {
    let node: [u8; 16] = payload.get(..16)?.try_into().ok()?;
    let len = usize::from(*payload.get(16)?);
    let room = std::str::from_utf8(payload.get(17..17 + len)?).ok()?;
    Some((node, room, payload.get(17 + len..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_garbage_is_ignored() {
        let mut m = vec![7u8; 16];
        m.push(3);
        m.extend_from_slice(b"abc");
        m.extend_from_slice(&[1, 2, 3]);
        let (node, room, update) = decode(&m).unwrap();
        assert_eq!(node, [7u8; 16]);
        assert_eq!(room, "abc");
        assert_eq!(update, &[1, 2, 3]);
        assert!(decode(&m[..10]).is_none());
    }
}
