//! Rooms over Socket.IO: access, conflict-free editing, presence, timer,
//! durability and limits, with real sockets against the real server.

use serde_json::{json, Value};
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{ClientID, ReadTxn, StateVector, Transact};

use crate::db_test;
use crate::helpers::peer::Peer;
use crate::helpers::process::ServerProcess;
use crate::helpers::sio::{Arg, SioClient};
use crate::helpers::{Backend, TestApp, PASSWORD};

/// A Yjs awareness update announcing one client's state.
fn awareness(client: u64, clock: u32, json: &str) -> Vec<u8> {
    let entry = AwarenessUpdateEntry {
        clock,
        json: json.into(),
    };
    AwarenessUpdate {
        clients: [(ClientID::new(client), entry)].into_iter().collect(),
    }
    .encode_v1()
}

/// An interviewer, their session, and its candidate's token.
async fn room(app: &TestApp) -> (String, String, String) {
    let ada = app.interviewer("ada@example.com").await;
    let session = app.create_session(&ada, "Grace").await;
    let cand = app.join(&session, "Grace").await;
    (ada, cand, session["id"].as_str().unwrap().to_string())
}

/// The interviewer and the candidate, both connected and in their room.
struct Meeting {
    ada: String,
    cand: String,
    id: String,
    a: Peer,
    b: Peer,
}

async fn meeting(app: &TestApp) -> Meeting {
    let (ada, cand, id) = room(app).await;
    let a = Peer::connect(app, &ada).await;
    let b = Peer::connect(app, &cand).await;
    a.join(&id).await;
    b.join(&id).await;
    Meeting {
        ada,
        cand,
        id,
        a,
        b,
    }
}

async fn logged_updates(app: &TestApp, room: &str) -> i64 {
    devinterview::store::documents::count_updates(&app.state.db, room)
        .await
        .unwrap()
}

async fn refused_connect(app: &TestApp, auth: Value) -> String {
    match SioClient::connect(&app.address, auth).await {
        Ok(_) => panic!("the connection was accepted"),
        Err(message) => message,
    }
}

async fn connecting_needs_a_valid_unexpired_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert!(refused_connect(&app, json!({}))
        .await
        .contains("auth: {token}"));
    assert!(refused_connect(&app, json!({"token": "nope"}))
        .await
        .contains("not valid"));
    let who = devinterview::auth::Principal::Interviewer {
        user_id: "u".into(),
        name: "Old".into(),
    };
    let now = chrono::Utc::now().timestamp();
    let expired = app.state.keys.issue(&who, now - 7200, 60).unwrap();
    assert!(refused_connect(&app, json!({ "token": expired }))
        .await
        .contains("expired"));
    // The server keeps serving.
    app.get("/health", None).await.expect(200);
}
db_test!(connecting_needs_a_valid_unexpired_token);

async fn only_the_owner_and_its_candidate_may_join(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_ada, cand, id) = room(&app).await;
    let bob = app.interviewer("bob@example.com").await;
    let bobs = app.create_session(&bob, "Alan").await;
    let bobs_id = bobs["id"].as_str().unwrap();

    let intruder = Peer::connect(&app, &bob).await;
    let ack = intruder
        .sio
        .call_json("join_room", json!({"roomId": id}))
        .await;
    assert_eq!(ack.data["ok"], false);
    assert_eq!(ack.data["error"]["code"], "not_found");
    assert!(
        ack.data.get("doc").is_none() && ack.bins.is_empty(),
        "no data leaks"
    );

    let candidate = Peer::connect(&app, &cand).await;
    let ack = candidate
        .sio
        .call_json("join_room", json!({"roomId": bobs_id}))
        .await;
    assert_eq!(ack.data["error"]["code"], "not_found");
    let ack = candidate
        .sio
        .call_json("join_room", json!({"room": 5}))
        .await;
    assert_eq!(ack.data["error"]["code"], "invalid");

    // Editing before joining is refused too.
    let update = candidate.type_local(0, "x");
    let ack = candidate
        .sio
        .call("doc_update", vec![Arg::Bin(update)])
        .await;
    assert_eq!(ack.data["error"]["code"], "not_joined");
    let ack = candidate.sio.call_json("no_such_event", json!({})).await;
    assert_eq!(ack.data["error"]["code"], "unknown_event");
}
db_test!(only_the_owner_and_its_candidate_may_join);

