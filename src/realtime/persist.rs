//! Group commit of document updates.
//!
//! Updates are relayed to the room first, then queued here; one writer task
//! takes everything queued, writes it in one transaction and only then lets each
//! sender acknowledge. Storage never sits on the broadcast path, and under load
//! one commit covers hundreds of keystrokes instead of one each.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::metrics::RealtimeMetrics;
use super::room::Room;
use crate::store::documents::{self, NewUpdate};
use crate::store::Db;

/// Most updates one transaction takes.
const MAX_BATCH: usize = 512;
/// How long the writer waits for more updates before committing a batch.
const COMMIT_LINGER: std::time::Duration = std::time::Duration::from_millis(2);

/// An update waiting to be written.
struct Job {
    update: NewUpdate,
    room: Arc<Room>,
    done: oneshot::Sender<Result<(), String>>,
}

/// Handle to the writer task.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer task; `queue` bounds the updates waiting for a commit.
    pub fn start(db: Db, metrics: Arc<RealtimeMetrics>, queue: usize) -> Self {
        let (tx, rx) = mpsc::channel(queue);
        tokio::spawn(run(db, metrics, rx));
        Self { tx }
    }

    /// Queues an update and waits until it is committed.
    pub async fn persist(&self, room: Arc<Room>, update: NewUpdate) -> Result<(), String> {
        let (done, committed) = oneshot::channel();
        self.tx
            .send(Job { update, room, done })
            .await
            .map_err(|_| "the server is shutting down".to_string())?;
        committed
            .await
            .map_err(|_| "the server is shutting down".to_string())?
    }
}

async fn run(db: Db, metrics: Arc<RealtimeMetrics>, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Linger briefly so a busy server commits tens of updates at once instead
        // of a trickle of tiny transactions: it costs the sender up to
        // COMMIT_LINGER on its acknowledgement, never the other members (they got
        // the update before it was queued here).
        if batch.len() < MAX_BATCH {
            tokio::time::sleep(COMMIT_LINGER).await;
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
        }
        let mut rows = Vec::with_capacity(batch.len());
        let mut waiting = Vec::with_capacity(batch.len());
        for job in batch.drain(..) {
            rows.push(job.update);
            waiting.push((job.room, job.done));
        }
        let timer = metrics.commit_seconds.start_timer();
        let written = documents::append(&db, &rows).await;
        timer.observe_duration();
        metrics.batch_size.observe(rows.len() as f64);
        match written {
            Ok(appended) => {
                let mut by_room: HashMap<&str, Vec<i64>> = HashMap::new();
                for (session_id, id) in &appended.ids {
                    by_room.entry(session_id.as_str()).or_default().push(*id);
                }
                for (room, _) in &waiting {
                    if let Some(ids) = by_room.remove(room.id.as_str()) {
                        room.logged(ids);
                    }
                }
                metrics.persisted.inc_by(appended.ids.len() as u64);
                for (room, done) in waiting {
                    let result = if appended.deleted_rooms.contains(&room.id) {
                        Err("the interview was deleted; the update was discarded".to_string())
                    } else {
                        Ok(())
                    };
                    let _ = done.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, updates = rows.len(), "cannot write document updates");
                metrics.persist_failures.inc_by(rows.len() as u64);
                for (_, done) in waiting {
                    let _ = done.send(Err(
                        "the update was not saved (storage unavailable); it stays in your editor and is sent again on reconnect".into(),
                    ));
                }
            }
        }
    }
}
