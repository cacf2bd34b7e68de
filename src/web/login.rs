//! `GET/POST /login` and `POST /logout`. One message for every failure, so the answer never
//! tells whether an e-mail has an account; a new session id at every login (no fixation).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{OriginalUri, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::AppError;
use super::lang::ReqLang;
use super::pages::Chrome;
use super::session::{MaybePerson, clear_cookie, session_cookie};
use super::state::AppState;
use crate::auth::password;
use crate::auth::token::{random_token, token_hash};
use crate::db::now_ms;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    chrome: Chrome,
    next: String,
    email: String,
    failed: bool,
}

#[derive(Debug, Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

pub(super) async fn form(
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<NextQuery>,
) -> LoginPage {
    LoginPage {
        chrome: Chrome::new(lang, &uri),
        next: safe_next(q.next.as_deref()),
        email: String::new(),
        failed: false,
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

pub(super) async fn submit(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(form.next.as_deref());
    let candidate = state.db.login_candidate(&form.email).await?;
    let (person_id, stored) = match candidate {
        Some((id, hash)) => (Some(id), hash),
        None => (None, None),
    };
    let verified = password::verify(form.password, stored).await;
    let Some(person_id) = person_id.filter(|_| verified) else {
        let page = LoginPage {
            chrome: Chrome::new(lang, &uri),
            next,
            email: form.email,
            failed: true,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let token = random_token().map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    let csrf = random_token().map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    state
        .db
        .insert_session(&token_hash(&token), person_id, &csrf, now_ms())
        .await?;
    tracing::info!(person_id, "login");
    Ok(redirect(
        &next,
        Some(&session_cookie(&state.config, &token)),
    ))
}

pub(super) async fn logout(
    State(state): State<AppState>,
    MaybePerson(person): MaybePerson,
) -> Result<Response, AppError> {
    if let Some(person) = person {
        state.db.delete_session(&person.session_hash).await?;
    }
    Ok(redirect("/", Some(&clear_cookie(&state.config))))
}

fn redirect(location: &str, cookie: Option<&str>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(LOCATION, value);
    }
    if let Some(value) = cookie.and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.append(SET_COOKIE, value);
    }
    response
}

/// Only a path on this site is a valid `next` (no `//host`, no scheme): no open redirect.
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.contains(['\r', '\n']) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Percent-encodes a URL query component.
pub(super) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_a_same_site_path() {
        assert_eq!(safe_next(Some("/exercises/a?x=1")), "/exercises/a?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn components_are_encoded() {
        assert_eq!(encode_component("/a?b=c&d"), "/a%3Fb%3Dc%26d");
    }
}
