//! The realtime layer's Prometheus metrics.

use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry};

/// Sockets, rooms, document traffic and the group commit.
pub struct RealtimeMetrics {
    /// Connected sockets on this node.
    pub sockets: IntGauge,
    /// Rooms held in memory on this node.
    pub rooms: IntGauge,
    /// Socket events received, by event name.
    pub events: IntCounterVec,
    /// Socket events refused, by reason.
    pub refused: IntCounterVec,
    /// Document updates committed to the log.
    pub persisted: IntCounter,
    /// Document updates whose commit failed.
    pub persist_failures: IntCounter,
    /// Updates per group commit.
    pub batch_size: Histogram,
    /// Time of one group commit.
    pub commit_seconds: Histogram,
    /// Snapshots written.
    pub compactions: IntCounter,
}

impl RealtimeMetrics {
    /// Registers the metrics.
    pub fn new(registry: &Registry) -> anyhow::Result<Self> {
        let m = Self {
            sockets: IntGauge::new("devinterview_socket_connections", "Connected sockets")?,
            rooms: IntGauge::new("devinterview_rooms_loaded", "Rooms held in memory")?,
            events: IntCounterVec::new(
                Opts::new("devinterview_socket_events_total", "Socket events received"),
                &["event"],
            )?,
            refused: IntCounterVec::new(
                Opts::new(
                    "devinterview_socket_refusals_total",
                    "Socket events refused, by reason",
                ),
                &["reason"],
            )?,
            persisted: IntCounter::new(
                "devinterview_doc_updates_persisted_total",
                "Document updates committed to the log",
            )?,
            persist_failures: IntCounter::new(
                "devinterview_doc_updates_failed_total",
                "Document updates whose commit failed",
            )?,
            batch_size: Histogram::with_opts(
                HistogramOpts::new(
                    "devinterview_doc_commit_batch_size",
                    "Document updates per group commit",
                )
                .buckets(vec![1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 512.0]),
            )?,
            commit_seconds: Histogram::with_opts(
                HistogramOpts::new(
                    "devinterview_doc_commit_seconds",
                    "Duration of one group commit",
                )
                .buckets(vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
                ]),
            )?,
            compactions: IntCounter::new(
                "devinterview_doc_compactions_total",
                "Document snapshots written",
            )?,
        };
        registry.register(Box::new(m.sockets.clone()))?;
        registry.register(Box::new(m.rooms.clone()))?;
        registry.register(Box::new(m.events.clone()))?;
        registry.register(Box::new(m.refused.clone()))?;
        registry.register(Box::new(m.persisted.clone()))?;
        registry.register(Box::new(m.persist_failures.clone()))?;
        registry.register(Box::new(m.batch_size.clone()))?;
        registry.register(Box::new(m.commit_seconds.clone()))?;
        registry.register(Box::new(m.compactions.clone()))?;
        Ok(m)
    }
}
