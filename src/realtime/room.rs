//! One interview room held in memory: its Yjs document, members, timer and language.
//!
//! The document is a `yrs` Doc with the text `code` (the editor, bound by
//! y-monaco) and the map `whiteboard` (tldraw records by id) in the same
//! document, so one state vector covers everything a client must catch up on.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, ReadTxn, StateVector, Text, TextRef, Transact, Update};

use super::presence::Participant;
use super::timer::Timer;
use crate::store::documents::StoredDoc;
use crate::store::sessions::SessionRow;

/// Name of the shared text holding the editor's code.
pub const CODE_TEXT: &str = "code";
/// Name of the shared map holding the whiteboard's records.
pub const WHITEBOARD_MAP: &str = "whiteboard";

/// Why an update was not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocError {
    /// Not a decodable Yjs v1 update.
    #[error("not a valid Yjs update: {0}")]
    Malformed(String),
    /// The document would grow beyond the configured cap.
    #[error("the document would exceed {0} bytes; clear some of the editor or whiteboard")]
    TooLarge(usize),
    /// The session is completed: its room is read-only.
    #[error("the interview is over; the room is read-only")]
    ReadOnly,
}

/// What compaction writes: the whole state, the log rows it covers and the code text.
pub struct Compaction {
    /// The whole document as one update.
    pub state: Vec<u8>,
    /// Log ids whose updates the state contains.
    pub covered_ids: Vec<i64>,
    /// Plain code text.
    pub code: String,
}

/// A room in memory. All mutation goes through one short, synchronous lock.
pub struct Room {
    /// The session id (the room's name on the socket layer too).
    pub id: String,
    /// The owning interviewer.
    pub owner_id: String,
    inner: Mutex<RoomInner>,
}

struct RoomInner {
    doc: Doc,
    code: TextRef,
    /// Encoded size of the snapshot plus every update since: a cheap upper bound.
    doc_bytes: usize,
    /// Socket id → who is behind it.
    members: HashMap<String, Participant>,
    timer: Timer,
    language: String,
    status: String,
    /// Logged ids applied here and not yet covered by a written snapshot.
    uncompacted_ids: Vec<i64>,
    /// Updates applied since the last compaction (logged or still in flight).
    dirty_updates: usize,
    last_compacted: Instant,
    emptied_at: Option<Instant>,
    evicted: bool,
}

