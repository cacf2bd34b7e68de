//! Who is asking: the session cookie resolved to a [`Person`], as extractors, so that a handler
//! that needs a person cannot forget to check for one, and a handler that needs a capability
//! ([`Trainer`], [`Manager`], [`Admin`]) cannot forget that either. Machine routes take a
//! [`Reader`]: a session or a read-only API token, either way with a [`Scope`].
//!
//! Sessions end after `KARTSKOLA_SESSION_IDLE` without requests and `KARTSKOLA_SESSION_MAX` after
//! login; `last_seen` is written at most once a minute. A disabled person's session ends on
//! their next request (the lookup joins on enabled people); a password change deletes them all.
//!
//! Two cookies, both HttpOnly and SameSite=Lax, `__Host-` prefixed and Secure over https: the
//! session, and a pre-login session whose only use is the CSRF token of the login and
//! set-password forms (login CSRF). Only hashes of their values are stored.

use std::fmt;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};

use super::audit::deny;
use super::error::AppError;
use super::state::AppState;
use crate::auth::AuthError;
use crate::auth::token::{random_token, token_hash};
use crate::config::Config;
use crate::db::{Capability, Scope, now_ms};

/// A logged-in person, extracted from the session cookie; rejects with 401 / a login redirect.
#[derive(Clone)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub region_id: String,
    pub organisation_id: Option<i64>,
    pub capabilities: Vec<Capability>,
    /// The token every HTML form of this session carries.
    pub csrf_token: String,
    pub(super) session_hash: String,
}

impl Person {
    /// What this person may see of others (the argument of every scoped query).
    pub fn scope(&self) -> Scope {
        Scope::new(self.id, &self.region_id, &self.capabilities)
    }

    pub fn has(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }

    /// May run cohorts (`/cohorts…`): a trainer, or an admin, who runs every cohort.
    pub fn runs_cohorts(&self) -> bool {
        self.has(Capability::Trainer) || self.has(Capability::Admin)
    }

    /// May follow a region's people (`/team`): a manager, or an admin.
    pub fn follows_a_team(&self) -> bool {
        self.has(Capability::Manager) || self.has(Capability::Admin)
    }
}

/// The CSRF token and the session hash never reach a log.
impl fmt::Debug for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Person")
            .field("id", &self.id)
            .field("region_id", &self.region_id)
            .field("capabilities", &self.capabilities)
            .finish_non_exhaustive()
    }
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

/// The pre-login session's cookie name.
pub(super) fn pre_cookie_name(config: &Config) -> &'static str {
    if config.is_https() {
        "__Host-kartskola_pre"
    } else {
        "kartskola_pre"
    }
}

fn cookie(name: &str, value: &str, config: &Config, max_age: Option<u64>) -> String {
    let secure = if config.is_https() { "; Secure" } else { "" };
    let max_age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{max_age}{secure}")
}

pub(super) fn session_cookie(config: &Config, token: &str) -> String {
    cookie(cookie_name(config), token, config, None)
}

pub(super) fn clear_cookie(config: &Config) -> String {
    cookie(cookie_name(config), "", config, Some(0))
}

pub(super) fn pre_session_cookie(config: &Config, token: &str) -> String {
    cookie(pre_cookie_name(config), token, config, None)
}

pub(super) fn clear_pre_cookie(config: &Config) -> String {
    cookie(pre_cookie_name(config), "", config, Some(0))
}

pub(super) fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
        .filter(|value| !value.is_empty())
}

/// Whether the request carries a session cookie (valid or not): no database query.
pub(super) fn has_session_cookie(headers: &HeaderMap, config: &Config) -> bool {
    cookie_value(headers, cookie_name(config)).is_some()
}

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The request's person, looked up once: the answer is kept in the request's extensions, so
/// the header (`nav`), the CSRF check and the handler's extractor share one lookup.
pub(super) async fn resolve(
    parts: &mut Parts,
    state: &AppState,
) -> Result<Option<Person>, AppError> {
    if let Some(cached) = parts.extensions.get::<MaybePerson>() {
        return Ok(cached.0.clone());
    }
    let person = lookup(&parts.headers, state).await?;
    parts.extensions.insert(MaybePerson(person.clone()));
    Ok(person)
}

