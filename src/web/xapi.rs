//! `GET /api/xapi/statements?since=`: the xAPI statements of the attempts the caller may see,
//! for a region's Learning Record Store. Only an admin's session or a read-only API token may
//! fetch them (a token sees what its owner sees); anyone else gets an audited 404. Statements
//! are derived on the fly ([`crate::progress::xapi`]); pages follow the xAPI `more` link, and
//! every page served is an export in the audit log.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{FromRef, FromRequestParts, OriginalUri, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::audit::{deny, record, request_target};
use super::client::client_addr;
use super::error::AppError;
use super::session::Reader;
use super::state::AppState;
use crate::content::Catalog;
use crate::db::{AuditEvent, Scope};
use crate::progress::time::parse_rfc3339;
use crate::progress::xapi::{self, Activity, Attempt};

/// Statements per page unless `limit` asks for fewer (the database caps at 1000 too).
const PAGE: i64 = 500;

#[derive(Debug, Default, Deserialize)]
pub(super) struct StatementsQuery {
    since: Option<String>,
    /// `<time ms>-<attempt id>` of the last statement of the previous page (from `more`).
    cursor: Option<String>,
    limit: Option<String>,
}

/// An admin or a read-only token, and what to write in the audit log.
pub(super) struct XapiReader {
    scope: Scope,
    actor: i64,
    via_token: bool,
    client: Option<String>,
    target: String,
}

impl<S> FromRequestParts<S> for XapiReader
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let reader = Reader::from_request_parts(parts, state).await?;
        let state = AppState::from_ref(state);
        if !(reader.via_token || reader.scope.is_admin()) {
            return Err(deny(&state, parts, Some(reader.person_id), "xapi").await);
        }
        Ok(Self {
            scope: reader.scope,
            actor: reader.person_id,
            via_token: reader.via_token,
            client: client_addr(&parts.extensions, &parts.headers, &state.config)
                .map(|a| a.to_string()),
            target: request_target(parts),
        })
    }
}

fn bad_request(detail: &str) -> AppError {
    AppError::client(
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some(detail.to_owned()),
    )
}

/// Where each exercise sits: the lesson that lists it (or the exercise it stands in for) and
/// its course, as paths.
fn placements(catalog: &Catalog) -> HashMap<&str, (String, String)> {
    let mut out: HashMap<&str, (String, String)> = HashMap::new();
    for course in &catalog.courses {
        for module in &course.modules {
            for lesson in &module.lessons {
                let path = format!("/courses/{}/{}/{}", course.slug, module.slug, lesson.slug);
                for id in &lesson.exercises {
                    out.entry(id.as_str())
                        .or_insert_with(|| (path.clone(), format!("/courses/{}", course.slug)));
                }
            }
        }
    }
    for exercise in catalog.exercises.values() {
        if let (Some(alt), Some(place)) = (
            &exercise.accessible_alternative,
            out.get(exercise.id.as_str()).cloned(),
        ) {
            out.entry(alt.as_str()).or_insert(place);
        }
    }
    out
}

/// `GET /api/xapi/statements`.
pub(super) async fn statements(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    reader: XapiReader,
) -> Result<Response, AppError> {
    // Parsed here rather than by axum's `Query`, so a malformed query gets the API's error body.
    let query = Query::<StatementsQuery>::try_from_uri(&uri)
        .map_err(|_| bad_request("the query string"))?
        .0;
    let since_ms = match query.since.as_deref().filter(|s| !s.trim().is_empty()) {
        None => i64::MIN,
        Some(text) => parse_rfc3339(text)
            .ok_or_else(|| bad_request("since: an RFC 3339 time, e.g. 2026-01-31T00:00:00Z"))?,
    };
    let (from_ms, after_id) = match query.cursor.as_deref().filter(|s| !s.is_empty()) {
        None => (since_ms, i64::MAX),
        Some(cursor) => {
            let (ms, id) = cursor
                .split_once('_')
                .and_then(|(ms, id)| Some((ms.parse::<i64>().ok()?, id.parse::<i64>().ok()?)))
                .ok_or_else(|| bad_request("cursor: as given in `more`"))?;
            (ms.max(since_ms), id)
        }
    };
    let limit = match query.limit.as_deref() {
        None => PAGE,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| bad_request("limit: 1 to 1000"))?,
    };
    let rows = state
        .db
        .statements_in_scope(&reader.scope, from_ms, after_id, limit)
        .await?;
    let public_url = state.config.public_url.as_str();
    let places = placements(&state.catalog);
    let statements: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            let exercise = state.catalog.exercise(&row.exercise_id);
            let place = places.get(row.exercise_id.as_str());
            let activity = Activity {
                title: exercise.map(|e| &e.title),
                attempt_limit: exercise.map_or(0, |e| e.attempts),
                lesson_path: place.map(|p| p.0.as_str()),
                course_path: place.map(|p| p.1.as_str()),
            };
            let attempt = Attempt {
                attempt_id: row.attempt_id,
                person_id: row.person_id,
                exercise_id: &row.exercise_id,
                attempt_no: row.attempt_no,
                score: row.score,
                passed: row.passed > 0,
                created_at_ms: row.created_at_ms,
            };
            xapi::statement(public_url, &attempt, &activity)
        })
        .collect();
    // A full page may have a successor; an LRS follows `more` until it is empty.
    let more = match rows.last() {
        Some(last) if i64::try_from(rows.len()).is_ok_and(|n| n == limit) => {
            let mut link = format!(
                "/api/xapi/statements?cursor={}_{}",
                last.created_at_ms, last.attempt_id
            );
            if let Some(since) = query.since.as_deref().filter(|s| !s.trim().is_empty()) {
                link.push_str("&since=");
                link.push_str(&super::login::encode_component(since));
            }
            if query.limit.is_some() {
                link.push_str(&format!("&limit={limit}"));
            }
            link
        }
        _ => String::new(),
    };
    let detail = format!(
        "xapi {} statements{}",
        rows.len(),
        if reader.via_token { " via token" } else { "" }
    );
    record(
        &state,
        AuditEvent {
            actor: Some(reader.actor),
            action: "export",
            target: Some(&reader.target),
            outcome: "success",
            detail: Some(&detail),
            client_addr: reader.client.as_deref(),
        },
    )
    .await;
    let mut response = Json(json!({ "statements": statements, "more": more })).into_response();
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static("x-experience-api-version"),
        HeaderValue::from_static(xapi::VERSION),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