async fn concurrent_edits_converge_everywhere_and_are_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (ada, cand, id) = room(&app).await;
    let a = Peer::connect(&app, &ada).await;
    let b = Peer::connect(&app, &cand).await;
    let joined = a.join(&id).await;
    assert_eq!(joined.data["you"]["role"], "interviewer");
    assert_eq!(joined.data["language"], "python");
    b.join(&id).await;
    let joined_event = a.sio.next_event("user_joined").await;
    assert_eq!(joined_event.data["name"], "Grace");
    assert_eq!(joined_event.data["role"], "candidate");

    // Both type at position 0 before seeing each other's edit.
    let ua = a.type_local(0, "def solve():");
    let ub = b.type_local(0, "# Grace's notes\n");
    let (ack_a, ack_b) = tokio::join!(
        a.sio.call("doc_update", vec![Arg::Bin(ua)]),
        b.sio.call("doc_update", vec![Arg::Bin(ub)])
    );
    assert_eq!(ack_a.data, json!({"ok": true}));
    assert_eq!(ack_b.data, json!({"ok": true}));
    a.receive().await;
    b.receive().await;
    let text = a.text();
    assert_eq!(text, b.text(), "both sides converge");
    assert!(text.contains("def solve():") && text.contains("# Grace's notes\n"));
    assert_eq!(
        text.len(),
        "def solve():# Grace's notes\n".len(),
        "nothing lost or doubled"
    );

    // Nothing was echoed back to its sender.
    assert!(a.sio.received("doc_update").await.is_empty());
    assert!(b.sio.received("doc_update").await.is_empty());

    // Both acknowledged updates are in the log, and REST shows the same text.
    assert_eq!(logged_updates(&app, &id).await, 2);
    let session = app.get(&format!("/api/sessions/{id}"), Some(&ada)).await;
    assert_eq!(session.expect(200)["code"], text.as_str());

    // A late joiner gets the whole document in its join acknowledgement.
    let late = Peer::connect(&app, &cand).await;
    let joined = late.join(&id).await;
    assert_eq!(late.text(), text);
    // Two tabs of the same candidate count once, and the second is no news to the others:
    // the room's `participants` after that join (the third A receives: its own join,
    // Grace's, this tab's) comes with no second `user_joined` before it.
    assert_eq!(joined.data["participants"].as_array().unwrap().len(), 2);
    for _ in 0..3 {
        a.sio.next_event("participants").await;
    }
    assert!(a.sio.received("user_joined").await.is_empty());
}
db_test!(concurrent_edits_converge_everywhere_and_are_stored);

async fn bad_updates_are_refused_and_reach_no_one(backend: Backend) {
    let app = TestApp::builder(backend)
        .env("ROOM_MAX_UPDATE_BYTES", "2048")
        .spawn()
        .await;
    let Meeting { ada, id, a, b, .. } = meeting(&app).await;

    let garbage = a
        .sio
        .call("doc_update", vec![Arg::Bin(vec![0xff; 64])])
        .await;
    assert_eq!(garbage.data["error"]["code"], "invalid_update");
    let text = a.sio.call_json("doc_update", json!("hello")).await;
    assert_eq!(text.data["error"]["code"], "invalid_update");
    let big = a.type_local(0, &"x".repeat(4096));
    let big = a.sio.call("doc_update", vec![Arg::Bin(big)]).await;
    assert_eq!(big.data["error"]["code"], "too_large");
    assert!(big.data["error"]["message"]
        .as_str()
        .unwrap()
        .contains("2048"));
    assert_eq!(
        logged_updates(&app, &id).await,
        0,
        "nothing refused is stored"
    );

    // The next good update is the first thing the other member receives.
    let fresh = Peer::connect(&app, &ada).await;
    fresh.join(&id).await;
    let ok = fresh.type_text(0, "ok").await;
    assert_eq!(ok.data["ok"], true);
    let first = b.sio.next_event("doc_update").await;
    b.apply(&first.binary(""));
    assert_eq!(b.text(), "ok");
    assert!(b.sio.received("doc_update").await.is_empty());
    app.get("/health", None).await.expect(200);
}
db_test!(bad_updates_are_refused_and_reach_no_one);

