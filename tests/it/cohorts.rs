//! Cohorts (issue #8) over HTTP, on SQLite and PostgreSQL alike: creating one (and every
//! validation error, said with its field), members (search reach: a trainer's own region by
//! name, other regions by exact e-mail only), due dates and what members see of them, the
//! members × lessons matrix with overdue modules, the class map's data and list view, grade
//! overrides (comment required, audited, both grades shown to the learner, progress recomputed
//! from the new grade with no drift), and scope: another trainer gets 404 for everything, an
//! admin sees every cohort, managers and learners get nothing.

use axum::http::StatusCode;
use kartskola::db::Capability;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResponse};

const EXERCISE: &str = "prov-place-lulea";
const NEAR_LULEA: &str = r#"{"geometry": {"type": "Point", "coordinates": [22.16, 65.58]}}"#;
const AT_UMEA: &str = r#"{"geometry": {"type": "Point", "coordinates": [20.263, 63.8258]}}"#;

/// Posts a form with the session's CSRF token.
async fn post(app: &TestApp, cookie: &str, uri: &str, fields: &[(&str, &str)]) -> TestResponse {
    let csrf = app.csrf_for(cookie).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    app.post_form(uri, Some(cookie), &all).await
}

/// The matrix's body rows, each as the texts of its cells (the member's name first).
fn matrix_rows(page: &TestResponse) -> Vec<String> {
    page.table_rows("table.cohort-matrix")
        .into_iter()
        .map(|cells| cells.join(" | "))
        .collect()
}

async fn get(app: &TestApp, cookie: &str, uri: &str) -> TestResponse {
    app.get_with(uri, &[("cookie", cookie)]).await
}

/// Adds a person found by the search (`person_id`) to a cohort through the form.
async fn add_member(app: &TestApp, cookie: &str, cohort: i64, person: i64) -> TestResponse {
    let person = person.to_string();
    let uri = format!("/cohorts/{cohort}/members");
    post(app, cookie, &uri, &[("person_id", &person)]).await
}

/// Adds a person by exact e-mail to a cohort through the form.
async fn add_member_by_email(
    app: &TestApp,
    cookie: &str,
    cohort: i64,
    email: &str,
) -> TestResponse {
    let uri = format!("/cohorts/{cohort}/members");
    post(app, cookie, &uri, &[("email", email)]).await
}

fn location(response: &TestResponse) -> String {
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "expected a redirect: {}",
        response.body
    );
    response.header("location").unwrap_or_default().to_owned()
}

/// Creates a cohort through the form; returns its id.
async fn create(app: &TestApp, cookie: &str, name: &str) -> i64 {
    let response = post(
        app,
        cookie,
        "/cohorts",
        &[
            ("name", name),
            ("course", "prov-kurs"),
            ("region", "norrbotten"),
            ("starts", "2026-01-12"),
            ("ends", "2026-06-30"),
        ],
    )
    .await;
    let to = location(&response);
    let id = to
        .strip_prefix("/cohorts/")
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirect to the new cohort: {to}"));
    assert!(to.ends_with("?saved=created"), "{to}");
    id
}

