//! The one middleware every request passes, outside-in: security headers and the remembered
//! `?lang=` on the way out; the header's flags (`nav`) around everything inside; the error
//! renderer around the handler and the checks before it (so their refusals look like every
//! other error); the same-origin check (first: a cross-site request is refused before its body
//! is read), then the CSRF check.
//!
//! These were six `from_fn` layers. Each layer clones and boxes the service inside it and boxes
//! a future per request: folded into this one function, the logged-in lesson page went from
//! 56 000–61 000 to 69 000–71 000 requests/s in alternating runs (docs/performance.md). One
//! function keeps the order visible in one place, too.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::state::AppState;
use super::{csrf, error, lang, nav, security, session};

pub(super) async fn edge(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let personal_request = session::has_session_cookie(request.headers(), &state.config);
    let chosen_lang = lang::query_lang(request.uri());
    let (flags, request) = nav::of_request(&state, request).await;
    let mut response = nav::scoped(flags, checked(&state, request, next)).await;
    lang::remember(chosen_lang, &mut response);
    security::finish(&state, personal_request, &mut response);
    response
}

/// The checks, the handler, and the rendering of whatever error either returned.
async fn checked(state: &AppState, request: Request, next: Next) -> Response {
    let reader_lang = lang::lang_of(request.uri(), request.headers());
    // A clone of the URI shares its bytes (no allocation): most responses are not errors.
    let uri = request.uri().clone();
    let response = match security::same_origin(state, request).await {
        Ok(request) => match csrf::check(state, request).await {
            Ok(request) => next.run(request).await,
            Err(refusal) => refusal,
        },
        Err(refusal) => refusal,
    };
    error::render(reader_lang, &uri, response)
}