async fn the_timer_is_the_servers_and_late_joiners_see_the_same_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let Meeting {
        ada,
        cand,
        id,
        a,
        b,
    } = meeting(&app).await;

    let refused = b
        .sio
        .call_json("timer_control", json!({"action": "start"}))
        .await;
    assert_eq!(refused.data["error"]["code"], "forbidden");
    let bad = a
        .sio
        .call_json("timer_control", json!({"action": "explode"}))
        .await;
    assert_eq!(bad.data["error"]["code"], "invalid");

    let started = a
        .sio
        .call_json("timer_control", json!({"action": "start"}))
        .await;
    assert_eq!(started.data["timer"]["running"], true);
    let seen = b.sio.next_event("timer_state").await;
    assert_eq!(seen.data["running"], true);
    assert_eq!(seen.data["elapsedMs"], 0);
    // Starting the timer started the interview.
    let status = b.sio.next_event("session_status").await;
    assert_eq!(status.data["status"], "active");

    app.clock.advance_ms(65_000);
    let late = Peer::connect(&app, &cand).await;
    let joined = late.join(&id).await;
    assert_eq!(joined.data["timer"]["running"], true);
    assert_eq!(joined.data["timer"]["elapsedMs"], 65_000);
    assert_eq!(joined.data["timer"]["serverNow"], joined.data["serverNow"]);

    let paused = a
        .sio
        .call_json("timer_control", json!({"action": "pause"}))
        .await;
    assert_eq!(paused.data["timer"]["running"], false);
    assert_eq!(paused.data["timer"]["elapsedMs"], 65_000);
    app.clock.advance_ms(10_000);
    // The timer survives a restart of the server.
    let app = app.restart().await;
    let again = Peer::connect(&app, &ada).await;
    let joined = again.join(&id).await;
    assert_eq!(joined.data["timer"]["elapsedMs"], 65_000);
    assert_eq!(joined.data["timer"]["running"], false);
    assert_eq!(joined.data["status"], "active");
}
db_test!(the_timer_is_the_servers_and_late_joiners_see_the_same_time);

