//! `TestApp`: the real router over a fresh database, with helpers to send requests and parse HTML.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use kartskola::config::{Config, DatabaseUrl};
use kartskola::db::Db;
use kartskola::web::{self, AppState};
use tower::ServiceExt;

pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/content").join(name)
}

/// A database of its own for one test; the SQLite file lives as long as the guard.
pub(crate) struct TestDb {
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub(crate) async fn new() -> Self {
        match std::env::var("KARTSKOLA_TEST_DATABASE_URL") {
            Ok(base) if !base.trim().is_empty() => Self::postgres(&base).await,
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = DatabaseUrl::Sqlite(dir.path().join("test.db"));
                Self {
                    url,
                    _dir: Some(dir),
                }
            }
        }
    }

    /// Creates `kartskola_test_<pid>_<n>` on the server `base` points at.
    async fn postgres(base: &str) -> Self {
        use sqlx::Connection;
        // The name is ours (pid and a counter), so formatting it into SQL is safe.
        let name = format!(
            "kartskola_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = sqlx::PgConnection::connect(base).await.unwrap_or_else(|e| {
            panic!("cannot reach the PostgreSQL of KARTSKOLA_TEST_DATABASE_URL: {e}")
        });
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "drop database if exists {name}"
        )))
        .execute(&mut admin)
        .await
        .expect("drop");
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&mut admin)
            .await
            .expect("create database");
        let (prefix, _) = base.rsplit_once('/').expect("a database URL has a path");
        Self {
            url: DatabaseUrl::Postgres(format!("{prefix}/{name}")),
            _dir: None,
        }
    }

    pub(crate) async fn connect(&self) -> Db {
        let db = Db::connect(&self.url).await.expect("connect");
        db.migrate().await.expect("migrate");
        db
    }
}

pub(crate) struct TestApp {
    pub state: AppState,
    pub router: axum::Router,
    _db: TestDb,
}

pub(crate) struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub(crate) fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The texts of every element matching `selector`, whitespace collapsed.
    pub(crate) fn texts(&self, selector: &str) -> Vec<String> {
        let selector = scraper::Selector::parse(selector).expect("valid selector");
        self.html()
            .select(&selector)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    /// The app over the valid fixture content.
    pub(crate) async fn spawn() -> Self {
        Self::with_content(&fixture("valid")).await
    }

    pub(crate) async fn with_content(root: &Path) -> Self {
        let catalog = kartskola::content::load(root).unwrap_or_else(|e| panic!("content: {e}"));
        let test_db = TestDb::new().await;
        let db = test_db.connect().await;
        let config = Config::for_tests(test_db.url.clone(), root.to_path_buf());
        let state = AppState {
            db,
            catalog: Arc::new(catalog),
            config: Arc::new(config),
        };
        let router = web::router(state.clone());
        Self {
            state,
            router,
            _db: test_db,
        }
    }

    pub(crate) async fn request(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible router");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub(crate) async fn get(&self, uri: &str) -> TestResponse {
        self.request(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    /// Creates a learner with a password and logs in through the real form; returns the cookie.
    pub(crate) async fn login_as(&self, email: &str) -> String {
        let password = "fjällbjörk i motvind";
        let hash = kartskola::auth::password::hash_blocking(password).expect("hash");
        let new = kartskola::db::NewPerson {
            email,
            display_name: "Test Learner",
            region_id: "norrbotten",
            password_hash: Some(&hash),
            capabilities: &[],
        };
        self.state
            .db
            .insert_person(&new)
            .await
            .expect("insert person")
            .expect("new e-mail");
        let form = format!(
            "email={}&password={}&next=%2F",
            urlencode(email),
            urlencode(password)
        );
        let response = self
            .request(
                Request::post("/login")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from(form))
                    .expect("request"),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "login: {}",
            response.body
        );
        let cookie = response.header("set-cookie").expect("session cookie");
        cookie.split(';').next().expect("cookie pair").to_owned()
    }

    /// POSTs a JSON body with the given extra headers.
    pub(crate) async fn post_json(
        &self,
        uri: &str,
        body: impl Into<Body>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut builder = Request::post(uri).header("content-type", "application/json");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        self.request(builder.body(body.into()).expect("request"))
            .await
    }

    pub(crate) async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut builder = Request::get(uri);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        self.request(builder.body(Body::empty()).expect("request"))
            .await
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
