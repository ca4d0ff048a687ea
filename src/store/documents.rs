//! Room documents: the update log and its compacted snapshot.
//!
//! A room's document is its snapshot (if any) followed by every logged update.
//! Yjs updates are idempotent and commutative, so replaying an update that a
//! snapshot already contains changes nothing; compaction can therefore write the
//! snapshot first and delete the updates it covers afterwards, in any order,
//! without a window in which a crash loses anything.

use std::collections::HashSet;

use sqlx::Row;

use super::{Backend, Db, StoreResult};

/// One update to append to a room's log.
#[derive(Debug, Clone)]
pub struct NewUpdate {
    /// The room's session id.
    pub session_id: String,
    /// A binary Yjs update (v1 encoding).
    pub data: Vec<u8>,
    /// Who sent it: an interviewer's user id or a candidate's id.
    pub author: String,
    /// Epoch milliseconds when the server accepted it.
    pub created_at: i64,
}

/// What the database holds of one room's document.
#[derive(Debug, Default)]
pub struct StoredDoc {
    /// The compacted state and its compare-and-swap version.
    pub snapshot: Option<Snapshot>,
    /// Logged updates after (or overlapping) the snapshot, oldest first: `(id, data)`.
    pub updates: Vec<(i64, Vec<u8>)>,
}

/// A compacted document state.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The whole document as one Yjs update.
    pub data: Vec<u8>,
    /// Incremented by every write.
    pub version: i64,
}

/// Rows per INSERT statement; keeps the bound parameters far below both engines' caps.
const ROWS_PER_STATEMENT: usize = 200;

/// What a batch append did.
#[derive(Debug, Default)]
pub struct Appended {
    /// New row ids with the room each belongs to.
    pub ids: Vec<(String, i64)>,
    /// Rooms whose session was deleted: their updates were dropped, not written.
    pub deleted_rooms: HashSet<String>,
}

/// Appends updates in one transaction (one commit, one fsync, however many rows).
///
/// Updates of sessions deleted meanwhile are dropped: the deletion erased the
/// candidate's work and a late keystroke must not bring any of it back. On
/// PostgreSQL the live sessions are read `FOR SHARE`, so a deletion racing this
/// batch waits for it to commit and its purge then sees these rows; SQLite runs
/// one writer at a time, which gives the same order.
pub async fn append(db: &Db, updates: &[NewUpdate]) -> StoreResult<Appended> {
    let mut done = Appended::default();
    let mut tx = db.pool().begin().await?;
    let rooms: Vec<&str> = {
        let mut seen: Vec<&str> = updates.iter().map(|u| u.session_id.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        seen
    };
    let mut live = HashSet::new();
    for chunk in rooms.chunks(ROWS_PER_STATEMENT) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let lock = if db.backend() == Backend::Postgres {
            " FOR SHARE"
        } else {
            ""
        };
        let sql = format!(
            "SELECT id FROM interview_sessions WHERE id IN ({}) AND deleted_at IS NULL{lock}",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        live.extend(query.fetch_all(&mut *tx).await?);
    }
    let (keep, dropped): (Vec<&NewUpdate>, Vec<&NewUpdate>) =
        updates.iter().partition(|u| live.contains(&u.session_id));
    done.deleted_rooms = dropped.into_iter().map(|u| u.session_id.clone()).collect();
    for chunk in keep.chunks(ROWS_PER_STATEMENT) {
        let mut sql =
            String::from("INSERT INTO doc_updates (session_id, data, author, created_at) VALUES ");
        for i in 0..chunk.len() {
            let p = i * 4;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("(${}, ${}, ${}, ${})", p + 1, p + 2, p + 3, p + 4));
        }
        sql.push_str(" RETURNING id, session_id");
        let mut query = sqlx::query(&sql);
        for u in chunk {
            query = query
                .bind(u.session_id.as_str())
                .bind(u.data.as_slice())
                .bind(u.author.as_str())
                .bind(u.created_at);
        }
        for row in query.fetch_all(&mut *tx).await? {
            done.ids
                .push((row.try_get::<String, _>(1)?, row.try_get::<i64, _>(0)?));
        }
    }
    tx.commit().await?;
    Ok(done)
}

