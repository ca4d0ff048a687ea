//! Typed configuration read once from environment variables.
//!
//! Every variable, its default and its meaning is listed in the README; a value
//! that does not parse stops start-up with a message naming the variable.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A secret string that never prints itself through `Debug` or `Display`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call sites that use it are the only places it appears.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, coloured when on a terminal.
    Pretty,
    /// One JSON object a line, for log shippers.
    Json,
}

/// Login throttling: attempts allowed per client address and per account.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// Attempts one client address may make in `ip_window`.
    pub per_ip: u32,
    /// Window for `per_ip`.
    pub ip_window: Duration,
    /// Attempts one account may receive in `account_window`.
    pub per_account: u32,
    /// Window for `per_account`.
    pub account_window: Duration,
}

/// All settings of one server process.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to bind (`BIND`).
    pub bind: IpAddr,
    /// TCP port; 0 picks a free one (`PORT`).
    pub port: u16,
    /// Where the SQLite file, the generated JWT secret and caches live (`DATA_DIR`).
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; `None` means the SQLite file in `data_dir`.
    pub database_url: Option<Secret>,
    /// Pool size (`DB_MAX_CONNECTIONS`).
    pub db_max_connections: u32,
    /// How long a request waits for a connection before answering 503 (`DB_ACQUIRE_TIMEOUT_MS`).
    pub db_acquire_timeout: Duration,
    /// HS256 signing secret; `None` means generate one and keep it in `data_dir`.
    pub jwt_secret: Option<Secret>,
    /// Lifetime of issued tokens (`TOKEN_TTL_MINUTES`).
    pub token_ttl: Duration,
    /// Built web app to serve at `/` (`WEB_DIR`).
    pub web_dir: PathBuf,
    /// Log line format (`LOG_FORMAT`).
    pub log_format: LogFormat,
    /// Origins allowed to call the API from another origin (`CORS_ORIGINS`).
    pub cors_origins: Vec<String>,
    /// Whether anyone may sign up as an interviewer (`ALLOW_SIGNUP`).
    pub allow_signup: bool,
    /// Create a demo interviewer at start (`DEMO_SEED`).
    pub demo_seed: bool,
    /// Largest request body accepted (`MAX_BODY_BYTES`).
    pub max_body_bytes: usize,
    /// Login throttling (`LOGIN_MAX_PER_IP`, `LOGIN_MAX_PER_ACCOUNT`).
    pub login_limits: LoginLimits,
    /// Take the client address from `X-Forwarded-For`/`X-Real-IP` (`TRUST_PROXY_HEADERS`).
    pub trust_proxy_headers: bool,
    /// Base URL used to build invite links (`PUBLIC_URL`); `None` means this
    /// server's own address, known once the port is bound.
    pub public_url: Option<String>,
    /// How long in-flight requests get to finish after SIGTERM (`SHUTDOWN_TIMEOUT_SECONDS`).
    pub shutdown_timeout: Duration,
    /// Server-side code execution settings.
    pub sandbox: SandboxSettings,
    /// Socket.IO rooms: limits, compaction and scale-out.
    pub realtime: RealtimeSettings,
}

/// Settings of the realtime rooms.
#[derive(Debug, Clone)]
pub struct RealtimeSettings {
    /// Redis for rooms that span several nodes (`REDIS_URL`; unset: one node).
    pub redis_url: Option<Secret>,
    /// People (not tabs) allowed in one room (`ROOM_MAX_PARTICIPANTS`).
    pub max_participants: usize,
    /// Largest Socket.IO message, any event (`SOCKET_MAX_MESSAGE_BYTES`).
    pub max_message_bytes: usize,
    /// Largest single document update (`ROOM_MAX_UPDATE_BYTES`).
    pub max_update_bytes: usize,
    /// Largest document, editor and whiteboard together (`ROOM_MAX_DOC_BYTES`).
    pub max_doc_bytes: usize,
    /// Events one socket may send per second on average (`SOCKET_EVENTS_PER_SECOND`).
    pub events_per_second: u32,
    /// Events one socket may send in a burst (`SOCKET_EVENT_BURST`).
    pub event_burst: u32,
    /// A socket that joins no room within this is disconnected (`SOCKET_JOIN_TIMEOUT_SECONDS`).
    pub join_timeout: Duration,
    /// An empty room stays in memory this long (`ROOM_IDLE_SECONDS`).
    pub room_idle: Duration,
    /// Compact a room's log after this many updates (`ROOM_COMPACT_UPDATES`).
    pub compact_updates: usize,
    /// Or after this long with any new update (`ROOM_COMPACT_SECONDS`).
    pub compact_interval: Duration,
}