async fn lookup(headers: &HeaderMap, state: &AppState) -> Result<Option<Person>, AppError> {
    let config = &state.config;
    let Some(token) = cookie_value(headers, cookie_name(config)) else {
        return Ok(None);
    };
    let session_hash = token_hash(token);
    let Some(row) = state.db.session(&session_hash).await? else {
        return Ok(None);
    };
    let now = now_ms();
    if now.saturating_sub(row.last_seen_ms) > millis(config.session_idle)
        || now.saturating_sub(row.created_at_ms) > millis(config.session_max)
    {
        state.db.delete_session(&session_hash).await?;
        return Ok(None);
    }
    if now.saturating_sub(row.last_seen_ms) > 60_000 {
        state.db.touch_session(&session_hash, now).await?;
    }
    let capabilities = row.capabilities();
    Ok(Some(Person {
        id: row.person_id,
        email: row.email,
        display_name: row.display_name,
        region_id: row.region_id,
        organisation_id: row.organisation_id,
        capabilities,
        csrf_token: row.csrf_token,
        session_hash,
    }))
}

/// The CSRF token for a form shown before login (login, set-password): the pre-login
/// session's, made (with its cookie) if the browser has none that is still valid.
pub(super) async fn pre_session_token(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(String, Option<String>), AppError> {
    let config = &state.config;
    if let Some(token) = cookie_value(headers, pre_cookie_name(config))
        && let Some(row) = state.db.session_token(&token_hash(token)).await?
        && row.person_id.is_none()
        && now_ms().saturating_sub(row.created_at_ms) < millis(config.session_max)
    {
        return Ok((row.csrf_token, None));
    }
    let token = random_token().map_err(AuthError::from)?;
    let csrf = random_token().map_err(AuthError::from)?;
    state
        .db
        .insert_session(&token_hash(&token), None, &csrf, now_ms())
        .await?;
    Ok((csrf, Some(pre_session_cookie(config, &token))))
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
/// scopes"): `$allowed` says who passes. Anyone else gets 404, not 403, so ids and pages do not
/// leak; the denial is written to the audit log.
macro_rules! capability_extractor {
    ($(#[$doc:meta])* $name:ident, $allowed:expr) => {
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
                let allowed: fn(&Person) -> bool = $allowed;
                if allowed(&person) {
                    Ok(Self(person))
                } else {
                    let state = AppState::from_ref(state);
                    Err(deny(&state, parts, Some(person.id), "capability").await)
                }
            }
        }
    };
}

capability_extractor!(
    /// A person who runs cohorts.
    Trainer,
    |p| p.has(Capability::Trainer)
);
capability_extractor!(
    /// A person who follows their region's people.
    Manager,
    |p| p.has(Capability::Manager)
);
capability_extractor!(
    /// A person who administers everything.
    Admin,
    |p| p.has(Capability::Admin)
);
capability_extractor!(
    /// A person who may run cohorts (`/cohorts…`): a trainer, or an admin, who runs every
    /// cohort. Which cohort is theirs is decided by the scoped queries of `db::cohorts`.
    CohortRunner,
    Person::runs_cohorts
);

/// A reader of the machine routes: a read-only API token (`Authorization: Bearer kst_…`, safe
/// methods only) or a session. Either way it carries the owner's scope.
#[derive(Debug, Clone)]
pub struct Reader {
    pub scope: Scope,
    /// The session's person, or the token owner.
    pub person_id: i64,
    pub via_token: bool,
}

impl<S> FromRequestParts<S> for Reader
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(token) = bearer else {
            let person = resolve(parts, &state)
                .await?
                .ok_or(AppError::Unauthenticated)?;
            return Ok(Self {
                scope: person.scope(),
                person_id: person.id,
                via_token: false,
            });
        };
        // Tokens only read: a token never changes anything, whatever the route.
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            return Err(AppError::Unauthenticated);
        }
        let owner = state
            .db
            .api_token_owner(&token_hash(token), now_ms())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let capabilities = state.db.capabilities(owner.person_id).await?;
        Ok(Self {
            scope: Scope::new(owner.person_id, &owner.region_id, &capabilities),
            person_id: owner.person_id,
            via_token: true,
        })
    }
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Db(e) => e.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}
