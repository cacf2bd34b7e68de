//! Live class sessions: who may start and steer one, answering (logged in and as a guest), that
//! live answers are not attempts, the event stream with `Last-Event-ID` catch-up, and that
//! guests are forgotten when the session ends.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use kartskola::db::Capability;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::helpers::TestApp;

const NEAR_LULEA: &str = r#"{"geometry": {"type": "Point", "coordinates": [22.16, 65.58]}}"#;
const AT_UMEA: &str = r#"{"geometry": {"type": "Point", "coordinates": [20.263, 63.8258]}}"#;

/// Creates a trainer and logs in through the real form; returns the session cookie.
async fn login_trainer(app: &TestApp, email: &str) -> String {
    app.add_person(email, "norrbotten", &[Capability::Trainer])
        .await;
    app.login_existing(email).await
}

async fn start(app: &TestApp, cookie: &str, exercise: &str, guests: bool) -> Value {
    let response = app
        .post_json(
            "/api/live",
            json!({"exercise_id": exercise, "allow_guests": guests}).to_string(),
            &[("cookie", cookie)],
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.json()
}

async fn control(
    app: &TestApp,
    cookie: &str,
    code: &str,
    body: Value,
) -> crate::helpers::TestResponse {
    app.post_json(
        &format!("/api/live/{code}/control"),
        body.to_string(),
        &[("cookie", cookie)],
    )
    .await
}

/// One server-sent event: id, kind, data.
#[derive(Debug)]
pub(crate) struct Sse {
    pub id: i64,
    pub kind: String,
    pub data: Value,
}

pub(crate) fn parse_sse(text: &str) -> Vec<Sse> {
    text.split("\n\n")
        .filter_map(|block| {
            let mut id = None;
            let mut kind = None;
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().parse().ok();
                } else if let Some(v) = line.strip_prefix("event:") {
                    kind = Some(v.trim().to_owned());
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            Some(Sse {
                id: id?,
                kind: kind?,
                data: serde_json::from_str(&data).ok()?,
            })
        })
        .collect()
}

/// Reads the event stream until `want` events arrived (or `wait` passed); returns them.
async fn read_events(
    app: &TestApp,
    code: &str,
    headers: &[(&str, &str)],
    want: usize,
    wait: Duration,
) -> (StatusCode, Vec<Sse>) {
    let mut builder = Request::get(format!("/api/live/{code}/events"));
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let response = app
        .router
        .clone()
        .oneshot(builder.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = response.status();
    let mut body = response.into_body();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + wait;
    while parse_sse(&text).len() < want {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    text.push_str(&String::from_utf8_lossy(data));
                }
            }
            _ => break,
        }
    }
    (status, parse_sse(&text))
}