/// Settings of the server-side sandbox.
#[derive(Debug, Clone)]
pub struct SandboxSettings {
    /// Whether server-side execution is on (`SANDBOX_ENABLED`).
    pub enabled: bool,
    /// Runtime manifests and fetched artefacts (`RUNTIMES_DIR`).
    pub runtimes_dir: PathBuf,
    /// Compiled-module cache (`SANDBOX_CACHE_DIR`; default `DATA_DIR/sandbox-cache`).
    pub cache_dir: Option<PathBuf>,
    /// Most runs at once (`SANDBOX_CONCURRENCY`; default: cores).
    pub max_concurrent: usize,
    /// Most runs waiting (`SANDBOX_QUEUE_CAP`).
    pub max_queued: usize,
    /// Runs one user (or one candidate's session) may start per minute (`EXECUTIONS_PER_MINUTE`).
    pub per_minute: u32,
}

/// A configuration value that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {variable}={value:?}: {reason}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What it was set to (secrets are never echoed).
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&std::env::vars().collect())
    }

    /// Reads the configuration from a map of variables (the environment, or a test's own).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let env = Env(vars);
        let port: u16 = env.parse("PORT", 8080)?;
        let bind: IpAddr = env.parse("BIND", IpAddr::from([127, 0, 0, 1]))?;
        let log_format = match env.get("LOG_FORMAT").as_deref() {
            None | Some("pretty") | Some("text") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    variable: "LOG_FORMAT",
                    value: other.to_string(),
                    reason: "expected `pretty` or `json`".into(),
                })
            }
        };
        let database_url = match env.get("DATABASE_URL") {
            None => None,
            Some(url) => {
                if !is_supported_database_url(&url) {
                    return Err(ConfigError {
                        variable: "DATABASE_URL",
                        value: redact_url(&url),
                        reason: "expected a sqlite://, postgres:// or postgresql:// URL".into(),
                    });
                }
                Some(Secret::new(url))
            }
        };
        let jwt_secret = match env.get("JWT_SECRET") {
            None => None,
            Some(s) if s.len() < 32 => {
                return Err(ConfigError {
                    variable: "JWT_SECRET",
                    value: "[redacted]".into(),
                    reason: format!("must be at least 32 bytes long (got {})", s.len()),
                })
            }
            Some(s) => Some(Secret::new(s)),
        };
        let cors_origins = match env.get("CORS_ORIGINS") {
            None => Vec::new(),
            Some(list) => parse_origins(&list)?,
        };
        let ttl_minutes: u64 = env.parse("TOKEN_TTL_MINUTES", 12 * 60)?;
        if ttl_minutes == 0 {
            return Err(ConfigError {
                variable: "TOKEN_TTL_MINUTES",
                value: "0".into(),
                reason: "must be at least 1".into(),
            });
        }
        let public_url = env.get("PUBLIC_URL");
        if let Some(url) = &public_url {
            if url::Url::parse(url).is_err() {
                return Err(ConfigError {
                    variable: "PUBLIC_URL",
                    value: url.clone(),
                    reason: "expected an absolute URL such as https://interviews.example.com"
                        .into(),
                });
            }
        }
        Ok(Self {
            bind,
            port,
            data_dir: PathBuf::from(env.get("DATA_DIR").unwrap_or_else(|| "./data".into())),
            database_url,
            db_max_connections: env.parse_min("DB_MAX_CONNECTIONS", 10, 1)?,
            db_acquire_timeout: Duration::from_millis(env.parse_min(
                "DB_ACQUIRE_TIMEOUT_MS",
                3000,
                1,
            )?),
            jwt_secret,
            token_ttl: Duration::from_secs(ttl_minutes * 60),
            web_dir: PathBuf::from(env.get("WEB_DIR").unwrap_or_else(|| "web/dist".into())),
            log_format,
            cors_origins,
            allow_signup: env.parse_bool("ALLOW_SIGNUP", true)?,
            demo_seed: env.parse_bool("DEMO_SEED", false)?,
            max_body_bytes: env.parse_min("MAX_BODY_BYTES", 1024 * 1024, 1024)?,
            login_limits: LoginLimits {
                per_ip: env.parse_min("LOGIN_MAX_PER_IP", 20, 1)?,
                ip_window: Duration::from_secs(60),
                per_account: env.parse_min("LOGIN_MAX_PER_ACCOUNT", 10, 1)?,
                account_window: Duration::from_secs(15 * 60),
            },
            trust_proxy_headers: env.parse_bool("TRUST_PROXY_HEADERS", false)?,
            public_url: public_url.map(|u| u.trim_end_matches('/').to_string()),
            shutdown_timeout: Duration::from_secs(env.parse("SHUTDOWN_TIMEOUT_SECONDS", 30)?),
            sandbox: SandboxSettings {
                enabled: env.parse_bool("SANDBOX_ENABLED", true)?,
                runtimes_dir: PathBuf::from(
                    env.get("RUNTIMES_DIR")
                        .unwrap_or_else(|| "./runtimes".into()),
                ),
                cache_dir: env.get("SANDBOX_CACHE_DIR").map(PathBuf::from),
                max_concurrent: env.parse_min(
                    "SANDBOX_CONCURRENCY",
                    std::thread::available_parallelism().map_or(2, |n| n.get()),
                    1,
                )?,
                max_queued: env.parse("SANDBOX_QUEUE_CAP", 64)?,
                per_minute: env.parse_min("EXECUTIONS_PER_MINUTE", 120, 1)?,
            },
            realtime: RealtimeSettings {
                redis_url: env.get("REDIS_URL").map(Secret::new),
                max_participants: env.parse_min("ROOM_MAX_PARTICIPANTS", 10, 2)?,
                max_message_bytes: env.parse_min("SOCKET_MAX_MESSAGE_BYTES", 1024 * 1024, 4096)?,
                max_update_bytes: env.parse_min("ROOM_MAX_UPDATE_BYTES", 256 * 1024, 1024)?,
                max_doc_bytes: env.parse_min("ROOM_MAX_DOC_BYTES", 16 * 1024 * 1024, 64 * 1024)?,
                events_per_second: env.parse_min("SOCKET_EVENTS_PER_SECOND", 60, 1)?,
                event_burst: env.parse_min("SOCKET_EVENT_BURST", 240, 1)?,
                join_timeout: Duration::from_secs(env.parse_min(
                    "SOCKET_JOIN_TIMEOUT_SECONDS",
                    30,
                    1,
                )?),
                room_idle: Duration::from_secs(env.parse("ROOM_IDLE_SECONDS", 30)?),
                compact_updates: env.parse_min("ROOM_COMPACT_UPDATES", 500, 1)?,
                compact_interval: Duration::from_secs(env.parse_min(
                    "ROOM_COMPACT_SECONDS",
                    60,
                    1,
                )?),
            },
        })
    }

    /// The database URL in force: the configured one or the embedded SQLite file.
    pub fn effective_database_url(&self) -> Secret {
        match &self.database_url {
            Some(url) => url.clone(),
            None => Secret::new(format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("devinterview.db").display()
            )),
        }
    }
}

