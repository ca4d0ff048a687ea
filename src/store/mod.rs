//! Persistence: one connection pool over SQLite (embedded default) or PostgreSQL.
//!
//! Queries are written once, in the SQL both engines accept (`$1` placeholders,
//! `RETURNING`, BIGINT milliseconds for times), and run through sqlx's `Any`
//! driver. Only the migrations differ per engine, because their DDL types do.

pub mod documents;
pub mod problems;
pub mod runs;
pub mod sessions;
pub mod submissions;
pub mod users;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyQueryResult};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

use crate::config::{redact_url, Secret};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file (embedded default).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The engine a database URL names.
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("sqlite:") {
            Self::Sqlite
        } else {
            Self::Postgres
        }
    }

    /// Lower-case name for logs and `/health`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// The storage layer's error type.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached now; the request may succeed later.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// A uniqueness rule was broken; the message says which, for people.
    #[error("{0}")]
    Conflict(String),
    /// Anything else: a bug or corrupt data.
    #[error("database error: {0}")]
    Other(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if is_unavailable(&err) {
            Self::Unavailable(err)
        } else {
            Self::Other(err)
        }
    }
}

/// Result of a storage call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Whether an error means "the database is not reachable right now".
fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed
        // A server or proxy that accepts and then hangs up mid-handshake.
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => match db.code() {
            // PostgreSQL: connection exceptions (08…), operator intervention such
            // as a shutdown or restart (57P…), insufficient resources (53…).
            Some(code) => {
                code.starts_with("08") || code.starts_with("57P") || code.starts_with("53")
            }
            None => false,
        },
        _ => false,
    }
}

/// Whether an error is a unique-constraint violation.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// A pool of connections to the configured database.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects, without waiting for the database if it is down (requests answer 503 until it is up).
    pub async fn connect(
        url: &Secret,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url.expose());
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(acquire_timeout)
            .idle_timeout(Duration::from_secs(600))
            // A connection that died with the server is found and replaced before use.
            .test_before_acquire(true);
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers run while one writer writes; NORMAL sync is
                    // durable across process crashes in WAL mode.
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 5000",
                    ] {
                        conn.execute(pragma).await?;
                    }
                    Ok(())
                })
            });
        }
        let pool = options.connect_lazy(url.expose()).map_err(|e| {
            anyhow::anyhow!("cannot use DATABASE_URL {}: {e}", redact_url(url.expose()))
        })?;
        Ok(Self { pool, backend })
    }

    /// Applies the migrations of this backend that have not run yet.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        let _: AnyQueryResult = self.pool.execute("SELECT 1").await?;
        Ok(())
    }

    /// The engine behind the pool.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying pool (the store modules' queries; tests inspect rows with it).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection (at shutdown, or before a test reopens the same file).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
