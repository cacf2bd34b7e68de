//! What the page header shows besides the fixed links: a log-in link or the signed-in person's
//! links (account, "My progress", "My team" for managers and admins, "Cohorts" for trainers and
//! admins), which of them is the current page (`aria-current="page"`), and the demo banner.
//!
//! The header is rendered by every page through `Chrome`, which many handlers build; rather
//! than thread these flags through each of them, one middleware sets them for the request in a
//! task-local that `Chrome::new` reads. A page rendered outside a request (none today) gets the
//! defaults: not logged in, no banner.
//!
//! Anonymous readers (no session cookie) cost no query, so public pages stay as fast as before.
//! With a session cookie the middleware resolves the person, because only their capabilities
//! tell whether the team and cohorts links belong in the header; the lookup is kept in the
//! request's extensions, so a handler that needs the person (most pages of a signed-in person)
//! reuses it instead of asking again. Machine routes (`/api/`, assets, health) render no header and skip it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

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
    /// A valid session came with the request (or, where it could not be checked, a session
    /// cookie did).
    pub signed_in: bool,
    /// The person may open `/team` (a manager or an admin).
    pub team: bool,
    pub demo: bool,
    /// The path of the header link that leads to this very page, if any, for
    /// `aria-current="page"`; "" otherwise.
    pub current: &'static str,
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

/// The header's own links: the one equal to the request's path is the current page. Other pages
/// (a lesson, an exercise) are not in the header, so no link is marked there.
const LINKS: [&str; 6] = [
    "/",
    "/cohorts",
    "/me/progress",
    "/team",
    "/account",
    "/login",
];

fn current_link(path: &str) -> &'static str {
    LINKS
        .iter()
        .copied()
        .find(|link| *link == path)
        .unwrap_or("")
}

/// Requests that never render the header: the JSON API, assets and the health check.
fn is_machine_route(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/assets/") || path == "/healthz"
}

/// Sets [`Nav`] for everything inside (handlers and the error renderer).
pub(super) async fn scope(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let cookie = has_session_cookie(request.headers(), &state.config);
    let path = request.uri().path();
    let mut nav = Nav {
        signed_in: cookie,
        team: false,
        cohorts: false,
        demo: state.demo.get(),
        current: current_link(path),
    };
    if !cookie || is_machine_route(path) {
        return NAV.scope(nav, next.run(request)).await;
    }
    let (mut parts, body) = request.into_parts();
    match resolve(&mut parts, &state).await {
        Ok(person) => {
            nav.signed_in = person.is_some();
            let has = |c| person.as_ref().is_some_and(|p| p.has(c));
            nav.team = has(Capability::Manager) || has(Capability::Admin);
            nav.cohorts = has(Capability::Trainer) || has(Capability::Admin);
        }
        // The page itself decides what a database failure means; the header falls back to
        // what the cookie alone tells (and leaves the team link out).
        Err(e) => tracing::warn!(error = %e, "cannot resolve the session for the header"),
    }
    NAV.scope(nav, next.run(Request::from_parts(parts, body)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_header_links_are_current_pages() {
        assert_eq!(current_link("/"), "/");
        assert_eq!(current_link("/me/progress"), "/me/progress");
        assert_eq!(current_link("/team"), "/team");
        assert_eq!(current_link("/team/progress.csv"), "");
        assert_eq!(current_link("/courses/gis-regional-planering"), "");
        assert!(is_machine_route("/api/me/progress") && is_machine_route("/healthz"));
        assert!(!is_machine_route("/me/progress") && !is_machine_route("/apiary"));
    }
}
