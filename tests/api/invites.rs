//! Candidates: joining by invite, and what a candidate token may (not) do.

use serde_json::json;

use crate::db_test;
use crate::helpers::{Backend, TestApp};

async fn joining_gives_a_token_scoped_to_one_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.interviewer("ada@example.com").await;
    let mine = app.create_session(&ada, "Grace").await;
    let other = app.create_session(&ada, "Alan").await;
    let id = mine["id"].as_str().unwrap();
    app.put(
        &format!("/api/sessions/{id}"),
        Some(&ada),
        json!({"notes": "secret notes", "score": 40}),
    )
    .await
    .expect(200);

    let invite = mine["inviteToken"].as_str().unwrap();
    let preview = app.get(&format!("/api/invites/{invite}"), None).await;
    let preview = preview.expect(200);
    assert_eq!(preview["sessionId"], id);
    assert_eq!(preview["status"], "scheduled");

    let joined = app.join_invite(invite, " Grace ").await;
    let joined = joined.expect(200).clone();
    let cand = joined["token"].as_str().unwrap();
    assert_eq!(joined["session"]["id"], id);

    let me = app.get("/api/auth/me", Some(cand)).await;
    let me = me.expect(200);
    assert_eq!(me["role"], "candidate");
    assert_eq!(me["name"], "Grace");
    assert_eq!(me["sessionId"], id);

    // The candidate sees the shared part of their session and nothing private.
    let seen = app.get(&format!("/api/sessions/{id}"), Some(cand)).await;
    let seen = seen.expect(200).clone();
    for private in [
        "notes",
        "score",
        "inviteToken",
        "inviteUrl",
        "candidateEmail",
    ] {
        assert!(
            seen.get(private).is_none(),
            "candidate sees {private}: {seen}"
        );
        assert!(
            joined["session"].get(private).is_none(),
            "join answer shows {private}"
        );
    }
    assert!(!seen.to_string().contains("secret notes"));

    // …and nothing else.
    let other_id = other["id"].as_str().unwrap();
    app.get(&format!("/api/sessions/{other_id}"), Some(cand))
        .await
        .expect_error(404, "not_found");
    app.get("/api/sessions", Some(cand))
        .await
        .expect_error(403, "forbidden");
    app.post(
        "/api/sessions",
        Some(cand),
        json!({"candidateName": "x", "candidateEmail": "x@y.io", "language": "python"}),
    )
    .await
    .expect_error(403, "forbidden");
    app.put(
        &format!("/api/sessions/{id}"),
        Some(cand),
        json!({"score": 100}),
    )
    .await
    .expect_error(403, "forbidden");
    app.post(&format!("/api/sessions/{id}/start"), Some(cand), json!({}))
        .await
        .expect_error(403, "forbidden");
    app.post(
        &format!("/api/sessions/{id}/terminate"),
        Some(cand),
        json!({}),
    )
    .await
    .expect_error(403, "forbidden");
    app.delete(&format!("/api/sessions/{id}"), Some(cand))
        .await
        .expect_error(403, "forbidden");
    let after = app.get(&format!("/api/sessions/{id}"), Some(&ada)).await;
    assert_eq!(after.expect(200)["score"], 40);
}
db_test!(joining_gives_a_token_scoped_to_one_session);

async fn finished_and_deleted_sessions_refuse_joins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.interviewer("ada@example.com").await;

    let done = app.create_session(&ada, "Done").await;
    app.post(
        &format!("/api/sessions/{}/terminate", done["id"].as_str().unwrap()),
        Some(&ada),
        json!({}),
    )
    .await
    .expect(200);
    let invite = done["inviteToken"].as_str().unwrap();
    let msg = app.join_invite(invite, "G").await.expect_error(410, "gone");
    assert!(msg.contains("ended"), "{msg}");
    app.get(&format!("/api/invites/{invite}"), None)
        .await
        .expect_error(410, "gone");

    let gone = app.create_session(&ada, "Gone").await;
    app.delete(
        &format!("/api/sessions/{}", gone["id"].as_str().unwrap()),
        Some(&ada),
    )
    .await;
    let invite = gone["inviteToken"].as_str().unwrap();
    let msg = app.join_invite(invite, "G").await.expect_error(410, "gone");
    assert!(msg.contains("cancelled"), "{msg}");

    app.post(
        "/api/invites/not-a-real-invite/join",
        None,
        json!({"name": "G"}),
    )
    .await
    .expect_error(404, "not_found");
    app.get(&format!("/api/invites/{}", "x".repeat(500)), None)
        .await
        .expect_error(404, "not_found");
}
db_test!(finished_and_deleted_sessions_refuse_joins);

async fn a_candidate_token_stops_opening_a_deleted_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.interviewer("ada@example.com").await;
    let s = app.create_session(&ada, "Grace").await;
    let cand = app.join(&s, "Grace").await;
    let path = format!("/api/sessions/{}", s["id"].as_str().unwrap());
    app.get(&path, Some(&cand)).await.expect(200);
    app.delete(&path, Some(&ada)).await;
    app.get(&path, Some(&cand))
        .await
        .expect_error(404, "not_found");
}
db_test!(a_candidate_token_stops_opening_a_deleted_session);

async fn joining_validates_the_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.interviewer("ada@example.com").await;
    let s = app.create_session(&ada, "Grace").await;
    let invite = s["inviteToken"].as_str().unwrap();
    for (body, expected) in [
        (json!({"name": ""}), "name is required"),
        (json!({"name": "x".repeat(101)}), "at most 100"),
        (json!({}), "missing field `name`"),
    ] {
        let msg = app
            .post(&format!("/api/invites/{invite}/join"), None, body.clone())
            .await
            .expect_error(422, "validation_failed");
        assert!(msg.contains(expected), "{body}: {msg}");
    }
}
db_test!(joining_validates_the_name);
