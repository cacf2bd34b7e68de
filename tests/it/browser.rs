//! Runs the browser tests (`tests/browser/*.test.mjs`: node's test runner driving Debian's
//! Chromium through playwright-core, with axe-core scans) as part of `cargo test`, so the one
//! test command covers what a person does on a page. They run on SQLite only; on the
//! PostgreSQL run (KARTSKOLA_TEST_DATABASE_URL set) this test has nothing to add.

use std::path::Path;
use std::process::Command;

use crate::helpers::repo_root;

const CHROMIUM: &str = "/usr/bin/chromium";

#[test]
fn browser_tests_pass() {
    if std::env::var("KARTSKOLA_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty()) {
        return;
    }
    let root = repo_root();
    let tests = root.join("tests/browser");
    let mut files: Vec<String> = std::fs::read_dir(&tests)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
                .map(|p| p.to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    assert!(!files.is_empty(), "no browser tests in {}", tests.display());
    ensure_chromium();
    let status = Command::new("node")
        .arg("--test")
        .arg("--test-concurrency=1")
        .args(&files)
        .current_dir(&root)
        .env("KARTSKOLA_BIN", env!("CARGO_BIN_EXE_kartskola"))
        .env("CHROMIUM", CHROMIUM)
        .status()
        .expect("node runs (Node.js is required, as for the build)");
    assert!(status.success(), "browser tests failed: {status}");
}

/// Chromium comes from Debian's package; as root (CI, a fresh machine) it is installed here,
/// so `cargo test` stays the only test command. Otherwise the failure says how to install it.
fn ensure_chromium() {
    if Path::new(CHROMIUM).exists() {
        return;
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if is_root {
        eprintln!(
            "installing Debian's chromium for the browser tests (apt-get install -y chromium)"
        );
        let _ = Command::new("apt-get").args(["update", "-qq"]).status();
        let _ = Command::new("apt-get")
            .args(["install", "-y", "-qq", "chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status();
    }
    assert!(
        Path::new(CHROMIUM).exists(),
        "the browser tests need Debian's Chromium at {CHROMIUM}: run `sudo apt-get install -y chromium`"
    );
}
