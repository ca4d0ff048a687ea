//! What every handler shares.

use std::sync::Arc;

use crate::auth::rate_limit::RateLimiter;
use crate::auth::TokenKeys;
use crate::clock::Clock;
use crate::config::Config;
use crate::realtime::Realtime;
use crate::sandbox::Sandbox;
use crate::store::Db;
use crate::telemetry::Metrics;

/// Shared, cheaply cloned application state.
#[derive(Clone)]
pub struct AppState {
    /// Settings of this process.
    pub config: Arc<Config>,
    /// The database pool.
    pub db: Db,
    /// Token signing and verification.
    pub keys: Arc<TokenKeys>,
    /// Source of "now".
    pub clock: Clock,
    /// Login throttles.
    pub login_limits: Arc<LoginThrottle>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Server-side code execution.
    pub sandbox: Arc<Sandbox>,
    /// Per-caller throttle on starting runs.
    pub execution_limits: Arc<RateLimiter>,
    /// The live rooms.
    pub realtime: Arc<Realtime>,
}

/// The two login throttles: per client address and per account.
pub struct LoginThrottle {
    /// Keyed by client IP.
    pub by_ip: RateLimiter,
    /// Keyed by normalised e-mail address.
    pub by_account: RateLimiter,
}