async fn presence_language_and_run_results_reach_the_room(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (ada, cand, id) = room(&app).await;
    let a = Peer::connect(&app, &ada).await;
    let b = Peer::connect(&app, &cand).await;
    a.join(&id).await;
    let joined = b.join(&id).await;
    let people = joined.data["participants"].as_array().unwrap().clone();
    assert_eq!(people.len(), 2);
    assert!(people
        .iter()
        .all(|p| p["colour"].as_str().unwrap().starts_with('#')));

    let lang = b
        .sio
        .call_json("language_change", json!({"language": "javascript"}))
        .await;
    assert_eq!(lang.data["language"], "javascript");
    let seen = a.sio.next_event("language_change").await;
    assert_eq!(seen.data["language"], "javascript");
    let bad = b
        .sio
        .call_json("language_change", json!({"language": "cobol"}))
        .await;
    assert!(bad.data["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unknown language"));
    let session = app.get(&format!("/api/sessions/{id}"), Some(&ada)).await;
    assert_eq!(session.expect(200)["language"], "javascript");

    let run = json!({"stdout": "42\n", "status": "ok", "by": "forged", "source": "server"});
    let ack = b.sio.call_json("execution_result", run).await;
    assert_eq!(ack.data["ok"], true);
    let result = a.sio.next_event("execution_result").await;
    assert_eq!(result.data["stdout"], "42\n");
    assert_eq!(
        result.data["by"]["name"], "Grace",
        "the server says who ran it"
    );
    assert_eq!(
        result.data["source"], "local",
        "a reported run cannot pass for a server run"
    );
    // The review keeps it, as the room saw it; only the interviewer may list runs.
    let history = app
        .get(&format!("/api/sessions/{id}/runs"), Some(&ada))
        .await;
    let items = history.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["stdout"], "42\n");
    assert_eq!(items[0]["source"], "local");
    assert_eq!(items[0]["by"]["name"], "Grace");
    assert!(items[0]["at"].as_str().unwrap().ends_with('Z'));
    app.get(&format!("/api/sessions/{id}/runs"), Some(&cand))
        .await
        .expect_error(403, "forbidden");

    // Cursors: relayed as sent; garbage is refused.
    let cursor = awareness(42, 1, r#"{"cursor":{"anchor":3}}"#);
    let sent = b
        .sio
        .call("awareness_update", vec![Arg::Bin(cursor.clone())])
        .await;
    assert_eq!(sent.data["ok"], true);
    assert_eq!(
        a.sio.next_event("awareness_update").await.binary(""),
        cursor
    );
    let junk = b
        .sio
        .call("awareness_update", vec![Arg::Bin(vec![9, 9])])
        .await;
    assert_eq!(junk.data["error"]["code"], "invalid");

    // When Grace leaves, her cursor goes too: the same client, a newer clock, no state.
    b.sio.close();
    let left = a.sio.next_event("user_left").await;
    assert_eq!(left.data["name"], "Grace");
    let removal = a.sio.next_event("awareness_update").await.binary("");
    let removal = AwarenessUpdate::decode_v1(&removal).unwrap();
    let entry = &removal.clients[&ClientID::new(42)];
    assert_eq!((entry.clock, &*entry.json), (2, "null"));
}
db_test!(presence_language_and_run_results_reach_the_room);

async fn a_completed_interview_is_read_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let Meeting { ada, id, a, b, .. } = meeting(&app).await;
    assert_eq!(a.type_text(0, "final answer").await.data["ok"], true);
    app.post(
        &format!("/api/sessions/{id}/terminate"),
        Some(&ada),
        json!({}),
    )
    .await
    .expect(200);
    let status = b.sio.next_event("session_status").await;
    assert_eq!(status.data["readOnly"], true);

    let late_edit = b.type_text(0, "sneaky ").await;
    assert_eq!(late_edit.data["error"]["code"], "read_only");
    let timer = a
        .sio
        .call_json("timer_control", json!({"action": "start"}))
        .await;
    assert_eq!(timer.data["error"]["code"], "read_only");
    // Joining still shows the final state.
    let viewer = Peer::connect(&app, &ada).await;
    let joined = viewer.join(&id).await;
    assert_eq!(joined.data["readOnly"], true);
    b.receive().await;
    assert_eq!(viewer.text(), "final answer");
}
db_test!(a_completed_interview_is_read_only);

