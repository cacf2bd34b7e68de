//! A learner's own progress (`/me/progress`, `/api/me/progress`, the course page's lesson
//! status), the trigger-kept `exercise_progress` summary, and the helpers the team and xAPI
//! tests share: people, organisations, sessions, tokens and attempts at chosen times, made
//! directly in the database so a test states exactly the history it needs.

use axum::http::StatusCode;
use kartskola::content::Catalog;
use kartskola::db::{Capability, NewOrganisation, NewPerson, SeedAttempt, now_ms};
use serde_json::Value;

use crate::helpers::{TestApp, repo_root};

pub(crate) const DAY: i64 = 24 * 3600 * 1000;

/// The app over the real content (seven competences, the municipality and county layers).
pub(crate) async fn real_app() -> TestApp {
    TestApp::with_content(&repo_root()).await
}

pub(crate) async fn organisation(
    app: &TestApp,
    name: &str,
    region: &str,
    code: Option<&str>,
) -> i64 {
    let kind = if code.is_some() {
        "municipality"
    } else {
        "authority"
    };
    app.state
        .db
        .insert_organisation(&NewOrganisation {
            name,
            kind,
            region_id: region,
            municipality_code: code,
        })
        .await
        .expect("insert organisation")
        .unwrap_or_else(|e| panic!("organisation {name}: {e}"))
}

pub(crate) async fn person(
    app: &TestApp,
    email: &str,
    name: &str,
    region: &str,
    organisation: Option<i64>,
    capabilities: &[Capability],
) -> i64 {
    app.state
        .db
        .insert_person(&NewPerson {
            email,
            display_name: name,
            region_id: region,
            organisation_id: organisation,
            password_hash: None,
            capabilities,
        })
        .await
        .expect("insert person")
        .unwrap_or_else(|e| panic!("person {email}: {e:?}"))
}

/// A session cookie for a person, written straight into the database (no password hashing).
pub(crate) async fn session(app: &TestApp, person_id: i64) -> String {
    let token = kartskola::auth::token::random_token().expect("random");
    let csrf = kartskola::auth::token::random_token().expect("random");
    app.state
        .db
        .insert_session(
            &kartskola::auth::token::token_hash(&token),
            Some(person_id),
            &csrf,
            now_ms(),
        )
        .await
        .expect("insert session");
    format!("kartskola_session={token}")
}

/// A read-only API token acting as `person_id`; returns the `Authorization` header value.
pub(crate) async fn token(app: &TestApp, person_id: i64) -> String {
    let token = format!(
        "kst_{}",
        kartskola::auth::token::random_token().expect("random")
    );
    app.state
        .db
        .insert_api_token(
            person_id,
            "test",
            &kartskola::auth::token::token_hash(&token),
            now_ms(),
            None,
        )
        .await
        .expect("insert token");
    format!("Bearer {token}")
}

/// One graded attempt, as if made at `at_ms`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Try<'a> {
    pub exercise: &'a str,
    pub score: f64,
    pub passed: bool,
    pub at_ms: i64,
}

/// Stores attempts for a person, numbered 1, 2, … per exercise in the order given (so one call
/// holds all of a person's attempts at an exercise).
pub(crate) async fn attempts(app: &TestApp, person_id: i64, tries: &[Try<'_>]) {
    let mut numbers: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    let rows: Vec<SeedAttempt<'_>> = tries
        .iter()
        .map(|t| {
            let n = numbers.entry(t.exercise).or_insert(0);
            *n += 1;
            SeedAttempt {
                person_id,
                exercise_id: t.exercise,
                attempt_no: *n,
                answer: "{}",
                result: "{}",
                score: t.score,
                passed: t.passed,
                content_hash: "test",
                grader_version: "test",
                created_at_ms: t.at_ms,
            }
        })
        .collect();
    app.state
        .db
        .insert_seed_attempts(&rows)
        .await
        .expect("insert attempts");
}

pub(crate) fn pass(exercise: &str, days_ago: i64) -> Try<'_> {
    Try {
        exercise,
        score: 1.0,
        passed: true,
        at_ms: now_ms() - days_ago * DAY,
    }
}

