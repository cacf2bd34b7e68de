//! What the page header shows besides the menu: whether the reader seems logged in (a log-in
//! link or an account link), the demo-data banner, and for trainers and admins the link to
//! their cohorts. The first two are known without a database query; the cohorts link needs the
//! reader's capabilities, so a page request (GET, not `/api/` or `/assets/`) that carries a
//! session cookie resolves its session here, once: the result is left in the request for the
//! handler's own `Person`/`MaybePerson` extractor, so authenticated pages pay nothing extra and
//! anonymous readers (most lesson traffic) still cost no query.
//!
//! The header is rendered by every page through `Chrome`, which many handlers build; rather
//! than thread these two flags through each of them, one middleware sets them for the request
//! in a task-local that `Chrome::new` reads. A page rendered outside a request (none today)
//! gets the defaults: not logged in, no banner.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use axum::http::Method;

use super::session::{has_session_cookie, resolve};
use super::state::AppState;
use crate::db::{Capability, Db};

/// Whether demo accounts exist, refreshed by the periodic task (and after start-up), so that
/// no page pays a query for the banner. `kartskola seed-demo` run from the shell shows up
/// within a minute.
#[derive(Debug, Clone, Default)]
pub struct DemoFlag(Arc<AtomicBool>);

impl DemoFlag {
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Asks the database again; a failed query keeps the last answer.
    pub async fn refresh(&self, db: &Db) {
        match db.demo_accounts_exist().await {
            Ok(demo) => self.0.store(demo, Ordering::Relaxed),
            Err(e) => tracing::warn!(error = %e, "cannot check for demo accounts"),
        }
    }
}

/// The header's per-request flags.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Nav {
    /// A session cookie came with the request (it may have expired: the account link then
    /// leads to the login page, which is harmless).
    pub signed_in: bool,
    pub demo: bool,
    /// The reader runs cohorts (trainer or admin): the header links to `/cohorts`.
    pub cohorts: bool,
}

tokio::task_local! {
    static NAV: Nav;
}

impl Nav {
    /// The flags of the request being handled.
    pub(super) fn current() -> Self {
        NAV.try_with(|nav| *nav).unwrap_or_default()
    }
}

/// Sets [`Nav`] for everything inside (handlers and the error renderer).
pub(super) async fn scope(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let signed_in = has_session_cookie(request.headers(), &state.config);
    let path = request.uri().path();
    let page = request.method() == Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/assets/");
    let (request, cohorts) = if signed_in && page {
        let (mut parts, body) = request.into_parts();
        // A failed lookup shows no link; the handler's extractor meets the error itself.
        let person = resolve(&mut parts, &state).await.ok().flatten();
        let cohorts =
            person.is_some_and(|p| p.has(Capability::Trainer) || p.has(Capability::Admin));
        (Request::from_parts(parts, body), cohorts)
    } else {
        (request, false)
    };
    let nav = Nav {
        signed_in,
        demo: state.demo.get(),
        cohorts,
    };
    NAV.scope(nav, next.run(request)).await
}
