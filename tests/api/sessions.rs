//! Interview sessions: CRUD, ownership, life cycle and duration.

use serde_json::json;

use crate::db_test;
use crate::helpers::{Backend, TestApp};

async fn a_new_session_is_scheduled_with_an_unguessable_invite(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.interviewer("ada@example.com").await;
    let s = app.create_session(&token, "Grace Hopper").await;
    assert_eq!(s["status"], "scheduled");
    assert_eq!(s["title"], "Interview with Grace Hopper");
    assert_eq!(s["candidateName"], "Grace Hopper");
    assert_eq!(s["candidateEmail"], "cand@example.com");
    assert_eq!(s["language"], "python");
    assert_eq!(s["durationSeconds"], 0);
    assert!(s["startedAt"].is_null());
    let invite = s["inviteToken"].as_str().unwrap();
    // 32 random bytes in unpadded base64url: 256 bits.
    assert_eq!(invite.len(), 43, "{invite}");
    assert!(invite
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert_eq!(
        s["inviteUrl"],
        format!("{}/join/{invite}", app.address).as_str()
    );
    let other = app.create_session(&token, "Alan").await;
    assert_ne!(other["inviteToken"], s["inviteToken"]);

    let fetched = app
        .get(
            &format!("/api/sessions/{}", s["id"].as_str().unwrap()),
            Some(&token),
        )
        .await;
    assert_eq!(fetched.expect(200), &s);
}
db_test!(a_new_session_is_scheduled_with_an_unguessable_invite);

async fn creating_a_session_validates_its_fields(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.interviewer("ada@example.com").await;
    let cases = [
        (
            json!({"candidateName": "G", "candidateEmail": "g@x.io", "language": "cobol"}),
            "unknown variant `cobol`",
        ),
        (
            json!({"candidateName": "G", "language": "python"}),
            "missing field `candidateEmail`",
        ),
        (
            json!({"candidateName": "", "candidateEmail": "g@x.io", "language": "python"}),
            "candidateName is required",
        ),
        (
            json!({"candidateName": "G", "candidateEmail": "nope", "language": "python"}),
            "not an email",
        ),
        (
            json!({"candidateName": "G", "candidateEmail": "g@x.io", "language": "python", "title": "t".repeat(201)}),
            "at most 200",
        ),
        (
            json!({"candidateName": "G", "candidateEmail": "g@x.io", "language": "python", "owner": "me"}),
            "unknown field `owner`",
        ),
        (
            json!({"candidateName": 7, "candidateEmail": "g@x.io", "language": "python"}),
            "invalid type",
        ),
    ];
    for (body, expected) in cases {
        let msg = app
            .post("/api/sessions", Some(&token), body.clone())
            .await
            .expect_error(422, "validation_failed");
        assert!(msg.contains(expected), "{body}: {msg}");
    }
    let list = app.get("/api/sessions", Some(&token)).await;
    assert_eq!(list.expect(200)["total"], 0);
}
db_test!(creating_a_session_validates_its_fields);

async fn the_list_is_own_sessions_newest_first_and_paginated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.interviewer("ada@example.com").await;
    let bob = app.interviewer("bob@example.com").await;
    let mut ids = Vec::new();
    for name in ["First", "Second", "Third"] {
        ids.push(app.create_session(&ada, name).await["id"].clone());
        app.clock.advance_ms(1000);
    }
    let bobs = app.create_session(&bob, "Bob's candidate").await;

    let all = app.get("/api/sessions", Some(&ada)).await;
    let all = all.expect(200);
    assert_eq!(all["total"], 3);
    let names: Vec<_> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["candidateName"].clone())
        .collect();
    assert_eq!(names, [json!("Third"), json!("Second"), json!("First")]);

    let page = app.get("/api/sessions?limit=2&offset=0", Some(&ada)).await;
    let page = page.expect(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["total"], 3);
    assert_eq!(page["limit"], 2);
    let rest = app.get("/api/sessions?limit=2&offset=2", Some(&ada)).await;
    let rest = rest.expect(200);
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"][0]["id"], ids[0]);

    let bob_list = app.get("/api/sessions", Some(&bob)).await;
    let bob_list = bob_list.expect(200);
    assert_eq!(bob_list["total"], 1);
    assert_eq!(bob_list["items"][0]["id"], bobs["id"]);

    let sid = ids[1].as_str().unwrap();
    app.post(&format!("/api/sessions/{sid}/start"), Some(&ada), json!({}))
        .await
        .expect(200);
    let active = app.get("/api/sessions?status=active", Some(&ada)).await;
    let active = active.expect(200);
    assert_eq!(active["total"], 1);
    assert_eq!(active["items"][0]["id"], ids[1]);

    for bad in [
        "limit=0",
        "limit=101",
        "offset=-1",
        "status=paused",
        "limit=ten",
        "sort=name",
    ] {
        app.get(&format!("/api/sessions?{bad}"), Some(&ada))
            .await
            .expect_error(400, "bad_request");
    }
}
db_test!(the_list_is_own_sessions_newest_first_and_paginated);