pub(crate) fn fail(exercise: &str, days_ago: i64) -> Try<'_> {
    Try {
        exercise,
        score: 0.2,
        passed: false,
        at_ms: now_ms() - days_ago * DAY,
    }
}

/// The first lesson (in reading order) listing at least `n` exercises, as (course, module,
/// lesson, exercises).
pub(crate) fn lesson_with(catalog: &Catalog, n: usize) -> (String, String, String, Vec<String>) {
    catalog
        .courses
        .iter()
        .flat_map(|c| c.lessons().map(move |(m, l)| (c, m, l)))
        .find(|(_, _, l)| l.exercises.len() >= n)
        .map(|(c, m, l)| {
            (
                c.slug.clone(),
                m.slug.clone(),
                l.slug.clone(),
                l.exercises.clone(),
            )
        })
        .expect("a lesson with enough exercises")
}

/// The main exercises tagged with a competence: those that stand in for no other exercise.
pub(crate) fn main_exercises_of(catalog: &Catalog, competence: &str) -> Vec<String> {
    let alternatives: Vec<&str> = catalog
        .exercises
        .values()
        .filter_map(|e| e.accessible_alternative.as_deref())
        .collect();
    catalog
        .exercises
        .values()
        .filter(|e| {
            e.competences.iter().any(|c| c == competence) && !alternatives.contains(&e.id.as_str())
        })
        .map(|e| e.id.clone())
        .collect()
}

fn mastery_of(body: &Value, competence: &str) -> (f64, u64) {
    let c = body["competences"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == competence))
        .unwrap_or_else(|| panic!("competence {competence} in {body}"));
    (
        c["value"].as_f64().expect("value"),
        c["level"].as_u64().expect("level"),
    )
}

