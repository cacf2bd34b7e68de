//! The attempts API: every error code, the body limit, the attempts limit, idempotent retry,
//! the Reveal filter, and that what was stored is what was answered.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

const URL: &str = "/api/exercises/prov-place-lulea/attempts";
const NEAR_LULEA: &str = r#"{"geometry": {"type": "Point", "coordinates": [22.16, 65.58]}}"#;
const AT_UMEA: &str = r#"{"geometry": {"type": "Point", "coordinates": [20.263, 63.8258]}}"#;

fn has_role(result: &Value, role: &str) -> bool {
    result["geometries"]["features"]
        .as_array()
        .is_some_and(|f| f.iter().any(|f| f["properties"]["role"] == role))
}

#[tokio::test]
async fn the_exercise_api_asks_without_giving_the_key_away() {
    let app = TestApp::spawn().await;
    let response = app
        .get_with(
            "/api/exercises/prov-place-lulea",
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_eq!(body["kind"], "place_point");
    assert_eq!(body["title"], "Place Luleå");
    assert_eq!(body["map"]["layers"], json!(["towns"]));
    assert_eq!(body["attempts"]["limit"], 2);
    assert_eq!(body["accessible_alternative"]["id"], "prov-choice");
    assert!(
        !response.body.contains("22.1547") && !response.body.contains("65.5848"),
        "{}",
        response.body
    );
    let choice = app
        .get_with("/api/exercises/prov-choice", &[("accept-language", "en")])
        .await
        .json();
    assert_eq!(choice["question"]["options"][0]["text"], "Luleå");
    assert!(!choice.to_string().contains("correct"), "{choice}");
    assert_eq!(
        app.get("/api/exercises/nope").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_attempt_is_graded_stored_and_readable() {
    let app = TestApp::spawn().await;
    let cookie = app.login_as("a@example.se").await;
    let created = app.post_json(URL, NEAR_LULEA, &[("cookie", &cookie)]).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    assert_eq!(body["passed"], true);
    assert!(body["score"].as_f64().is_some_and(|s| s > 0.99));
    assert_eq!(body["attempts"], json!({"limit": 2, "used": 1, "left": 1}));
    assert_eq!(body["grader_version"], kartskola::grading::GRADER_VERSION);
    assert!(
        has_role(&body, "answer") && has_role(&body, "key"),
        "passed, so revealed: {body}"
    );
    let id = body["attempt_id"].as_i64().expect("attempt id");
    let stored = app
        .get_with(&format!("/api/attempts/{id}"), &[("cookie", &cookie)])
        .await;
    assert_eq!(stored.status, StatusCode::OK);
    let stored = stored.json();
    assert_eq!(stored["score"], body["score"]);
    assert_eq!(
        stored["answer"]["geometry"]["coordinates"],
        json!([22.16, 65.58])
    );
    let other = app.login_as("b@example.se").await;
    assert_eq!(
        app.get_with(&format!("/api/attempts/{id}"), &[("cookie", &other)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let exercise = app
        .get_with("/api/exercises/prov-place-lulea", &[("cookie", &cookie)])
        .await
        .json();
    assert_eq!(exercise["attempts"]["used"], 1);
    assert_eq!(
        exercise["last_answer"]["geometry"]["coordinates"],
        json!([22.16, 65.58])
    );
}

#[tokio::test]
async fn the_key_stays_hidden_until_a_pass_or_the_last_attempt() {
    let app = TestApp::spawn().await;
    let cookie = app.login_as("a@example.se").await;
    let first = app
        .post_json(
            URL,
            AT_UMEA,
            &[("cookie", &cookie), ("accept-language", "en")],
        )
        .await
        .json();
    assert_eq!(first["passed"], false);
    assert_eq!(first["revealed"], false);
    assert!(
        has_role(&first, "answer") && !has_role(&first, "key"),
        "{first}"
    );
    let feedback: Vec<&str> = first["feedback"]
        .as_array()
        .expect("feedback")
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(feedback.contains(&"That is Umeå."), "{feedback:?}");
    let id = first["attempt_id"].as_i64().expect("id");
    let again = app
        .get_with(&format!("/api/attempts/{id}"), &[("cookie", &cookie)])
        .await
        .json();
    assert!(!has_role(&again, "key"));
    let last = app
        .post_json(URL, AT_UMEA, &[("cookie", &cookie)])
        .await
        .json();
    assert_eq!(last["revealed"], true, "the last attempt reveals");
    assert!(has_role(&last, "key"));
}

#[tokio::test]
async fn the_attempts_limit_answers_409_and_refused_answers_use_none() {
    let app = TestApp::spawn().await;
    let cookie = app.login_as("a@example.se").await;
    let refused = app
        .post_json(
            URL,
            r#"{"geometry": {"type": "LineString", "coordinates": [[1,2],[3,4]]}}"#,
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["error"]["code"], "wrong_geometry_type");
    for _ in 0..2 {
        assert_eq!(
            app.post_json(URL, AT_UMEA, &[("cookie", &cookie)])
                .await
                .status,
            StatusCode::CREATED
        );
    }
    let over = app.post_json(URL, NEAR_LULEA, &[("cookie", &cookie)]).await;
    assert_eq!(over.status, StatusCode::CONFLICT);
    assert_eq!(over.json()["error"]["code"], "attempts_exhausted");
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_stored_response() {
    let app = TestApp::spawn().await;
    let cookie = app.login_as("a@example.se").await;
    let headers = [("cookie", cookie.as_str()), ("idempotency-key", "k-1")];
    let first = app.post_json(URL, AT_UMEA, &headers).await;
    let second = app.post_json(URL, AT_UMEA, &headers).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(first.body, second.body);
    let exercise = app
        .get_with("/api/exercises/prov-place-lulea", &[("cookie", &cookie)])
        .await
        .json();
    assert_eq!(exercise["attempts"]["used"], 1, "the repeat stored nothing");
    let reused = app.post_json(URL, NEAR_LULEA, &headers).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.json()["error"]["code"], "idempotency_key_reused");
}

#[tokio::test]
async fn bad_requests_get_their_codes() {
    let app = TestApp::spawn().await;
    let anonymous = app.post_json(URL, NEAR_LULEA, &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.json()["error"]["code"], "unauthenticated");

    let cookie = app.login_as("a@example.se").await;
    let malformed = app
        .post_json(
            URL,
            "{\"geometry\": ",
            &[("cookie", &cookie), ("accept-language", "en")],
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let error = malformed.json();
    assert_eq!(error["error"]["code"], "malformed_json");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("line")),
        "{error}"
    );

    let text = app
        .request(
            axum::http::Request::post(URL)
                .header("content-type", "text/plain")
                .header("cookie", &cookie)
                .body(axum::body::Body::from(NEAR_LULEA))
                .expect("request"),
        )
        .await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(text.json()["error"]["code"], "unsupported_media_type");

    let huge = format!(
        "{{\"geometry\": {{\"type\": \"Point\", \"coordinates\": [22.1, 65.5]}}, \"pad\": \"{}\"}}",
        "x".repeat(1_100_000)
    );
    let too_large = app.post_json(URL, huge, &[("cookie", &cookie)]).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.json()["error"]["code"], "body_too_large");

    let far = app
        .post_json(
            URL,
            r#"{"geometry": {"type": "Point", "coordinates": [2.35, 48.85]}}"#,
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(far.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(far.json()["error"]["code"], "out_of_map_extent");

    let cross = app
        .post_json(
            URL,
            NEAR_LULEA,
            &[
                ("cookie", &cookie),
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:8080"),
            ],
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert_eq!(cross.json()["error"]["code"], "cross_origin");
    let fetch_site = app
        .post_json(
            URL,
            NEAR_LULEA,
            &[("cookie", &cookie), ("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(fetch_site.status, StatusCode::FORBIDDEN);

    let unknown = app
        .post_json(
            "/api/exercises/nope/attempts",
            NEAR_LULEA,
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let exercise = app
        .get_with("/api/exercises/prov-place-lulea", &[("cookie", &cookie)])
        .await
        .json();
    assert_eq!(
        exercise["attempts"]["used"], 0,
        "no refused request used an attempt"
    );
}

#[tokio::test]
async fn pages_that_need_a_login_redirect_and_logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let cookie = app.login_as("a@example.se").await;
    let csrf = app.csrf_for(&cookie).await;
    let logout = app
        .post_form("/logout", Some(&cookie), &[("csrf", &csrf)])
        .await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    let after = app.post_json(URL, NEAR_LULEA, &[("cookie", &cookie)]).await;
    assert_eq!(
        after.status,
        StatusCode::UNAUTHORIZED,
        "a logged-out session id is dead"
    );
    let page = app.get("/exercises/prov-place-lulea").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), ["Placera Luleå"]);
}

#[tokio::test]
async fn a_wrong_password_gets_one_message_for_every_failure() {
    let app = TestApp::spawn().await;
    app.login_as("a@example.se").await;
    for email in ["a@example.se", "nobody@example.se"] {
        let response = app.log_in(email, "wrong-password-here").await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            response.texts(".form-error"),
            ["Fel e-postadress eller lösenord."]
        );
        assert!(response.header("set-cookie").is_none());
    }
}
