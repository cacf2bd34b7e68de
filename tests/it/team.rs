//! The manager's team view and its exports: who may see which region (404s audited, tokens for
//! the exports), that every number is the region's own (no leak through counts, filters or
//! pages), that groups under five people are hidden from managers but not admins, and the
//! matrix, chart, map, CSV and JSON themselves.

use axum::http::StatusCode;
use kartskola::db::{Capability, NewCohort, Scope, now_ms};
use serde_json::Value;

use crate::helpers::{TestApp, TestResponse};
use crate::progress::{
    DAY, Try, attempts, fail, organisation, pass, person, real_app, session, token,
};

/// Norrbotten: Luleå (6 people), Kiruna (3 people), the region itself (1 manager). Västerbotten:
/// Umeå (5 people). Everyone but the managers has a history.
struct World {
    app: TestApp,
    manager: i64,
    manager_vb: i64,
    admin: i64,
    learner: i64,
    lulea: i64,
    kiruna: i64,
    umea: i64,
    exercises: Vec<String>,
}

async fn world() -> World {
    let app = real_app().await;
    let exercises: Vec<String> = app
        .state
        .catalog
        .courses
        .iter()
        .flat_map(|c| c.lessons().flat_map(|(_, l)| l.exercises.clone()))
        .take(6)
        .collect();
    let region = organisation(&app, "Region Norrbotten", "norrbotten", None).await;
    let lulea = organisation(&app, "Luleå kommun", "norrbotten", Some("2580")).await;
    let kiruna = organisation(&app, "Kiruna kommun", "norrbotten", Some("2584")).await;
    let umea = organisation(&app, "Umeå kommun", "vasterbotten", Some("2480")).await;
    let manager = person(
        &app,
        "chef@nb.se",
        "Chef Norrbotten",
        "norrbotten",
        Some(region),
        &[Capability::Manager],
    )
    .await;
    let manager_vb = person(
        &app,
        "chef@vb.se",
        "Chef Västerbotten",
        "vasterbotten",
        Some(umea),
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
    let mut learner = 0;
    for i in 0..6 {
        let id = person(
            &app,
            &format!("lulea{i}@nb.se"),
            &format!("Luleå {i}"),
            "norrbotten",
            Some(lulea),
            &[],
        )
        .await;
        // Three masters (every one of the six exercises passed), three beginners.
        let tries: Vec<Try<'_>> = if i < 3 {
            exercises.iter().map(|e| pass(e, 3)).collect()
        } else {
            vec![pass(&exercises[0], 40)]
        };
        attempts(&app, id, &tries).await;
        learner = id;
    }
    for i in 0..3 {
        let id = person(
            &app,
            &format!("kiruna{i}@nb.se"),
            &format!("Kiruna {i}"),
            "norrbotten",
            Some(kiruna),
            &[],
        )
        .await;
        attempts(
            &app,
            id,
            &[
                fail(&exercises[1], 1),
                fail(&exercises[1], 1),
                fail(&exercises[1], 1),
            ],
        )
        .await;
    }
    for i in 0..5 {
        let id = person(
            &app,
            &format!("umea{i}@vb.se"),
            &format!("Umeå {i}"),
            "vasterbotten",
            Some(umea),
            &[],
        )
        .await;
        let tries: Vec<Try<'_>> = exercises.iter().map(|e| pass(e, 1)).collect();
        attempts(&app, id, &tries).await;
    }
    World {
        app,
        manager,
        manager_vb,
        admin,
        learner,
        lulea,
        kiruna,
        umea,
        exercises,
    }
}

/// The row of a table whose first cell is `name`.
fn row(page: &TestResponse, table: &str, name: &str) -> Vec<String> {
    page.table_rows(table)
        .into_iter()
        .find(|r| r.first().is_some_and(|c| c == name))
        .unwrap_or_else(|| panic!("a row {name} in {table}"))
}