async fn a_reconnecting_client_converges_without_duplicates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let Meeting {
        ada,
        cand,
        id,
        a,
        b,
    } = meeting(&app).await;
    a.type_text(0, "hello").await;
    b.receive().await;

    // B drops; both keep typing.
    b.sio.close();
    a.sio.next_event("user_left").await;
    let offline = b.type_local(5, " world");
    a.type_text(0, ">> ").await;

    // B reconnects with its state vector: it gets what it missed, and sends what the server lacks.
    let b2 = Peer {
        sio: SioClient::connect(&app.address, json!({ "token": cand }))
            .await
            .unwrap(),
        doc: b.doc.clone(),
    };
    let sv = b2.doc.transact().state_vector().encode_v1();
    let placeholder = json!({"_placeholder": true, "num": 0});
    let ack = b2
        .sio
        .call(
            "join_room",
            vec![
                Arg::Json(json!({"roomId": id, "stateVector": placeholder})),
                Arg::Attach(sv),
            ],
        )
        .await;
    assert_eq!(ack.data["ok"], true, "{}", ack.data);
    let diff = ack.binary("doc");
    b2.apply(&diff);
    assert_eq!(
        b2.text(),
        ">> hello world",
        "it got only what it missed, plus its own edit"
    );
    let server_sv = StateVector::decode_v1(&ack.binary("stateVector")).unwrap();
    let missing = b2.doc.transact().encode_state_as_update_v1(&server_sv);
    assert!(!offline.is_empty());
    let sent = b2.sio.call("doc_update", vec![Arg::Bin(missing)]).await;
    assert_eq!(sent.data["ok"], true);
    a.receive().await;
    assert_eq!(a.text(), ">> hello world");
    assert_eq!(b2.text(), a.text());
    let session = app.get(&format!("/api/sessions/{id}"), Some(&ada)).await;
    assert_eq!(session.expect(200)["code"], ">> hello world");
}
db_test!(a_reconnecting_client_converges_without_duplicates);

async fn compaction_keeps_the_document_and_shrinks_the_log(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (ada, _cand, id) = room(&app).await;
    let a = Peer::connect(&app, &ada).await;
    a.join(&id).await;
    for (i, word) in ["one ", "two ", "three "].iter().enumerate() {
        let at = a.text().len() as u32;
        assert_eq!(a.type_text(at, word).await.data["ok"], true, "update {i}");
    }
    assert_eq!(logged_updates(&app, &id).await, 3);
    a.sio.close();
    // The room empties: the sweep compacts it into a snapshot.
    let room = app.state.realtime.loaded(&id).unwrap();
    while room.member_count() > 0 {
        tokio::task::yield_now().await;
    }
    app.state.realtime.sweep().await;
    assert_eq!(logged_updates(&app, &id).await, 0);
    let row = devinterview::store::sessions::get(&app.state.db, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.code, "one two three ",
        "the dashboard's copy is refreshed"
    );

    let app = app.restart().await;
    let again = Peer::connect(&app, &ada).await;
    again.join(&id).await;
    assert_eq!(again.text(), "one two three ");
}
db_test!(compaction_keeps_the_document_and_shrinks_the_log);

async fn limits_answer_with_clear_errors(backend: Backend) {
    let app = TestApp::builder(backend)
        .env("SOCKET_EVENT_BURST", "5")
        .env("SOCKET_EVENTS_PER_SECOND", "1")
        .env("ROOM_MAX_PARTICIPANTS", "2")
        .spawn()
        .await;
    let (ada, cand, id) = room(&app).await;
    let session = app
        .get(&format!("/api/sessions/{id}"), Some(&ada))
        .await
        .expect(200)
        .clone();
    let a = Peer::connect(&app, &ada).await;
    a.join(&id).await;
    let b = Peer::connect(&app, &cand).await;
    b.join(&id).await;

    // A third person does not fit; a second tab of someone present does.
    let third = app.join(&session, "Mallory").await;
    let m = Peer::connect(&app, &third).await;
    let full = m.sio.call_json("join_room", json!({"roomId": id})).await;
    assert_eq!(full.data["error"]["code"], "room_full");
    let tab = Peer::connect(&app, &ada).await;
    tab.join(&id).await;

    // Flooding: the burst passes, then the socket is told to slow down.
    let mut codes = Vec::new();
    for _ in 0..6 {
        let ack = a
            .sio
            .call("awareness_update", vec![Arg::Bin(awareness(7, 1, "{}"))])
            .await;
        codes.push(
            ack.data["error"]["code"]
                .as_str()
                .unwrap_or("ok")
                .to_string(),
        );
    }
    assert_eq!(codes.iter().filter(|c| *c == "ok").count(), 4, "{codes:?}");
    assert_eq!(codes.last().unwrap(), "rate_limited");
    app.get("/health", None).await.expect(200);
}
db_test!(limits_answer_with_clear_errors);