async fn an_interviewer_updates_notes_score_and_candidate_fields(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.interviewer("ada@example.com").await;
    let s = app.create_session(&token, "Grace").await;
    let path = format!("/api/sessions/{}", s["id"].as_str().unwrap());
    app.clock.advance_ms(5);
    let updated = app
        .put(
            &path,
            Some(&token),
            json!({"notes": "Strong on recursion.", "score": 85, "candidateName": "Grace H.",
                   "candidateEmail": "GRACE@navy.mil", "language": "javascript", "title": "Onsite 1"}),
        )
        .await;
    let updated = updated.expect(200);
    assert_eq!(updated["notes"], "Strong on recursion.");
    assert_eq!(updated["score"], 85);
    assert_eq!(updated["candidateName"], "Grace H.");
    assert_eq!(updated["candidateEmail"], "grace@navy.mil");
    assert_eq!(updated["language"], "javascript");
    assert_eq!(updated["title"], "Onsite 1");
    assert_ne!(updated["updatedAt"], s["updatedAt"]);

    // A partial update leaves the other fields alone.
    let partial = app.put(&path, Some(&token), json!({"score": 0})).await;
    let partial = partial.expect(200);
    assert_eq!(partial["score"], 0);
    assert_eq!(partial["notes"], "Strong on recursion.");

    for (body, expected) in [
        (json!({"score": 101}), "between 0 and 100"),
        (json!({"score": -1}), "between 0 and 100"),
        (json!({"score": "high"}), "invalid type"),
        (json!({"notes": "n".repeat(50_001)}), "at most 50000"),
        (json!({"language": "klingon"}), "unknown variant"),
        (json!({"status": "completed"}), "unknown field `status`"),
    ] {
        let msg = app
            .put(&path, Some(&token), body.clone())
            .await
            .expect_error(422, "validation_failed");
        assert!(msg.contains(expected), "{body}: {msg}");
    }
    let after = app.get(&path, Some(&token)).await;
    assert_eq!(after.expect(200)["score"], 0);
}
db_test!(an_interviewer_updates_notes_score_and_candidate_fields);

async fn another_interviewers_session_is_not_found(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.interviewer("ada@example.com").await;
    let eve = app.interviewer("eve@example.com").await;
    let s = app.create_session(&ada, "Grace").await;
    let id = s["id"].as_str().unwrap();
    let path = format!("/api/sessions/{id}");
    app.get(&path, Some(&eve))
        .await
        .expect_error(404, "not_found");
    app.put(&path, Some(&eve), json!({"notes": "mine now"}))
        .await
        .expect_error(404, "not_found");
    app.delete(&path, Some(&eve))
        .await
        .expect_error(404, "not_found");
    app.post(&format!("{path}/start"), Some(&eve), json!({}))
        .await
        .expect_error(404, "not_found");
    app.post(&format!("{path}/terminate"), Some(&eve), json!({}))
        .await
        .expect_error(404, "not_found");
    // Nothing Eve tried changed it.
    let still = app.get(&path, Some(&ada)).await;
    let still = still.expect(200);
    assert_eq!(still["status"], "scheduled");
    assert_eq!(still["notes"], "");
    // A well-formed id nobody has is 404 too; a malformed one is 400.
    app.get(
        &format!("/api/sessions/{}", uuid::Uuid::new_v4()),
        Some(&ada),
    )
    .await
    .expect_error(404, "not_found");
    app.get("/api/sessions/12345", Some(&ada))
        .await
        .expect_error(400, "bad_request");
}
db_test!(another_interviewers_session_is_not_found);

