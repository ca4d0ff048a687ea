//! The sandbox's Prometheus metrics.

use prometheus::{Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry};

use super::outcome::Outcome;

/// Metrics of runs, the queue and the compile cache.
pub struct SandboxMetrics {
    /// Runs by language and status.
    pub executions: IntCounterVec,
    /// Run wall time by language.
    pub duration: HistogramVec,
    /// Fuel used by language.
    pub fuel: HistogramVec,
    /// Time waiting for a slot.
    pub queue_wait: Histogram,
    /// Runs executing now.
    pub running: IntGauge,
    /// Runs waiting now.
    pub queued: IntGauge,
    /// Compiled-module cache results (`hit`, `miss`).
    pub compile_cache: IntCounterVec,
}

impl SandboxMetrics {
    /// Registers the metrics.
    pub fn new(registry: &Registry) -> anyhow::Result<Self> {
        let seconds = vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ];
        let m = Self {
            executions: IntCounterVec::new(
                Opts::new(
                    "devinterview_executions_total",
                    "Sandbox runs, by language and status",
                ),
                &["language", "status"],
            )?,
            duration: HistogramVec::new(
                HistogramOpts::new(
                    "devinterview_execution_duration_seconds",
                    "Wall time of a sandbox run",
                )
                .buckets(seconds.clone()),
                &["language"],
            )?,
            fuel: HistogramVec::new(
                HistogramOpts::new("devinterview_execution_fuel", "Fuel used by a sandbox run")
                    .buckets(prometheus::exponential_buckets(1e5, 10.0, 7)?),
                &["language"],
            )?,
            queue_wait: Histogram::with_opts(
                HistogramOpts::new(
                    "devinterview_execution_queue_wait_seconds",
                    "Time a run waited for a slot",
                )
                .buckets(seconds),
            )?,
            running: IntGauge::new(
                "devinterview_executions_running",
                "Sandbox runs executing now",
            )?,
            queued: IntGauge::new(
                "devinterview_executions_queued",
                "Sandbox runs waiting for a slot",
            )?,
            compile_cache: IntCounterVec::new(
                Opts::new(
                    "devinterview_compile_cache_total",
                    "Compiled-module cache lookups, by result",
                ),
                &["result"],
            )?,
        };
        registry.register(Box::new(m.executions.clone()))?;
        registry.register(Box::new(m.duration.clone()))?;
        registry.register(Box::new(m.fuel.clone()))?;
        registry.register(Box::new(m.queue_wait.clone()))?;
        registry.register(Box::new(m.running.clone()))?;
        registry.register(Box::new(m.queued.clone()))?;
        registry.register(Box::new(m.compile_cache.clone()))?;
        Ok(m)
    }

    /// Counts a finished run.
    pub fn record(&self, o: &Outcome) {
        self.executions
            .with_label_values(&[o.language.as_str(), o.status.as_str()])
            .inc();
        self.duration
            .with_label_values(&[o.language.as_str()])
            .observe(o.wall_time_ms as f64 / 1000.0);
        self.fuel
            .with_label_values(&[o.language.as_str()])
            .observe(o.fuel_used as f64);
    }
}
