//! `/set-password?token=…`: where an invitation or an admin's reset link lets a person choose
//! their own password. The link is single use and expiring (`db::invitations`); the page is not
//! cached and sends no referrer, because its URL holds the token.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{OriginalUri, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::account::check_new_password;
use super::audit::record;
use super::client::ClientAddr;
use super::error::AppError;
use super::lang::ReqLang;
use super::login::{redirect, with_cookies};
use super::pages::Chrome;
use super::session::pre_session_token;
use super::state::AppState;
use crate::auth::links::SET_PASSWORD_PATH;
use crate::auth::token::token_hash;
use crate::auth::{AuthError, password};
use crate::db::{AuditEvent, LinkTarget, now_ms};
use crate::i18n::Lang;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(SET_PASSWORD_PATH, get(form).post(submit))
}

#[derive(Template, WebTemplate)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    chrome: Chrome,
    /// Whom the link is for (`None`: the link is not valid).
    target: Option<String>,
    invite: bool,
    token: String,
    csrf: String,
    error: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

struct Shown<'a> {
    lang: Lang,
    uri: &'a Uri,
    target: Option<&'a LinkTarget>,
    token: &'a str,
    error: Option<&'static str>,
    status: StatusCode,
}

async fn show(
    state: &AppState,
    headers: &HeaderMap,
    shown: Shown<'_>,
) -> Result<Response, AppError> {
    let (csrf, cookie) = pre_session_token(state, headers).await?;
    let page = SetPasswordPage {
        chrome: Chrome::new(shown.lang, shown.uri),
        target: shown
            .target
            .map(|t| format!("{} <{}>", t.display_name, t.email)),
        invite: shown.target.is_some_and(|t| t.purpose == "invite"),
        token: shown.token.to_owned(),
        csrf,
        error: shown.error,
    };
    let mut response = (shown.status, page).into_response();
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(with_cookies(response, cookie.as_deref(), None))
}

async fn form(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let target = state
        .db
        .link_target(&token_hash(&q.token), now_ms())
        .await?;
    let status = if target.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let shown = Shown {
        lang,
        uri: &uri,
        target: target.as_ref(),
        token: &q.token,
        error: None,
        status,
    };
    show(&state, &headers, shown).await
}

#[derive(Deserialize)]
struct SetForm {
    token: String,
    password: String,
    confirm_password: String,
}

async fn submit(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<SetForm>,
) -> Result<Response, AppError> {
    let t = &lang.strings().account;
    let hash_of_token = token_hash(&form.token);
    let Some(target) = state.db.link_target(&hash_of_token, now_ms()).await? else {
        let shown = Shown {
            lang,
            uri: &uri,
            target: None,
            token: "",
            error: None,
            status: StatusCode::NOT_FOUND,
        };
        return show(&state, &headers, shown).await;
    };
    let context = [target.email.as_str(), target.display_name.as_str()];
    if let Err(message) = check_new_password(t, &form.password, &form.confirm_password, &context) {
        let shown = Shown {
            lang,
            uri: &uri,
            target: Some(&target),
            token: &form.token,
            error: Some(message),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
        return show(&state, &headers, shown).await;
    }
    let hash = password::hash(form.password)
        .await
        .map_err(AuthError::from)?;
    let Some(person_id) = state.db.use_link(&hash_of_token, &hash, now_ms()).await? else {
        // Used by another request in the meantime.
        let shown = Shown {
            lang,
            uri: &uri,
            target: None,
            token: "",
            error: None,
            status: StatusCode::NOT_FOUND,
        };
        return show(&state, &headers, shown).await;
    };
    let client = client.map(|c| c.to_string());
    record(
        &state,
        AuditEvent {
            actor: Some(person_id),
            action: "password_set",
            target: Some(&format!("person:{person_id}")),
            outcome: "success",
            detail: Some(&target.purpose),
            client_addr: client.as_deref(),
        },
    )
    .await;
    Ok(redirect("/login?done=password_set"))
}
