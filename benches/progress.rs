//! The progress benchmark (issue #7): a region-scale data set — 5 000 people in the four
//! regions, 1 000 000 attempts over the last 18 months — generated once into a SQLite file,
//! then the manager's dashboard, the exports and the learner's progress page timed through the
//! real router (no network: the figures are the server's own work).
//!
//! ```sh
//! cargo bench --bench progress                    # 5 000 people, 1 000 000 attempts (≈ 1 GB, once)
//! KARTSKOLA_BENCH_PEOPLE=500 KARTSKOLA_BENCH_ATTEMPTS=100000 cargo bench --bench progress
//! KARTSKOLA_BENCH_DB=/tmp/p.db KARTSKOLA_BENCH_RUNS=50 cargo bench --bench progress
//! ```
//!
//! The data is deterministic (a seeded generator): people are spread over each region's
//! organisations by municipal population (so some municipalities have fewer than five), each
//! has an ability and a start date, works through the course's exercises in order (retrying
//! until a pass, now and then through the accessible alternative), and keeps practising once
//! through. Answers and results are stored at a realistic size. Not part of `.ci/run`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use kartskola::auth::token::{random_token, token_hash};
use kartskola::config::{Config, DatabaseUrl};
use kartskola::content::Catalog;
use kartskola::db::{Capability, Db, NewOrganisation, NewPerson, SeedAttempt, now_ms};
use kartskola::web::{AppParts, AppState, DemoFlag, router};
use serde_json::Value;
use tower::ServiceExt;

const DAY: i64 = 24 * 3600 * 1000;

/// splitmix64: small, fast, and the same data on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const REGIONS: [(&str, &str, &str); 4] = [
    ("norrbotten", "25", "Norrbotten"),
    ("vasterbotten", "24", "Västerbotten"),
    ("jamtland-harjedalen", "23", "Jämtland Härjedalen"),
    ("vasternorrland", "22", "Västernorrland"),
];

/// An organisation people can be placed in, with its weight (people per organisation).
struct Org {
    id: i64,
    weight: f64,
}

