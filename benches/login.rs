//! Login throughput and the memory held by concurrent password hashing (issue #5):
//! `cargo bench --bench login` (figures in docs/security.md). Not part of `.ci/run`.
//!
//! 1. Whole logins through the real router (GET /login for the form and its token, then POST
//!    /login: throttle check, argon2id verify, new session) over a fresh SQLite file, at several
//!    numbers of clients at once: logins per second and latency percentiles.
//! 2. Peak resident memory while 32 verifies are asked for at once: through `password::verify`
//!    (the semaphore lets 4 hash at a time) and, for comparison, 32 unbounded threads.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use kartskola::auth::password;
use kartskola::config::{Config, DatabaseUrl};
use kartskola::db::{Db, NewPerson};
use kartskola::web::{self, AppParts, AppState, DemoFlag};
use tower::ServiceExt;

const EMAIL: &str = "bench@example.se";
const PASSWORD: &str = "fjällbjörk i motvind";

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

/// Resets the peak (VmHWM) to the current RSS (Linux: write 5 to clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn body(response: axum::response::Response) -> String {
    let bytes = response
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// One whole login; returns its duration.
async fn login(router: Router) -> Duration {
    let started = Instant::now();
    let form = router
        .clone()
        .oneshot(Request::get("/login").body(Body::empty()).expect("request"))
        .await
        .expect("router");
    let cookie = form
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .expect("pre-login cookie");
    let html = body(form).await;
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .expect("csrf");
    let submit = format!(
        "csrf={csrf}&email=bench%40example.se&password=fj%C3%A4llbj%C3%B6rk+i+motvind&next=%2F"
    );
    let response = router
        .oneshot(
            Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", cookie)
                .body(Body::from(submit))
                .expect("request"),
        )
        .await
        .expect("router");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    started.elapsed()
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    let index = (sorted.len() * p / 100).min(sorted.len().saturating_sub(1));
    sorted.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

async fn throughput(router: &Router) {
    println!("| clients at once | logins | logins/s | p50 ms | p95 ms |");
    println!("|---:|---:|---:|---:|---:|");
    for clients in [1_usize, 4, 16, 64] {
        let total = 128_usize.max(clients * 4);
        let started = Instant::now();
        let mut times = Vec::with_capacity(total);
        let mut running = tokio::task::JoinSet::new();
        let mut launched = 0;
        while launched < total || !running.is_empty() {
            while launched < total && running.len() < clients {
                running.spawn(login(router.clone()));
                launched += 1;
            }
            if let Some(Ok(time)) = running.join_next().await {
                times.push(time);
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        times.sort();
        #[expect(clippy::cast_precision_loss, reason = "a count of a few hundred")]
        let rate = total as f64 / elapsed;
        println!(
            "| {clients} | {total} | {rate:.1} | {:.0} | {:.0} |",
            percentile(&times, 50),
            percentile(&times, 95)
        );
    }
}

async fn memory(hash: &str) {
    let verifies = 32;
    reset_peak();
    let before = status_kib("VmRSS:");
    let mut running = tokio::task::JoinSet::new();
    for _ in 0..verifies {
        running.spawn(password::verify(PASSWORD.to_owned(), Some(hash.to_owned())));
    }
    while running.join_next().await.is_some() {}
    let bounded_peak = status_kib("VmHWM:").saturating_sub(before);

    reset_peak();
    let before = status_kib("VmRSS:");
    let threads: Vec<_> = (0..verifies)
        .map(|_| std::thread::spawn(|| password::hash_blocking(PASSWORD).is_ok()))
        .collect();
    for thread in threads {
        let _ = thread.join();
    }
    let unbounded_peak = status_kib("VmHWM:").saturating_sub(before);
    println!();
    println!("| {verifies} hashes asked for at once | peak RSS above the start |");
    println!("|---|---:|");
    println!(
        "| `password::verify` (at most {} at once) | {:.0} MiB |",
        password::CONCURRENT_HASHES,
        f64::from(u32::try_from(bounded_peak).unwrap_or(u32::MAX)) / 1024.0
    );
    println!(
        "| unbounded threads (what the semaphore prevents) | {:.0} MiB |",
        f64::from(u32::try_from(unbounded_peak).unwrap_or(u32::MAX)) / 1024.0
    );
    println!(
        "(one argon2id hash holds m = {} KiB = {} MiB)",
        password::MEMORY_KIB,
        password::MEMORY_KIB / 1024
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::Sqlite(dir.path().join("bench.db"));
        let db = Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content/valid");
        let catalog = kartskola::content::load(&root).expect("content");
        let hash = password::hash_blocking(PASSWORD).expect("hash");
        let new = NewPerson {
            email: EMAIL,
            display_name: "Bench",
            region_id: "norrbotten",
            organisation_id: None,
            password_hash: Some(&hash),
            capabilities: &[],
        };
        db.insert_person(&new).await.expect("insert").expect("new");
        password::warm_up().await;
        let state = AppState::new(AppParts::new(
            db,
            catalog,
            Config::for_tests(url, root),
            DemoFlag::default(),
        ));
        let router = web::router(state);
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        println!("Login benchmark: argon2id m={} KiB t={} p={}, {} hashes at once, {cores} core(s), SQLite", password::MEMORY_KIB, password::PASSES, password::LANES, password::CONCURRENT_HASHES);
        println!();
        throughput(&router).await;
        memory(&hash).await;
    });
}
