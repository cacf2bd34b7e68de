//! `TestApp`: the real router over a fresh database, with helpers to send requests and parse HTML.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use kartskola::config::{Config, DatabaseUrl};
use kartskola::db::{Capability, Db};
use kartskola::web::{self, AppParts, AppState};
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
        self.html().select(&selector).map(collapsed_text).collect()
    }

    /// The cells (`th` and `td` alike) of each body row of `table`, as collapsed texts.
    pub(crate) fn table_rows(&self, table: &str) -> Vec<Vec<String>> {
        let row = scraper::Selector::parse(&format!("{table} tbody tr")).expect("selector");
        let cell = scraper::Selector::parse("th, td").expect("selector");
        self.html()
            .select(&row)
            .map(|r| r.select(&cell).map(collapsed_text).collect())
            .collect()
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The value of the first hidden `csrf` field of the page.
    pub(crate) fn csrf(&self) -> Option<String> {
        let selector = scraper::Selector::parse("input[name=csrf]").expect("selector");
        self.html()
            .select(&selector)
            .next()
            .and_then(|e| e.value().attr("value"))
            .map(str::to_owned)
    }
}

impl TestApp {
    /// The app over the valid fixture content.
    pub(crate) async fn spawn() -> Self {
        Self::with_content(&fixture("valid")).await
    }

    pub(crate) async fn with_content(root: &Path) -> Self {
        Self::build(root, |_| {}).await
    }

    /// The app over the valid fixture content, with settings changed by `configure`.
    pub(crate) async fn spawn_with(configure: impl FnOnce(&mut Config)) -> Self {
        Self::build(&fixture("valid"), configure).await
    }

    async fn build(root: &Path, configure: impl FnOnce(&mut Config)) -> Self {
        let catalog = kartskola::content::load(root).unwrap_or_else(|e| panic!("content: {e}"));
        let test_db = TestDb::new().await;
        let db = test_db.connect().await;
        let mut config = Config::for_tests(test_db.url.clone(), root.to_path_buf());
        configure(&mut config);
        let demo = kartskola::web::DemoFlag::default();
        demo.refresh(&db).await;
        let state = AppState::new(AppParts::new(db, catalog, config, demo));
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

    /// Creates a learner in Norrbotten with [`PASSWORD`] and logs in through the real form;
    /// returns the session cookie (`name=value`).
    pub(crate) async fn login_as(&self, email: &str) -> String {
        self.add_person(email, "norrbotten", &[]).await;
        self.login_existing(email).await
    }

    /// Creates a person with [`PASSWORD`], named "Test Learner"; returns their id.
    pub(crate) async fn add_person(
        &self,
        email: &str,
        region: &str,
        capabilities: &[Capability],
    ) -> i64 {
        self.add_named_person(email, "Test Learner", region, capabilities)
            .await
    }

    /// Creates a person with [`PASSWORD`] and a name of their own; returns their id.
    pub(crate) async fn add_named_person(
        &self,
        email: &str,
        name: &str,
        region: &str,
        capabilities: &[Capability],
    ) -> i64 {
        let hash = test_hash();
        let new = kartskola::db::NewPerson {
            email,
            display_name: name,
            region_id: region,
            organisation_id: None,
            password_hash: Some(&hash),
            capabilities,
        };
        self.state
            .db
            .insert_person(&new)
            .await
            .expect("insert person")
            .expect("new e-mail")
    }

    /// Logs an existing person in with [`PASSWORD`]; returns the session cookie.
    pub(crate) async fn login_existing(&self, email: &str) -> String {
        let response = self.log_in(email, PASSWORD).await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "login: {}",
            response.body
        );
        session_cookie(&response).expect("session cookie")
    }

    /// Submits the login form as a browser would: the form is fetched first (its pre-login
    /// cookie and CSRF token go with the submission).
    pub(crate) async fn log_in(&self, email: &str, password: &str) -> TestResponse {
        let (pre_cookie, csrf) = self.login_form().await;
        self.post_form(
            "/login",
            Some(&pre_cookie),
            &[
                ("csrf", &csrf),
                ("email", email),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    /// `GET /login`: the pre-login cookie (`name=value`) and the form's CSRF token.
    pub(crate) async fn login_form(&self) -> (String, String) {
        let form = self.get("/login").await;
        assert_eq!(form.status, StatusCode::OK);
        let cookie = cookie_pair(&form, "kartskola_pre").expect("pre-login cookie");
        (cookie, form.csrf().expect("csrf field"))
    }

    /// The CSRF token of a logged-in session (read from the account page's forms).
    pub(crate) async fn csrf_for(&self, cookie: &str) -> String {
        let page = self.get_with("/account", &[("cookie", cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page.csrf().expect("csrf field")
    }

    /// Runs SQL on the test database directly, as time would act on rows (ageing a throttle).
    pub(crate) async fn execute_sql(&self, sql: &'static str) {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let url = match &self._db.url {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => url.clone(),
        };
        let mut conn = sqlx::AnyConnection::connect(&url).await.expect("connect");
        sqlx::query(sql).execute(&mut conn).await.expect("sql");
        conn.close().await.expect("close");
    }

    /// The test database's URL, for the `kartskola` binary (`DATABASE_URL`).
    pub(crate) fn database_url(&self) -> String {
        match &self._db.url {
            DatabaseUrl::Sqlite(path) => path.display().to_string(),
            DatabaseUrl::Postgres(url) => url.clone(),
        }
    }

    /// A restart: new connections, a new router and state, the same database and settings;
    /// nothing held in memory survives.
    pub(crate) async fn restart(&mut self) {
        self.state.db.close().await;
        let db = self._db.connect().await;
        let demo = kartskola::web::DemoFlag::default();
        demo.refresh(&db).await;
        self.state = AppState::new(AppParts::new(
            db,
            self.state.catalog.clone(),
            self.state.config.clone(),
            demo,
        ));
        self.router = web::router(self.state.clone());
    }

    /// POSTs an HTML form (urlencoded), with a cookie header if given.
    pub(crate) async fn post_form(
        &self,
        uri: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut builder =
            Request::post(uri).header("content-type", "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            builder = builder.header("cookie", cookie);
        }
        self.request(builder.body(Body::from(body)).expect("request"))
            .await
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

/// The password of every person the helpers create.
pub(crate) const PASSWORD: &str = "fjällbjörk i motvind";

/// An element's text with its whitespace collapsed to single spaces.
fn collapsed_text(element: scraper::ElementRef<'_>) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`PASSWORD`]'s hash, computed once (argon2id takes a while).
pub(crate) fn test_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| kartskola::auth::password::hash_blocking(PASSWORD).expect("hash"))
        .clone()
}

/// The `name=value` of a cookie the response sets (a non-empty value).
pub(crate) fn cookie_pair(response: &TestResponse, name: &str) -> Option<String> {
    response
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")) && pair.len() > name.len() + 1)
        .map(str::to_owned)
}

/// The session cookie a response sets.
pub(crate) fn session_cookie(response: &TestResponse) -> Option<String> {
    cookie_pair(response, "kartskola_session")
}

pub(crate) fn urlencode(s: &str) -> String {
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