async fn terminate_records_the_duration_from_the_server_clock(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.interviewer("ada@example.com").await;
    let s = app.create_session(&token, "Grace").await;
    let path = format!("/api/sessions/{}", s["id"].as_str().unwrap());

    let started = app
        .post(&format!("{path}/start"), Some(&token), json!({}))
        .await;
    let started = started.expect(200).clone();
    assert_eq!(started["status"], "active");
    assert!(started["startedAt"].is_string());

    app.clock.advance_ms(5_000);
    let running = app.get(&path, Some(&token)).await;
    assert_eq!(
        running.expect(200)["durationMs"],
        5_000,
        "duration grows while active"
    );

    app.clock.advance_ms(85_500);
    let done = app
        .post(&format!("{path}/terminate"), Some(&token), json!({}))
        .await;
    let done = done.expect(200).clone();
    assert_eq!(done["status"], "completed");
    assert_eq!(done["durationMs"], 90_500);
    assert_eq!(done["durationSeconds"], 91);
    assert_eq!(done["neverStarted"], false);
    assert!(done["endedAt"].is_string());

    // The duration is fixed from now on, and the list shows the same.
    app.clock.advance_ms(60_000);
    let list = app.get("/api/sessions", Some(&token)).await;
    let item = &list.expect(200)["items"][0];
    assert_eq!(item["status"], "completed");
    assert_eq!(item["durationMs"], 90_500);

    let msg = app
        .post(&format!("{path}/start"), Some(&token), json!({}))
        .await
        .expect_error(409, "conflict");
    assert!(msg.contains("completed"), "{msg}");
    app.post(&format!("{path}/terminate"), Some(&token), json!({}))
        .await
        .expect_error(409, "conflict");
}
db_test!(terminate_records_the_duration_from_the_server_clock);

async fn a_session_never_started_has_zero_duration_and_says_so(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.interviewer("ada@example.com").await;
    let s = app.create_session(&token, "Grace").await;
    let path = format!("/api/sessions/{}", s["id"].as_str().unwrap());
    app.clock.advance_ms(30_000);
    let done = app
        .post(&format!("{path}/terminate"), Some(&token), json!({}))
        .await;
    let done = done.expect(200);
    assert_eq!(done["status"], "completed");
    assert_eq!(done["durationMs"], 0);
    assert_eq!(done["durationSeconds"], 0);
    assert_eq!(done["neverStarted"], true);
    assert!(done["startedAt"].is_null());
}
db_test!(a_session_never_started_has_zero_duration_and_says_so);

async fn starting_twice_conflicts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.interviewer("ada@example.com").await;
    let s = app.create_session(&token, "Grace").await;
    let start = format!("/api/sessions/{}/start", s["id"].as_str().unwrap());
    app.post(&start, Some(&token), json!({})).await.expect(200);
    let msg = app
        .post(&start, Some(&token), json!({}))
        .await
        .expect_error(409, "conflict");
    assert!(msg.contains("active"), "{msg}");
}
db_test!(starting_twice_conflicts);

async fn deleting_a_session_removes_it_and_its_candidate_data(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.interviewer("ada@example.com").await;
    let s = app.create_session(&token, "Grace").await;
    let id = s["id"].as_str().unwrap();
    let path = format!("/api/sessions/{id}");
    app.put(&path, Some(&token), json!({"notes": "private"}))
        .await
        .expect(200);

    let reply = app.delete(&path, Some(&token)).await;
    assert_eq!(reply.status.as_u16(), 204);
    assert!(reply.text.is_empty());
    app.get(&path, Some(&token))
        .await
        .expect_error(404, "not_found");
    app.delete(&path, Some(&token))
        .await
        .expect_error(404, "not_found");
    let list = app.get("/api/sessions", Some(&token)).await;
    assert_eq!(list.expect(200)["total"], 0);

    let (name, email, notes): (String, String, String) = sqlx::query_as(
        "SELECT candidate_name, candidate_email, notes FROM interview_sessions WHERE id = $1",
    )
    .bind(id)
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(
        (name.as_str(), email.as_str(), notes.as_str()),
        ("", "", "")
    );
}
db_test!(deleting_a_session_removes_it_and_its_candidate_data);