/// Reads a room's snapshot and the log after it.
pub async fn load(db: &Db, session_id: &str) -> StoreResult<StoredDoc> {
    let snapshot = read_snapshot(db, session_id).await?;
    let rows = sqlx::query("SELECT id, data FROM doc_updates WHERE session_id = $1 ORDER BY id")
        .bind(session_id)
        .fetch_all(db.pool())
        .await?;
    let mut updates = Vec::with_capacity(rows.len());
    for row in rows {
        updates.push((row.try_get::<i64, _>(0)?, row.try_get::<Vec<u8>, _>(1)?));
    }
    Ok(StoredDoc { snapshot, updates })
}

/// The room's snapshot, if it has one.
pub async fn read_snapshot(db: &Db, session_id: &str) -> StoreResult<Option<Snapshot>> {
    let row = sqlx::query("SELECT data, version FROM doc_snapshots WHERE session_id = $1")
        .bind(session_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        Some(row) => Some(Snapshot {
            data: row.try_get(0)?,
            version: row.try_get(1)?,
        }),
        None => None,
    })
}

/// Writes a snapshot if the stored one is still at `expected` (`None`: there is
/// none yet) and the session is not deleted. `false` means another writer got
/// there first (re-read and retry) or the session is gone.
pub async fn write_snapshot(
    db: &Db,
    session_id: &str,
    data: &[u8],
    expected: Option<i64>,
    now_ms: i64,
) -> StoreResult<bool> {
    let done = match expected {
        Some(version) => {
            sqlx::query(
                "UPDATE doc_snapshots SET data = $3, version = version + 1, updated_at = $4
                 WHERE session_id = $1 AND version = $2 AND EXISTS
                   (SELECT 1 FROM interview_sessions s WHERE s.id = $1 AND s.deleted_at IS NULL)",
            )
            .bind(session_id)
            .bind(version)
            .bind(data)
            .bind(now_ms)
            .execute(db.pool())
            .await?
        }
        None => {
            sqlx::query(
                "INSERT INTO doc_snapshots (session_id, data, version, updated_at)
                 SELECT $1, $2, 1, $3 WHERE EXISTS
                   (SELECT 1 FROM interview_sessions s WHERE s.id = $1 AND s.deleted_at IS NULL)
                 ON CONFLICT (session_id) DO NOTHING",
            )
            .bind(session_id)
            .bind(data)
            .bind(now_ms)
            .execute(db.pool())
            .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

/// Deletes logged updates that a written snapshot contains.
pub async fn delete_updates(db: &Db, session_id: &str, ids: &[i64]) -> StoreResult<u64> {
    let mut deleted = 0;
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "DELETE FROM doc_updates WHERE session_id = $1 AND id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(session_id);
        for id in chunk {
            query = query.bind(*id);
        }
        deleted += query.execute(db.pool()).await?.rows_affected();
    }
    Ok(deleted)
}

/// Stores the document's plain code text on the session, for REST and the dashboard.
pub async fn save_code(db: &Db, session_id: &str, code: &str) -> StoreResult<()> {
    sqlx::query("UPDATE interview_sessions SET code = $2 WHERE id = $1 AND deleted_at IS NULL")
        .bind(session_id)
        .bind(code)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Removes a room's whole document (the session was deleted).
pub async fn purge(db: &Db, session_id: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM doc_updates WHERE session_id = $1")
        .bind(session_id)
        .execute(db.pool())
        .await?;
    sqlx::query("DELETE FROM doc_snapshots WHERE session_id = $1")
        .bind(session_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Number of logged updates of a room (tests and the dashboard's replay length).
pub async fn count_updates(db: &Db, session_id: &str) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM doc_updates WHERE session_id = $1")
            .bind(session_id)
            .fetch_one(db.pool())
            .await?,
    )
}
