//! A person's own data, downloaded (the GDPR right of access and to portability): everything
//! the service holds about them as JSON, and their map answers as GeoJSON for a GIS. Never a
//! session id, token or hash: sessions are listed by time, tokens by name.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::audit::record;
use super::client::ClientAddr;
use super::error::AppError;
use super::session::Person;
use super::state::AppState;
use crate::db::{AttemptRow, AuditEvent, now_ms};
use crate::progress::time::rfc3339;

fn attachment(mut response: Response, filename: &str, content_type: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn audit_export(state: &AppState, person: &Person, client: ClientAddr, what: &str) {
    let target = format!("person:{}", person.id);
    let client = client.0.map(|c| c.to_string());
    record(
        state,
        AuditEvent {
            actor: Some(person.id),
            action: "export",
            target: Some(&target),
            outcome: "success",
            detail: Some(what),
            client_addr: client.as_deref(),
        },
    )
    .await;
}

fn time(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |ms| Value::String(rfc3339(ms)))
}

fn attempt_json(a: &AttemptRow) -> Value {
    json!({
        "attempt_id": a.attempt_id,
        "exercise_id": a.exercise_id,
        "attempt_no": a.attempt_no,
        "created_at": rfc3339(a.created_at_ms),
        "score": a.score,
        "passed": a.passed > 0,
        "answer": serde_json::from_str::<Value>(&a.answer).unwrap_or(Value::Null),
        "result": serde_json::from_str::<Value>(&a.result).unwrap_or(Value::Null),
        "content_hash": a.content_hash,
        "grader_version": a.grader_version,
    })
}

