//! Building the Socket.IO layer, on one node or across several through Redis.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use socketioxide::adapter::{Emitter, LocalAdapter};
use socketioxide::layer::SocketIoLayer;
use socketioxide::SocketIo;
use socketioxide_redis::{RedisAdapter, RedisAdapterCtr};

use super::cluster::Cluster;
use super::{attach, attach_redis, Realtime};
use crate::config::redact_url;

/// The Socket.IO layer to put on the router.
pub enum SocketLayer {
    /// Rooms live on this node only.
    Local(SocketIoLayer<LocalAdapter>),
    /// Rooms span the nodes that share `REDIS_URL`.
    Redis(SocketIoLayer<RedisAdapter<Emitter>>),
}

impl SocketLayer {
    /// Serves `/socket.io` in front of `router`.
    pub fn apply(self, router: Router) -> Router {
        match self {
            Self::Local(layer) => router.layer(layer),
            Self::Redis(layer) => router.layer(layer),
        }
    }

    /// Builds the layer and registers the handlers.
    pub async fn build(hub: &Arc<Realtime>) -> anyhow::Result<Self> {
        let s = hub.settings();
        let builder = SocketIo::builder()
            .with_state(hub.clone())
            .max_payload(s.max_message_bytes as u64)
            .ws_max_message_size(s.max_message_bytes)
            .ws_max_frame_size(s.max_message_bytes)
            .ping_interval(Duration::from_secs(20))
            .ping_timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(10));
        match &s.redis_url {
            None => {
                let (layer, io) = builder.build_layer();
                attach(&io, hub);
                Ok(Self::Local(layer))
            }
            Some(url) => {
                let client = redis::Client::open(with_resp3(url.expose())).map_err(|e| {
                    anyhow::anyhow!("cannot use REDIS_URL {}: {e}", redact_url(url.expose()))
                })?;
                let adapter = RedisAdapterCtr::new_with_redis(&client)
                    .await
                    .map_err(|e| {
                        anyhow::anyhow!(
                            "cannot connect to Redis at {} (REDIS_URL): {e}",
                            redact_url(url.expose())
                        )
                    })?;
                let cluster = Cluster::connect(&client, Arc::downgrade(hub)).await?;
                let _ = hub.cluster.set(cluster);
                let (layer, io) = builder
                    .with_adapter::<RedisAdapter<_>>(adapter)
                    .build_layer();
                attach_redis(&io, hub).await?;
                tracing::info!("rooms span nodes through Redis");
                Ok(Self::Redis(layer))
            }
        }
    }
}

/// The Redis adapter speaks RESP3 (Redis 7+); say so unless the URL already does.
fn with_resp3(url: &str) -> String {
    if url.contains("protocol=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&protocol=resp3")
    } else {
        format!("{url}?protocol=resp3")
    }
}