async fn generate(db: &Db, catalog: &Catalog, people: usize, total_attempts: usize) {
    let started = Instant::now();
    let mut rng = Rng(7);
    let municipalities: Vec<Value> = catalog
        .layer("municipalities")
        .and_then(|l| serde_json::from_slice::<Value>(&l.geojson).ok())
        .and_then(|v| v["features"].as_array().cloned())
        .unwrap_or_default();
    let mut orgs: Vec<Vec<Org>> = Vec::new();
    for (region, county, name) in REGIONS {
        let mut list = Vec::new();
        let mut add = |id: i64, weight: f64| list.push(Org { id, weight });
        let new = |name: String, kind: &'static str, code: Option<String>| (name, kind, code);
        let mut wanted = vec![
            (new(format!("Region {name}"), "region", None), 0.15),
            (
                new(format!("Länsstyrelsen {name}"), "county_board", None),
                0.08,
            ),
        ];
        let in_county: Vec<&Value> = municipalities
            .iter()
            .filter(|f| f["properties"]["county_code"] == county)
            .collect();
        let population: f64 = in_county
            .iter()
            .filter_map(|f| f["properties"]["population"].as_f64())
            .sum();
        for f in &in_county {
            let p = &f["properties"];
            let share = p["population"].as_f64().unwrap_or(0.0) / population.max(1.0);
            wanted.push((
                new(
                    format!("{} kommun", p["name"].as_str().unwrap_or("?")),
                    "municipality",
                    p["scb_code"].as_str().map(str::to_owned),
                ),
                0.77 * share,
            ));
        }
        for ((name, kind, code), weight) in wanted {
            let id = db
                .insert_organisation(&NewOrganisation {
                    name: &name,
                    kind,
                    region_id: region,
                    municipality_code: code.as_deref(),
                })
                .await
                .expect("insert organisation")
                .expect("a valid organisation");
            add(id, weight);
        }
        orgs.push(list);
    }

    // People: regions weighted roughly by population, organisations by their weights.
    let region_weights = [0.27, 0.29, 0.14, 0.30];
    let mut person_ids = Vec::with_capacity(people);
    for i in 0..people {
        let mut r = rng.unit();
        let mut region = 0;
        while region < 3 && r >= region_weights[region] {
            r -= region_weights[region];
            region += 1;
        }
        let list = &orgs[region];
        let mut w = rng.unit() * list.iter().map(|o| o.weight).sum::<f64>();
        let org = list
            .iter()
            .find(|o| {
                w -= o.weight;
                w < 0.0
            })
            .unwrap_or(&list[0]);
        let capabilities: &[Capability] = if i < 4 { &[Capability::Manager] } else { &[] };
        let region_id = if i < 4 {
            REGIONS[i].0
        } else {
            REGIONS[region].0
        };
        let organisation_id = if i < 4 {
            Some(orgs[i][0].id)
        } else {
            Some(org.id)
        };
        let id = db
            .insert_person(&NewPerson {
                email: &format!("person{i}@bench.example.se"),
                display_name: &format!("Person {i:05}"),
                region_id,
                organisation_id,
                password_hash: None,
                capabilities,
            })
            .await
            .expect("insert person")
            .expect("a new person");
        person_ids.push(id);
    }
    println!("  {} people in {:.1?}", people, started.elapsed());

    // The course's exercises in reading order, each with its alternative if any.
    let path: Vec<(&str, Option<&str>)> = catalog
        .courses
        .iter()
        .flat_map(|c| c.lessons().flat_map(|(_, l)| l.exercises.iter()))
        .filter_map(|id| catalog.exercise(id))
        .map(|e| (e.id.as_str(), e.accessible_alternative.as_deref()))
        .collect();
    let answer = r#"{"geometry":{"type":"Point","coordinates":[22.154712,65.584811]}}"#;
    let result = r#"{"score":0.82,"passed":true,"grader_version":"bench","metrics":[{"id":"distance_m","value":1830.4},{"id":"within_full_m","value":5000.0}],"feedback":[{"code":"near","level":"info"}],"geometries":null}"#;

    // Attempts per person: uneven (some did little, some a lot), summing to the total.
    let raw: Vec<f64> = (0..people).map(|_| rng.unit().powf(1.5)).collect();
    let scale = total_attempts as f64 / raw.iter().sum::<f64>();
    let mut budgets: Vec<usize> = raw.iter().map(|r| (r * scale).floor() as usize).collect();
    let assigned: usize = budgets.iter().sum();
    for k in 0..total_attempts.saturating_sub(assigned) {
        budgets[k % people] += 1;
    }
    let now = now_ms();
    let mut batch: Vec<(i64, &str, i64, f64, bool, i64)> = Vec::with_capacity(20_000);
    let mut written = 0_usize;
    for (person, &budget) in person_ids.iter().zip(&budgets) {
        if budget == 0 {
            continue;
        }
        let ability = 0.35 + 0.6 * rng.unit();
        let start = now - (30 + rng.below(510)) as i64 * DAY;
        let span = now - start;
        let mut numbers: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
        let mut position = 0_usize;
        let mut tries_here = 0;
        for k in 0..budget {
            let (main, alt) = if position < path.len() {
                path[position]
            } else {
                path[rng.below(path.len())]
            };
            let exercise = match alt {
                Some(alt) if rng.unit() < 0.05 => alt,
                _ => main,
            };
            let score = (ability + 0.35 * (rng.unit() - 0.5) + 0.05 * f64::from(tries_here))
                .clamp(0.0, 1.0);
            let passed = score >= 0.7;
            let n = numbers.entry(exercise).or_insert(0);
            *n += 1;
            let at = start + (span as f64 * (k as f64 + rng.unit()) / budget as f64) as i64;
            batch.push((*person, exercise, *n, score, passed, at.min(now)));
            tries_here += 1;
            if position < path.len() && (passed || tries_here >= 6) {
                position += 1;
                tries_here = 0;
            }
        }
        if batch.len() >= 20_000 {
            written += flush(db, &mut batch, answer, result).await;
        }
    }
    written += flush(db, &mut batch, answer, result).await;
    println!("  {written} attempts in {:.1?}", started.elapsed());
}