#[tokio::test]
async fn progress_pages_need_a_login() {
    let app = real_app().await;
    let page = app.get("/me/progress").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.header("location")
            .is_some_and(|l| l.starts_with("/login?next=")),
        "{:?}",
        page.headers
    );
    let api = app.get("/api/me/progress").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.json()["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn the_learner_sees_lessons_scores_the_next_step_and_the_competence_profile() {
    let app = real_app().await;
    let catalog = app.state.catalog.clone();
    let me = person(
        &app,
        "lena@example.se",
        "Lena Lärling",
        "norrbotten",
        None,
        &[],
    )
    .await;
    let cookie = session(&app, me).await;
    // The first lesson with two exercises: both passed. The next lesson with exercises: one
    // failed attempt, the latest activity.
    let (course, module, lesson, done) = lesson_with(&catalog, 2);
    let mut tries: Vec<Try<'_>> = done.iter().map(|id| pass(id, 2)).collect();
    let next_lesson = catalog
        .course(&course)
        .expect("course")
        .lessons()
        .skip_while(|(m, l)| !(m.slug == module && l.slug == lesson))
        .skip(1)
        .find(|(_, l)| !l.exercises.is_empty())
        .map(|(m, l)| (m.slug.clone(), l.slug.clone(), l.exercises[0].clone()))
        .expect("a later lesson with exercises");
    tries.push(Try {
        exercise: &next_lesson.2,
        score: 0.35,
        passed: false,
        at_ms: now_ms() - 3_600_000,
    });
    attempts(&app, me, &tries).await;

    let body = app
        .get_with("/api/me/progress", &[("cookie", &cookie)])
        .await;
    assert_eq!(body.status, StatusCode::OK, "{}", body.body);
    let body = body.json();
    let lessons: Vec<&Value> = body["courses"][0]["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .flat_map(|m| m["lessons"].as_array().expect("lessons").iter())
        .collect();
    let status_of = |slug: &str| {
        lessons
            .iter()
            .find(|l| l["slug"] == slug)
            .map(|l| l["status"].clone())
    };
    assert_eq!(status_of(&lesson), Some(Value::from("completed")));
    assert_eq!(status_of(&next_lesson.1), Some(Value::from("in_progress")));
    assert_eq!(
        lessons
            .iter()
            .filter(|l| l["status"] == "not_started")
            .count(),
        lessons.iter().filter(|l| !l["status"].is_null()).count() - 2,
        "everything else is not started"
    );
    assert_eq!(body["next"]["kind"], "continue");
    assert_eq!(
        body["next"]["href"],
        format!("/courses/{course}/{}/{}", next_lesson.0, next_lesson.1)
    );
    assert_eq!(body["exercises_passed"], done.len());

    // Mastery, recomputed here from the documented rule: passed exercises two days ago give
    // evidence 1.0, the failed one (best = latest = 0.35) gives 0.35; the value is 4 × the mean
    // over every main exercise of the competence, to one decimal; the level rounds half up.
    for competence in &catalog.competences {
        let tagged = main_exercises_of(&catalog, &competence.id);
        let evidence: f64 = tagged
            .iter()
            .map(|id| {
                if done.contains(id) {
                    1.0
                } else if *id == next_lesson.2 {
                    0.35
                } else {
                    0.0
                }
            })
            .sum();
        let expected = if tagged.is_empty() {
            0.0
        } else {
            (40.0 * evidence / tagged.len() as f64).round() / 10.0
        };
        let (value, level) = mastery_of(&body, &competence.id);
        assert!(
            (value - expected).abs() < 1e-9,
            "{}: {value} != {expected}",
            competence.id
        );
        assert_eq!(
            level,
            ((expected * 10.0).round() as u64 + 5) / 10,
            "{}",
            competence.id
        );
    }

    // The page shows the same, in words.
    let page = app
        .get_with("/me/progress?lang=en", &[("cookie", &cookie)])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let first_title = catalog
        .exercise(&done[0])
        .expect("exercise")
        .title
        .get(kartskola::i18n::Lang::En)
        .to_owned();
    let row = page
        .texts("table.exercises tr")
        .into_iter()
        .find(|r| r.starts_with(&first_title))
        .unwrap_or_else(|| panic!("a row for {first_title}"));
    assert!(row.contains("100 %") && row.contains("Passed"), "{row}");
    assert_eq!(
        page.texts(".next-step h2"),
        vec!["Continue where you left off"]
    );
    assert!(page.texts(".next-step a")[0].len() > 3);
    assert_eq!(
        page.texts("table.profile tbody tr").len(),
        catalog.competences.len()
    );
    assert!(page.texts(".status").iter().any(|s| s == "Completed"));
    assert!(page.texts(".status").iter().any(|s| s == "In progress"));
    assert!(
        page.texts("p.meta time")
            .iter()
            .any(|t| t.contains("hour ago")),
        "{:?}",
        page.texts("p.meta")
    );
}

#[tokio::test]
async fn an_accessible_alternative_completes_the_exercise_it_replaces() {
    let app = real_app().await;
    let catalog = app.state.catalog.clone();
    let (main, alt) = catalog
        .exercises
        .values()
        .find_map(|e| Some((e.id.clone(), e.accessible_alternative.clone()?)))
        .expect("an exercise with an alternative");
    let me = person(&app, "alex@example.se", "Alex", "vasterbotten", None, &[]).await;
    let cookie = session(&app, me).await;
    attempts(&app, me, &[pass(&alt, 1)]).await;
    let body = app
        .get_with("/api/me/progress", &[("cookie", &cookie)])
        .await
        .json();
    let exercise = body["courses"]
        .as_array()
        .expect("courses")
        .iter()
        .flat_map(|c| c["modules"].as_array().expect("modules").iter())
        .flat_map(|m| m["lessons"].as_array().expect("lessons").iter())
        .flat_map(|l| l["exercises"].as_array().expect("exercises").iter())
        .find(|e| e["id"] == main.as_str())
        .unwrap_or_else(|| panic!("{main} is in a lesson"))
        .clone();
    assert_eq!(exercise["passed"], true, "{exercise}");
    assert_eq!(exercise["attempts"], 1);
    let page = app.get_with("/me/progress", &[("cookie", &cookie)]).await;
    assert!(page.body.contains("via den alternativa övningen"));
}

#[tokio::test]
async fn the_course_page_shows_status_to_a_logged_in_learner_only() {
    let app = real_app().await;
    let catalog = app.state.catalog.clone();
    let (course, _, _, done) = lesson_with(&catalog, 1);
    let anonymous = app.get(&format!("/courses/{course}")).await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert!(anonymous.texts(".lessons .status").is_empty());
    assert!(anonymous.texts(".course-standing").is_empty());

    let me = person(&app, "kim@example.se", "Kim", "norrbotten", None, &[]).await;
    let cookie = session(&app, me).await;
    let fresh = app
        .get_with(&format!("/courses/{course}"), &[("cookie", &cookie)])
        .await;
    assert!(
        fresh
            .texts(".lessons .status")
            .iter()
            .all(|s| s == "Inte påbörjad")
    );
    assert!(fresh.texts(".course-standing a.button")[0].starts_with("Börja här"));

    let tries: Vec<Try<'_>> = done.iter().map(|id| pass(id, 0)).collect();
    attempts(&app, me, &tries).await;
    let page = app
        .get_with(&format!("/courses/{course}"), &[("cookie", &cookie)])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let statuses = page.texts(".lessons .status");
    assert_eq!(
        statuses.iter().filter(|s| *s == "Klar").count(),
        1,
        "{statuses:?}"
    );
    assert!(
        page.texts(".course-standing")
            .iter()
            .any(|t| t.contains("1 av"))
    );
}

#[tokio::test]
async fn the_summary_table_follows_every_insert_update_and_delete() {
    let app = real_app().await;
    let db = &app.state.db;
    let ids: Vec<String> = app
        .state
        .catalog
        .exercises
        .keys()
        .take(3)
        .cloned()
        .collect();
    let (a, b, c) = (&ids[0], &ids[1], &ids[2]);
    let keep = person(&app, "keep@example.se", "Keep", "norrbotten", None, &[]).await;
    let now = now_ms();
    // Out of order in time: the latest score is that of the highest attempt number.
    attempts(
        &app,
        keep,
        &[
            Try {
                exercise: a,
                score: 0.9,
                passed: true,
                at_ms: now - 5 * DAY,
            },
            Try {
                exercise: a,
                score: 0.4,
                passed: false,
                at_ms: now - 9 * DAY,
            },
            Try {
                exercise: b,
                score: 0.1,
                passed: false,
                at_ms: now - DAY,
            },
        ],
    )
    .await;
    let mut rows = db.own_exercise_stats(keep).await.expect("stats");
    rows.sort_by(|x, y| x.exercise_id.cmp(&y.exercise_id));
    let row_a = rows.iter().find(|r| &r.exercise_id == a).expect("row a");
    assert_eq!((row_a.attempts, row_a.failures, row_a.passed), (2, 1, 1));
    assert!((row_a.best_score - 0.9).abs() < 1e-12 && (row_a.latest_score - 0.4).abs() < 1e-12);
    assert_eq!(row_a.last_at_ms, now - 5 * DAY);
    assert_eq!(db.progress_drift().await.expect("drift"), 0);

    // An update (a grade override) and a delete, through the database directly.
    let pool = sqlx::AnyPool::connect(&database_url(&app))
        .await
        .expect("connect");
    sqlx::query(
        "update attempt set score = $1, passed = $2 where person_id = $3 and exercise_id = $4",
    )
    .bind(0.95)
    .bind(1_i64)
    .bind(keep)
    .bind(b.as_str())
    .execute(&pool)
    .await
    .expect("update");
    sqlx::query(
        "delete from attempt where person_id = $1 and exercise_id = $2 and attempt_no = $3",
    )
    .bind(keep)
    .bind(a.as_str())
    .bind(2_i64)
    .execute(&pool)
    .await
    .expect("delete");
    attempts(&app, keep, &[pass(c, 0)]).await;
    pool.close().await;
    assert_eq!(db.progress_drift().await.expect("drift"), 0);
    let rows = db.own_exercise_stats(keep).await.expect("stats");
    let row_a = rows.iter().find(|r| &r.exercise_id == a).expect("row a");
    assert_eq!((row_a.attempts, row_a.failures), (1, 0));
    let row_b = rows.iter().find(|r| &r.exercise_id == b).expect("row b");
    assert_eq!((row_b.passed, row_b.failures), (1, 0));
    assert_eq!(rows.len(), 3);
}

/// The test database's URL, for a connection of the test's own.
fn database_url(app: &TestApp) -> String {
    match &app.state.config.database {
        kartskola::config::DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        kartskola::config::DatabaseUrl::Postgres(url) => url.clone(),
    }
}
