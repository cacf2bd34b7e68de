//! Map exercises over HTTP: the player page, what the player needs to ask the question, and
//! attempts (grade, store, answer). What a learner may see of a result is decided in one place,
//! [`reveal`], for new attempts and stored ones alike.

use std::sync::{Arc, LazyLock};

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::assets::asset_url;
use super::error::{AppError, grading_lang};
use super::lang::ReqLang;
use super::login::encode_component;
use super::pages::Chrome;
use super::session::{MaybePerson, Person};
use super::state::AppState;
use crate::content::markdown;
use crate::content::{Exercise, Reveal};
use crate::db::{Idempotency, NewAttempt, RecordOutcome, Stored};
use crate::grading::{self, GradeResult};
use crate::i18n::Lang;

/// The attempts endpoint reads at most this much (service spec: 413 before reading more).
pub(super) const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Grading runs on blocking threads, at most one per core at once, so that a burst of large
/// polygons cannot starve the async runtime (health checks and pages keep answering).
static GRADING: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
});

/// How long an answer may wait for a grading slot before it is refused with 503 `unavailable`
/// and `Retry-After: 1` (nothing stored; the player keeps its Idempotency-Key for the retry).
/// Without a limit a burst waits in an unbounded queue: 200 submissions of 5 000-vertex
/// polygons at once took 1.7 s at the median (docs/performance.md); with it every answer is
/// graded or refused within about a second.
const GRADING_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

fn exercise_of(state: &AppState, id: &str) -> Result<Arc<Exercise>, AppError> {
    state
        .catalog
        .exercise(id)
        .cloned()
        .ok_or(AppError::NotFound)
}

#[derive(Template, WebTemplate)]
#[template(path = "exercise.html")]
pub(super) struct ExercisePage {
    chrome: Chrome,
    id: String,
    title: String,
    prompt_html: String,
    map_description: String,
    config_json: String,
    ol_css: String,
    ol_js: String,
    proj4_js: String,
    player_js: String,
    player_css: String,
    /// A trainer's overrides of the reader's attempts here (both grades and the comment).
    overrides: Vec<super::cohorts::OverrideNote>,
    c: &'static crate::i18n::CohortStrings,
}

pub(super) async fn page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    MaybePerson(person): MaybePerson,
    Path(id): Path<String>,
) -> Result<ExercisePage, AppError> {
    let exercise = exercise_of(&state, &id)?;
    let overrides = match &person {
        Some(person) => super::cohorts::override_notes(
            state
                .db
                .own_overrides(person.id, Some(&exercise.id))
                .await?,
            lang,
        ),
        None => Vec::new(),
    };
    let config = player_config(
        &state,
        lang,
        &exercise.id,
        &format!("/api/exercises/{id}/attempts"),
        person.is_some(),
        &format!(
            "/login?next={}",
            encode_component(&format!("/exercises/{id}"))
        ),
    );
    Ok(ExercisePage {
        chrome: Chrome::new(lang, &uri),
        id: exercise.id.clone(),
        title: exercise.title.get(lang).to_owned(),
        prompt_html: markdown::render_inline(exercise.prompt.get(lang)),
        map_description: exercise.map_description(lang).to_owned(),
        config_json: script_json(&config),
        ol_css: asset_url("vendor/ol.css"),
        ol_js: asset_url("vendor/ol.js"),
        proj4_js: asset_url("vendor/proj4.js"),
        player_js: asset_url("js/player/main.js"),
        player_css: asset_url("css/player.css"),
        overrides,
        c: lang.strings().cohorts,
    })
}

/// What the player (static/js/player/main.js) reads from the page: where the exercise comes from
/// and where its answer goes, whether the reader is logged in (and where to log in), the reader's
/// language and strings, the map tiles. The live participant page adds a `live` part.
pub(super) fn player_config(
    state: &AppState,
    lang: Lang,
    exercise_id: &str,
    attempts_api: &str,
    logged_in: bool,
    login_url: &str,
) -> Value {
    json!({
        "exercise_api": format!("/api/exercises/{exercise_id}"),
        "attempts_api": attempts_api,
        "lang": lang.code(),
        "logged_in": logged_in,
        "login_url": login_url,
        "tile_url": state.config.tile_url,
        "strings": lang.strings().player,
    })
}

/// JSON safe inside `<script type="application/json">`: no `<`, `>` or `&` can end the element.
pub(super) fn script_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `GET /api/exercises/{id}`: what the player needs to ask the question, never what answers it.
pub(super) async fn api_exercise(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    MaybePerson(person): MaybePerson,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let exercise = exercise_of(&state, &id)?;
    let (used, last_answer) = match &person {
        Some(p) => {
            let (used, _) = state.db.attempt_summary(p.id, &id).await?;
            let last = state.db.latest_attempt(p.id, &id).await?;
            (
                used,
                last.and_then(|a| serde_json::from_str::<Value>(&a.answer).ok()),
            )
        }
        None => (0, None),
    };
    let alternative = exercise
        .accessible_alternative
        .as_deref()
        .and_then(|alt| state.catalog.exercise(alt))
        .map(|alt| json!({ "id": alt.id, "title": alt.title.get(lang) }));
    let body = json!({
        "id": exercise.id,
        "kind": exercise.kind,
        "title": exercise.title.get(lang),
        "prompt_html": markdown::render_inline(exercise.prompt.get(lang)),
        "map": exercise.map.as_ref().map(|m| json!({
            "extent": m.extent,
            "layers": m.layers,
            "description": m.description.get(lang),
            "tools": m.tools,
        })),
        "question": localize(exercise.grader.question(), lang),
        "attempts": attempts_json(exercise.attempts, used),
        "reveal": exercise.reveal,
        "accessible_alternative": alternative,
        "last_answer": last_answer,
    });
    Ok(personal(Json(body).into_response()))
}

