//! The HTTP layer, and the only module that knows about HTTP: the router, pages, JSON API and
//! assets. Handlers extract, call `content`/`db`/`grading`, and return a view or an [`AppError`].

pub mod assets;
mod error;
mod exercises;
mod health;
mod lang;
mod layers;
mod login;
mod pages;
mod security;
mod session;
mod state;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::Request;
use axum::middleware;
use axum::routing::{get, post};
use tower_http::trace::TraceLayer;

pub use error::AppError;
pub use lang::ReqLang;
pub use session::{Admin, Manager, MaybePerson, Person, Trainer};
pub use state::AppState;

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
        .route("/healthz", get(health::healthz))
        .route("/api/layers/{name}", get(layers::layer))
        .route("/assets/{version}/{*name}", get(assets::serve))
        .fallback(error::not_found)
        // Layers run outside-in from the bottom; the origin check sits inside the error
        // renderer so its refusal is rendered like every other error.
        .layer(middleware::from_fn(security::same_origin))
        .layer(middleware::from_fn(error::render))
        .layer(middleware::from_fn(lang::remember))
        .layer(middleware::from_fn(security::headers))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), route)
        }))
        .with_state(state)
}