async fn a_socket_that_never_joins_is_disconnected(backend: Backend) {
    let app = TestApp::builder(backend)
        .env("SOCKET_JOIN_TIMEOUT_SECONDS", "1")
        .spawn()
        .await;
    let (ada, _, _) = room(&app).await;
    let idle = Peer::connect(&app, &ada).await;
    let why = idle.sio.next_event("room_error").await;
    assert_eq!(why.data["code"], "join_timeout");
    idle.sio.closed().await;
}
db_test!(a_socket_that_never_joins_is_disconnected);

async fn deleting_the_session_closes_its_room(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (ada, cand, id) = room(&app).await;
    let b = Peer::connect(&app, &cand).await;
    b.join(&id).await;
    b.type_text(0, "secret work").await;
    app.delete(&format!("/api/sessions/{id}"), Some(&ada)).await;
    let status = b.sio.next_event("session_status").await;
    assert_eq!(status.data["status"], "deleted");
    b.sio.closed().await;
    assert_eq!(
        logged_updates(&app, &id).await,
        0,
        "the candidate's work is erased"
    );

    // A keystroke still in flight when the session went is not written afterwards.
    use devinterview::store::documents::{self, NewUpdate};
    let late = NewUpdate {
        session_id: id.clone(),
        data: b.type_local(0, "late"),
        author: "c".into(),
        created_at: 0,
    };
    let appended = documents::append(&app.state.db, &[late]).await.unwrap();
    assert!(appended.ids.is_empty());
    assert!(appended.deleted_rooms.contains(&id));
    assert_eq!(logged_updates(&app, &id).await, 0);
    let wrote = documents::write_snapshot(&app.state.db, &id, &[0, 0], None, 0)
        .await
        .unwrap();
    assert!(!wrote, "no snapshot of a deleted session");
}
db_test!(deleting_the_session_closes_its_room);