impl Room {
    /// Rebuilds a room from storage. Stored updates that no longer decode are
    /// skipped with a warning rather than making the whole room unreadable.
    pub fn from_stored(row: &SessionRow, stored: StoredDoc) -> Self {
        let doc = Doc::new();
        let code = doc.get_or_insert_text(CODE_TEXT);
        doc.get_or_insert_map(WHITEBOARD_MAP);
        let mut doc_bytes = 0;
        let mut uncompacted_ids = Vec::with_capacity(stored.updates.len());
        {
            let mut txn = doc.transact_mut();
            let snapshot = stored.snapshot.as_ref().map(|s| (None, s.data.as_slice()));
            let logged = stored
                .updates
                .iter()
                .map(|(id, d)| (Some(*id), d.as_slice()));
            for (id, data) in snapshot.into_iter().chain(logged) {
                doc_bytes += data.len();
                let applied = Update::decode_v1(data)
                    .map_err(|e| e.to_string())
                    .and_then(|u| txn.apply_update(u).map_err(|e| e.to_string()));
                if let Err(e) = applied {
                    tracing::warn!(room = %row.id, ?id, error = %e, "skipping an unreadable stored update");
                }
                if let Some(id) = id {
                    uncompacted_ids.push(id);
                }
            }
        }
        Self {
            id: row.id.clone(),
            owner_id: row.owner_id.clone(),
            inner: Mutex::new(RoomInner {
                doc,
                code,
                doc_bytes,
                dirty_updates: uncompacted_ids.len(),
                uncompacted_ids,
                members: HashMap::new(),
                timer: timer_of(row),
                language: row.language.clone(),
                status: row.status.clone(),
                last_compacted: Instant::now(),
                emptied_at: Some(Instant::now()),
                evicted: false,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, RoomInner> {
        // A panic inside yrs is caught below; the data stays consistent enough to serve.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies a client's update. Nothing is changed when it is refused.
    pub fn apply(&self, update: &[u8], max_doc_bytes: usize) -> Result<(), DocError> {
        let mut inner = self.lock();
        if inner.status == "completed" {
            return Err(DocError::ReadOnly);
        }
        if inner.doc_bytes + update.len() > max_doc_bytes {
            return Err(DocError::TooLarge(max_doc_bytes));
        }
        let decoded = Update::decode_v1(update).map_err(|e| DocError::Malformed(e.to_string()))?;
        // yrs is not hardened against every hostile input: a panic must cost one
        // update, not the server.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            inner.doc.transact_mut().apply_update(decoded)
        }));
        match outcome {
            Ok(Ok(())) => {
                inner.doc_bytes += update.len();
                inner.dirty_updates += 1;
                Ok(())
            }
            Ok(Err(e)) => Err(DocError::Malformed(e.to_string())),
            Err(_) => Err(DocError::Malformed(
                "the update could not be integrated".into(),
            )),
        }
    }

    /// Applies an update another node accepted (no checks: that node made them).
    pub fn apply_remote(&self, update: &[u8]) {
        let mut inner = self.lock();
        if let Ok(decoded) = Update::decode_v1(update) {
            let _ = catch_unwind(AssertUnwindSafe(|| {
                inner.doc.transact_mut().apply_update(decoded)
            }));
            inner.doc_bytes += update.len();
        }
    }

    /// Records log ids of updates applied here, for the next compaction to delete.
    pub fn logged(&self, ids: impl IntoIterator<Item = i64>) {
        self.lock().uncompacted_ids.extend(ids);
    }

    /// What a client lacks given its state vector (everything if `None`), and the
    /// server's state vector so the client can send back what the server lacks.
    pub fn sync_state(&self, client_sv: Option<&[u8]>) -> Result<(Vec<u8>, Vec<u8>), DocError> {
        let sv = match client_sv {
            Some(raw) => {
                StateVector::decode_v1(raw).map_err(|e| DocError::Malformed(e.to_string()))?
            }
            None => StateVector::default(),
        };
        let inner = self.lock();
        let txn = inner.doc.transact();
        Ok((
            txn.encode_state_as_update_v1(&sv),
            txn.state_vector().encode_v1(),
        ))
    }

    /// The editor's plain text.
    pub fn code(&self) -> String {
        let inner = self.lock();
        let txn = inner.doc.transact();
        inner.code.get_string(&txn)
    }

    /// Applies the stored snapshot (another node's compaction) and captures what
    /// a new snapshot must hold.
    pub fn prepare_compaction(&self, stored_snapshot: Option<&[u8]>) -> Compaction {
        let inner = self.lock();
        if let Some(data) = stored_snapshot {
            if let Ok(u) = Update::decode_v1(data) {
                let _ = catch_unwind(AssertUnwindSafe(|| {
                    inner.doc.transact_mut().apply_update(u)
                }));
            }
        }
        let txn = inner.doc.transact();
        let state = txn.encode_state_as_update_v1(&StateVector::default());
        let code = inner.code.get_string(&txn);
        drop(txn);
        Compaction {
            state,
            covered_ids: inner.uncompacted_ids.clone(),
            code,
        }
    }

    /// Marks a written snapshot: the covered ids are gone from the log.
    pub fn compacted(&self, written: &Compaction) {
        let mut inner = self.lock();
        let covered: std::collections::HashSet<i64> = written.covered_ids.iter().copied().collect();
        inner.uncompacted_ids.retain(|id| !covered.contains(id));
        inner.doc_bytes = written.state.len();
        inner.dirty_updates = 0;
        inner.last_compacted = Instant::now();
    }

    /// Whether compaction is due: many updates, or some updates and time passed.
    pub fn needs_compaction(&self, every_updates: usize, every: std::time::Duration) -> bool {
        let inner = self.lock();
        inner.dirty_updates >= every_updates
            || (inner.dirty_updates > 0 && inner.last_compacted.elapsed() >= every)
    }

    /// Adds a socket: `Ok(Some(true))` when its person was not in the room before
    /// (a second tab is `false`); `Err` with the cap when the room is full (counting
    /// people, not tabs, here and on other nodes),
    /// `Ok(None)` if the room was evicted meanwhile (the caller loads it again).
    pub fn add_member(
        &self,
        sid: &str,
        who: Participant,
        elsewhere: &[Participant],
        max_people: usize,
    ) -> Result<Option<bool>, usize> {
        let mut inner = self.lock();
        if inner.evicted {
            return Ok(None);
        }
        let everyone = super::presence::merge(inner.members.values().chain(elsewhere).cloned());
        let present = everyone.iter().any(|p| p.id == who.id);
        if !present && everyone.len() >= max_people {
            return Err(max_people);
        }
        inner.members.insert(sid.to_string(), who);
        inner.emptied_at = None;
        Ok(Some(!present))
    }

    /// Removes a socket; returns whether its person left entirely and who remains.
    pub fn remove_member(&self, sid: &str) -> Option<(Participant, bool, Vec<Participant>)> {
        let mut inner = self.lock();
        let who = inner.members.remove(sid)?;
        let still_here = inner.members.values().any(|p| p.id == who.id);
        if inner.members.is_empty() {
            inner.emptied_at = Some(Instant::now());
        }
        Some((who, !still_here, distinct(&inner.members)))
    }

    /// The people in the room, one entry per person, in a stable order.
    pub fn participants(&self) -> Vec<Participant> {
        distinct(&self.lock().members)
    }

    /// Sockets in the room.
    pub fn member_count(&self) -> usize {
        self.lock().members.len()
    }

    /// Evicts the room if it has been empty for `grace`; `true` if it was.
    pub fn evict_if_idle(&self, grace: std::time::Duration) -> bool {
        let mut inner = self.lock();
        let idle = inner.members.is_empty()
            && inner.emptied_at.is_some_and(|t| t.elapsed() >= grace)
            && inner.dirty_updates == 0;
        if idle {
            inner.evicted = true;
        }
        idle
    }

    /// Refreshes what the session row owns (another node or REST may have changed it).
    pub fn refresh_from(&self, row: &SessionRow) {
        let mut inner = self.lock();
        inner.timer = timer_of(row);
        inner.language = row.language.clone();
        inner.status = row.status.clone();
    }

    /// The timer.
    pub fn timer(&self) -> Timer {
        self.lock().timer
    }

    /// Replaces the timer.
    pub fn set_timer(&self, timer: Timer) {
        self.lock().timer = timer;
    }

    /// The editor language.
    pub fn language(&self) -> String {
        self.lock().language.clone()
    }

    /// Sets the editor language.
    pub fn set_language(&self, language: &str) {
        self.lock().language = language.to_string();
    }

    /// `scheduled`, `active` or `completed`.
    pub fn status(&self) -> String {
        self.lock().status.clone()
    }

    /// Sets the session status (start, terminate).
    pub fn set_status(&self, status: &str) {
        self.lock().status = status.to_string();
    }
}

fn timer_of(row: &SessionRow) -> Timer {
    Timer {
        accumulated_ms: row.timer_elapsed_ms,
        started_at: row.timer_started_at,
    }
}

fn distinct(members: &HashMap<String, Participant>) -> Vec<Participant> {
    super::presence::merge(members.values().cloned())
}

/// Builds a document from storage alone and returns its code text (REST reads of
/// rooms that are not in memory); `None` when nothing was ever written.
pub fn code_of_stored(stored: &StoredDoc) -> Option<String> {
    if stored.snapshot.is_none() && stored.updates.is_empty() {
        return None;
    }
    let doc = Doc::new();
    let code = doc.get_or_insert_text(CODE_TEXT);
    {
        let mut txn = doc.transact_mut();
        let snapshot = stored.snapshot.iter().map(|s| s.data.as_slice());
        for data in snapshot.chain(stored.updates.iter().map(|(_, d)| d.as_slice())) {
            if let Ok(u) = Update::decode_v1(data) {
                let _ = catch_unwind(AssertUnwindSafe(|| txn.apply_update(u)));
            }
        }
    }
    let txn = doc.transact();
    Some(code.get_string(&txn))
}

/// Inserts text at the start of the code (tests and benchmarks build real updates with it).
pub fn insert_code_update(doc: &Doc, index: u32, text: &str) -> Vec<u8> {
    let code = doc.get_or_insert_text(CODE_TEXT);
    let before = doc.transact().state_vector();
    {
        let mut txn = doc.transact_mut();
        code.insert(&mut txn, index, text);
    }
    doc.transact().encode_state_as_update_v1(&before)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Principal;
    use crate::store::documents::StoredDoc;

    fn row(status: &str) -> SessionRow {
        SessionRow {
            id: "s1".into(),
            owner_id: "u1".into(),
            title: String::new(),
            candidate_name: String::new(),
            candidate_email: String::new(),
            language: "python".into(),
            status: status.into(),
            invite_token: String::new(),
            notes: String::new(),
            score: None,
            code: String::new(),
            created_at: 0,
            updated_at: 0,
            started_at: None,
            ended_at: None,
            duration_ms: None,
            deleted_at: None,
            timer_elapsed_ms: 0,
            timer_started_at: None,
            problem_id: None,
        }
    }

    fn person(id: &str) -> Participant {
        Participant::of(&Principal::Candidate {
            candidate_id: id.into(),
            session_id: "s1".into(),
            name: id.into(),
        })
    }

    #[test]
    fn refused_updates_change_nothing() {
        let room = Room::from_stored(&row("active"), StoredDoc::default());
        assert!(matches!(
            room.apply(&[0xff; 8], 1 << 20),
            Err(DocError::Malformed(_))
        ));
        let client = Doc::new();
        let big = insert_code_update(&client, 0, &"x".repeat(2000));
        assert_eq!(room.apply(&big, 1000), Err(DocError::TooLarge(1000)));
        assert_eq!(room.code(), "");
        room.apply(&big, 1 << 20).unwrap();
        assert_eq!(room.code().len(), 2000);

        let done = Room::from_stored(&row("completed"), StoredDoc::default());
        assert_eq!(done.apply(&big, 1 << 20), Err(DocError::ReadOnly));
    }

    #[test]
    fn compaction_covers_only_what_was_logged_before_it() {
        let room = Room::from_stored(&row("active"), StoredDoc::default());
        let client = Doc::new();
        room.apply(&insert_code_update(&client, 0, "a"), 1 << 20)
            .unwrap();
        room.logged([1, 2]);
        let c = room.prepare_compaction(None);
        assert_eq!(c.covered_ids, vec![1, 2]);
        assert_eq!(c.code, "a");
        // Logged while the snapshot was being written: stays for the next one.
        room.logged([3]);
        room.compacted(&c);
        assert_eq!(room.prepare_compaction(None).covered_ids, vec![3]);
        assert!(!room.needs_compaction(1, std::time::Duration::from_secs(3600)));
    }

    #[test]
    fn a_room_counts_people_not_tabs_and_refuses_joins_once_evicted() {
        let room = Room::from_stored(&row("active"), StoredDoc::default());
        assert_eq!(
            room.add_member("tab1", person("ada"), &[], 2),
            Ok(Some(true))
        );
        assert_eq!(
            room.add_member("tab2", person("ada"), &[], 2),
            Ok(Some(false))
        );
        assert_eq!(
            room.add_member("tab3", person("grace"), &[], 2),
            Ok(Some(true))
        );
        assert_eq!(room.participants().len(), 2);
        assert_eq!(room.add_member("tab4", person("mallory"), &[], 2), Err(2));
        let (who, gone, _) = room.remove_member("tab1").unwrap();
        assert_eq!(
            (who.id.as_str(), gone),
            ("ada", false),
            "ada still has a tab open"
        );
        room.remove_member("tab2");
        room.remove_member("tab3");
        assert!(room.evict_if_idle(std::time::Duration::ZERO));
        assert_eq!(room.add_member("tab5", person("ada"), &[], 2), Ok(None));
    }

    #[test]
    fn stored_documents_rebuild_to_the_same_text() {
        let client = Doc::new();
        let first = insert_code_update(&client, 0, "hello");
        let second = insert_code_update(&client, 5, " world");
        let stored = StoredDoc {
            snapshot: Some(crate::store::documents::Snapshot {
                data: first.clone(),
                version: 1,
            }),
            // The snapshot's update logged again (a compaction that crashed before
            // deleting it) changes nothing.
            updates: vec![(1, first), (2, second), (3, vec![0xde, 0xad])],
        };
        assert_eq!(code_of_stored(&stored).as_deref(), Some("hello world"));
        let room = Room::from_stored(&row("active"), stored);
        assert_eq!(room.code(), "hello world");
        assert_eq!(room.prepare_compaction(None).covered_ids, vec![1, 2, 3]);
    }
}
