//! CSRF defence for every unsafe request, checked at the request's edge (`super::edge`) before
//! any handler, so no handler can opt out:
//!
//! - the JSON API (`/api/…`): a POST must be `application/json` (else 415). A browser cannot send
//!   that cross-site without a CORS preflight, which is never granted; together with the
//!   same-origin check (`security::same_origin`) that is the API's CSRF defence;
//! - everything else (HTML forms): the body must be `application/x-www-form-urlencoded` with a
//!   `csrf` field equal to the token of the browser's session, or of its pre-login session for
//!   the login and set-password forms (login CSRF). A failure is 403 `csrf`, audited.
//!
//! Forms are small: the body is read here (at most [`MAX_FORM_BYTES`]) and handed on unchanged.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::audit::record;
use super::client::client_addr;
use super::error::AppError;
use super::session::{cookie_name, cookie_value, pre_cookie_name};
use super::state::AppState;
use crate::auth::token::{constant_time_eq, token_hash};
use crate::db::AuditEvent;

/// The largest HTML form body read.
pub(super) const MAX_FORM_BYTES: usize = 64 * 1024;

/// The form field that carries the token.
pub(super) const FIELD: &str = "csrf";

fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
}

/// The request back (a form's body read and put back) if it may go on; the rendered refusal
/// otherwise.
pub(super) async fn check(state: &AppState, request: Request) -> Result<Request, Response> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return Ok(request);
    }
    let media = media_type(request.headers());
    if request.uri().path().starts_with("/api/") {
        if *request.method() == Method::POST && media.as_deref() != Some("application/json") {
            return Err(AppError::client(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                None,
            )
            .into_response());
        }
        return Ok(request);
    }
    let (parts, body) = request.into_parts();
    let bytes = if media.as_deref() == Some("application/x-www-form-urlencoded") {
        match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
            Ok(bytes) => Some(bytes),
            Err(_) => {
                return Err(AppError::client(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    None,
                )
                .into_response());
            }
        }
    } else {
        None
    };
    let submitted = bytes
        .as_deref()
        .and_then(|b| serde_urlencoded::from_bytes::<Vec<(String, String)>>(b).ok())
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
    let mut actor = None;
    let mut valid = false;
    if let Some(submitted) = submitted.filter(|s| !s.is_empty()) {
        for name in [cookie_name(&state.config), pre_cookie_name(&state.config)] {
            let Some(cookie) = cookie_value(&parts.headers, name) else {
                continue;
            };
            match state.db.session_token(&token_hash(cookie)).await {
                Ok(Some(session)) => {
                    actor = actor.or(session.person_id);
                    if constant_time_eq(&session.csrf_token, &submitted) {
                        valid = true;
                        break;
                    }
                }
                Ok(None) => {}
                Err(e) => return Err(AppError::from(e).into_response()),
            }
        }
    }
    if !valid {
        let client =
            client_addr(&parts.extensions, &parts.headers, &state.config).map(|a| a.to_string());
        let target = super::audit::request_target(&parts);
        record(
            state,
            AuditEvent {
                actor,
                action: "csrf",
                target: Some(&target),
                outcome: "denied",
                detail: None,
                client_addr: client.as_deref(),
            },
        )
        .await;
        return Err(AppError::client(StatusCode::FORBIDDEN, "csrf", None).into_response());
    }
    let body = bytes.map_or_else(Body::empty, Body::from);
    Ok(Request::from_parts(parts, body))
}