/// Signs up over plain HTTP and returns a token (for servers outside `TestApp`).
async fn signup_at(address: &str, email: &str) -> String {
    let reply: Value = reqwest::Client::new()
        .post(format!("{address}/api/auth/signup"))
        .json(&json!({"email": email, "password": PASSWORD, "name": "Ada"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["token"].as_str().expect("signed up").to_string()
}

async fn session_at(address: &str, token: &str) -> String {
    let reply: Value = reqwest::Client::new()
        .post(format!("{address}/api/sessions"))
        .bearer_auth(token)
        .json(&json!({"candidateName": "Grace", "candidateEmail": "g@example.com", "language": "python"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["id"].as_str().expect("session created").to_string()
}

async fn acknowledged_edits_survive_kill_9(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let mut vars = vec![("DATA_DIR", dir.path().display().to_string())];
    let _pg;
    if backend == Backend::Postgres {
        let db = TestApp::builder(backend).pg_db().await;
        vars.push(("DATABASE_URL", db.url.clone()));
        _pg = db;
    }
    let server = ServerProcess::start(&vars).await;
    let ada = signup_at(&server.address, "ada@example.com").await;
    let id = session_at(&server.address, &ada).await;
    let a = Peer::connect_to(&server.address, &ada).await;
    a.join(&id).await;
    let mut expected = String::new();
    for i in 0..50 {
        let word = format!("line {i}\n");
        let ack = a.type_text(expected.len() as u32, &word).await;
        assert_eq!(ack.data["ok"], true);
        expected.push_str(&word);
    }
    // Killed with no chance to compact or flush: only the log remains.
    server.kill_9().await;

    let server = ServerProcess::start(&vars).await;
    let again = Peer::connect_to(&server.address, &ada).await;
    again.join(&id).await;
    assert_eq!(
        again.text(),
        expected,
        "every acknowledged edit is there, once"
    );
    server.kill_9().await;
}
db_test!(acknowledged_edits_survive_kill_9);

/// Two nodes on one database and one Redis (skipped unless TEST_REDIS_URL is set).
async fn rooms_span_two_nodes_through_redis(backend: Backend) {
    let Some(redis) = std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("skipped: TEST_REDIS_URL is not set");
        return;
    };
    let shared = tempfile::tempdir().unwrap();
    let mut first = TestApp::builder(backend).env("REDIS_URL", &redis);
    let url = match backend {
        Backend::Postgres => first.pg_db().await.url.clone(),
        Backend::Sqlite => format!("sqlite://{}/shared.db?mode=rwc", shared.path().display()),
    };
    let node1 = first.database_url(url.clone()).spawn().await;
    let node2 = TestApp::builder(backend)
        .env("REDIS_URL", &redis)
        .database_url(url)
        .spawn()
        .await;
    let (ada, cand, id) = room(&node1).await;
    let a = Peer::connect(&node1, &ada).await;
    let b = Peer::connect(&node2, &cand).await;
    a.join(&id).await;
    b.join(&id).await;
    let joined = a.sio.next_event("user_joined").await;
    assert_eq!(joined.data["name"], "Grace", "presence crosses nodes");

    a.exchange(&b, "from node 1; ", "from node 2").await;

    // A third client gets the full document on either node, and the people on both.
    for node in [&node1, &node2] {
        let c = Peer::connect(node, &ada).await;
        let joined = c.join(&id).await;
        assert_eq!(c.text(), "from node 1; from node 2");
        let names: Vec<&str> = joined.data["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.contains(&"Grace"));
    }
}
db_test!(rooms_span_two_nodes_through_redis);

async fn a_server_run_in_a_room_is_seen_by_everyone(backend: Backend) {
    let app = TestApp::builder(backend)
        .env("SANDBOX_ENABLED", "true")
        .spawn()
        .await;
    app.sandbox_ready().await;
    let Meeting {
        ada,
        cand,
        id,
        a,
        b,
    } = meeting(&app).await;
    let path = format!("/api/sessions/{id}/runs");
    let body = json!({"language": "python", "code": "print(6 * 7)"});

    let early = app.post(&path, Some(&cand), body.clone()).await;
    assert!(early.expect_error(403, "forbidden").contains("active"));
    let bob = app.interviewer("bob@example.com").await;
    app.post(&path, Some(&bob), body.clone())
        .await
        .expect_error(404, "not_found");

    let run = app.post(&path, Some(&ada), body.clone()).await;
    let run = run.expect(200).clone();
    assert_eq!(run["stdout"], "42\n");
    assert_eq!(run["status"], "ok");
    assert_eq!(run["source"], "server");
    assert!(run["fuelUsed"].as_u64().unwrap() > 0);
    let history = app.get(&path, Some(&ada)).await;
    let items = history.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "the run is in the session's history");
    assert_eq!(items[0]["runId"], run["runId"]);
    assert_eq!(items[0]["source"], "server");
    assert_eq!(items[0]["fuelUsed"], run["fuelUsed"]);
    app.get(&path, Some(&bob))
        .await
        .expect_error(404, "not_found");
    for peer in [&a, &b] {
        let started = peer.sio.next_event("execution_started").await;
        assert_eq!(started.data["runId"], run["runId"]);
        let result = peer.sio.next_event("execution_result").await;
        assert_eq!(result.data["runId"], run["runId"]);
        assert_eq!(result.data["stdout"], "42\n");
        assert_eq!(result.data["by"]["role"], "interviewer");
    }

    app.post(
        &format!("/api/sessions/{id}/terminate"),
        Some(&ada),
        json!({}),
    )
    .await
    .expect(200);
    let late = app.post(&path, Some(&ada), body).await;
    assert!(late.expect_error(409, "conflict").contains("completed"));
}
db_test!(a_server_run_in_a_room_is_seen_by_everyone);