fn attempts_json(limit: u32, used: i64) -> Value {
    let left = (limit > 0).then(|| (i64::from(limit) - used).max(0));
    json!({ "limit": limit, "used": used, "left": left })
}

/// Replaces every `{ "sv": …, "en": … }` text in `value` by the text in `lang`.
fn localize(value: Value, lang: Lang) -> Value {
    match value {
        Value::Object(map) => {
            let is_text = map.contains_key("sv") && map.keys().all(|k| k == "sv" || k == "en");
            if is_text {
                let pick = map
                    .get(lang.code())
                    .or_else(|| map.get("sv"))
                    .cloned()
                    .unwrap_or(Value::Null);
                return if pick.is_null() {
                    map.get("sv").cloned().unwrap_or(Value::Null)
                } else {
                    pick
                };
            }
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, localize(v, lang)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|v| localize(v, lang)).collect()),
        other => other,
    }
}

/// Whether a learner may see what gives the key away, after this attempt (grading spec, "Reveal").
fn reveals(
    reveal: Reveal,
    limit: u32,
    attempt_no: i64,
    passed_now: bool,
    passed_before: bool,
) -> bool {
    match reveal {
        Reveal::Never => false,
        Reveal::Always | Reveal::AfterAny => true,
        Reveal::AfterPassOrLast => {
            passed_now || passed_before || (limit > 0 && attempt_no >= i64::from(limit))
        }
    }
}

/// The one filter between a full grading result and what a learner is sent.
fn reveal(result: &GradeResult, revealed: bool) -> GradeResult {
    if revealed {
        result.clone()
    } else {
        result.redacted()
    }
}

/// A result as the API sends it: feedback rendered in the reader's language.
fn result_json(result: &GradeResult, lang: Lang, revealed: bool) -> Value {
    let mut body = serde_json::to_value(result).unwrap_or(Value::Null);
    body["feedback"] = result
        .feedback
        .iter()
        .map(|f| json!({ "code": f.code, "message": f.message(grading_lang(lang)) }))
        .collect();
    body["revealed"] = Value::Bool(revealed);
    body
}

/// `POST /api/exercises/{id}/attempts`: grade one answer and store it before answering 201.
pub(super) async fn submit(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    person: Person,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let exercise = exercise_of(&state, &id)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(AppError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            None,
        ));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::Answer(Arc::new(grading::AnswerError::body_too_large(
                MAX_ANSWER_BYTES,
            )))
        } else {
            AppError::client(
                StatusCode::BAD_REQUEST,
                "bad_request",
                Some(rejection.body_text()),
            )
        }
    })?;
    let key = idempotency_key(&headers)?;
    let request_hash = hex::encode(Sha256::digest(&body));
    let idem = key.as_deref().map(|key| Idempotency {
        key,
        request_hash: &request_hash,
    });
    // A repeat is answered from the store before the attempts limit is looked at.
    if let Some(idem) = idem {
        match state.db.idempotent_response(person.id, idem).await? {
            Some(Ok((status, stored))) => return Ok(stored_response(status, stored)),
            Some(Err(())) => return Err(reused_key()),
            None => {}
        }
    }
    let result = grade(&exercise, body.clone()).await?;
    let answer = String::from_utf8_lossy(&body).into_owned();
    let stored_result =
        serde_json::to_string(&result).map_err(|e| AppError::Internal(e.to_string()))?;
    let new = NewAttempt {
        person_id: person.id,
        exercise_id: &exercise.id,
        answer: &answer,
        result: &stored_result,
        score: result.score,
        passed: result.passed,
        content_hash: &exercise.content_hash,
        grader_version: grading::GRADER_VERSION,
        limit: exercise.attempts,
    };
    // Owned, because on SQLite the group-commit writer task renders it inside its transaction.
    let (reveal_policy, limit) = (exercise.reveal, exercise.attempts);
    let respond = move |stored: Stored| {
        let revealed = reveals(
            reveal_policy,
            limit,
            stored.attempt_no,
            result.passed,
            stored.passed_before,
        );
        let mut body = result_json(&reveal(&result, revealed), lang, revealed);
        body["attempt_id"] = json!(stored.attempt_id);
        body["attempts"] = attempts_json(limit, stored.attempt_no);
        body.to_string()
    };
    match state.db.record_attempt(&new, idem, respond).await? {
        RecordOutcome::Created { body } => Ok(stored_response(201, body)),
        RecordOutcome::Replayed { status, body } => Ok(stored_response(status, body)),
        RecordOutcome::KeyReused => Err(reused_key()),
        RecordOutcome::Exhausted => Err(AppError::client(
            StatusCode::CONFLICT,
            "attempts_exhausted",
            None,
        )),
    }
}