/// `GET /account/export.json`: everything about the person.
pub(super) async fn json(
    State(state): State<AppState>,
    client: ClientAddr,
    person: Person,
) -> Result<Response, AppError> {
    let db = &state.db;
    let me = db
        .person_in_scope(&person.scope(), person.id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let attempts = db.own_attempts(person.id).await?;
    let sessions = db.own_sessions(person.id).await?;
    let cohorts = db.own_cohorts(person.id).await?;
    let overrides = db.override_history(person.id, None).await?;
    let tokens = db.api_tokens(Some(person.id)).await?;
    let events = db.audit_events(Some(person.id), 5000).await?;
    let body = json!({
        "format": "kartskola-personal-data/1",
        "exported_at": rfc3339(now_ms()),
        "service": state.config.public_url,
        "person": {
            "person_id": me.person_id,
            "email": me.email,
            "display_name": me.display_name,
            "region": me.region_id,
            "organisation": me.organisation_name,
            "created_at": rfc3339(me.created_at_ms),
            "capabilities": me.capabilities().iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        },
        "attempts": attempts.iter().map(attempt_json).collect::<Vec<_>>(),
        "sessions": sessions.iter().map(|s| json!({
            "created_at": rfc3339(s.created_at_ms),
            "last_seen_at": rfc3339(s.last_seen_ms),
        })).collect::<Vec<_>>(),
        "cohorts": cohorts.iter().map(|c| json!({
            "cohort_id": c.cohort_id,
            "name": c.name,
            "course": c.course,
            "joined_at": rfc3339(c.added_at_ms),
        })).collect::<Vec<_>>(),
        "grade_overrides": overrides.iter().map(|o| json!({
            "attempt_id": o.attempt_id,
            "exercise_id": o.exercise_id,
            "attempt_no": o.attempt_no,
            "engine_score": o.engine_score,
            "previous_score": o.previous_score,
            "score": o.score,
            "passed": o.passed > 0,
            "comment": o.comment,
            "by": o.by_name,
            "at": rfc3339(o.created_at_ms),
        })).collect::<Vec<_>>(),
        "api_tokens": tokens.iter().map(|t| json!({
            "name": t.name,
            "created_at": rfc3339(t.created_at_ms),
            "expires_at": time(t.expires_at_ms),
            "last_used_at": time(t.last_used_ms),
            "revoked_at": time(t.revoked_at_ms),
        })).collect::<Vec<_>>(),
        "audit_events": events.iter().map(|e| json!({
            "at": rfc3339(e.at_ms),
            "by_me": e.actor_person_id == Some(person.id),
            "action": e.action,
            "target": e.target,
            "outcome": e.outcome,
            "detail": e.detail,
            "client_addr": e.client_addr,
        })).collect::<Vec<_>>(),
    });
    audit_export(&state, &person, client, "personal data (json)").await;
    Ok(attachment(
        Json(body).into_response(),
        "kartskola-data.json",
        "application/json",
    ))
}

/// The map geometries of one answer as GeoJSON features, each with the attempt's facts.
fn answer_features(a: &AttemptRow) -> Vec<Value> {
    let Ok(answer) = serde_json::from_str::<Value>(&a.answer) else {
        return Vec::new();
    };
    let properties = json!({
        "attempt_id": a.attempt_id,
        "exercise_id": a.exercise_id,
        "attempt_no": a.attempt_no,
        "created_at": rfc3339(a.created_at_ms),
        "score": a.score,
        "passed": a.passed > 0,
    });
    let mut features = Vec::new();
    if let Some(geometry) = answer.get("geometry").filter(|g| g.is_object()) {
        features.push(json!({ "type": "Feature", "properties": properties, "geometry": geometry }));
    }
    if let Some(items) = answer
        .get("features")
        .and_then(|fc| fc.get("features"))
        .and_then(Value::as_array)
    {
        for item in items {
            let Some(geometry) = item.get("geometry").filter(|g| g.is_object()) else {
                continue;
            };
            let mut props = properties.clone();
            if let (Some(target), Some(label)) = (
                props.as_object_mut(),
                item.get("properties").and_then(|p| p.get("label")),
            ) {
                target.insert("label".to_owned(), label.clone());
            }
            features.push(json!({ "type": "Feature", "properties": props, "geometry": geometry }));
        }
    }
    features
}

/// `GET /account/answers.geojson`: every map answer of the person (WGS 84 lon/lat).
pub(super) async fn geojson(
    State(state): State<AppState>,
    client: ClientAddr,
    person: Person,
) -> Result<Response, AppError> {
    let attempts = state.db.own_attempts(person.id).await?;
    let features: Vec<Value> = attempts.iter().flat_map(answer_features).collect();
    let body = json!({ "type": "FeatureCollection", "features": features });
    audit_export(&state, &person, client, "map answers (geojson)").await;
    Ok(attachment(
        Json(body).into_response(),
        "kartskola-answers.geojson",
        "application/geo+json",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(answer: &str) -> AttemptRow {
        AttemptRow {
            attempt_id: 7,
            person_id: 1,
            exercise_id: "x".to_owned(),
            attempt_no: 1,
            answer: answer.to_owned(),
            result: "{}".to_owned(),
            score: 0.5,
            passed: 0,
            content_hash: String::new(),
            grader_version: "1".to_owned(),
            created_at_ms: 0,
        }
    }

    #[test]
    fn map_answers_become_features_and_others_are_skipped() {
        let point = attempt(r#"{"geometry": {"type": "Point", "coordinates": [22.1, 65.6]}}"#);
        let features = answer_features(&point);
        assert_eq!(features.len(), 1);
        assert_eq!(features[0]["properties"]["attempt_id"], 7);
        let labelled = attempt(
            r#"{"features": {"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"label": "A"}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
                {"type": "Feature", "properties": {"label": "B"}, "geometry": {"type": "Point", "coordinates": [3, 4]}}]}}"#,
        );
        let features = answer_features(&labelled);
        assert_eq!(features.len(), 2);
        assert_eq!(features[1]["properties"]["label"], "B");
        assert!(answer_features(&attempt(r#"{"choices": ["a"]}"#)).is_empty());
    }
}