/// Lookup helper that turns parse failures into errors naming the variable.
struct Env<'a>(&'a HashMap<String, String>);

impl Env<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.0
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn parse<T: std::str::FromStr>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError {
                variable: name,
                value: raw.clone(),
                reason: e.to_string(),
            }),
        }
    }

    fn parse_min<T>(&self, name: &'static str, default: T, min: T) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + fmt::Display + Copy,
        T::Err: fmt::Display,
    {
        let value = self.parse(name, default)?;
        if value < min {
            return Err(ConfigError {
                variable: name,
                value: value.to_string(),
                reason: format!("must be at least {min}"),
            });
        }
        Ok(value)
    }

    fn parse_bool(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).map(|v| v.to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
            Some(v) => Err(ConfigError {
                variable: name,
                value: v,
                reason: "expected true or false".into(),
            }),
        }
    }
}

fn is_supported_database_url(url: &str) -> bool {
    ["sqlite:", "postgres://", "postgresql://"]
        .iter()
        .any(|scheme| url.starts_with(scheme))
}

/// Hides the password of a database URL so it can appear in an error message.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("[redacted]"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "[unparseable URL]".into(),
    }
}

fn parse_origins(list: &str) -> Result<Vec<String>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            if origin == "*" {
                return Err(ConfigError {
                    variable: "CORS_ORIGINS",
                    value: list.to_string(),
                    reason: "`*` is not allowed: list the origins that may call the API".into(),
                });
            }
            match url::Url::parse(origin) {
                Ok(u) if u.scheme() == "http" || u.scheme() == "https" => {
                    Ok(origin.trim_end_matches('/').to_string())
                }
                _ => Err(ConfigError {
                    variable: "CORS_ORIGINS",
                    value: list.to_string(),
                    reason: format!("`{origin}` is not an http(s) origin"),
                }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(c.port, 8080);
        assert_eq!(c.bind.to_string(), "127.0.0.1");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.web_dir, PathBuf::from("web/dist"));
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert!(c.allow_signup);
        assert!(!c.demo_seed);
        assert!(c.database_url.is_none());
        assert_eq!(c.public_url, None);
        assert!(c
            .effective_database_url()
            .expose()
            .ends_with("data/devinterview.db?mode=rwc"));
        let r = &c.realtime;
        assert!(r.redis_url.is_none());
        assert_eq!(r.max_participants, 10);
        assert_eq!(r.max_message_bytes, 1024 * 1024);
        assert_eq!(r.max_update_bytes, 256 * 1024);
        assert_eq!(r.max_doc_bytes, 16 * 1024 * 1024);
        assert_eq!((r.events_per_second, r.event_burst), (60, 240));
        assert_eq!(r.join_timeout, Duration::from_secs(30));
        assert_eq!(r.room_idle, Duration::from_secs(30));
        assert_eq!(r.compact_updates, 500);
        assert_eq!(r.compact_interval, Duration::from_secs(60));
    }

    #[test]
    fn the_redis_url_is_a_secret() {
        let vars = vars(&[("REDIS_URL", "redis://:hunter22@cache:6379")]);
        let c = Config::from_vars(&vars).unwrap();
        assert!(!format!("{c:?}").contains("hunter22"));
        assert_eq!(
            c.realtime.redis_url.unwrap().expose(),
            "redis://:hunter22@cache:6379"
        );
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (name, value) in [
            ("PORT", "eighty"),
            ("BIND", "localhost:1"),
            ("LOG_FORMAT", "xml"),
            ("ALLOW_SIGNUP", "maybe"),
            ("DATABASE_URL", "mysql://x"),
            ("JWT_SECRET", "short"),
            ("CORS_ORIGINS", "*"),
            ("MAX_BODY_BYTES", "10"),
            ("PUBLIC_URL", "not a url"),
            ("SANDBOX_CONCURRENCY", "0"),
            ("SANDBOX_ENABLED", "perhaps"),
        ] {
            let err = Config::from_vars(&vars(&[(name, value)])).unwrap_err();
            assert_eq!(err.variable, name, "{err}");
            assert!(err.to_string().contains(name));
        }
    }

    #[test]
    fn secrets_do_not_leak_through_debug_or_errors() {
        let c = Config::from_vars(&vars(&[
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef-very-secret"),
            ("DATABASE_URL", "postgres://app:hunter22@db/app"),
        ]))
        .unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("very-secret"));
        assert!(!printed.contains("hunter22"));
        let err = Config::from_vars(&vars(&[("JWT_SECRET", "hunter22")])).unwrap_err();
        assert!(!err.to_string().contains("hunter22"));
        assert!(!redact_url("postgres://app:hunter22@db/app").contains("hunter22"));
    }

    #[test]
    fn postgres_urls_of_both_schemes_are_accepted() {
        for url in ["postgres://u@h/db", "postgresql://u@h/db"] {
            let c = Config::from_vars(&vars(&[("DATABASE_URL", url)])).unwrap();
            assert_eq!(c.effective_database_url().expose(), url);
        }
    }

    #[test]
    fn cors_origins_are_an_allow_list() {
        let c = Config::from_vars(&vars(&[(
            "CORS_ORIGINS",
            "https://a.example.com, http://localhost:5173/",
        )]))
        .unwrap();
        assert_eq!(
            c.cors_origins,
            vec!["https://a.example.com", "http://localhost:5173"]
        );
    }
}