fn reused_key() -> AppError {
    AppError::client(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        None,
    )
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::client(
            StatusCode::BAD_REQUEST,
            "bad_request",
            Some("Idempotency-Key must be 1 to 255 visible ASCII characters".to_owned()),
        ));
    }
    Ok(Some(key.to_owned()))
}

pub(super) async fn grade(exercise: &Arc<Exercise>, body: Bytes) -> Result<GradeResult, AppError> {
    let _permit = tokio::time::timeout(GRADING_WAIT, GRADING.acquire())
        .await
        .map_err(|_| AppError::Busy)?
        .map_err(|_| AppError::Unavailable("grading is shutting down".to_owned()))?;
    let grader = exercise.grader.clone();
    tokio::task::spawn_blocking(move || grading::grade(&grader, &body))
        .await
        .map_err(|e| AppError::Internal(format!("grading task failed: {e}")))?
        .map_err(|e| AppError::Answer(Arc::new(e)))
}

fn stored_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    personal(response)
}

/// Personal data must not be kept by shared caches or the browser's back-forward cache.
pub(super) fn personal(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /api/attempts/{id}`: one of the caller's own attempts, filtered by the same Reveal rule.
pub(super) async fn api_attempt(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    person: Person,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let attempt_id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    // Within the caller's scope (own, a trainer's cohort member, a manager's region without
    // the answer, anyone for an admin); an existing attempt out of scope is an audited 404.
    let Some(scoped) = state
        .db
        .attempt_in_scope(&person.scope(), attempt_id)
        .await?
    else {
        return Err(super::audit::attempt_out_of_scope(&state, person.id, attempt_id).await);
    };
    let attempt = scoped.attempt;
    let result: GradeResult = serde_json::from_str(&attempt.result)
        .map_err(|e| AppError::Internal(format!("stored result: {e}")))?;
    let (limit, reveal_policy) = state
        .catalog
        .exercise(&attempt.exercise_id)
        .map_or((0, Reveal::Never), |e| (e.attempts, e.reveal));
    let (_, any_passed) = state
        .db
        .attempt_summary(attempt.person_id, &attempt.exercise_id)
        .await?;
    let revealed = reveals(
        reveal_policy,
        limit,
        attempt.attempt_no,
        result.passed,
        any_passed,
    );
    let mut body = result_json(&reveal(&result, revealed), lang, revealed);
    body["attempt_id"] = json!(attempt.attempt_id);
    body["attempt_no"] = json!(attempt.attempt_no);
    body["answer"] = serde_json::from_str(&attempt.answer).unwrap_or(Value::Null);
    body["created_at_ms"] = json!(attempt.created_at_ms);
    // The stored result is the engine's; a trainer's override changes the effective grade
    // (what progress counts), shown beside it with the comment (docs/cohorts.md).
    body["effective_score"] = json!(attempt.score);
    body["effective_passed"] = json!(attempt.passed > 0);
    let overrides = state
        .db
        .own_overrides(attempt.person_id, Some(&attempt.exercise_id))
        .await?;
    if let Some(o) = overrides
        .iter()
        .find(|o| o.attempt_id == attempt.attempt_id)
    {
        body["override"] = json!({
            "engine_score": o.engine_score,
            "score": o.score,
            "passed": o.passed > 0,
            "comment": o.comment,
            "by": o.by_name,
            "at_ms": o.created_at_ms,
        });
    }
    Ok(personal(Json(body).into_response()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_localised_and_other_objects_kept() {
        let q = json!({"options": [{"id": "a", "text": {"sv": "Ja", "en": "Yes"}}], "unit": "km", "g": {"sv": "x"}});
        assert_eq!(
            localize(q.clone(), Lang::En),
            json!({"options": [{"id": "a", "text": "Yes"}], "unit": "km", "g": "x"})
        );
        assert_eq!(localize(q, Lang::Sv)["options"][0]["text"], "Ja");
    }

    #[test]
    fn reveal_rules() {
        assert!(!reveals(Reveal::Never, 1, 1, true, true));
        assert!(reveals(Reveal::Always, 0, 1, false, false));
        assert!(reveals(Reveal::AfterAny, 0, 1, false, false));
        assert!(!reveals(Reveal::AfterPassOrLast, 3, 1, false, false));
        assert!(reveals(Reveal::AfterPassOrLast, 3, 1, true, false));
        assert!(reveals(Reveal::AfterPassOrLast, 3, 3, false, false));
        assert!(reveals(Reveal::AfterPassOrLast, 3, 2, false, true));
        assert!(!reveals(Reveal::AfterPassOrLast, 0, 9, false, false));
    }

    #[test]
    fn script_json_cannot_close_the_element() {
        let s = script_json(&json!({"t": "</script><b>&"}));
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
    }
}
