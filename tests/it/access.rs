//! The access-control matrix (service spec, "People, regions, roles, scopes"): every route ×
//! every role × own / other region / own cohort, asserting the status the spec gives. One table
//! below drives it: a new route joins by adding a row.
//!
//! The world: viewers Learner (Norrbotten), Trainer (Norrbotten, runs a cohort of A from
//! Norrbotten and C from Västerbotten), Manager (Norrbotten), Admin (Västerbotten); and the
//! learners whose attempts are looked at: A (Norrbotten, in the cohort), C (Västerbotten, in
//! the cohort), D (Västerbotten), E (Norrbotten). Z is the person admins change.

use std::collections::HashMap;

use axum::http::StatusCode;
use kartskola::db::{Capability, NewCohort, Scope, now_ms};
use serde_json::Value;

use crate::helpers::TestApp;

const ATTEMPTS: &str = "/api/exercises/prov-place-lulea/attempts";
const ANSWER: &str = r#"{"geometry": {"type": "Point", "coordinates": [22.16, 65.58]}}"#;

/// The roles, in the order of each row's expectations.
const ROLES: [&str; 5] = ["anonymous", "learner", "trainer", "manager", "admin"];

#[derive(Debug, Clone, Copy)]
enum Body {
    None,
    /// An HTML form with the viewer's CSRF token and these fields.
    Form(&'static [(&'static str, &'static str)]),
    /// A JSON body (the API: the session cookie only).
    Json(&'static str),
}

/// `(method, path, body, [anonymous, learner, trainer, manager, admin])`. Placeholders:
/// `{own}` the viewer's own attempt, `{A}` `{C}` `{D}` `{E}` the learners' attempts, `{Z}` the
/// person admins change, `{token}` a token of Z's, `{cohort}` the trainer's cohort.
const MATRIX: &[(&str, &str, Body, [u16; 5])] = &[
    // Public: the catalogue, lessons, exercises, layers, the statement pages, login, health.
    ("GET", "/", Body::None, [200, 200, 200, 200, 200]),
    (
        "GET",
        "/courses/prov-kurs",
        Body::None,
        [200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/courses/prov-kurs/forsta/hej",
        Body::None,
        [200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/exercises/prov-place-lulea",
        Body::None,
        [200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/exercises/prov-place-lulea",
        Body::None,
        [200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/layers/towns",
        Body::None,
        [200, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/accessibility",
        Body::None,
        [200, 200, 200, 200, 200],
    ),
    ("GET", "/privacy", Body::None, [200, 200, 200, 200, 200]),
    ("GET", "/login", Body::None, [200, 200, 200, 200, 200]),
    ("GET", "/healthz", Body::None, [200, 200, 200, 200, 200]),
    (
        "GET",
        "/set-password?token=nonsense",
        Body::None,
        [404, 404, 404, 404, 404],
    ),
    // Everyone's own: login needed (a redirect on pages, 401 on the API).
    ("GET", "/account", Body::None, [303, 200, 200, 200, 200]),
    (
        "GET",
        "/account/export.json",
        Body::None,
        [303, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/account/answers.geojson",
        Body::None,
        [303, 200, 200, 200, 200],
    ),
    ("GET", "/me/progress", Body::None, [303, 200, 200, 200, 200]),
    (
        "GET",
        "/api/me/progress",
        Body::None,
        [401, 200, 200, 200, 200],
    ),
    ("GET", "/api/me", Body::None, [401, 200, 200, 200, 200]),
    (
        "POST",
        "/account/name",
        Body::Form(&[("display_name", "Nytt Namn")]),
        [403, 303, 303, 303, 303],
    ),
    (
        "POST",
        ATTEMPTS,
        Body::Json(ANSWER),
        [401, 201, 201, 201, 201],
    ),
    // Attempts by scope: own; a cohort member of the trainer's in the manager's region (A);
    // a cohort member from another region (C); someone out of every scope but the admin's (D);
    // someone of the manager's region outside the cohort (E).
    (
        "GET",
        "/api/attempts/{own}",
        Body::None,
        [401, 200, 200, 200, 200],
    ),
    (
        "GET",
        "/api/attempts/{A}",
        Body::None,
        [401, 404, 200, 200, 200],
    ),
    (
        "GET",
        "/api/attempts/{C}",
        Body::None,
        [401, 404, 200, 404, 200],
    ),
    (
        "GET",
        "/api/attempts/{D}",
        Body::None,
        [401, 404, 404, 404, 200],
    ),
    (
        "GET",
        "/api/attempts/{E}",
        Body::None,
        [401, 404, 404, 200, 200],
    ),
    (
        "GET",
        "/api/attempts/999999",
        Body::None,
        [401, 404, 404, 404, 404],
    ),
    // Cohorts (docs/cohorts.md): the cohort's trainer and admins; everyone else 404.
    ("GET", "/cohorts", Body::None, [303, 404, 200, 404, 200]),
    (
        "GET",
        "/cohorts/{cohort}",
        Body::None,
        [303, 404, 200, 404, 200],
    ),
    (
        "GET",
        "/cohorts/999999",
        Body::None,
        [303, 404, 404, 404, 404],
    ),
    (
        "GET",
        "/cohorts/{cohort}/exercises/prov-place-lulea",
        Body::None,
        [303, 404, 200, 404, 200],
    ),
    (
        "GET",
        "/api/cohorts/{cohort}/exercises/prov-place-lulea/answers",
        Body::None,
        [401, 404, 200, 404, 200],
    ),
    (
        "POST",
        "/cohorts/{cohort}/due",
        Body::Form(&[("module", "forsta"), ("due", "2026-05-01")]),
        [403, 404, 303, 404, 303],
    ),
    (
        "POST",
        "/cohorts/{cohort}/attempts/{A}/override",
        Body::Form(&[
            ("exercise", "prov-place-lulea"),
            ("score", "80"),
            ("comment", "Bra resonemang"),
        ]),
        [403, 404, 303, 404, 303],
    ),
    // An attempt of someone outside the cohort: not the trainer's to change.
    (
        "POST",
        "/cohorts/{cohort}/attempts/{E}/override",
        Body::Form(&[
            ("exercise", "prov-place-lulea"),
            ("score", "80"),
            ("comment", "Bra resonemang"),
        ]),
        [403, 404, 404, 404, 404],
    ),
    // The manager's region (managers and admins).
    ("GET", "/team", Body::None, [303, 404, 404, 200, 200]),
    (
        "GET",
        "/team/progress.csv",
        Body::None,
        [303, 404, 404, 200, 200],
    ),
    (
        "GET",
        "/api/team/progress",
        Body::None,
        [401, 404, 404, 200, 200],
    ),
    // xAPI: an admin's session (or a token).
    (
        "GET",
        "/api/xapi/statements",
        Body::None,
        [401, 404, 404, 404, 200],
    ),
    // Administration: admins only, everyone else 404 (and 403 without a session's token).
    ("GET", "/admin", Body::None, [303, 404, 404, 404, 200]),
    (
        "GET",
        "/admin/people",
        Body::None,
        [303, 404, 404, 404, 200],
    ),
    (
        "GET",
        "/admin/people/new",
        Body::None,
        [303, 404, 404, 404, 200],
    ),
    (
        "GET",
        "/admin/people/{Z}",
        Body::None,
        [303, 404, 404, 404, 200],
    ),
    (
        "GET",
        "/admin/people/999999",
        Body::None,
        [303, 404, 404, 404, 404],
    ),
    (
        "GET",
        "/admin/organisations",
        Body::None,
        [303, 404, 404, 404, 200],
    ),
    (
        "GET",
        "/admin/tokens",
        Body::None,
        [303, 404, 404, 404, 200],
    ),
    ("GET", "/admin/audit", Body::None, [303, 404, 404, 404, 200]),
    (
        "POST",
        "/admin/people",
        Body::Form(&[
            ("email", "ny@example.se"),
            ("display_name", "Ny Person"),
            ("region_id", "norrbotten"),
        ]),
        [403, 404, 404, 404, 201],
    ),
    (
        "POST",
        "/admin/people/{Z}/capabilities",
        Body::Form(&[("capability", "trainer")]),
        [403, 404, 404, 404, 303],
    ),
    (
        "POST",
        "/admin/people/{Z}/placement",
        Body::Form(&[("region_id", "vasterbotten")]),
        [403, 404, 404, 404, 303],
    ),
    (
        "POST",
        "/admin/people/{Z}/disable",
        Body::Form(&[]),
        [403, 404, 404, 404, 303],
    ),
    (
        "POST",
        "/admin/people/{Z}/enable",
        Body::Form(&[]),
        [403, 404, 404, 404, 303],
    ),
    (
        "POST",
        "/admin/people/{Z}/reset-link",
        Body::Form(&[]),
        [403, 404, 404, 404, 200],
    ),
    (
        "POST",
        "/admin/people/{Z}/tokens",
        Body::Form(&[("name", "LRS")]),
        [403, 404, 404, 404, 201],
    ),
    (
        "POST",
        "/admin/tokens/{token}/revoke",
        Body::Form(&[]),
        [403, 404, 404, 404, 303],
    ),
    (
        "POST",
        "/admin/organisations",
        Body::Form(&[
            ("name", "Bodens kommun"),
            ("kind", "municipality"),
            ("region_id", "norrbotten"),
            ("municipality_code", "2582"),
        ]),
        [403, 404, 404, 404, 303],
    ),
    (
        "POST",
        "/admin/people/{Z}/pseudonymise",
        Body::Form(&[("confirm", "yes")]),
        [403, 404, 404, 404, 303],
    ),
    // Last: it ends the viewer's session.
    (
        "POST",
        "/logout",
        Body::Form(&[]),
        [403, 303, 303, 303, 303],
    ),
];

struct Viewer {
    cookie: Option<String>,
    csrf: String,
    own_attempt: i64,
}

async fn attempt(app: &TestApp, cookie: &str) -> i64 {
    let created = app.post_json(ATTEMPTS, ANSWER, &[("cookie", cookie)]).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.json()["attempt_id"].as_i64().expect("attempt id")
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_spec_says() {
    let app = TestApp::spawn().await;
    let mut ids = HashMap::new();
    for (name, region, capabilities) in [
        ("learner", "norrbotten", &[][..]),
        ("trainer", "norrbotten", &[Capability::Trainer][..]),
        ("manager", "norrbotten", &[Capability::Manager][..]),
        ("admin", "vasterbotten", &[Capability::Admin][..]),
        ("a", "norrbotten", &[][..]),
        ("c", "vasterbotten", &[][..]),
        ("d", "vasterbotten", &[][..]),
        ("e", "norrbotten", &[][..]),
        ("z", "norrbotten", &[][..]),
    ] {
        let id = app
            .add_person(&format!("{name}@example.se"), region, capabilities)
            .await;
        ids.insert(name, id);
    }
    let cohort = app
        .state
        .db
        .create_cohort(
            &Scope::operator(),
            &NewCohort {
                name: "Grundkurs",
                course: "prov-kurs",
                region_id: "norrbotten",
                trainer_person_id: ids["trainer"],
                starts_at_ms: None,
                ends_at_ms: None,
            },
        )
        .await
        .expect("cohort")
        .expect("allowed");
    for member in ["a", "c"] {
        assert!(
            app.state
                .db
                .add_cohort_member(&Scope::operator(), cohort, ids[member])
                .await
                .expect("member")
        );
    }
    let mut attempts = HashMap::new();
    for name in ["a", "c", "d", "e"] {
        let cookie = app.login_existing(&format!("{name}@example.se")).await;
        attempts.insert(name.to_uppercase(), attempt(&app, &cookie).await);
    }
    let token = app
        .state
        .db
        .insert_api_token(ids["z"], "old", "not-a-real-hash", now_ms(), None)
        .await
        .expect("token");
    let mut viewers = vec![Viewer {
        cookie: None,
        csrf: String::new(),
        own_attempt: attempts["A"],
    }];
    for role in &ROLES[1..] {
        let cookie = app.login_existing(&format!("{role}@example.se")).await;
        let csrf = app.csrf_for(&cookie).await;
        let own_attempt = attempt(&app, &cookie).await;
        viewers.push(Viewer {
            cookie: Some(cookie),
            csrf,
            own_attempt,
        });
    }
    let mut failures = Vec::new();
    for (method, template, body, expected) in MATRIX {
        for (index, viewer) in viewers.iter().enumerate() {
            let path = template
                .replace("{own}", &viewer.own_attempt.to_string())
                .replace("{A}", &attempts["A"].to_string())
                .replace("{C}", &attempts["C"].to_string())
                .replace("{D}", &attempts["D"].to_string())
                .replace("{E}", &attempts["E"].to_string())
                .replace("{Z}", &ids["z"].to_string())
                .replace("{cohort}", &cohort.to_string())
                .replace("{token}", &token.to_string());
            let cookie = viewer.cookie.as_deref();
            let response = match (*method, body) {
                ("GET", _) => {
                    let headers: Vec<(&str, &str)> =
                        cookie.map(|c| ("cookie", c)).into_iter().collect();
                    app.get_with(&path, &headers).await
                }
                (_, Body::Json(json)) => {
                    let headers: Vec<(&str, &str)> =
                        cookie.map(|c| ("cookie", c)).into_iter().collect();
                    app.post_json(&path, *json, &headers).await
                }
                (_, Body::Form(fields)) => {
                    let mut all: Vec<(&str, &str)> = Vec::new();
                    if viewer.cookie.is_some() {
                        all.push(("csrf", &viewer.csrf));
                    }
                    all.extend(fields.iter().copied());
                    app.post_form(&path, cookie, &all).await
                }
                (_, Body::None) => app.post_form(&path, cookie, &[]).await,
            };
            if response.status.as_u16() != expected[index] {
                failures.push(format!(
                    "{method} {path} as {}: {} (expected {})",
                    ROLES[index], response.status, expected[index]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let denials = app.state.db.audit_events(None, 2000).await.expect("audit");
    assert!(denials.iter().any(|e| e.outcome == "denied"
        && e.target.as_deref() == Some(&*format!("attempt:{}", attempts["D"]))));
    assert!(
        denials
            .iter()
            .any(|e| e.outcome == "denied" && e.target.as_deref() == Some("GET /admin/people"))
    );
}

#[tokio::test]
async fn a_manager_sees_scores_and_a_trainer_answers() {
    let app = TestApp::spawn().await;
    let trainer_id = app
        .add_person("trainer@example.se", "norrbotten", &[Capability::Trainer])
        .await;
    app.add_person("manager@example.se", "norrbotten", &[Capability::Manager])
        .await;
    let learner_id = app.add_person("a@example.se", "norrbotten", &[]).await;
    let cohort = app
        .state
        .db
        .create_cohort(
            &Scope::operator(),
            &NewCohort {
                name: "Grundkurs",
                course: "prov-kurs",
                region_id: "norrbotten",
                trainer_person_id: trainer_id,
                starts_at_ms: None,
                ends_at_ms: None,
            },
        )
        .await
        .expect("cohort")
        .expect("allowed");
    assert!(
        app.state
            .db
            .add_cohort_member(&Scope::operator(), cohort, learner_id)
            .await
            .expect("member")
    );
    let learner = app.login_existing("a@example.se").await;
    let id = attempt(&app, &learner).await;
    let uri = format!("/api/attempts/{id}");
    let own: Value = app.get_with(&uri, &[("cookie", &learner)]).await.json();
    let trainer = app.login_existing("trainer@example.se").await;
    let seen_by_trainer: Value = app.get_with(&uri, &[("cookie", &trainer)]).await.json();
    let manager = app.login_existing("manager@example.se").await;
    let seen_by_manager: Value = app.get_with(&uri, &[("cookie", &manager)]).await.json();
    assert_eq!(seen_by_trainer["answer"], own["answer"]);
    assert!(own["answer"]["geometry"].is_object());
    assert_eq!(seen_by_manager["score"], own["score"]);
    assert_eq!(seen_by_manager["passed"], own["passed"]);
    assert!(seen_by_manager["answer"].is_null(), "{seen_by_manager}");
    assert_eq!(
        seen_by_manager["geometries"]["features"],
        serde_json::json!([])
    );
    assert_eq!(seen_by_manager["feedback"], serde_json::json!([]));
    // A trainer cannot add to a cohort they do not run, nor a learner make one.
    let other = app
        .add_person("t2@example.se", "norrbotten", &[Capability::Trainer])
        .await;
    let t2 = Scope::new(other, "norrbotten", &[Capability::Trainer]);
    assert!(
        !app.state
            .db
            .add_cohort_member(&t2, cohort, other)
            .await
            .expect("refused")
    );
    let learner_scope = Scope::new(learner_id, "norrbotten", &[]);
    let new = NewCohort {
        name: "Egen",
        course: "prov-kurs",
        region_id: "norrbotten",
        trainer_person_id: learner_id,
        starts_at_ms: None,
        ends_at_ms: None,
    };
    assert!(
        app.state
            .db
            .create_cohort(&learner_scope, &new)
            .await
            .expect("refused")
            .is_none()
    );
    assert!(
        app.state
            .db
            .cohort_members_in_scope(&t2, cohort)
            .await
            .expect("query")
            .is_none()
    );
    let trainer_scope = Scope::new(trainer_id, "norrbotten", &[Capability::Trainer]);
    let members = app
        .state
        .db
        .cohort_members_in_scope(&trainer_scope, cohort)
        .await
        .expect("query")
        .expect("runs it");
    assert_eq!(
        members.iter().map(|m| m.person_id).collect::<Vec<_>>(),
        [learner_id]
    );
}
