//! `/account`: a person's own profile, name and password, the links to download their data,
//! and logging out. Changing the password needs the current one (throttled like a login), ends
//! every session of the person and starts a new one for this browser.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{OriginalUri, Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::audit::record;
use super::client::ClientAddr;
use super::error::AppError;
use super::export;
use super::lang::ReqLang;
use super::login::{redirect, session_cookie_response, start_session};
use super::pages::Chrome;
use super::session::Person;
use super::state::AppState;
use crate::auth::login::{self, Credentials, LoginOutcome};
use crate::auth::password::{self, WeakPassword};
use crate::db::{AuditEvent, Capability};
use crate::i18n::{AccountStrings, Lang, Strings};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(page))
        .route("/account/name", post(change_name))
        .route("/account/password", post(change_password))
        .route("/account/export.json", get(export::json))
        .route("/account/answers.geojson", get(export::geojson))
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    name: String,
    email: String,
    region: String,
    organisation: Option<String>,
    capabilities: Vec<&'static str>,
    is_admin: bool,
    csrf: String,
    notice: Option<&'static str>,
    name_error: Option<&'static str>,
    password_error: Option<&'static str>,
}

/// A capability's name in the reader's language.
pub(super) fn capability_label(t: &Strings, capability: Capability) -> &'static str {
    match capability {
        Capability::Trainer => t.account.cap_trainer,
        Capability::Manager => t.account.cap_manager,
        Capability::Admin => t.account.cap_admin,
    }
}

/// The message for a refused new password.
pub(super) fn weak_message(t: &AccountStrings, weak: WeakPassword) -> &'static str {
    match weak {
        WeakPassword::TooShort => t.password_too_short,
        WeakPassword::TooLong => t.password_too_long,
        WeakPassword::Common => t.password_common,
    }
}

/// The checks of a new password typed twice, with the message to show.
pub(super) fn check_new_password(
    t: &AccountStrings,
    new: &str,
    confirm: &str,
    context: &[&str],
) -> Result<(), &'static str> {
    if new != confirm {
        return Err(t.password_mismatch);
    }
    password::check_strength_for(new, context).map_err(|weak| weak_message(t, weak))
}

#[derive(Debug, Clone, Copy, Default)]
struct Problems {
    notice: Option<&'static str>,
    name_error: Option<&'static str>,
    password_error: Option<&'static str>,
}

async fn render(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    person: &Person,
    problems: Problems,
    status: StatusCode,
) -> Result<Response, AppError> {
    let t = lang.strings();
    let row = state
        .db
        .person_in_scope(&person.scope(), person.id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let region = state
        .db
        .regions()
        .await?
        .into_iter()
        .find(|(id, _)| *id == row.region_id)
        .map_or_else(|| row.region_id.clone(), |(_, name)| name);
    let page = AccountPage {
        chrome: Chrome::new(lang, uri),
        name: row.display_name.clone(),
        email: row.email.clone(),
        region,
        organisation: row.organisation_name.clone(),
        capabilities: row
            .capabilities()
            .into_iter()
            .map(|c| capability_label(t, c))
            .collect(),
        is_admin: person.has(Capability::Admin),
        csrf: person.csrf_token.clone(),
        notice: problems.notice,
        name_error: problems.name_error,
        password_error: problems.password_error,
    };
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    person: Person,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let t = &lang.strings().account;
    let notice = match q.done.as_deref() {
        Some("password") => Some(t.password_changed),
        Some("name") => Some(t.name_changed),
        _ => None,
    };
    let problems = Problems {
        notice,
        ..Problems::default()
    };
    render(&state, lang, &uri, &person, problems, StatusCode::OK).await
}

#[derive(Deserialize)]
struct NameForm {
    display_name: String,
}

async fn change_name(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    person: Person,
    Form(form): Form<NameForm>,
) -> Result<Response, AppError> {
    let name = form.display_name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        let problems = Problems {
            name_error: Some(lang.strings().account.name_invalid),
            ..Problems::default()
        };
        return render(
            &state,
            lang,
            &uri,
            &person,
            problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    state.db.set_display_name(person.id, name).await?;
    Ok(redirect("/account?done=name"))
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    person: Person,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let t = &lang.strings().account;
    let refuse = |message: &'static str| Problems {
        password_error: Some(message),
        ..Problems::default()
    };
    let context = [person.email.as_str(), person.display_name.as_str()];
    if let Err(message) =
        check_new_password(t, &form.new_password, &form.confirm_password, &context)
    {
        return render(
            &state,
            lang,
            &uri,
            &person,
            refuse(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let credentials = Credentials {
        email: &person.email,
        password: form.current_password,
        client,
        addr_ceiling: state.config.login_addr_limit,
    };
    let outcome = login::check_current(&state.db, person.id, credentials).await?;
    let client = client.map(|c| c.to_string());
    let audit = |outcome: &'static str| AuditEvent {
        actor: Some(person.id),
        action: "password_change",
        target: None,
        outcome,
        detail: None,
        client_addr: client.as_deref(),
    };
    match outcome {
        LoginOutcome::LoggedIn { .. } => {}
        LoginOutcome::Refused { .. } => {
            record(&state, audit("failure")).await;
            return render(
                &state,
                lang,
                &uri,
                &person,
                refuse(t.password_wrong_current),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        LoginOutcome::Throttled { retry_after_secs } => {
            record(&state, audit("throttled")).await;
            let mut response = render(
                &state,
                lang,
                &uri,
                &person,
                refuse(t.login_throttled),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await?;
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            return Ok(response);
        }
    }
    let hash = password::hash(form.new_password)
        .await
        .map_err(crate::auth::AuthError::from)?;
    // Ends every session of the person, this one included; this browser gets a new one.
    state.db.set_password(person.id, &hash).await?;
    let token = start_session(&state, &headers, person.id).await?;
    record(&state, audit("success")).await;
    Ok(session_cookie_response(
        &state,
        redirect("/account?done=password"),
        &token,
    ))
}
