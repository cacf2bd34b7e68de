//! xAPI statements: only admins and read-only tokens get them (a token sees what its owner
//! sees), each attempt maps to one statement whose id is a UUIDv5 of the attempt, no e-mail
//! leaves, and `since` and the `more` link page through them without gaps or repeats.

use std::collections::HashSet;

use axum::http::StatusCode;
use kartskola::db::{Capability, now_ms};
use serde_json::Value;

use crate::progress::{DAY, Try, attempts, person, real_app, session, token};

fn statements(body: &Value) -> Vec<Value> {
    body["statements"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn statements_are_for_admins_and_tokens_in_their_owners_scope() {
    let app = real_app().await;
    let exercise = app
        .state
        .catalog
        .exercises
        .keys()
        .next()
        .expect("exercise")
        .clone();
    let nb = person(&app, "nb@example.se", "Norr", "norrbotten", None, &[]).await;
    let vb = person(&app, "vb@example.se", "Väst", "vasterbotten", None, &[]).await;
    let manager = person(
        &app,
        "chef@example.se",
        "Chef",
        "norrbotten",
        None,
        &[Capability::Manager],
    )
    .await;
    let admin = person(
        &app,
        "admin@example.se",
        "Admin",
        "jamtland-harjedalen",
        None,
        &[Capability::Admin],
    )
    .await;
    for who in [nb, vb] {
        attempts(&app, who, &[crate::progress::pass(&exercise, 1)]).await;
    }
    assert_eq!(
        app.get("/api/xapi/statements").await.status,
        StatusCode::UNAUTHORIZED
    );
    for who in [nb, manager] {
        let cookie = session(&app, who).await;
        let r = app
            .get_with("/api/xapi/statements", &[("cookie", &cookie)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "a session that is not an admin's"
        );
    }
    let admin_cookie = session(&app, admin).await;
    let all = app
        .get_with("/api/xapi/statements", &[("cookie", &admin_cookie)])
        .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(all.header("x-experience-api-version"), Some("1.0.3"));
    assert_eq!(statements(&all.json()).len(), 2);

    let manager_token = token(&app, manager).await;
    let region = app
        .get_with("/api/xapi/statements", &[("authorization", &manager_token)])
        .await
        .json();
    let actors: Vec<&str> = statements(&region)
        .iter()
        .filter_map(|s| s["actor"]["account"]["name"].as_str())
        .map(|s| if s == nb.to_string() { "nb" } else { "other" })
        .collect();
    assert_eq!(actors, vec!["nb"], "a manager's token sees the region only");
    let events = app
        .state
        .db
        .audit_events(Some(manager), 20)
        .await
        .expect("audit");
    assert!(
        events.iter().any(|e| e.action == "export"
            && e.detail.as_deref().is_some_and(|d| d.starts_with("xapi 1")))
    );
}

#[tokio::test]
async fn an_attempt_maps_to_one_derived_statement() {
    let app = real_app().await;
    let catalog = app.state.catalog.clone();
    // An exercise with an attempts limit, listed in a lesson.
    let (exercise, limit) = catalog
        .courses
        .iter()
        .flat_map(|c| c.lessons().flat_map(|(_, l)| l.exercises.iter()))
        .filter_map(|id| catalog.exercise(id))
        .find(|e| e.attempts >= 2)
        .map(|e| (e.id.clone(), i64::from(e.attempts)))
        .expect("an exercise with a limit");
    let learner = person(
        &app,
        "learner@example.se",
        "Lärande",
        "norrbotten",
        None,
        &[],
    )
    .await;
    let at = now_ms() - DAY;
    let mut tries: Vec<Try<'_>> = (0..limit)
        .map(|i| Try {
            exercise: &exercise,
            score: 0.25,
            passed: false,
            at_ms: at + i * 1000,
        })
        .collect();
    tries[0].score = 0.5;
    attempts(&app, learner, &tries).await;
    let admin = person(
        &app,
        "admin@example.se",
        "Admin",
        "norrbotten",
        None,
        &[Capability::Admin],
    )
    .await;
    let auth = token(&app, admin).await;
    let response = app
        .get_with("/api/xapi/statements", &[("authorization", &auth)])
        .await;
    let text = response.body.clone();
    assert!(
        !text.contains("learner@example.se") && !text.contains('@'),
        "no e-mail: {text}"
    );
    let list = statements(&response.json());
    assert_eq!(list.len(), usize::try_from(limit).expect("small"));
    let public = app.state.config.public_url.clone();
    let first = &list[0];
    assert_eq!(first["actor"]["account"]["homePage"], public.as_str());
    assert_eq!(first["actor"]["account"]["name"], learner.to_string());
    assert_eq!(
        first["object"]["id"],
        format!("{public}/exercises/{exercise}")
    );
    assert_eq!(
        first["verb"]["id"],
        "http://adlnet.gov/expapi/verbs/answered"
    );
    assert_eq!(first["result"]["score"]["scaled"], 0.5);
    assert_eq!(first["result"]["success"], false);
    assert!(
        first["context"]["contextActivities"]["parent"][0]["id"]
            .as_str()
            .is_some_and(|p| p.starts_with(&format!("{public}/courses/")))
    );
    let last = list.last().expect("last");
    assert_eq!(
        last["verb"]["id"], "http://adlnet.gov/expapi/verbs/failed",
        "the last allowed attempt"
    );

    // The id is a UUIDv5 of the attempt's IRI: derived, so the same every time.
    let stored = app
        .state
        .db
        .latest_attempt(learner, &exercise)
        .await
        .expect("db")
        .expect("attempt");
    let expected = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("{public}/api/attempts/{}", stored.attempt_id).as_bytes(),
    );
    assert_eq!(last["id"], expected.to_string());
    let again = statements(
        &app.get_with("/api/xapi/statements", &[("authorization", &auth)])
            .await
            .json(),
    );
    assert_eq!(again, list);
}

#[tokio::test]
async fn since_and_more_page_through_without_gaps() {
    let app = real_app().await;
    let ids: Vec<String> = app
        .state
        .catalog
        .exercises
        .keys()
        .take(7)
        .cloned()
        .collect();
    let learner = person(
        &app,
        "learner@example.se",
        "Lärande",
        "norrbotten",
        None,
        &[],
    )
    .await;
    let base = now_ms() - 10 * DAY;
    let tries: Vec<Try<'_>> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| Try {
            exercise: id,
            score: 1.0,
            passed: true,
            // Two attempts share a millisecond: the cursor must keep them apart.
            at_ms: base + i64::try_from(i.min(5)).expect("small") * DAY,
        })
        .collect();
    attempts(&app, learner, &tries).await;
    let admin = person(
        &app,
        "admin@example.se",
        "Admin",
        "norrbotten",
        None,
        &[Capability::Admin],
    )
    .await;
    let auth = token(&app, admin).await;

    let mut seen = HashSet::new();
    let mut url = "/api/xapi/statements?limit=2".to_owned();
    let mut pages = 0;
    while !url.is_empty() {
        let body = app.get_with(&url, &[("authorization", &auth)]).await;
        assert_eq!(body.status, StatusCode::OK, "{url}: {}", body.body);
        let body = body.json();
        for s in statements(&body) {
            assert!(
                seen.insert(s["id"].as_str().expect("id").to_owned()),
                "a repeat on {url}"
            );
        }
        url = body["more"].as_str().expect("more").to_owned();
        pages += 1;
        assert!(pages < 10);
    }
    assert_eq!(seen.len(), 7);
    assert_eq!(pages, 4, "2 + 2 + 2 + 1");

    // `since` is exclusive, as in xAPI: the statements stored after it.
    let since = kartskola::progress::time::rfc3339(base + 3 * DAY);
    let later = app
        .get_with(
            &format!("/api/xapi/statements?since={since}"),
            &[("authorization", &auth)],
        )
        .await
        .json();
    assert_eq!(statements(&later).len(), 3, "days 4, 5 and 5");
    assert_eq!(later["more"], "");
    for bad in [
        "since=yesterday",
        "limit=0",
        "limit=5000",
        "cursor=abc",
        "limit=1&limit=2",
    ] {
        let r = app
            .get_with(
                &format!("/api/xapi/statements?{bad}"),
                &[("authorization", &auth)],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.json()["error"]["code"], "bad_request");
    }
}
