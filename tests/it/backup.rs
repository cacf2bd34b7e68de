//! `kartskola backup` and `restore` on the test database (SQLite, or PostgreSQL through
//! `pg_dump`/`pg_restore`): a backup taken while attempts are being stored opens, passes
//! `PRAGMA integrity_check` and holds every attempt acknowledged before it began; restore
//! refuses to replace data without `--force` and says what went wrong and where.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use kartskola::config::DatabaseUrl;

use crate::helpers::{TestApp, TestDb, fixture};

const URL: &str = "/api/exercises/prov-point-open/attempts";

fn url_text(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
        DatabaseUrl::Postgres(url) => url.clone(),
    }
}

/// Runs `kartskola ARGS` against `database_url`, with `path` as its PATH.
fn kartskola(database_url: &str, args: &[&std::ffi::OsStr], path: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kartskola"))
        .args(args)
        .env_clear()
        .env("PATH", path)
        .env("DATABASE_URL", database_url)
        .env("KARTSKOLA_CONTENT", fixture("valid"))
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn system_path() -> String {
    std::env::var("PATH").unwrap_or_default()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn a_backup_under_concurrent_writes_holds_every_acknowledged_attempt() {
    let app = Arc::new(TestApp::spawn().await);
    let mut people = Vec::new();
    for i in 0..4 {
        let email = format!("backup{i}@example.se");
        let id = app.add_person(&email, "norrbotten", &[]).await;
        let cookie = app.login_existing(&email).await;
        people.push((id, cookie));
    }
    // Writers: each person submits attempts until told to stop; acknowledged ids are kept.
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<(i64, i64)>>> = Arc::default();
    let mut writers = Vec::new();
    for (n, (person_id, cookie)) in people.iter().cloned().enumerate() {
        let (app, stop, acked) = (app.clone(), stop.clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0_u32;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let lon = 20.0 + f64::from(i) * 1e-5;
                let body = format!(
                    r#"{{"geometry": {{"type": "Point", "coordinates": [{lon:.6}, 63.8{n}]}}}}"#
                );
                let response = app.post_json(URL, body, &[("cookie", &cookie)]).await;
                assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
                let id = response.json()["attempt_id"].as_i64().expect("attempt_id");
                acked.lock().expect("lock").push((person_id, id));
            }
        }));
    }
    while acked.lock().expect("lock").len() < 40 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before: Vec<(i64, i64)> = acked.lock().expect("lock").clone();

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("kartskola.backup");
    let source = app.database_url();
    let backup = {
        let (source, file) = (source.clone(), file.clone());
        tokio::task::spawn_blocking(move || {
            kartskola(
                &source,
                &["backup".as_ref(), file.as_os_str()],
                &system_path(),
            )
        })
        .await
        .expect("join")
    };
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("writer");
    }
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    assert!(
        text(&backup.stdout).contains("backed up"),
        "{}",
        text(&backup.stdout)
    );
    assert!(file.is_file());
    if matches!(app.state.db.backend(), kartskola::db::Backend::Sqlite) {
        let held = kartskola::db::check_sqlite_file(&file)
            .await
            .expect("the backup opens and passes PRAGMA integrity_check");
        assert!(held.attempts >= i64::try_from(before.len()).expect("count"));
    }
    // A second backup to the same name is refused: a backup never overwrites a file.
    let again = kartskola(
        &source,
        &["backup".as_ref(), file.as_os_str()],
        &system_path(),
    );
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );

    // Restore into a fresh database and find every attempt acknowledged before the backup.
    let target = TestDb::new().await;
    let target_url = url_text(&target.url);
    let restored = kartskola(
        &target_url,
        &["restore".as_ref(), file.as_os_str()],
        &system_path(),
    );
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    let db = target.connect().await;
    for (person_id, attempt_id) in &before {
        assert!(
            db.own_attempt(*person_id, *attempt_id)
                .await
                .expect("query")
                .is_some(),
            "attempt {attempt_id} was acknowledged before the backup began but is missing"
        );
    }
    let held = db.holdings().await.expect("holdings");
    assert_eq!(held.people, 4);
    db.close().await;

    // The restored database holds data now: a second restore needs --force.
    let refused = kartskola(
        &target_url,
        &["restore".as_ref(), file.as_os_str()],
        &system_path(),
    );
    assert!(!refused.status.success());
    let message = text(&refused.stderr);
    assert!(
        message.contains("already holds 4 people") && message.contains("--force"),
        "{message}"
    );
    let forced = kartskola(
        &target_url,
        &["restore".as_ref(), file.as_os_str(), "--force".as_ref()],
        &system_path(),
    );
    assert!(forced.status.success(), "{}", text(&forced.stderr));
}

#[tokio::test]
async fn restore_and_backup_errors_say_what_and_where() {
    let app = TestApp::spawn().await;
    let source = app.database_url();
    let dir = tempfile::tempdir().expect("temp dir");

    let missing = dir.path().join("nope.backup");
    let output = kartskola(
        &source,
        &["restore".as_ref(), missing.as_os_str()],
        &system_path(),
    );
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(
        message.contains("cannot read the backup") && message.contains("nope.backup"),
        "{message}"
    );

    let junk = dir.path().join("junk.backup");
    std::fs::write(&junk, "not a database at all, just text").expect("write");
    let output = kartskola(
        &source,
        &["restore".as_ref(), junk.as_os_str()],
        &system_path(),
    );
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("junk.backup"),
        "{}",
        text(&output.stderr)
    );

    let nowhere = dir.path().join("no-such-folder").join("x.backup");
    let output = kartskola(
        &source,
        &["backup".as_ref(), nowhere.as_os_str()],
        &system_path(),
    );
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("does not exist"),
        "{}",
        text(&output.stderr)
    );

    if matches!(app.state.db.backend(), kartskola::db::Backend::Postgres) {
        // Without pg_dump on the PATH the command says what to install.
        let file = dir.path().join("pg.backup");
        let output = kartskola(
            &source,
            &["backup".as_ref(), file.as_os_str()],
            "/nonexistent",
        );
        assert!(!output.status.success());
        let message = text(&output.stderr);
        assert!(
            message.contains("pg_dump was not found") && message.contains("postgresql-client"),
            "{message}"
        );
        assert!(!file.exists());
    }
}
