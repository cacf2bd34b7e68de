//! What the page header shows besides the menu: whether the reader seems logged in (a log-in
//! link or an account link) and the demo-data banner. Both are known without a database
//! query, so public pages (lessons, the catalogue) stay as fast as before.
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

use super::session::has_session_cookie;
use super::state::AppState;
use crate::db::Db;

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
    let nav = Nav {
        signed_in: has_session_cookie(request.headers(), &state.config),
        demo: state.demo.get(),
    };
    NAV.scope(nav, next.run(request)).await
}