async fn submit(app: &TestApp, cookie: &str, body: &str) -> Value {
    let response = app
        .post_json(
            &format!("/api/exercises/{EXERCISE}/attempts"),
            body.to_owned(),
            &[("cookie", cookie)],
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn a_trainer_creates_a_cohort_with_clear_errors_and_manages_members_in_reach() {
    let app = TestApp::spawn().await;
    app.add_named_person(
        "t@example.se",
        "Tina Tränare",
        "norrbotten",
        &[Capability::Trainer],
    )
    .await;
    let trainer = app.login_existing("t@example.se").await;
    let anna = app
        .add_named_person("anna@example.se", "Anna Berg", "norrbotten", &[])
        .await;
    let bo = app
        .add_named_person("bo@example.se", "Bo Bergström", "norrbotten", &[])
        .await;
    let far = app
        .add_named_person("cilla@example.se", "Cilla Berg", "vasterbotten", &[])
        .await;

    // The list and the form.
    let page = get(&app, &trainer, "/cohorts").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts("form[action='/cohorts'] button").len(), 1);

    // Every problem, with its field, and what was typed kept.
    let refused = post(
        &app,
        &trainer,
        "/cohorts",
        &[
            ("name", "  "),
            ("course", "no-such-course"),
            ("region", "atlantis"),
            ("starts", "2026-05-01"),
            ("ends", "2026-04-01"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = refused.texts(".form-error li");
    assert_eq!(
        errors,
        vec![
            "Namn: skriv ett namn på kohorten.",
            "Kurs: välj en kurs som finns.",
            "Region: välj en av de fyra regionerna.",
            "Slutdatum: slutet kan inte ligga före starten.",
        ]
    );
    let bad_date = post(
        &app,
        &trainer,
        "/cohorts",
        &[
            ("name", "Vår"),
            ("course", "prov-kurs"),
            ("region", "norrbotten"),
            ("starts", "2026-02-30"),
        ],
    )
    .await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad_date.texts(".form-error li"),
        vec!["Datum: skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-01."]
    );
    let html = bad_date.html();
    let kept = html
        .select(&scraper::Selector::parse("input[name=name]").expect("selector"))
        .next()
        .and_then(|e| e.value().attr("value"));
    assert_eq!(kept, Some("Vår"), "the typed name is kept");
    assert!(
        app.state
            .db
            .cohorts_in_scope(&kartskola::db::Scope::operator())
            .await
            .expect("list")
            .is_empty()
    );

    let id = create(&app, &trainer, "Planerare våren 2026").await;
    let list = get(&app, &trainer, "/cohorts").await;
    assert_eq!(
        list.texts("table.cohorts td a"),
        vec!["Planerare våren 2026"]
    );
    let shown = get(&app, &trainer, &format!("/cohorts/{id}?saved=created")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.texts("h1"), vec!["Planerare våren 2026"]);
    assert_eq!(shown.texts("p.notice"), vec!["Kohorten är skapad."]);

    // Search: the trainer's region by name or e-mail; another region by exact e-mail only.
    let hits = get(&app, &trainer, &format!("/cohorts/{id}?q=berg")).await;
    let found: Vec<String> = hits.texts("table.hits tbody th, table.hits tbody td:first-child");
    assert_eq!(found, vec!["Anna Berg", "Bo Bergström"], "{}", hits.body);
    let by_mail = get(&app, &trainer, &format!("/cohorts/{id}?q=BO%40example.se")).await;
    assert_eq!(
        by_mail.texts("table.hits tbody td:first-child"),
        vec!["Bo Bergström"]
    );
    let exact = get(
        &app,
        &trainer,
        &format!("/cohorts/{id}?q=cilla%40example.se"),
    )
    .await;
    assert_eq!(
        exact.texts("table.hits tbody td:first-child"),
        vec!["Cilla Berg"]
    );
    let partial = get(&app, &trainer, &format!("/cohorts/{id}?q=cilla")).await;
    assert!(partial.texts("table.hits tbody td").is_empty());
    assert_eq!(partial.texts("[role=status]"), vec!["Ingen träff."]);
    // `%` and `_` are no wildcards.
    let wild = get(&app, &trainer, &format!("/cohorts/{id}?q=%25")).await;
    assert!(wild.texts("table.hits tbody td").is_empty());

    // Adding: by id within the region; another region's person by id is refused with a clear
    // error and nothing changes; by exact e-mail from any region.
    let far_by_id = add_member(&app, &trainer, id, far).await;
    assert_eq!(far_by_id.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        far_by_id.texts(".form-error li"),
        vec!["Deltagare: personen finns inte eller ligger utanför det du når."]
    );
    for who in [anna, bo] {
        let added = add_member(&app, &trainer, id, who).await;
        assert_eq!(
            location(&added),
            format!("/cohorts/{id}?saved=added#members")
        );
    }
    let again = add_member(&app, &trainer, id, anna).await;
    assert_eq!(
        location(&again),
        format!("/cohorts/{id}?saved=already#members")
    );
    let unknown = add_member_by_email(&app, &trainer, id, "nobody@example.se").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unknown.texts(".form-error li"),
        vec!["E-post: ingen aktiv person har exakt den adressen."]
    );
    let by_email = add_member_by_email(&app, &trainer, id, "Cilla@Example.se").await;
    assert_eq!(
        location(&by_email),
        format!("/cohorts/{id}?saved=added#members")
    );
    let members = get(&app, &trainer, &format!("/cohorts/{id}")).await;
    assert_eq!(
        members.texts("table.members tbody tr td:first-child"),
        vec!["Anna Berg", "Bo Bergström", "Cilla Berg"]
    );

    // Removing.
    let removed = post(
        &app,
        &trainer,
        &format!("/cohorts/{id}/members/{bo}/remove"),
        &[],
    )
    .await;
    assert_eq!(
        location(&removed),
        format!("/cohorts/{id}?saved=removed#members")
    );
    let members = get(&app, &trainer, &format!("/cohorts/{id}")).await;
    assert_eq!(
        members.texts("table.members tbody tr td:first-child"),
        vec!["Anna Berg", "Cilla Berg"]
    );
    let audit = app.state.db.audit_events(None, 100).await.expect("audit");
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    for action in ["cohort_create", "cohort_member_add", "cohort_member_remove"] {
        assert!(actions.contains(&action), "{action} audited: {actions:?}");
    }

    // Due dates: a bad module or date is a clear error; a date is shown to members.
    let bad_module = post(
        &app,
        &trainer,
        &format!("/cohorts/{id}/due"),
        &[("module", "99-nej"), ("due", "2026-03-01")],
    )
    .await;
    assert_eq!(bad_module.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad_module.texts(".form-error li"),
        vec!["Modul: kohortens kurs har ingen sådan modul."]
    );
    let bad_due = post(
        &app,
        &trainer,
        &format!("/cohorts/{id}/due"),
        &[("module", "forsta"), ("due", "1 mars")],
    )
    .await;
    assert_eq!(bad_due.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad_due.html();
    let typed: Vec<&str> = html
        .select(&scraper::Selector::parse("table.due input[name=due]").expect("selector"))
        .filter_map(|e| e.value().attr("value"))
        .collect();
    assert_eq!(typed, vec!["1 mars", ""], "what was typed is shown again");
    for (module, due) in [("forsta", "2020-03-01"), ("andra", "2999-12-31")] {
        let saved = post(
            &app,
            &trainer,
            &format!("/cohorts/{id}/due"),
            &[("module", module), ("due", due)],
        )
        .await;
        assert_eq!(location(&saved), format!("/cohorts/{id}?saved=due#due"));
    }
    let page = get(&app, &trainer, &format!("/cohorts/{id}")).await;
    let html = page.html();
    let values: Vec<&str> = html
        .select(&scraper::Selector::parse("table.due input[type=date]").expect("selector"))
        .filter_map(|e| e.value().attr("value"))
        .collect();
    assert_eq!(values, vec!["2020-03-01", "2999-12-31"]);
    let anna_cookie = app.login_existing("anna@example.se").await;
    let course = get(&app, &anna_cookie, "/courses/prov-kurs").await;
    assert_eq!(
        course.texts(".due-list li"),
        vec![
            "Första modulen: senast 2020-03-01 (Planerare våren 2026) Försenad",
            "Andra modulen: senast 2999-12-31 (Planerare våren 2026) klar",
        ],
        "{}",
        course.body
    );
    // Clearing a due date.
    let cleared = post(
        &app,
        &trainer,
        &format!("/cohorts/{id}/due"),
        &[("module", "andra"), ("due", "")],
    )
    .await;
    assert_eq!(location(&cleared), format!("/cohorts/{id}?saved=due#due"));
    let course = get(&app, &anna_cookie, "/courses/prov-kurs").await;
    assert_eq!(course.texts(".due-list li").len(), 1);
    // Someone in no cohort sees no due dates.
    let bo_cookie = app.login_existing("bo@example.se").await;
    let course = get(&app, &bo_cookie, "/courses/prov-kurs").await;
    assert!(course.texts(".due-list li").is_empty());
}

#[tokio::test]
async fn the_matrix_the_class_map_and_an_override_the_learner_sees() {
    let app = TestApp::spawn().await;
    app.add_named_person(
        "t@example.se",
        "Tina Tränare",
        "norrbotten",
        &[Capability::Trainer],
    )
    .await;
    let trainer = app.login_existing("t@example.se").await;
    let id = create(&app, &trainer, "Höstgruppen").await;
    let names = ["Alva", "Bertil", "Cecilia", "David", "Elin"];
    let mut ids = Vec::new();
    for name in names {
        let email = format!("{}@example.se", name.to_lowercase());
        let who = app.add_named_person(&email, name, "norrbotten", &[]).await;
        let added = add_member(&app, &trainer, id, who).await;
        location(&added);
        ids.push(who);
    }
    location(
        &post(
            &app,
            &trainer,
            &format!("/cohorts/{id}/due"),
            &[("module", "forsta"), ("due", "2020-03-01")],
        )
        .await,
    );
    // Alva passes, Bertil misses (Umeå for Luleå), the rest have not started.
    let alva = app.login_existing("alva@example.se").await;
    let bertil = app.login_existing("bertil@example.se").await;
    let passed = submit(&app, &alva, NEAR_LULEA).await;
    assert_eq!(passed["passed"], true);
    let missed = submit(&app, &bertil, AT_UMEA).await;
    assert_eq!(missed["passed"], false);
    let bertil_attempt = missed["attempt_id"].as_i64().expect("attempt id");
    let engine = missed["score"].as_f64().expect("score");
    assert!(engine < 0.5, "{missed}");

    let page = get(&app, &trainer, &format!("/cohorts/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let overdue = "Försenad Första modulen: försenad sedan 2020-03-01";
    assert_eq!(
        matrix_rows(&page),
        vec![
            "Alva | Klar | Klar | –".to_owned(),
            format!("Bertil | Påbörjad | {overdue} | –"),
            format!("Cecilia | Inte påbörjad | {overdue} | –"),
            format!("David | Inte påbörjad | {overdue} | –"),
            format!("Elin | Inte påbörjad | {overdue} | –"),
        ],
        "{}",
        page.body
    );
    // Five members: totals are shown.
    assert_eq!(
        page.texts("table.cohort-matrix tfoot td"),
        vec!["1 av 5 klara", "1 av 5 klara", "0 av 5 klara"]
    );
    assert_eq!(
        page.texts("ul.exercise-links a"),
        vec!["Klasskarta: Placera Luleå"]
    );

    // The class map's data: every member's latest answer with its features.
    let data = get(
        &app,
        &trainer,
        &format!("/api/cohorts/{id}/exercises/{EXERCISE}/answers"),
    )
    .await;
    assert_eq!(data.status, StatusCode::OK, "{}", data.body);
    let data = data.json();
    assert_eq!(data["members"], 5);
    let answers = data["answers"].as_array().expect("answers");
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0]["name"], "Alva");
    assert_eq!(answers[0]["passed"], true);
    assert_eq!(answers[1]["name"], "Bertil");
    assert_eq!(answers[1]["overridden"], false);
    let feature = &answers[1]["features"]["features"][0];
    assert_eq!(feature["geometry"]["coordinates"], json!([20.263, 63.8258]));
    assert_eq!(feature["properties"]["name"], "Bertil");
    assert_eq!(answers[1]["description"], "Punkt vid 63,826° N, 20,263° O");
    // An exercise outside the cohort's course is not found.
    let other = get(
        &app,
        &trainer,
        &format!("/api/cohorts/{id}/exercises/prov-polygon-open/answers"),
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // The list view: every member, answered or not, in words.
    let map_page = get(
        &app,
        &trainer,
        &format!("/cohorts/{id}/exercises/{EXERCISE}"),
    )
    .await;
    assert_eq!(map_page.status, StatusCode::OK, "{}", map_page.body);
    let list = map_page.texts("table.class-list tbody th");
    assert_eq!(list, vec!["Alva", "Bertil", "Cecilia", "David", "Elin"]);
    assert!(map_page.body.contains("Punkt vid 65,580° N, 22,160° O"));
    assert_eq!(
        map_page
            .texts("table.class-list tbody tr")
            .iter()
            .filter(|r| r.contains("Inget svar än"))
            .count(),
        3
    );

    // An override without a comment is refused with the reason, and changes nothing.
    let uri = format!("/cohorts/{id}/attempts/{bertil_attempt}/override");
    let refused = post(
        &app,
        &trainer,
        &uri,
        &[("exercise", EXERCISE), ("score", "100"), ("comment", "   ")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".form-error li"),
        vec!["Kommentar: en kommentar krävs; deltagaren ser den."]
    );
    let bad_score = post(
        &app,
        &trainer,
        &uri,
        &[("exercise", EXERCISE), ("score", "140"), ("comment", "Bra")],
    )
    .await;
    assert_eq!(bad_score.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad_score.texts(".form-error li"),
        vec!["Nytt betyg: skriv ett tal från 0 till 100 (procent)."]
    );
    let unchanged = get(&app, &bertil, &format!("/api/attempts/{bertil_attempt}"))
        .await
        .json();
    assert!(
        unchanged.get("override").is_none_or(Value::is_null),
        "{unchanged}"
    );
    assert_eq!(unchanged["effective_score"].as_f64(), Some(engine));

    // The override: effective grade 90 %, audited, progress recomputed without drift.
    let done = post(
        &app,
        &trainer,
        &uri,
        &[
            ("exercise", EXERCISE),
            ("score", "90"),
            ("comment", "Rätt resonemang, fel klick."),
        ],
    )
    .await;
    assert_eq!(
        location(&done),
        format!("/cohorts/{id}/exercises/{EXERCISE}?saved=override")
    );
    assert_eq!(app.state.db.progress_drift().await.expect("drift"), 0);
    let audit = app.state.db.audit_events(None, 50).await.expect("audit");
    let row = audit
        .iter()
        .find(|a| a.action == "grade_override")
        .expect("the override is audited");
    assert_eq!(
        row.target.as_deref(),
        Some(format!("attempt:{bertil_attempt}").as_str())
    );
    assert_eq!(row.outcome, "success");
    assert!(
        row.detail.as_deref().unwrap_or("").contains("-> 0.9000"),
        "{row:?}"
    );

    // The learner sees both grades and the comment: the attempts API, the exercise page and
    // their progress page; progress counts the new grade.
    let seen = get(&app, &bertil, &format!("/api/attempts/{bertil_attempt}"))
        .await
        .json();
    assert_eq!(
        seen["score"].as_f64(),
        Some(engine),
        "the engine's result is kept"
    );
    assert_eq!(seen["effective_score"].as_f64(), Some(0.9));
    assert_eq!(seen["effective_passed"], true);
    assert_eq!(seen["override"]["engine_score"].as_f64(), Some(engine));
    assert_eq!(seen["override"]["score"].as_f64(), Some(0.9));
    assert_eq!(seen["override"]["comment"], "Rätt resonemang, fel klick.");
    assert_eq!(seen["override"]["by"], "Tina Tränare");
    let original = format!("{:.0} %", (engine * 100.0).round());
    let exercise_page = get(&app, &bertil, &format!("/exercises/{EXERCISE}")).await;
    assert_eq!(
        exercise_page.texts(".override-notes li"),
        vec![format!(
            "Försök 1: {original} → 90 %, ändrat av Tina Tränare. Kommentar: Rätt resonemang, fel klick."
        )]
    );
    let me = get(&app, &bertil, "/me/progress").await;
    assert!(
        me.texts("table.exercises td")
            .iter()
            .any(|t| t.contains("Ändrat av utbildare") && t.contains("90 %")),
        "{}",
        me.body
    );
    assert!(
        me.texts("table.exercises td.num")
            .contains(&"90 %".to_owned())
    );
    // The override is part of the learner's data export.
    let export = get(&app, &bertil, "/account/export.json").await.json();
    let exported = &export["grade_overrides"][0];
    assert_eq!(exported["attempt_id"].as_i64(), Some(bertil_attempt));
    assert_eq!(exported["comment"], "Rätt resonemang, fel klick.");
    assert_eq!(exported["previous_score"].as_f64(), Some(engine));
    // Alva sees no note.
    let alva_page = get(&app, &alva, &format!("/exercises/{EXERCISE}")).await;
    assert!(alva_page.texts(".override-notes li").is_empty());

    // The matrix now counts Bertil as completed; the class map marks the override.
    let page = get(&app, &trainer, &format!("/cohorts/{id}")).await;
    assert_eq!(matrix_rows(&page)[1], "Bertil | Klar | Klar | –");
    assert_eq!(
        page.texts("table.cohort-matrix tfoot td"),
        vec!["2 av 5 klara", "2 av 5 klara", "0 av 5 klara"]
    );
    let data = get(
        &app,
        &trainer,
        &format!("/api/cohorts/{id}/exercises/{EXERCISE}/answers"),
    )
    .await
    .json();
    assert_eq!(data["answers"][1]["overridden"], true);
    assert_eq!(data["answers"][1]["score"].as_f64(), Some(0.9));
    assert_eq!(data["answers"][1]["engine_score"].as_f64(), Some(engine));
    let map_page = get(
        &app,
        &trainer,
        &format!("/cohorts/{id}/exercises/{EXERCISE}"),
    )
    .await;
    assert!(
        map_page
            .texts("table.class-list td.num")
            .iter()
            .any(|t| t == &format!("90 % Ursprungligt betyg: {original} (Ändrat av utbildare)")),
        "{}",
        map_page.body
    );

    // Removing a member keeps their attempts; with four members the totals are hidden.
    location(
        &post(
            &app,
            &trainer,
            &format!("/cohorts/{id}/members/{}/remove", ids[4]),
            &[],
        )
        .await,
    );
    let page = get(&app, &trainer, &format!("/cohorts/{id}")).await;
    assert!(page.texts("table.cohort-matrix tfoot td").is_empty());
    assert_eq!(
        page.texts("p.meta").last().map(String::as_str),
        Some("Sammanräkningar visas för grupper med minst fem deltagare.")
    );

    // Pseudonymisation keeps the grades and blanks the comment (free text that may name them).
    assert!(
        app.state
            .db
            .pseudonymise(&kartskola::db::Scope::operator(), ids[1], "P-BERTIL")
            .await
            .expect("pseudonymise")
    );
    let kept = app
        .state
        .db
        .override_history(ids[1], None)
        .await
        .expect("history");
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].comment.as_str(), kept[0].score), ("–", 0.9));
}

#[tokio::test]
async fn another_trainer_gets_404_for_everything_an_admin_sees_all_others_get_nothing() {
    let app = TestApp::spawn().await;
    app.add_named_person(
        "t1@example.se",
        "Tina",
        "norrbotten",
        &[Capability::Trainer],
    )
    .await;
    app.add_named_person(
        "t2@example.se",
        "Tore",
        "norrbotten",
        &[Capability::Trainer],
    )
    .await;
    app.add_named_person(
        "admin@example.se",
        "Ada",
        "vasterbotten",
        &[Capability::Admin],
    )
    .await;
    app.add_named_person(
        "chef@example.se",
        "Chef",
        "norrbotten",
        &[Capability::Manager],
    )
    .await;
    let learner_id = app
        .add_named_person("l@example.se", "Lena", "norrbotten", &[])
        .await;
    let t1 = app.login_existing("t1@example.se").await;
    let id = create(&app, &t1, "Tinas grupp").await;
    location(&add_member(&app, &t1, id, learner_id).await);
    let learner = app.login_existing("l@example.se").await;
    let attempt = submit(&app, &learner, AT_UMEA).await["attempt_id"]
        .as_i64()
        .expect("attempt");

    let t2 = app.login_existing("t2@example.se").await;
    let own = create(&app, &t2, "Tores grupp").await;
    let list = get(&app, &t2, "/cohorts").await;
    assert_eq!(list.texts("table.cohorts td a"), vec!["Tores grupp"]);
    let gets = [
        format!("/cohorts/{id}"),
        format!("/cohorts/{id}?q=lena"),
        format!("/cohorts/{id}/exercises/{EXERCISE}"),
        format!("/api/cohorts/{id}/exercises/{EXERCISE}/answers"),
    ];
    for uri in &gets {
        assert_eq!(
            get(&app, &t2, uri).await.status,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }
    let posts: [(String, Vec<(&str, String)>); 5] = [
        (
            format!("/cohorts/{id}/members"),
            vec![("email", "t2@example.se".to_owned())],
        ),
        (format!("/cohorts/{id}/members/{learner_id}/remove"), vec![]),
        (
            format!("/cohorts/{id}/due"),
            vec![
                ("module", "forsta".to_owned()),
                ("due", "2026-05-01".to_owned()),
            ],
        ),
        (
            format!("/cohorts/{id}/attempts/{attempt}/override"),
            vec![
                ("exercise", EXERCISE.to_owned()),
                ("score", "100".to_owned()),
                ("comment", "Nej".to_owned()),
            ],
        ),
        // Their own cohort, another trainer's member's attempt.
        (
            format!("/cohorts/{own}/attempts/{attempt}/override"),
            vec![
                ("exercise", EXERCISE.to_owned()),
                ("score", "100".to_owned()),
                ("comment", "Nej".to_owned()),
            ],
        ),
    ];
    for (uri, fields) in &posts {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = post(&app, &t2, uri, &fields).await;
        assert_eq!(
            response.status,
            StatusCode::NOT_FOUND,
            "{uri}: {}",
            response.body
        );
    }
    // Nothing changed, and the denials are audited.
    let cohort = app
        .state
        .db
        .cohort_in_scope(&kartskola::db::Scope::operator(), id)
        .await
        .expect("query")
        .expect("exists");
    assert_eq!(cohort.members, 1);
    let seen = get(&app, &learner, &format!("/api/attempts/{attempt}"))
        .await
        .json();
    assert!(seen.get("override").is_none_or(Value::is_null));
    let denials = app
        .state
        .db
        .audit_events(None, 200)
        .await
        .expect("audit")
        .into_iter()
        .filter(|a| a.outcome == "denied" && a.action == "access")
        .count();
    assert!(denials >= gets.len() + posts.len(), "{denials}");

    // An admin runs every cohort.
    let admin = app.login_existing("admin@example.se").await;
    let all = get(&app, &admin, "/cohorts").await;
    assert_eq!(
        all.texts("table.cohorts td a"),
        vec!["Tinas grupp", "Tores grupp"]
    );
    for uri in &gets {
        assert_eq!(get(&app, &admin, uri).await.status, StatusCode::OK, "{uri}");
    }

    // Managers and learners get nothing; nobody logged in is sent to log in (pages) or 401 (API).
    let manager = app.login_existing("chef@example.se").await;
    for cookie in [&manager, &learner] {
        for uri in ["/cohorts".to_owned(), gets[0].clone(), gets[3].clone()] {
            assert_eq!(
                get(&app, cookie, &uri).await.status,
                StatusCode::NOT_FOUND,
                "{uri}"
            );
        }
        let response = post(
            &app,
            cookie,
            "/cohorts",
            &[
                ("name", "X"),
                ("course", "prov-kurs"),
                ("region", "norrbotten"),
            ],
        )
        .await;
        assert_eq!(response.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(app.get("/cohorts").await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&gets[3]).await.status, StatusCode::UNAUTHORIZED);
    // Non-numeric ids are simply not found.
    assert_eq!(
        get(&app, &t1, "/cohorts/abc").await.status,
        StatusCode::NOT_FOUND
    );

    // The header links trainers and admins to their cohorts, nobody else.
    for (cookie, link) in [
        (&t1, true),
        (&admin, true),
        (&manager, false),
        (&learner, false),
    ] {
        let home = get(&app, cookie, "/").await;
        assert_eq!(
            home.texts("a.nav-cohorts").len(),
            usize::from(link),
            "{}",
            home.body
        );
    }
    assert!(app.get("/").await.texts("a.nav-cohorts").is_empty());
}
