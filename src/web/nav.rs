//! What the page header shows besides the fixed links: a log-in link or the signed-in person's
//! links (account, "My progress", "My team" for managers and admins, "Cohorts" for trainers and
//! admins), which of them is the current page (`aria-current="page"`), and the demo banner.
//!
//! The header is rendered by every page through `Chrome`, which many handlers build; rather
//! than thread these flags through each of them, the request's edge (`super::edge`) sets them
//! in a task-local that `Chrome::new` reads. A page rendered outside a request (none today) gets
//! the defaults: not logged in, no banner.
//!
//! Anonymous readers (no session cookie) cost no query. With a session cookie the edge
//! resolves the person, because only their capabilities tell whether the team and cohorts links
//! belong in the header; the lookup is kept in the request's extensions, so a handler that needs
//! the person reuses it instead of asking again, and the links are remembered for a few seconds
//! ([`HeaderCache`]), so a signed-in reader going through lessons costs no query either. Machine
//! routes (`/api/`, assets, health) render no header and skip all this.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::Request;

use super::session::{Person, cookie_name, cookie_value, resolve};
use super::state::AppState;
use crate::auth::token::token_hash;
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

/// How long the header trusts what it last learnt of a session. The links are shown, never
/// granted, by it (every route checks the session itself), so a stale link for a few seconds
/// after a session ends in another process or a capability changes costs nothing; in return a
/// signed-in reader's lesson pages (cached, `pages::PageCache`) need no database query at all.
const HEADER_TTL: Duration = Duration::from_secs(5);
/// Sessions remembered at most; past that, expired entries go, and if none has, all do.
const HEADER_MAX: usize = 10_000;

/// What the header shows of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Links {
    signed_in: bool,
    team: bool,
    cohorts: bool,
}

/// The header's links of recently seen sessions, by session hash (never the cookie's token).
#[derive(Debug, Default)]
pub struct HeaderCache(RwLock<HashMap<String, (Instant, Links)>>);

impl HeaderCache {
    fn get(&self, session_hash: &str) -> Option<Links> {
        let sessions = self.0.read().ok()?;
        let (seen, links) = sessions.get(session_hash)?;
        (seen.elapsed() < HEADER_TTL).then_some(*links)
    }

    fn put(&self, session_hash: String, links: Links) {
        let Ok(mut sessions) = self.0.write() else {
            return;
        };
        if sessions.len() >= HEADER_MAX {
            sessions.retain(|_, (seen, _)| seen.elapsed() < HEADER_TTL);
            if sessions.len() >= HEADER_MAX {
                sessions.clear();
            }
        }
        sessions.insert(session_hash, (Instant::now(), links));
    }

    /// Forgets a session at once (a logout in this process).
    pub(super) fn forget(&self, session_hash: &str) {
        if let Ok(mut sessions) = self.0.write() {
            sessions.remove(session_hash);
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

/// The header flags of this request (resolving the session when the cache does not know it);
/// the request comes back, with the resolved person in its extensions for the handler.
pub(super) async fn of_request(state: &AppState, request: Request) -> (Nav, Request) {
    let path = request.uri().path();
    let mut nav = Nav {
        demo: state.demo.get(),
        current: current_link(path),
        ..Nav::default()
    };
    let session_hash = cookie_value(request.headers(), cookie_name(&state.config)).map(token_hash);
    let Some(session_hash) = session_hash.filter(|_| !is_machine_route(path)) else {
        return (nav, request);
    };
    if let Some(links) = state.header.get(&session_hash) {
        nav.apply(links);
        return (nav, request);
    }
    let (mut parts, body) = request.into_parts();
    match resolve(&mut parts, state).await {
        Ok(person) => {
            let links = Links {
                signed_in: person.is_some(),
                team: person.as_ref().is_some_and(Person::follows_a_team),
                cohorts: person.as_ref().is_some_and(Person::runs_cohorts),
            };
            state.header.put(session_hash, links);
            nav.apply(links);
        }
        // The page itself decides what a database failure means; the header falls back to
        // what the cookie alone tells (and leaves the team and cohorts links out).
        Err(e) => {
            tracing::warn!(error = %e, "cannot resolve the session for the header");
            nav.signed_in = true;
        }
    }
    (nav, Request::from_parts(parts, body))
}

/// Runs `inner` (the handler and the error renderer) with `nav` as the request's flags.
pub(super) async fn scoped<F: Future>(nav: Nav, inner: F) -> F::Output {
    NAV.scope(nav, inner).await
}

impl Nav {
    fn apply(&mut self, links: Links) {
        self.signed_in = links.signed_in;
        self.team = links.team;
        self.cohorts = links.cohorts;
    }
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

    #[test]
    fn the_header_cache_forgets_and_stays_bounded() {
        let cache = HeaderCache::default();
        let links = Links {
            signed_in: true,
            team: false,
            cohorts: true,
        };
        cache.put("a".to_owned(), links);
        assert_eq!(cache.get("a"), Some(links));
        cache.forget("a");
        assert_eq!(cache.get("a"), None);
        for n in 0..=HEADER_MAX {
            cache.put(n.to_string(), links);
        }
        let kept = cache.0.read().map(|s| s.len()).unwrap_or_default();
        assert!(kept <= HEADER_MAX, "{kept}");
        assert_eq!(cache.get(&HEADER_MAX.to_string()), Some(links));
    }
}