#[tokio::test]
async fn only_trainers_start_and_only_the_sessions_trainer_steers() {
    let app = TestApp::spawn().await;
    let learner = app.login_as("elev@example.se").await;
    let refused = app
        .post_json(
            "/api/live",
            json!({"exercise_id": "prov-place-lulea"}).to_string(),
            &[("cookie", &learner)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let trainer = login_trainer(&app, "t1@example.se").await;
    let unknown = app
        .post_json(
            "/api/live",
            json!({"exercise_id": "nope"}).to_string(),
            &[("cookie", &trainer)],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let session = start(&app, &trainer, "prov-place-lulea", false).await;
    let code = session["code"].as_str().expect("code");
    assert_eq!(code.len(), kartskola::live::CODE_LEN);
    assert_eq!(session["state"], "open");
    assert_eq!(session["round"], 1);

    let other = login_trainer(&app, "t2@example.se").await;
    let stolen = control(&app, &other, code, json!({"action": "close"})).await;
    assert_eq!(
        stolen.status,
        StatusCode::NOT_FOUND,
        "another trainer's session"
    );
    let by_learner = control(&app, &learner, code, json!({"action": "close"})).await;
    assert_eq!(by_learner.status, StatusCode::NOT_FOUND);
    let (status, _) = read_events(&app, code, &[], 1, Duration::from_millis(300)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "no guests, no login: no stream"
    );

    let closed = control(&app, &trainer, code, json!({"action": "close"})).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(closed.json()["state"], "closed");
    let again = control(&app, &trainer, code, json!({"action": "close"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let bogus = control(&app, &trainer, code, json!({"action": "grade"})).await;
    assert_eq!(bogus.status, StatusCode::BAD_REQUEST);
    let no_next = control(&app, &trainer, code, json!({"action": "next"})).await;
    assert_eq!(
        no_next.status,
        StatusCode::BAD_REQUEST,
        "next needs an exercise"
    );
    let next = control(
        &app,
        &trainer,
        &code.to_lowercase(),
        json!({"action": "next", "exercise_id": "prov-choice"}),
    )
    .await;
    assert_eq!(next.status, StatusCode::OK, "{}", next.body);
    assert_eq!(
        (next.json()["round"].clone(), next.json()["state"].clone()),
        (json!(2), json!("open"))
    );
    assert_eq!(
        app.get("/api/live/ZZZZZZ").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn answers_are_graded_once_per_round_and_are_not_attempts() {
    let app = TestApp::spawn().await;
    let trainer = login_trainer(&app, "t@example.se").await;
    let learner = app.login_as("elev@example.se").await;
    let session = start(&app, &trainer, "prov-place-lulea", false).await;
    let code = session["code"].as_str().expect("code");
    let url = format!("/api/live/{code}/answers");

    let anonymous = app.post_json(&url, NEAR_LULEA, &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let guest = app
        .post_json(
            &format!("/api/live/{code}/guests"),
            r#"{"name": "Gäst"}"#,
            &[],
        )
        .await;
    assert_eq!(guest.status, StatusCode::NOT_FOUND, "guests not allowed");

    let answered = app
        .post_json(&url, NEAR_LULEA, &[("cookie", &learner)])
        .await;
    assert_eq!(answered.status, StatusCode::CREATED, "{}", answered.body);
    let body = answered.json();
    assert_eq!(body["passed"], true);
    assert_eq!(body["round"], 1);
    let roles: Vec<&Value> = body["geometries"]["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| &f["properties"]["role"])
        .collect();
    assert!(
        !roles.contains(&&json!("key")),
        "the key waits for the reveal: {body}"
    );

    let twice = app.post_json(&url, AT_UMEA, &[("cookie", &learner)]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(
        twice.json()["error"]["code"],
        "already_answered",
        "{}",
        twice.body
    );
    let malformed = app.post_json(&url, "{", &[("cookie", &trainer)]).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);

    // Not an attempt: the self-paced exercise still has all its attempts.
    let exercise = app
        .get_with("/api/exercises/prov-place-lulea", &[("cookie", &learner)])
        .await
        .json();
    assert_eq!(exercise["attempts"]["used"], 0, "{exercise}");

    let revealed = control(&app, &trainer, code, json!({"action": "reveal"})).await;
    assert_eq!(revealed.status, StatusCode::OK);
    let late = app.post_json(&url, AT_UMEA, &[("cookie", &trainer)]).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(late.json()["error"]["code"], "live_closed");
    // The live reveal does not reveal anything in the self-paced exercise.
    let exercise = app
        .get_with("/api/exercises/prov-place-lulea", &[("cookie", &learner)])
        .await;
    assert!(!exercise.body.contains("22.1547"), "{}", exercise.body);
}

#[tokio::test]
async fn the_stream_replays_catches_up_and_filters_by_audience() {
    let app = TestApp::spawn().await;
    let trainer = login_trainer(&app, "t@example.se").await;
    let learner = app.login_as("elev@example.se").await;
    let code_json = start(&app, &trainer, "prov-place-lulea", false).await;
    let code = code_json["code"].as_str().expect("code");
    let url = format!("/api/live/{code}/answers");
    let ok = app
        .post_json(&url, NEAR_LULEA, &[("cookie", &learner)])
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);

    let (status, events) = read_events(
        &app,
        code,
        &[("cookie", &trainer)],
        2,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["state", "answer"]);
    assert_eq!(events[1].data["count"], 1);
    assert_eq!(events[1].data["histogram"][9], 1);
    assert_eq!(
        events[1].data["answer"]["geometry"]["coordinates"],
        json!([22.16, 65.58])
    );
    assert!(events[0].id < events[1].id);

    let (_, seen) = read_events(
        &app,
        code,
        &[("cookie", &learner)],
        1,
        Duration::from_millis(500),
    )
    .await;
    assert_eq!(seen.len(), 1, "participants see no answers: {seen:?}");
    assert_eq!(seen[0].kind, "state");

    // Catch-up: only what came after the last id seen.
    let revealed = control(&app, &trainer, code, json!({"action": "reveal"})).await;
    assert_eq!(revealed.status, StatusCode::OK);
    let last = events[1].id.to_string();
    let (_, rest) = read_events(
        &app,
        code,
        &[("cookie", &trainer), ("last-event-id", &last)],
        1,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert_eq!(rest[0].data["state"], "revealed");
    let key = rest[0].data["key"]["features"]
        .as_array()
        .expect("key features");
    assert!(
        !key.is_empty(),
        "the reveal carries the key: {}",
        rest[0].data
    );

    let extremes = control(&app, &trainer, code, json!({"action": "extremes"})).await;
    assert_eq!(extremes.status, StatusCode::OK, "{}", extremes.body);
    let after_reveal = rest[0].id.to_string();
    let (_, shown) = read_events(
        &app,
        code,
        &[("cookie", &learner), ("last-event-id", &after_reveal)],
        1,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(shown[0].kind, "extremes");
    assert!(
        shown[0].data["best"]["score"]
            .as_f64()
            .is_some_and(|s| s > 0.99)
    );
    assert!(!shown[0].data.to_string().contains("elev@"), "anonymous");
}

#[tokio::test]
async fn a_waiting_stream_gets_new_answers_within_a_second() {
    let app = TestApp::spawn().await;
    let trainer = login_trainer(&app, "t@example.se").await;
    let learner = app.login_as("elev@example.se").await;
    let session = start(&app, &trainer, "prov-place-lulea", false).await;
    let code = session["code"].as_str().expect("code").to_owned();
    let (status, first) = read_events(
        &app,
        &code,
        &[("cookie", &trainer)],
        1,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!((status, first.len()), (StatusCode::OK, 1));
    let last = first[0].id.to_string();
    let reader = {
        let router = app.router.clone();
        let trainer = trainer.clone();
        let code = code.clone();
        tokio::spawn(async move {
            let response = router
                .oneshot(
                    Request::get(format!("/api/live/{code}/events"))
                        .header("cookie", trainer)
                        .header("last-event-id", last)
                        .body(Body::empty())
                        .expect("request"),
                )
                .await
                .expect("infallible");
            let mut body = response.into_body();
            let mut text = String::new();
            while parse_sse(&text).is_empty() {
                match body.frame().await {
                    Some(Ok(frame)) => {
                        if let Some(d) = frame.data_ref() {
                            text.push_str(&String::from_utf8_lossy(d));
                        }
                    }
                    _ => break,
                }
            }
            (tokio::time::Instant::now(), parse_sse(&text))
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = tokio::time::Instant::now();
    let ok = app
        .post_json(
            &format!("/api/live/{code}/answers"),
            NEAR_LULEA,
            &[("cookie", &learner)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let (arrived, events) = tokio::time::timeout(Duration::from_secs(10), reader)
        .await
        .expect("the answer arrives")
        .expect("reader");
    assert_eq!(events[0].kind, "answer");
    assert!(
        arrived.duration_since(sent) < Duration::from_secs(1),
        "took {:?}",
        arrived.duration_since(sent)
    );
}

#[tokio::test]
async fn guests_answer_with_a_session_token_and_are_forgotten_at_the_end() {
    let app = TestApp::spawn().await;
    let trainer = login_trainer(&app, "t@example.se").await;
    let session = start(&app, &trainer, "prov-place-lulea", true).await;
    let code = session["code"].as_str().expect("code");
    let nameless = app
        .post_json(
            &format!("/api/live/{code}/guests"),
            r#"{"name": "  "}"#,
            &[],
        )
        .await;
    assert_eq!(nameless.status, StatusCode::UNPROCESSABLE_ENTITY);
    let joined = app
        .post_json(
            &format!("/api/live/{code}/guests"),
            r#"{"name": "Åsa"}"#,
            &[],
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    assert!(
        joined
            .header("set-cookie")
            .is_some_and(|c| c.contains("HttpOnly")),
        "a cookie for the page's EventSource"
    );
    let token = joined.json()["token"].as_str().expect("token").to_owned();
    let url = format!("/api/live/{code}/answers");
    let answered = app
        .post_json(&url, AT_UMEA, &[("x-live-guest", &token)])
        .await;
    assert_eq!(answered.status, StatusCode::CREATED, "{}", answered.body);
    assert_eq!(answered.json()["passed"], false);
    let cookie = format!("kartskola_live_guest={token}");
    let again = app
        .post_json(&url, NEAR_LULEA, &[("cookie", &cookie)])
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "the cookie is the same guest"
    );
    let forged = app
        .post_json(&url, NEAR_LULEA, &[("x-live-guest", "0123")])
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);

    // A token of another session does not work here.
    let other = start(&app, &trainer, "prov-place-lulea", true).await;
    let other_code = other["code"].as_str().expect("code");
    let elsewhere = app
        .post_json(
            &format!("/api/live/{other_code}/answers"),
            NEAR_LULEA,
            &[("x-live-guest", &token)],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::UNAUTHORIZED);

    let id = app
        .state
        .db
        .live_session_by_code(code)
        .await
        .expect("db")
        .expect("session")
        .live_session_id;
    assert_eq!(app.state.db.live_guest_count(id).await.expect("count"), 1);
    let ended = control(&app, &trainer, code, json!({"action": "end"})).await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert_eq!(app.state.db.live_guest_count(id).await.expect("count"), 0);
    let answers = app
        .state
        .db
        .live_round_answers(id, 1)
        .await
        .expect("answers");
    assert_eq!(answers.len(), 1, "the answer stays, anonymous");
    let after = app
        .post_json(&url, NEAR_LULEA, &[("x-live-guest", &token)])
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    let after_end = control(&app, &trainer, code, json!({"action": "open"})).await;
    assert_eq!(after_end.status, StatusCode::CONFLICT);

    // The whole log is still readable, then 204 tells EventSource to stop.
    let (_, all) = read_events(
        &app,
        code,
        &[("cookie", &trainer)],
        3,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(
        all.last().map(|e| e.data["state"].clone()),
        Some(json!("ended"))
    );
    let last = all.last().map(|e| e.id.to_string()).expect("events");
    let (status, _) = read_events(
        &app,
        code,
        &[("cookie", &trainer), ("last-event-id", &last)],
        1,
        Duration::from_millis(300),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn twenty_participants_answer_and_the_reveal_reaches_all() {
    let app = TestApp::spawn().await;
    let trainer = login_trainer(&app, "t@example.se").await;
    let session = start(&app, &trainer, "prov-place-lulea", true).await;
    let code = session["code"].as_str().expect("code").to_owned();
    let mut tokens = Vec::new();
    for i in 0..20 {
        let joined = app
            .post_json(
                &format!("/api/live/{code}/guests"),
                json!({"name": format!("Gäst {i}")}).to_string(),
                &[],
            )
            .await;
        tokens.push(joined.json()["token"].as_str().expect("token").to_owned());
    }
    let mut tasks = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let router = app.router.clone();
        let token = token.clone();
        let url = format!("/api/live/{code}/answers");
        let body = if i % 2 == 0 { NEAR_LULEA } else { AT_UMEA };
        tasks.push(tokio::spawn(async move {
            router
                .oneshot(
                    Request::post(url)
                        .header("content-type", "application/json")
                        .header("x-live-guest", token)
                        .body(Body::from(body))
                        .expect("request"),
                )
                .await
                .expect("infallible")
                .status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::CREATED);
    }
    let (_, events) = read_events(
        &app,
        &code,
        &[("cookie", &trainer)],
        21,
        Duration::from_secs(10),
    )
    .await;
    let answers: Vec<&Sse> = events.iter().filter(|e| e.kind == "answer").collect();
    assert_eq!(answers.len(), 20);
    let last = answers
        .iter()
        .map(|e| &e.data)
        .max_by_key(|d| d["count"].as_i64());
    assert_eq!(last.map(|d| d["count"].clone()), Some(json!(20)));
    let histogram = &last.expect("last")["histogram"];
    assert_eq!(histogram[9], 10, "{histogram}");
    assert_eq!(histogram[0], 10, "{histogram}");

    let revealed = control(&app, &trainer, &code, json!({"action": "reveal"})).await;
    assert_eq!(revealed.status, StatusCode::OK);
    for token in &tokens {
        let (_, seen) = read_events(
            &app,
            &code,
            &[("x-live-guest", token)],
            2,
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(
            seen.last().map(|e| e.data["state"].clone()),
            Some(json!("revealed"))
        );
    }
}

#[tokio::test]
async fn on_postgresql_every_event_is_notified_to_other_processes() {
    let app = TestApp::spawn().await;
    let kartskola::config::DatabaseUrl::Postgres(url) = &app.state.config.database else {
        return; // SQLite is served by one process; the in-process channel is tested above.
    };
    // A listener of its own, as another server process would hold.
    let mut listener = kartskola::db::live_listener(url).await.expect("listen");
    let trainer = login_trainer(&app, "t@example.se").await;
    let learner = app.login_as("elev@example.se").await;
    let session = start(&app, &trainer, "prov-place-lulea", false).await;
    let code = session["code"].as_str().expect("code");
    let ok = app
        .post_json(
            &format!("/api/live/{code}/answers"),
            NEAR_LULEA,
            &[("cookie", &learner)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let mut notes = Vec::new();
    while notes.len() < 2 {
        let note = tokio::time::timeout(Duration::from_secs(5), listener.recv())
            .await
            .expect("a notification within 5 s")
            .expect("listener");
        notes.push(note.payload().to_owned());
    }
    assert!(
        notes[0].ends_with(":0"),
        "the start is for everyone: {notes:?}"
    );
    assert!(
        notes[1].ends_with(":1"),
        "an answer is for the trainer: {notes:?}"
    );
}

#[tokio::test]
async fn the_pages_show_the_join_code_and_keep_other_trainers_out() {
    let app = TestApp::spawn().await;
    let trainer = login_trainer(&app, "t@example.se").await;
    let form = app.get_with("/cohorts/live", &[("cookie", &trainer)]).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.texts("option")
            .iter()
            .any(|o| o.contains("prov-place-lulea")),
        "the exercises to choose from"
    );
    let csrf = form.csrf().expect("a CSRF field");
    let started = app
        .post_form(
            "/cohorts/live",
            Some(&trainer),
            &[
                ("csrf", &csrf),
                ("exercise_id", "prov-choice"),
                ("allow_guests", "1"),
            ],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let location = started.header("location").expect("to the trainer's view");
    assert!(location.starts_with("/cohorts/live/"), "{location}");
    let shown = app
        .get(&format!(
            "/api/live/{}",
            &location["/cohorts/live/".len()..]
        ))
        .await
        .json();
    assert_eq!(
        (shown["exercise_id"].clone(), shown["allow_guests"].clone()),
        (json!("prov-choice"), json!(true))
    );
    let forged = app
        .post_form(
            "/cohorts/live",
            Some(&trainer),
            &[("exercise_id", "prov-choice")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF token");
    let learner = app.login_as("elev@example.se").await;
    assert_eq!(
        app.get_with("/cohorts/live", &[("cookie", &learner)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let session = start(&app, &trainer, "prov-place-lulea", true).await;
    let code = session["code"].as_str().expect("code");
    let page = app
        .get_with(&format!("/cohorts/live/{code}"), &[("cookie", &trainer)])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts("#live-code"), [code]);
    assert!(page.body.contains("<svg"), "a QR code drawn on the server");
    assert!(page.body.contains(&format!("/live/{code}")));
    let other = login_trainer(&app, "t2@example.se").await;
    assert_eq!(
        app.get_with(&format!("/cohorts/live/{code}"), &[("cookie", &other)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let participant = app.get(&format!("/live/{code}")).await;
    assert_eq!(participant.status, StatusCode::OK);
    assert_eq!(
        participant.texts("#live-guest label").len(),
        1,
        "a guest gives a name"
    );
    let no_guests = start(&app, &trainer, "prov-place-lulea", false).await;
    let closed = app
        .get(&format!(
            "/live/{}",
            no_guests["code"].as_str().expect("code")
        ))
        .await;
    assert!(closed.body.contains("/login?next="), "{}", closed.body);
    assert!(closed.texts("#live-guest").is_empty());
}

/// The player's configuration on a page (`<script id="kartskola-player-config">`).
fn player_config(page: &crate::helpers::TestResponse) -> Option<Value> {
    let text = page.texts("#kartskola-player-config").into_iter().next()?;
    serde_json::from_str(&text).ok()
}

#[tokio::test]
async fn the_participant_page_runs_the_player_on_the_rounds_exercise() {
    let app = TestApp::spawn().await;
    let trainer = login_trainer(&app, "t@example.se").await;
    let learner = app.login_as("elev@example.se").await;
    let session = start(&app, &trainer, "prov-place-lulea", true).await;
    let code = session["code"].as_str().expect("code");
    let page_url = format!("/live/{code}");

    // Not joined: the name form, no player.
    let stranger = app.get(&page_url).await;
    assert_eq!(stranger.status, StatusCode::OK);
    assert_eq!(stranger.texts("#live-guest label").len(), 1);
    assert!(stranger.texts("#player").is_empty() && player_config(&stranger).is_none());

    // A guest who joined (the cookie the join sets) and a logged-in learner get the player,
    // pointed at the session's answers and event stream, on the round's exercise.
    let joined = app
        .post_json(
            &format!("/api/live/{code}/guests"),
            r#"{"name": "Åsa"}"#,
            &[],
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    let guest = crate::helpers::cookie_pair(&joined, "kartskola_live_guest").expect("cookie");
    for cookie in [&guest, &learner] {
        let page = app.get_with(&page_url, &[("cookie", cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.texts("#live-guest").is_empty(), "already joined");
        assert_eq!(page.texts("#player").len(), 1);
        assert_eq!(
            page.texts("#live-status"),
            ["Svaren är öppna: svara och skicka."]
        );
        let config = player_config(&page).expect("player config");
        assert_eq!(config["attempts_api"], format!("/api/live/{code}/answers"));
        assert_eq!(config["exercise_api"], "/api/exercises/prov-place-lulea");
        assert_eq!(config["live"]["round"], 1);
        assert_eq!(config["live"]["state"], "open");
        assert_eq!(
            config["live"]["events_url"],
            format!("/api/live/{code}/events")
        );
    }

    // The trainer moves on: the page shows the next round's exercise.
    let next = control(
        &app,
        &trainer,
        code,
        json!({"action": "next", "exercise_id": "prov-polygon-open"}),
    )
    .await;
    assert_eq!(next.status, StatusCode::OK, "{}", next.body);
    let page = app.get_with(&page_url, &[("cookie", &learner)]).await;
    let config = player_config(&page).expect("player config");
    assert_eq!(config["exercise_api"], "/api/exercises/prov-polygon-open");
    assert_eq!(config["live"]["round"], 2);

    // Over: no player; the guest is forgotten and meets the login link.
    let ended = control(&app, &trainer, code, json!({"action": "end"})).await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    let page = app.get_with(&page_url, &[("cookie", &learner)]).await;
    assert!(page.texts("#player").is_empty() && player_config(&page).is_none());
    assert_eq!(page.texts("#live-status"), ["Sessionen är slut. Tack!"]);
    let page = app.get_with(&page_url, &[("cookie", &guest)]).await;
    assert!(page.texts("#player").is_empty());
    assert!(page.body.contains("/login?next="), "{}", page.body);
}

/// A reveal of an area says its size and centre (and a line its length and ends: the same
/// `grading::summary`), for participants who follow the key in words rather than on the map.
#[tokio::test]
async fn the_reveal_measures_lines_and_areas_for_the_words_beside_the_map() {
    let app = TestApp::spawn().await;
    let trainer = login_trainer(&app, "t-words@example.se").await;
    let session = start(&app, &trainer, "prov-polygon-open", false).await;
    let code = session["code"].as_str().expect("code");
    let revealed = control(&app, &trainer, code, json!({"action": "reveal"})).await;
    assert_eq!(revealed.status, StatusCode::OK, "{}", revealed.body);
    let (_, events) = read_events(
        &app,
        code,
        &[("cookie", &trainer)],
        2,
        Duration::from_secs(5),
    )
    .await;
    let reveal = events
        .iter()
        .find(|e| e.data["state"] == "revealed")
        .unwrap_or_else(|| panic!("no reveal in {events:?}"));
    let features = reveal.data["key"]["features"].as_array().expect("features");
    assert_eq!(features.len(), 1, "{}", reveal.data);
    let summary = &features[0]["properties"]["summary"];
    // The key: the area within 20 km of Luleå, about 1 250 km² around (22.15° E, 65.58° N).
    let area = summary["area_m2"].as_f64().expect("area");
    assert!((1.0e9..1.5e9).contains(&area), "{summary}");
    let (lon, lat) = (
        summary["centre"][0].as_f64().expect("lon"),
        summary["centre"][1].as_f64().expect("lat"),
    );
    assert!(
        (lon - 22.15).abs() < 0.1 && (lat - 65.58).abs() < 0.1,
        "{summary}"
    );
}