async fn flush(
    db: &Db,
    batch: &mut Vec<(i64, &str, i64, f64, bool, i64)>,
    answer: &str,
    result: &str,
) -> usize {
    let rows: Vec<SeedAttempt<'_>> = batch
        .iter()
        .map(
            |&(person_id, exercise_id, attempt_no, score, passed, created_at_ms)| SeedAttempt {
                person_id,
                exercise_id,
                attempt_no,
                answer,
                result,
                score,
                passed,
                content_hash: "bench",
                grader_version: "bench",
                created_at_ms,
            },
        )
        .collect();
    db.insert_seed_attempts(&rows)
        .await
        .expect("insert attempts");
    let n = rows.len();
    batch.clear();
    n
}

struct Timing {
    median: Duration,
    p95: Duration,
    max: Duration,
    bytes: usize,
}

async fn time(app: &axum::Router, uri: &str, headers: &[(&str, &str)], runs: usize) -> Timing {
    let mut samples = Vec::with_capacity(runs);
    let mut bytes = 0;
    for i in 0..runs + 2 {
        let mut request = Request::get(uri);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let started = Instant::now();
        let response = app
            .clone()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let took = started.elapsed();
        assert!(status.is_success(), "{uri}: {status}");
        bytes = body.len();
        // The first two warm caches and pools.
        if i >= 2 {
            samples.push(took);
        }
    }
    samples.sort();
    Timing {
        median: samples[samples.len() / 2],
        p95: samples[(samples.len() * 95 / 100).min(samples.len() - 1)],
        max: samples[samples.len() - 1],
        bytes,
    }
}

