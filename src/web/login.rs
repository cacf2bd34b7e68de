//! `GET/POST /login` and `POST /logout`. One message for every failure, so the answer never
//! tells whether an e-mail has an account; a new session id at every login (no fixation); the
//! login form carries a CSRF token of a pre-login session (login CSRF); repeated failures are
//! throttled (`auth::login`), answered 429 with `Retry-After`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{OriginalUri, Query, State};
use axum::http::header::{LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::audit::record;
use super::client::ClientAddr;
use super::error::AppError;
use super::lang::ReqLang;
use super::pages::Chrome;
use super::session::{
    MaybePerson, clear_cookie, clear_pre_cookie, cookie_name, cookie_value, pre_cookie_name,
    pre_session_token, session_cookie,
};
use super::state::AppState;
use crate::auth::AuthError;
use crate::auth::login::{self, Credentials, LoginOutcome};
use crate::auth::token::{random_token, token_hash};
use crate::db::{AuditEvent, now_ms};

const CLEAR_SITE_DATA: HeaderName = HeaderName::from_static("clear-site-data");

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    chrome: Chrome,
    next: String,
    email: String,
    csrf: String,
    failed: bool,
    /// Minutes to wait, when throttled.
    wait_minutes: Option<i64>,
    /// A notice above the form (after a password was set, or a logout).
    notice: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
    /// `password_set` after a link was used.
    done: Option<String>,
}

pub(super) async fn form(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let (csrf, cookie) = pre_session_token(&state, &headers).await?;
    let t = lang.strings();
    let page = LoginPage {
        chrome: Chrome::new(lang, &uri),
        next: safe_next(q.next.as_deref()),
        email: String::new(),
        csrf,
        failed: false,
        wait_minutes: None,
        notice: (q.done.as_deref() == Some("password_set")).then_some(t.account.password_set_login),
    };
    Ok(with_cookies(page.into_response(), cookie.as_deref(), None))
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

pub(super) async fn submit(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(form.next.as_deref());
    let client_text = client.map(|c| c.to_string());
    let credentials = Credentials {
        email: &form.email,
        password: form.password,
        client,
        addr_ceiling: state.config.login_addr_limit,
    };
    let outcome = login::check(&state.db, credentials).await?;
    let (actor, result) = match outcome {
        LoginOutcome::LoggedIn { person_id } => (Some(person_id), "success"),
        LoginOutcome::Refused { person_id } => (person_id, "failure"),
        LoginOutcome::Throttled { .. } => (None, "throttled"),
    };
    record(
        &state,
        AuditEvent {
            actor,
            action: "login",
            target: None,
            outcome: result,
            detail: None,
            client_addr: client_text.as_deref(),
        },
    )
    .await;
    let person_id = match outcome {
        LoginOutcome::LoggedIn { person_id } => person_id,
        LoginOutcome::Refused { .. } | LoginOutcome::Throttled { .. } => {
            // The pre-login session stays, so the form can be sent again.
            let (csrf, cookie) = pre_session_token(&state, &headers).await?;
            let retry = match outcome {
                LoginOutcome::Throttled { retry_after_secs } => Some(retry_after_secs),
                _ => None,
            };
            let page = LoginPage {
                chrome: Chrome::new(lang, &uri),
                next,
                email: form.email,
                csrf,
                failed: retry.is_none(),
                wait_minutes: retry.map(|secs| (secs + 59) / 60),
                notice: None,
            };
            let status = if retry.is_some() {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut response = (status, page).into_response();
            if let Some(secs) = retry
                && let Ok(value) = HeaderValue::from_str(&secs.to_string())
            {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            return Ok(with_cookies(response, cookie.as_deref(), None));
        }
    };
    let token = start_session(&state, &headers, person_id).await?;
    let response = redirect(&next);
    Ok(with_cookies(
        response,
        Some(&session_cookie(&state.config, &token)),
        Some(&clear_pre_cookie(&state.config)),
    ))
}

/// Makes a new session for a person, deleting whatever sessions this browser held (its
/// pre-login session, an earlier login): a new id at every login. Returns the cookie value.
pub(super) async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    person_id: i64,
) -> Result<String, AppError> {
    let old: Vec<String> = [cookie_name(&state.config), pre_cookie_name(&state.config)]
        .into_iter()
        .filter_map(|name| cookie_value(headers, name))
        .map(token_hash)
        .collect();
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    let token = random_token().map_err(AuthError::from)?;
    let csrf = random_token().map_err(AuthError::from)?;
    state
        .db
        .replace_session(&old, &token_hash(&token), person_id, &csrf, now_ms())
        .await?;
    Ok(token)
}

pub(super) async fn logout(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    MaybePerson(person): MaybePerson,
) -> Result<Response, AppError> {
    if let Some(person) = person {
        state.db.delete_session(&person.session_hash).await?;
        state.header.forget(&person.session_hash);
        let client = client.map(|c| c.to_string());
        record(
            &state,
            AuditEvent {
                actor: Some(person.id),
                action: "logout",
                target: None,
                outcome: "success",
                detail: None,
                client_addr: client.as_deref(),
            },
        )
        .await;
    }
    let mut response = with_cookies(redirect("/"), Some(&clear_cookie(&state.config)), None);
    // Answers in progress wait in the browser's localStorage (static/js/player/draft.js); on a
    // shared municipal computer the next person must not find them.
    response
        .headers_mut()
        .insert(CLEAR_SITE_DATA, HeaderValue::from_static("\"storage\""));
    Ok(response)
}

/// Adds the cookie of a session [`start_session`] made.
pub(super) fn session_cookie_response(
    state: &AppState,
    response: Response,
    token: &str,
) -> Response {
    with_cookies(response, Some(&session_cookie(&state.config, token)), None)
}

pub(super) fn redirect(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

pub(super) fn with_cookies(
    mut response: Response,
    first: Option<&str>,
    second: Option<&str>,
) -> Response {
    for cookie in [first, second].into_iter().flatten() {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
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
