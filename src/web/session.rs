//! Who is asking: the session cookie resolved to a [`Person`], as extractors, so that a handler
//! that needs a person cannot forget to check for one.
//!
//! Sessions end after `KARTSKOLA_SESSION_IDLE` without requests and `KARTSKOLA_SESSION_MAX` after
//! login; `last_seen` is written at most once a minute. A disabled person's session ends on
//! their next request (the lookup joins on enabled people).

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::COOKIE;
use axum::http::request::Parts;

use super::error::AppError;
use super::state::AppState;
use crate::auth::token::token_hash;
use crate::config::Config;
use crate::db::{Capability, now_ms};

/// A logged-in person, extracted from the session cookie; rejects with 401 / a login redirect.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub region_id: String,
    pub organisation_id: Option<i64>,
    pub capabilities: Vec<Capability>,
    pub csrf_token: String,
    pub(super) session_hash: String,
}

/// A person if logged in; an expired or unknown session is simply "not logged in".
#[derive(Debug, Clone)]
pub struct MaybePerson(pub Option<Person>);

/// The session cookie's name: `__Host-` prefixed when served over https (it then cannot be set
/// by a subdomain or over plain http).
pub(super) fn cookie_name(config: &Config) -> &'static str {
    if config.is_https() {
        "__Host-kartskola_session"
    } else {
        "kartskola_session"
    }
}

pub(super) fn session_cookie(config: &Config, token: &str) -> String {
    let secure = if config.is_https() { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax{secure}",
        cookie_name(config)
    )
}

pub(super) fn clear_cookie(config: &Config) -> String {
    let secure = if config.is_https() { "; Secure" } else { "" };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        cookie_name(config)
    )
}

fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<Person>, AppError> {
    if let Some(cached) = parts.extensions.get::<MaybePerson>() {
        return Ok(cached.0.clone());
    }
    let config = &state.config;
    let Some(token) = cookie_value(parts, cookie_name(config)).filter(|t| !t.is_empty()) else {
        parts.extensions.insert(MaybePerson(None));
        return Ok(None);
    };
    let session_hash = token_hash(token);
    let Some(row) = state.db.session(&session_hash).await? else {
        parts.extensions.insert(MaybePerson(None));
        return Ok(None);
    };
    let now = now_ms();
    let idle_ms = i64::try_from(config.session_idle.as_millis()).unwrap_or(i64::MAX);
    let max_ms = i64::try_from(config.session_max.as_millis()).unwrap_or(i64::MAX);
    if now.saturating_sub(row.last_seen_ms) > idle_ms
        || now.saturating_sub(row.created_at_ms) > max_ms
    {
        state.db.delete_session(&session_hash).await?;
        parts.extensions.insert(MaybePerson(None));
        return Ok(None);
    }
    if now.saturating_sub(row.last_seen_ms) > 60_000 {
        state.db.touch_session(&session_hash, now).await?;
    }
    let capabilities = state.db.capabilities(row.person_id).await?;
    let person = Person {
        id: row.person_id,
        email: row.email,
        display_name: row.display_name,
        region_id: row.region_id,
        organisation_id: row.organisation_id,
        capabilities,
        csrf_token: row.csrf_token,
        session_hash,
    };
    parts.extensions.insert(MaybePerson(Some(person.clone())));
    Ok(Some(person))
}

impl<S> FromRequestParts<S> for MaybePerson
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(resolve(parts, &AppState::from_ref(state)).await?))
    }
}

impl<S> FromRequestParts<S> for Person
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        resolve(parts, &AppState::from_ref(state))
            .await?
            .ok_or(AppError::Unauthenticated)
    }
}

/// Extractors for the capabilities added to a person (service spec, "People, regions, roles,
/// scopes"). A person without the capability gets 404, not 403, so ids and pages do not leak.
macro_rules! capability_extractor {
    ($(#[$doc:meta])* $name:ident, $capability:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Person);

        impl<S> FromRequestParts<S> for $name
        where
            AppState: FromRef<S>,
            S: Send + Sync,
        {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
                let person = Person::from_request_parts(parts, state).await?;
                if person.capabilities.contains(&$capability) {
                    Ok(Self(person))
                } else {
                    Err(AppError::NotFound)
                }
            }
        }
    };
}

capability_extractor!(
    /// A person who runs cohorts.
    Trainer,
    Capability::Trainer
);
capability_extractor!(
    /// A person who follows their region's people.
    Manager,
    Capability::Manager
);
capability_extractor!(
    /// A person who administers everything.
    Admin,
    Capability::Admin
);