#[tokio::main]
async fn main() {
    let people = env_usize("KARTSKOLA_BENCH_PEOPLE", 5_000);
    let attempts = env_usize("KARTSKOLA_BENCH_ATTEMPTS", 1_000_000);
    let runs = env_usize("KARTSKOLA_BENCH_RUNS", 30);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = std::env::var("KARTSKOLA_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let dir = root.join("target/progress-bench");
            std::fs::create_dir_all(&dir).expect("bench folder");
            dir.join(format!("{people}-{attempts}.db"))
        });
    let catalog = kartskola::content::load(&root).unwrap_or_else(|e| panic!("content: {e}"));
    let url = DatabaseUrl::Sqlite(path.clone());
    let fresh = !path.exists();
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    if fresh {
        println!(
            "generating {people} people and {attempts} attempts into {}",
            path.display()
        );
        generate(&db, &catalog, people, attempts).await;
    } else {
        println!("using {} (delete it to generate again)", path.display());
    }
    let state = AppState::new(AppParts::new(
        db.clone(),
        catalog,
        Config::for_tests(url, root),
        DemoFlag::default(),
    ));
    let app = router(state.clone());

    // A manager of the largest region, the most active learner, an admin's token.
    let session = |person: i64| {
        let db = db.clone();
        async move {
            let token = random_token().expect("random");
            db.insert_session(&token_hash(&token), Some(person), "bench", now_ms())
                .await
                .expect("session");
            format!("kartskola_session={token}")
        }
    };
    let team = state
        .db
        .team_people(
            &kartskola::db::TeamScope::for_region(
                &kartskola::db::Scope::new(1, "vasternorrland", &[Capability::Manager]),
                None,
            )
            .expect("scope"),
            kartskola::db::TeamFilter::default(),
        )
        .await
        .expect("people");
    // The generator makes person i < 4 the manager of region i; vasternorrland is the fourth.
    let manager = team
        .iter()
        .find(|p| p.display_name == "Person 00003")
        .expect("the manager")
        .person_id;
    let mut busiest = (0, 0);
    for p in team.iter().take(200) {
        let n = state
            .db
            .own_exercise_stats(p.person_id)
            .await
            .expect("stats")
            .iter()
            .map(|s| s.attempts)
            .sum::<i64>();
        if n > busiest.1 {
            busiest = (p.person_id, n);
        }
    }
    let manager_cookie = session(manager).await;
    let api_token = format!("kst_{}", random_token().expect("random"));
    db.insert_api_token(manager, "bench", &token_hash(&api_token), now_ms(), None)
        .await
        .expect("token");
    let bearer = format!("Bearer {api_token}");
    let learner_cookie = session(busiest.0).await;
    println!(
        "region vasternorrland: {} people; learner {} with {} attempts; {runs} runs each (after 2 warm-up)",
        team.len(),
        busiest.0,
        busiest.1
    );
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "manager dashboard",
            "/team".to_owned(),
            manager_cookie.as_str(),
        ),
        (
            "manager dashboard, one organisation",
            format!(
                "/team?organisation={}",
                team.iter().find_map(|p| p.organisation_id).unwrap_or(0)
            ),
            manager_cookie.as_str(),
        ),
        (
            "team export JSON",
            "/api/team/progress".to_owned(),
            manager_cookie.as_str(),
        ),
        (
            "team export CSV",
            "/team/progress.csv".to_owned(),
            manager_cookie.as_str(),
        ),
        (
            "learner progress page",
            "/me/progress".to_owned(),
            learner_cookie.as_str(),
        ),
        (
            "learner progress JSON",
            "/api/me/progress".to_owned(),
            learner_cookie.as_str(),
        ),
        (
            "course page, logged in",
            "/courses/gis-regional-planering".to_owned(),
            learner_cookie.as_str(),
        ),
        (
            "course page, anonymous",
            "/courses/gis-regional-planering".to_owned(),
            "",
        ),
        (
            "xAPI, 500 statements (manager token)",
            "/api/xapi/statements".to_owned(),
            bearer.as_str(),
        ),
    ];
    // Where a dashboard's time goes: its two big queries one by one, and the rest.
    let scope = kartskola::db::TeamScope::for_region(
        &kartskola::db::Scope::new(manager, "vasternorrland", &[Capability::Manager]),
        None,
    )
    .expect("scope");
    let filter = kartskola::db::TeamFilter::default();
    let from = now_ms() - 12 * 7 * DAY;
    for _ in 0..3 {
        let t = Instant::now();
        let stats = state
            .db
            .team_exercise_stats(&scope, filter)
            .await
            .expect("stats")
            .len();
        let t_stats = t.elapsed();
        let t = Instant::now();
        let weeks = state
            .db
            .team_weeks(&scope, filter, from)
            .await
            .expect("weeks")
            .len();
        let t_weeks = t.elapsed();
        println!(
            "queries: exercise stats {stats} rows {t_stats:.1?}; weeks {weeks} rows {t_weeks:.1?}"
        );
    }
    println!(
        "{:<38} {:>10} {:>10} {:>10} {:>10}",
        "route", "median", "p95", "max", "bytes"
    );
    for (name, uri, cookie) in cases {
        let headers: Vec<(&str, &str)> = if cookie.is_empty() {
            Vec::new()
        } else if cookie.starts_with("Bearer ") {
            vec![("authorization", cookie)]
        } else {
            vec![("cookie", cookie)]
        };
        let t = time(&app, &uri, &headers, runs).await;
        println!(
            "{name:<38} {:>10.1?} {:>10.1?} {:>10.1?} {:>10}",
            t.median, t.p95, t.max, t.bytes
        );
    }
}