fn names(body: &Value) -> Vec<String> {
    body["people"]
        .as_array()
        .expect("people")
        .iter()
        .map(|p| p["name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn only_managers_and_admins_see_a_team_and_only_their_region() {
    let w = world().await;
    let app = &w.app;
    let anonymous = app.get("/team").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/api/team/progress").await.status,
        StatusCode::UNAUTHORIZED
    );

    let learner = session(app, w.learner).await;
    for path in ["/team", "/team/progress.csv", "/api/team/progress"] {
        let r = app.get_with(path, &[("cookie", &learner)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let denials = app
        .state
        .db
        .audit_events(Some(w.learner), 50)
        .await
        .expect("audit");
    assert!(
        denials
            .iter()
            .any(|e| e.outcome == "denied" && e.actor_person_id == Some(w.learner)),
        "{denials:?}"
    );

    let manager = session(app, w.manager).await;
    let page = app.get_with("/team", &[("cookie", &manager)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.texts("h1")[0].contains("Region Norrbotten"));
    // Another region, or a filter from another region, is a 404 like any unknown id.
    for path in [
        "/team?region=vasterbotten".to_owned(),
        format!("/team?organisation={}", w.umea),
        format!("/api/team/progress?organisation={}", w.umea),
        "/team?cohort=999999".to_owned(),
    ] {
        assert_eq!(
            app.get_with(&path, &[("cookie", &manager)]).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        app.get_with("/team?organisation=abc", &[("cookie", &manager)])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let twice = app
        .get_with("/api/team/progress?page=1&page=2", &[("cookie", &manager)])
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    assert_eq!(twice.json()["error"]["code"], "bad_request");
    // Its own region asked for by name is fine.
    assert_eq!(
        app.get_with("/team?region=norrbotten", &[("cookie", &manager)])
            .await
            .status,
        StatusCode::OK
    );

    let admin = session(app, w.admin).await;
    let other = app
        .get_with("/team?region=norrbotten", &[("cookie", &admin)])
        .await;
    assert_eq!(other.status, StatusCode::OK);
    assert!(other.texts("select#f-region option").len() == 4);
    assert_eq!(
        app.get_with("/team?region=nowhere", &[("cookie", &admin)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn every_number_is_the_regions_own() {
    let w = world().await;
    let app = &w.app;
    let manager = session(app, w.manager).await;
    let body = app
        .get_with("/api/team/progress", &[("cookie", &manager)])
        .await;
    assert_eq!(body.status, StatusCode::OK, "{}", body.body);
    assert_eq!(body.header("cache-control"), Some("no-store"));
    let body = body.json();
    assert_eq!(body["region"], "norrbotten");
    let people = names(&body);
    assert_eq!(
        people.len(),
        10,
        "6 in Luleå, 3 in Kiruna, the manager: {people:?}"
    );
    assert!(
        people
            .iter()
            .all(|n| !n.starts_with("Umeå") && n != "Admin")
    );
    let masters = body["people"]
        .as_array()
        .expect("people")
        .iter()
        .filter(|p| p["exercises_passed"] == w.exercises.len())
        .count();
    assert_eq!(masters, 3);
    let email_free = !body.to_string().contains('@');
    assert!(email_free, "no e-mail addresses in the export");

    // The page's figures: 10 people, 9 active this month, the trend's passes are Norrbotten's.
    let page = app.get_with("/team", &[("cookie", &manager)]).await;
    assert_eq!(page.texts("#people-count"), vec!["10"]);
    assert_eq!(
        page.texts(".summary dd")[2],
        "6",
        "the Kiruna three and the Luleå masters"
    );
    assert_eq!(page.texts("#matrix tbody tr").len(), 10);
    let passes: u64 = page
        .texts("#trend-table tbody tr td:nth-of-type(1)")
        .iter()
        .map(|t| t.parse::<u64>().expect("a number"))
        .sum();
    assert_eq!(
        passes,
        3 * w.exercises.len() as u64 + 3,
        "18 by the masters, 3 by the beginners, none from Umeå"
    );
    let attempts: u64 = page
        .texts("#trend-table tbody tr td:nth-of-type(3)")
        .iter()
        .map(|t| t.parse::<u64>().expect("a number"))
        .sum();
    assert_eq!(attempts, 3 * w.exercises.len() as u64 + 3 + 9);

    // The other region's manager sees theirs only.
    let vb = session(app, w.manager_vb).await;
    let theirs = app
        .get_with("/api/team/progress", &[("cookie", &vb)])
        .await
        .json();
    assert_eq!(names(&theirs).len(), 6);
    assert!(
        names(&theirs)
            .iter()
            .all(|n| n.starts_with("Umeå") || n == "Chef Västerbotten")
    );
}

#[tokio::test]
async fn small_groups_are_hidden_from_managers_and_shown_to_admins() {
    let w = world().await;
    let app = &w.app;
    let manager = session(app, w.manager).await;
    let page = app.get_with("/team", &[("cookie", &manager)]).await;
    // Luleå: six people, so its figures show (municipality, people, at level 3+, share, mean).
    let lulea = row(&page, "#municipality-table", "Luleå");
    assert_eq!(lulea[1], "6", "{lulea:?}");
    assert!(lulea[3].ends_with('%'), "{lulea:?}");
    let hidden = |r: &[String]| r[1] == "färre än 5" && r[2..].iter().all(|c| c == "–");
    let kiruna = row(&page, "#municipality-table", "Kiruna");
    assert!(hidden(&kiruna), "{kiruna:?}");
    let gallivare = row(&page, "#municipality-table", "Gällivare");
    assert!(
        hidden(&gallivare),
        "an empty municipality is not told apart from a small one: {gallivare:?}"
    );
    assert!(hidden(&row(&page, "#organisation-table", "Kiruna kommun")));
    assert!(
        page.texts("p.notice")
            .iter()
            .any(|t| t.contains("färre än 5"))
    );

    // Filtered to Kiruna: three people by name, but no aggregate over them.
    let kiruna_only = app
        .get_with(
            &format!("/team?organisation={}", w.kiruna),
            &[("cookie", &manager)],
        )
        .await;
    assert_eq!(kiruna_only.texts("#matrix tbody tr").len(), 3);
    assert_eq!(kiruna_only.texts(".summary dd")[1], "färre än 5");
    assert!(
        kiruna_only.texts("#trend-chart").is_empty(),
        "no trend over three people"
    );
    assert!(
        kiruna_only
            .texts("#matrix tfoot td")
            .iter()
            .any(|t| t == "färre än 5")
    );
    assert!(
        kiruna_only
            .texts("#completion-table tbody tr")
            .iter()
            .all(|r| !r.contains('%'))
    );

    let admin = session(app, w.admin).await;
    let full = app
        .get_with("/team?region=norrbotten", &[("cookie", &admin)])
        .await;
    let kiruna = row(&full, "#municipality-table", "Kiruna");
    assert_eq!(
        (kiruna[1].as_str(), kiruna[3].as_str()),
        ("3", "0 %"),
        "{kiruna:?}"
    );
    let gallivare = row(&full, "#municipality-table", "Gällivare");
    assert_eq!(gallivare[1], "0", "{gallivare:?}");
    let kiruna_only = app
        .get_with(
            &format!("/team?region=norrbotten&organisation={}", w.kiruna),
            &[("cookie", &admin)],
        )
        .await;
    assert_eq!(kiruna_only.texts(".summary dd")[1], "3");
    assert_eq!(kiruna_only.texts("#trend-chart").len(), 1);
}

#[tokio::test]
async fn the_page_draws_the_matrix_the_chart_the_map_and_who_is_stuck() {
    let w = world().await;
    let app = &w.app;
    let manager = session(app, w.manager).await;
    let page = app.get_with("/team?lang=en", &[("cookie", &manager)]).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.html();
    let count = |selector: &str| {
        html.select(&scraper::Selector::parse(selector).expect("selector"))
            .count()
    };
    // The matrix: a column per competence plus overall; every cell a number with a level class.
    assert_eq!(
        count("#matrix thead th.competence"),
        app.state.catalog.competences.len() + 1
    );
    assert!(count("#matrix td.cell") >= 10 * (app.state.catalog.competences.len() + 1));
    for cell in page.texts("#matrix tbody td.cell") {
        assert!(
            cell.parse::<f64>().is_ok_and(|v| (0.0..=4.0).contains(&v)),
            "{cell}"
        );
    }
    // The trend: twelve weeks, as bars, markers and table rows.
    assert_eq!(count("#trend-chart rect.bar"), 12);
    assert_eq!(count("#trend-chart rect.marker"), 12);
    assert_eq!(count("#trend-table tbody tr"), 12);
    // The map: the county outline and a seat per municipality of Norrbotten, labelled.
    let seats = app
        .state
        .catalog
        .layer("municipalities")
        .map(|l| serde_json::from_slice::<Value>(&l.geojson).expect("geojson"))
        .and_then(|v| v["features"].as_array().cloned())
        .expect("municipalities")
        .iter()
        .filter(|f| f["properties"]["county_code"] == "25")
        .count();
    assert_eq!(count("#region-map path.county"), 1);
    assert_eq!(count("#region-map g.seat"), seats);
    assert_eq!(
        count("#municipality-table tbody tr"),
        seats + 1,
        "and the people without a municipality"
    );
    assert_eq!(
        count("#region-map g.seat.share-hidden"),
        seats - 1,
        "only Luleå has five people"
    );
    // Stuck: the three in Kiruna, three failures each.
    let stuck = page.table_rows("#stuck-table");
    assert_eq!(stuck.len(), 3, "{stuck:?}");
    assert!(
        stuck
            .iter()
            .all(|r| r[0].starts_with("Kiruna") && r[2] == "3"),
        "{stuck:?}"
    );
    // Completion: the course and its modules.
    let modules: usize = app
        .state
        .catalog
        .courses
        .iter()
        .map(|c| c.modules.len() + 1)
        .sum();
    assert_eq!(count("#completion-table tbody tr"), modules);
}

#[tokio::test]
async fn the_matrix_pages_through_people_without_changing_the_totals() {
    let w = world().await;
    let app = &w.app;
    for i in 0..45 {
        person(
            app,
            &format!("extra{i:02}@nb.se"),
            &format!("Extra {i:02}"),
            "norrbotten",
            Some(w.lulea),
            &[],
        )
        .await;
    }
    let manager = session(app, w.manager).await;
    let first = app.get_with("/team", &[("cookie", &manager)]).await;
    assert_eq!(first.texts("#matrix tbody tr").len(), 50);
    assert_eq!(first.texts("#people-count"), vec!["55"]);
    assert!(
        first
            .texts(".pager")
            .iter()
            .any(|t| t.contains("Sida 1 av 2"))
    );
    let second = app.get_with("/team?page=2", &[("cookie", &manager)]).await;
    assert_eq!(second.texts("#matrix tbody tr").len(), 5);
    assert_eq!(second.texts("#people-count"), vec!["55"]);
    assert_eq!(
        second.texts("#matrix tfoot"),
        first.texts("#matrix tfoot"),
        "means over everyone"
    );
    let beyond = app.get_with("/team?page=99", &[("cookie", &manager)]).await;
    assert_eq!(
        beyond.texts("#matrix tbody tr"),
        second.texts("#matrix tbody tr")
    );
}

#[tokio::test]
async fn cohorts_filter_within_the_region() {
    let w = world().await;
    let app = &w.app;
    let trainer = person(
        app,
        "trainer@nb.se",
        "Tränare",
        "norrbotten",
        None,
        &[Capability::Trainer],
    )
    .await;
    let scope = Scope::new(trainer, "norrbotten", &[Capability::Trainer]);
    let cohort = app
        .state
        .db
        .create_cohort(
            &scope,
            &NewCohort {
                name: "Vårkursen",
                course: "gis-regional-planering",
                region_id: "norrbotten",
                trainer_person_id: trainer,
                starts_at_ms: None,
                ends_at_ms: None,
            },
        )
        .await
        .expect("cohort")
        .expect("created");
    let team = kartskola::db::TeamScope::for_region(
        &Scope::new(w.manager, "norrbotten", &[Capability::Manager]),
        None,
    )
    .expect("scope");
    let members = app
        .state
        .db
        .team_people(&team, kartskola::db::TeamFilter::default())
        .await
        .expect("people");
    for p in members
        .iter()
        .filter(|p| p.display_name.starts_with("Luleå"))
        .take(2)
    {
        assert!(
            app.state
                .db
                .add_cohort_member(&scope, cohort, p.person_id)
                .await
                .expect("add")
        );
    }
    // The cohort's trainer has no team view: their pages are the cohorts'.
    let trainer_cookie = session(app, trainer).await;
    for path in [
        format!("/team?cohort={cohort}"),
        "/api/team/progress".to_owned(),
    ] {
        let r = app.get_with(&path, &[("cookie", &trainer_cookie)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let manager = session(app, w.manager).await;
    let page = app
        .get_with(&format!("/team?cohort={cohort}"), &[("cookie", &manager)])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts("#matrix tbody tr").len(), 2);
    assert!(
        page.texts("select#f-cohort option")
            .iter()
            .any(|o| o == "Vårkursen")
    );
    let vb = session(app, w.manager_vb).await;
    assert_eq!(
        app.get_with(&format!("/team?cohort={cohort}"), &[("cookie", &vb)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_csv_is_for_spreadsheets_and_safe_to_open() {
    let w = world().await;
    let app = &w.app;
    let sly = person(
        app,
        "sly@nb.se",
        "=HYPERLINK(\"http://evil.example\";\"klicka\")",
        "norrbotten",
        Some(w.lulea),
        &[],
    )
    .await;
    attempts(app, sly, &[pass(&w.exercises[0], 0)]).await;
    let manager = session(app, w.manager).await;
    let csv = app
        .get_with("/team/progress.csv", &[("cookie", &manager)])
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        csv.header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment; filename=\"kartskola-norrbotten-"))
    );
    assert!(
        csv.body.starts_with('\u{feff}'),
        "a byte-order mark for spreadsheets"
    );
    let lines: Vec<&str> = csv
        .body
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 12, "a header and 11 people");
    let mut expected = "person_id;name;organisation;municipality_code;last_activity;lessons_completed;lessons_total;\
                        exercises_passed;exercises_total;overall_value;overall_level"
        .to_owned();
    for c in &app.state.catalog.competences {
        expected.push_str(&format!(";{0}_value;{0}_level", c.id));
    }
    assert_eq!(lines[0], expected);
    let evil = lines
        .iter()
        .find(|l| l.contains("HYPERLINK"))
        .expect("the row");
    assert!(
        evil.contains(";\"'=HYPERLINK(\"\"http://evil.example\"\";\"\"klicka\"\")\";"),
        "{evil}"
    );
    assert!(
        lines[1..]
            .iter()
            .all(|l| !l.contains(";=") && !l.starts_with('='))
    );
    assert!(lines.iter().any(|l| l.contains(";2580;")));
    // Swedish decimals by default, English on request.
    assert!(
        lines[1..]
            .iter()
            .filter(|l| !l.contains("HYPERLINK"))
            .all(|l| l.split(';').nth(9).is_some_and(|v| v.contains(','))),
        "decimal commas"
    );
    let en = app
        .get_with("/team/progress.csv?lang=en", &[("cookie", &manager)])
        .await;
    assert!(
        en.body
            .trim_start_matches('\u{feff}')
            .starts_with("person_id,name,organisation,")
    );
    // Each export is audited.
    let events = app
        .state
        .db
        .audit_events(Some(w.manager), 20)
        .await
        .expect("audit");
    assert!(
        events.iter().filter(|e| e.action == "export").count() >= 2,
        "{events:?}"
    );
}

#[tokio::test]
async fn tokens_read_the_exports_with_their_owners_scope() {
    let w = world().await;
    let app = &w.app;
    let manager_token = token(app, w.manager).await;
    let json = app
        .get_with("/api/team/progress", &[("authorization", &manager_token)])
        .await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    assert_eq!(names(&json.json()).len(), 10);
    let csv = app
        .get_with("/team/progress.csv", &[("authorization", &manager_token)])
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        app.get_with(
            "/api/team/progress?region=vasterbotten",
            &[("authorization", &manager_token)]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // Not the page: tokens are for machines.
    assert_eq!(
        app.get_with("/team", &[("authorization", &manager_token)])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let learner_token = token(app, w.learner).await;
    assert_eq!(
        app.get_with("/api/team/progress", &[("authorization", &learner_token)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let admin_token = token(app, w.admin).await;
    let vb = app
        .get_with(
            "/api/team/progress?region=vasterbotten&lang=en",
            &[("authorization", &admin_token)],
        )
        .await
        .json();
    assert_eq!(names(&vb).len(), 6);
    assert_eq!(
        app.get_with(
            "/api/team/progress",
            &[("authorization", "Bearer kst_nonsense")]
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    let events = app
        .state
        .db
        .audit_events(Some(w.admin), 20)
        .await
        .expect("audit");
    assert!(
        events.iter().any(|e| e.action == "export"
            && e.detail.as_deref().is_some_and(|d| d.contains("via token")))
    );
}

#[tokio::test]
async fn activity_and_mastery_follow_time() {
    // A person active long ago shows no recent activity, and their evidence has faded.
    let app = real_app().await;
    let lulea = organisation(&app, "Luleå kommun", "norrbotten", Some("2580")).await;
    let manager = person(
        &app,
        "m@nb.se",
        "Manager",
        "norrbotten",
        None,
        &[Capability::Manager],
    )
    .await;
    let exercise = app
        .state
        .catalog
        .exercises
        .keys()
        .next()
        .expect("exercise")
        .clone();
    let old = person(&app, "old@nb.se", "Gammal", "norrbotten", Some(lulea), &[]).await;
    attempts(
        &app,
        old,
        &[Try {
            exercise: &exercise,
            score: 1.0,
            passed: true,
            at_ms: now_ms() - 4 * 365 * DAY,
        }],
    )
    .await;
    let fresh = person(&app, "new@nb.se", "Ny", "norrbotten", Some(lulea), &[]).await;
    attempts(&app, fresh, &[pass(&exercise, 0)]).await;
    let cookie = session(&app, manager).await;
    let body = app
        .get_with("/api/team/progress", &[("cookie", &cookie)])
        .await
        .json();
    let of = |name: &str| {
        body["people"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["name"] == name).cloned())
            .expect("person")
    };
    let competence = &app
        .state
        .catalog
        .exercise(&exercise)
        .expect("exercise")
        .competences[0];
    let (old_v, new_v) = (
        of("Gammal")["competences"][competence]["value"]
            .as_f64()
            .expect("value"),
        of("Ny")["competences"][competence]["value"]
            .as_f64()
            .expect("value"),
    );
    assert!(
        new_v > 0.0 && (old_v - new_v / 2.0).abs() <= 0.051,
        "half weight after three years: {old_v} vs {new_v}"
    );
    assert!(of("Gammal")["last_activity"].as_str().is_some());
    assert!(of("Manager")["last_activity"].is_null());
}
