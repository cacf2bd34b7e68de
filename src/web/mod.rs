//! The HTTP layer, and the only module that knows about HTTP: the router, pages, JSON API and
//! assets. Handlers extract, call `content`/`db`/`grading`, and return a view or an [`AppError`].

mod account;
mod admin;
pub mod assets;
mod audit;
mod client;
mod cohorts;
mod csrf;
mod edge;
mod error;
mod exercises;
mod export;
mod health;
mod lang;
mod layers;
mod live;
mod login;
mod me;
mod nav;
mod pages;
mod progress;
mod security;
mod session;
mod set_password;
mod state;
mod team;
mod xapi;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::Request;
use axum::middleware;
use axum::routing::{get, post};
use tower_http::trace::TraceLayer;

pub use client::ClientAddr;
pub use error::AppError;
pub use lang::ReqLang;
pub use nav::{DemoFlag, HeaderCache};
pub use pages::PageCache;
pub use session::{Admin, CohortRunner, Manager, MaybePerson, Person, Reader, Trainer};
pub use state::{AppParts, AppState};

/// The whole application, ready to serve or to drive from tests.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/courses/{course}", get(pages::course))
        .route("/courses/{course}/{module}/{lesson}", get(pages::lesson))
        .route("/accessibility", get(pages::accessibility))
        .route("/privacy", get(pages::privacy))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/exercises/{id}", get(exercises::page))
        .route("/api/exercises/{id}", get(exercises::api_exercise))
        .route(
            "/api/exercises/{id}/attempts",
            post(exercises::submit).layer(DefaultBodyLimit::max(exercises::MAX_ANSWER_BYTES)),
        )
        .route("/api/attempts/{id}", get(exercises::api_attempt))
        .route("/me/progress", get(progress::page))
        .route("/api/me/progress", get(progress::api))
        .route("/team", get(team::page))
        .route("/team/progress.csv", get(team::csv))
        .route("/api/team/progress", get(team::json))
        .route("/api/xapi/statements", get(xapi::statements))
        // Accounts and administration (issue #5): the account page, password links, the admin
        // pages, and who-am-I for tokens.
        .merge(account::routes())
        .merge(set_password::routes())
        .merge(admin::routes())
        .route("/api/me", get(me::me))
        // Live class sessions (issue #8, docs/live.md).
        .route(
            "/cohorts/live",
            get(live::pages::start_form).post(live::pages::start_submit),
        )
        .route("/cohorts/live/{code}", get(live::pages::trainer_page))
        // Cohorts (issue #8, docs/cohorts.md): a trainer's groups, members, due dates, the
        // progress matrix, class maps and grade overrides. `/cohorts/live` above is a static
        // segment and wins over `{id}`.
        .route("/cohorts", get(cohorts::list).post(cohorts::create))
        .route("/cohorts/{id}", get(cohorts::show))
        .route("/cohorts/{id}/members", post(cohorts::add_member))
        .route(
            "/cohorts/{id}/members/{person}/remove",
            post(cohorts::remove_member),
        )
        .route("/cohorts/{id}/due", post(cohorts::set_due))
        .route(
            "/cohorts/{id}/exercises/{exercise}",
            get(cohorts::class_map),
        )
        .route(
            "/cohorts/{id}/attempts/{attempt}/override",
            post(cohorts::override_grade),
        )
        .route(
            "/api/cohorts/{id}/exercises/{exercise}/answers",
            get(cohorts::class_map_data),
        )
        .route("/live/{code}", get(live::pages::participant_page))
        .route("/api/live", post(live::start))
        .route("/api/live/{code}", get(live::show))
        .route("/api/live/{code}/guests", post(live::join_as_guest))
        .route(
            "/api/live/{code}/answers",
            post(live::answer).layer(DefaultBodyLimit::max(live::MAX_ANSWER_BYTES)),
        )
        .route("/api/live/{code}/control", post(live::control))
        .route("/api/live/{code}/events", get(live::events))
        .route("/healthz", get(health::healthz))
        .route("/api/layers/{name}", get(layers::layer))
        .route("/assets/{version}/{*name}", get(assets::serve))
        .fallback(error::not_found)
        // Security headers, language, header flags, error rendering, origin and CSRF checks:
        // one layer, in the order `edge` shows.
        .layer(middleware::from_fn_with_state(state.clone(), edge::edge))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), route)
        }))
        .with_state(state)
}
