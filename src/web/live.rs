//! Live class sessions over HTTP: the trainer starts and steers a session, participants (logged
//! in, or named guests if the trainer allows) answer, and every live view follows a server-sent
//! event stream replayed from the `live_event` table.
//!
//! Fan-out: an event is first a database row (its id is the SSE id). A stream wakes up when told
//! that its session has a new event and reads the rows after the last id it sent, so a lost
//! wake-up costs latency, never an event (streams also re-read every few seconds). Wake-ups come
//! from a per-process broadcast channel, fed by this process's own writes and, on PostgreSQL,
//! by a `LISTEN` connection that hears the `NOTIFY` of every process's writes. See docs/live.md.

pub(super) mod pages;

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use super::error::{AppError, grading_lang};
use super::lang::ReqLang;
use super::session::{MaybePerson, Trainer, cookie_value};
use super::state::AppState;
use crate::auth::AuthError;
use crate::auth::token::{random_token, token_hash};
use crate::config::DatabaseUrl;
use crate::content::Exercise;
use crate::db::{
    Db, LiveAnswerOutcome, LiveEventRow, LiveSessionRow, NewLiveAnswer, NewLiveEvent,
    live_listener, now_ms,
};
use crate::grading::{self, GradeResult};
use crate::live::{self, Audience, Control, LiveState};

/// A live answer is at most this large (the same limit as attempts).
pub(super) const MAX_ANSWER_BYTES: usize = super::exercises::MAX_ANSWER_BYTES;

/// The guest token's cookie (the participant page's `EventSource` cannot send headers).
const GUEST_COOKIE: &str = "kartskola_live_guest";
/// The guest token's header, for API clients.
const GUEST_HEADER: &str = "x-live-guest";

/// Streams re-read the event table this often even without a wake-up: the safety net for a
/// dropped `LISTEN` connection or a lagging channel.
const POLL: Duration = Duration::from_secs(5);
/// Events sent per database read.
const BATCH: i64 = 200;

/// "Session `session` has event `event`", as the fan-out carries it.
#[derive(Debug, Clone, Copy)]
struct Wake {
    session: i64,
    event: i64,
    trainer_only: bool,
}

/// The fan-out of one database in this process.
struct Hub {
    tx: broadcast::Sender<Wake>,
    listener: Mutex<Option<JoinHandle<()>>>,
}

/// One hub per database URL. A registry rather than a field of `AppState` so that a process
/// (or a test binary) holds one `LISTEN` connection per database, however many routers it builds.
static HUBS: LazyLock<Mutex<HashMap<String, Arc<Hub>>>> = LazyLock::new(Mutex::default);

fn hub(state: &AppState) -> Arc<Hub> {
    let key = match &state.config.database {
        DatabaseUrl::Sqlite(path) => format!("sqlite:{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let hub = {
        let mut hubs = HUBS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        hubs.entry(key)
            .or_insert_with(|| {
                Arc::new(Hub {
                    tx: broadcast::channel(4096).0,
                    listener: Mutex::new(None),
                })
            })
            .clone()
    };
    if let DatabaseUrl::Postgres(url) = &state.config.database {
        let mut listener = hub
            .listener
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // (Re)started when missing or finished (a test's runtime that ended takes it along).
        if listener.as_ref().is_none_or(JoinHandle::is_finished) {
            *listener = Some(tokio::spawn(listen(url.clone(), hub.tx.clone())));
        }
    }
    hub
}

/// Relays PostgreSQL notifications of live events to this process's streams, reconnecting
/// after a failure (streams catch up from the table by themselves).
async fn listen(url: String, tx: broadcast::Sender<Wake>) {
    let resync = || Wake {
        session: 0,
        event: 0,
        trainer_only: false,
    };
    loop {
        match live_listener(&url).await {
            // Streams that started while the connection was being made (the first ones do,
            // as it is made lazily) may have missed a notification: they re-read now.
            Ok(mut listener) => {
                let _ = tx.send(resync());
                loop {
                    match listener.try_recv().await {
                        Ok(Some(note)) => {
                            if let Some(wake) = parse_note(note.payload()) {
                                let _ = tx.send(wake);
                            }
                        }
                        // The connection was lost (and is re-made by the next `try_recv`):
                        // notifications in between are lost, so wake every stream to re-read.
                        Ok(None) => {
                            let _ = tx.send(resync());
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "live listener failed");
                            break;
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "live listener cannot connect"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn parse_note(payload: &str) -> Option<Wake> {
    let mut parts = payload.split(':');
    let session = parts.next()?.parse().ok()?;
    let event = parts.next()?.parse().ok()?;
    let trainer_only = parts.next()? == "1";
    Some(Wake {
        session,
        event,
        trainer_only,
    })
}

/// Tells this process's streams of a new event (other processes hear the database's NOTIFY).
fn wake(state: &AppState, session: i64, event: i64, trainer_only: bool) {
    let _ = hub(state).tx.send(Wake {
        session,
        event,
        trainer_only,
    });
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn require_json(headers: &HeaderMap) -> Result<(), AppError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if is_json {
        Ok(())
    } else {
        Err(AppError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            None,
        ))
    }
}

fn parse_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, AppError> {
    require_json(headers)?;
    let body =
        body.map_err(|r| AppError::client(r.status(), "bad_request", Some(r.body_text())))?;
    serde_json::from_slice(&body)
        .map_err(|e| AppError::client(StatusCode::BAD_REQUEST, "bad_request", Some(e.to_string())))
}

async fn session_of(state: &AppState, code: &str) -> Result<LiveSessionRow, AppError> {
    let code = live::normalise_code(code).ok_or(AppError::NotFound)?;
    state
        .db
        .live_session_by_code(&code)
        .await?
        .ok_or(AppError::NotFound)
}

fn state_of(session: &LiveSessionRow) -> Result<LiveState, AppError> {
    LiveState::parse(&session.state)
        .ok_or_else(|| AppError::Internal(format!("live state {:?}", session.state)))
}

/// Whether guests are still welcome: allowed by the trainer and within the guests' lifetime.
fn guests_welcome(session: &LiveSessionRow) -> bool {
    session.allow_guests == 1
        && session.ended_at_ms.is_none()
        && now_ms()
            < session
                .created_at_ms
                .saturating_add(live::GUEST_LIFETIME_MS)
}

fn exercise(state: &AppState, id: &str) -> Result<Arc<Exercise>, AppError> {
    state.catalog.exercise(id).cloned().ok_or_else(|| {
        AppError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_request",
            Some(format!("no exercise {id:?}")),
        )
    })
}

fn state_payload(session_round: i64, exercise_id: &str, state: LiveState) -> String {
    json!({ "round": session_round, "exercise_id": exercise_id, "state": state.as_str() })
        .to_string()
}

/// Who is answering or watching.
enum Viewer {
    Trainer,
    Person(i64),
    Guest(i64),
}

async fn viewer(
    state: &AppState,
    session: &LiveSessionRow,
    person: Option<&super::session::Person>,
    headers: &HeaderMap,
) -> Result<Viewer, AppError> {
    if let Some(person) = person {
        return Ok(if person.id == session.trainer_id {
            Viewer::Trainer
        } else {
            Viewer::Person(person.id)
        });
    }
    let token = headers
        .get(GUEST_HEADER)
        .and_then(|v| v.to_str().ok())
        .or_else(|| cookie_value(headers, GUEST_COOKIE));
    if let Some(token) = token
        && guests_welcome(session)
        && let Some((guest_id, session_id, _)) = state.db.live_guest(&token_hash(token)).await?
        && session_id == session.live_session_id
    {
        return Ok(Viewer::Guest(guest_id));
    }
    Err(AppError::Unauthenticated)
}

#[derive(Deserialize)]
pub(super) struct StartRequest {
    exercise_id: String,
    #[serde(default)]
    allow_guests: bool,
}

/// `POST /api/live`: a trainer starts a session on an exercise; 201 with its join code.
pub(super) async fn start(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let request: StartRequest = parse_body(&headers, body)?;
    let session = start_session(
        &state,
        trainer.id,
        &request.exercise_id,
        request.allow_guests,
    )
    .await?;
    Ok(json_response(StatusCode::CREATED, &session_json(&session)))
}

/// Starts a session, drawing codes until one is free.
pub(super) async fn start_session(
    state: &AppState,
    trainer_id: i64,
    exercise_id: &str,
    allow_guests: bool,
) -> Result<LiveSessionRow, AppError> {
    let exercise = exercise(state, exercise_id)?;
    // Old guests go whenever a session starts: the 24-hour rule needs no timer of its own.
    state
        .db
        .purge_live_guests(now_ms().saturating_sub(live::GUEST_LIFETIME_MS))
        .await?;
    for _ in 0..8 {
        let mut random = [0_u8; live::CODE_LEN];
        getrandom::fill(&mut random).map_err(|e| AppError::Internal(e.to_string()))?;
        let code = live::join_code(&random);
        let created = state
            .db
            .create_live_session(&code, trainer_id, &exercise.id, allow_guests, |row| {
                state_payload(row.round, &row.exercise_id, LiveState::Open)
            })
            .await?;
        if let Some(session) = created {
            return Ok(session);
        }
    }
    Err(AppError::Internal(
        "no free live code in 8 draws".to_owned(),
    ))
}

fn session_json(session: &LiveSessionRow) -> Value {
    json!({
        "code": session.code,
        "state": session.state,
        "round": session.round,
        "exercise_id": session.exercise_id,
        "allow_guests": session.allow_guests == 1,
        "participant_url": format!("/live/{}", session.code),
        "trainer_url": format!("/cohorts/live/{}", session.code),
        "events_url": format!("/api/live/{}/events", session.code),
    })
}

/// `GET /api/live/{code}`: where the session is (for anyone holding the code).
pub(super) async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let session = session_of(&state, &code).await?;
    Ok(json_response(StatusCode::OK, &session_json(&session)))
}

#[derive(Deserialize)]
pub(super) struct GuestRequest {
    name: String,
}

/// `POST /api/live/{code}/guests`: a named guest joins; 201 with a token valid for this session
/// only (also set as a cookie for the participant page). 404 when guests are not allowed.
pub(super) async fn join_as_guest(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let session = session_of(&state, &code).await?;
    if !guests_welcome(&session) {
        return Err(AppError::NotFound);
    }
    let request: GuestRequest = parse_body(&headers, body)?;
    let name = live::guest_name(&request.name).ok_or_else(|| {
        AppError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_request",
            Some("a name of 1 to 40 characters".to_owned()),
        )
    })?;
    let token = random_token().map_err(AuthError::from)?;
    state
        .db
        .insert_live_guest(session.live_session_id, &name, &token_hash(&token))
        .await?;
    let secure = if state.config.is_https() {
        "; Secure"
    } else {
        ""
    };
    // Lives no longer than the guest row (24 h at most); HttpOnly: page scripts never need it.
    let cookie =
        format!("{GUEST_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400{secure}");
    let mut response = json_response(
        StatusCode::CREATED,
        &json!({ "token": token, "name": name }),
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `POST /api/live/{code}/answers`: grade one answer of the current round with the same engine
/// as attempts and store it as a live answer (never an attempt); 201 with the result, the key
/// withheld (the trainer reveals it to everyone at once).
pub(super) async fn answer(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    MaybePerson(person): MaybePerson,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let session = session_of(&state, &code).await?;
    let participant = match viewer(&state, &session, person.as_ref(), &headers).await? {
        // A trainer may answer too, e.g. to show the class how it works.
        Viewer::Trainer => (format!("p{}", session.trainer_id), Some(session.trainer_id)),
        Viewer::Person(id) => (format!("p{id}"), Some(id)),
        Viewer::Guest(id) => (format!("g{id}"), None),
    };
    if state_of(&session)? != LiveState::Open {
        return Err(not_open());
    }
    require_json(&headers)?;
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
    let exercise = exercise(&state, &session.exercise_id)?;
    let result = super::exercises::grade(&exercise, body.clone()).await?;
    let stored = serde_json::to_string(&result).map_err(|e| AppError::Internal(e.to_string()))?;
    let answer_text = String::from_utf8_lossy(&body).into_owned();
    let answer_json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let new = NewLiveAnswer {
        live_session_id: session.live_session_id,
        round: session.round,
        exercise_id: &exercise.id,
        participant: &participant.0,
        person_id: participant.1,
        answer: &answer_text,
        result: &stored,
        score: result.score,
        passed: result.passed,
    };
    let outcome = state
        .db
        .record_live_answer(&new, |answer_id, scores| {
            json!({
                "answer_id": answer_id,
                "round": session.round,
                "exercise_id": exercise.id,
                "score": result.score,
                "passed": result.passed,
                "answer": answer_json,
                "count": scores.len(),
                "histogram": live::histogram(scores.iter().copied()),
            })
            .to_string()
        })
        .await?;
    match outcome {
        LiveAnswerOutcome::Stored {
            answer_id,
            event_id,
        } => {
            wake(&state, session.live_session_id, event_id, true);
            let mut body = result_json(&result.redacted(), lang);
            body["answer_id"] = json!(answer_id);
            body["round"] = json!(session.round);
            Ok(json_response(StatusCode::CREATED, &body))
        }
        LiveAnswerOutcome::NotOpen => Err(not_open()),
        LiveAnswerOutcome::AlreadyAnswered => Err(AppError::client(
            StatusCode::CONFLICT,
            "already_answered",
            None,
        )),
    }
}

fn not_open() -> AppError {
    AppError::client(StatusCode::CONFLICT, "live_closed", None)
}

fn result_json(result: &GradeResult, lang: crate::i18n::Lang) -> Value {
    let mut body = serde_json::to_value(result).unwrap_or(Value::Null);
    body["feedback"] = result
        .feedback
        .iter()
        .map(|f| json!({ "code": f.code, "message": f.message(grading_lang(lang)) }))
        .collect();
    body
}

#[derive(Deserialize)]
pub(super) struct ControlRequest {
    action: String,
    /// The exercise of the next round (`next` only).
    exercise_id: Option<String>,
}

/// `POST /api/live/{code}/control`: the session's trainer opens, closes, reveals, shows the
/// extremes, moves on or ends. 404 for anyone else; 409 when the action makes no sense now.
pub(super) async fn control(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let session = session_of(&state, &code).await?;
    if session.trainer_id != trainer.id {
        return Err(AppError::NotFound);
    }
    let request: ControlRequest = parse_body(&headers, body)?;
    let action = Control::parse(&request.action).ok_or_else(|| {
        AppError::client(
            StatusCode::BAD_REQUEST,
            "bad_request",
            Some(format!("unknown action {:?}", request.action)),
        )
    })?;
    let event_id = apply_control(&state, &session, action, request.exercise_id.as_deref()).await?;
    let session = session_of(&state, &session.code).await?;
    let mut body = session_json(&session);
    body["event_id"] = json!(event_id);
    Ok(json_response(StatusCode::OK, &body))
}

/// Applies a trainer's control; returns the id of the event it wrote.
pub(super) async fn apply_control(
    state: &AppState,
    session: &LiveSessionRow,
    action: Control,
    next_exercise: Option<&str>,
) -> Result<i64, AppError> {
    let current = state_of(session)?;
    let to = live::apply(current, action)
        .ok_or_else(|| AppError::client(StatusCode::CONFLICT, "live_conflict", None))?;
    let id = session.live_session_id;
    let (event_id, trainer_only) = match action {
        Control::Extremes => {
            let answers = state.db.live_round_answers(id, session.round).await?;
            let scored: Vec<(i64, f64)> = answers
                .iter()
                .map(|a| (a.live_answer_id, a.score))
                .collect();
            let pick = |wanted: i64| {
                answers
                    .iter()
                    .find(|a| a.live_answer_id == wanted)
                    .map(|a| {
                        json!({
                            "score": a.score,
                            "answer": serde_json::from_str::<Value>(&a.answer).unwrap_or(Value::Null),
                        })
                    })
            };
            let (best, worst) =
                live::extremes(&scored).map_or((None, None), |(b, w)| (pick(b), pick(w)));
            let payload =
                json!({ "round": session.round, "best": best, "worst": worst }).to_string();
            let event = NewLiveEvent {
                kind: "extremes",
                trainer_only: false,
                payload: &payload,
            };
            (state.db.live_note(id, event).await?, false)
        }
        _ => {
            let (round, exercise_id) = if action == Control::Next {
                let next = next_exercise.ok_or_else(|| {
                    AppError::client(
                        StatusCode::BAD_REQUEST,
                        "bad_request",
                        Some("next needs an exercise_id".to_owned()),
                    )
                })?;
                (session.round + 1, exercise(state, next)?.id.clone())
            } else {
                (session.round, session.exercise_id.clone())
            };
            let mut payload: Value = serde_json::from_str(&state_payload(round, &exercise_id, to))
                .unwrap_or(Value::Null);
            if action == Control::Reveal {
                payload["key"] = key_of(state, session).await?;
            }
            let payload = payload.to_string();
            let event = NewLiveEvent {
                kind: "state",
                trainer_only: false,
                payload: &payload,
            };
            let written = state
                .db
                .live_transition(session, to.as_str(), round, &exercise_id, event)
                .await?
                .ok_or_else(|| AppError::client(StatusCode::CONFLICT, "live_conflict", None))?;
            (written, false)
        }
    };
    wake(state, id, event_id, trainer_only);
    Ok(event_id)
}

/// The key geometries of the session's current exercise (role `key`), for the live reveal: from
/// grading the exercise's own perfect answer, or else from a stored answer's full result.
async fn key_of(state: &AppState, session: &LiveSessionRow) -> Result<Value, AppError> {
    let exercise = exercise(state, &session.exercise_id)?;
    let result = match exercise.grader.self_answer() {
        Some(perfect) => {
            let bytes = Bytes::from(perfect.to_string());
            super::exercises::grade(&exercise, bytes).await.ok()
        }
        None => None,
    };
    let result = match result {
        Some(r) => Some(r),
        None => state
            .db
            .live_round_answers(session.live_session_id, session.round)
            .await?
            .first()
            .and_then(|a| serde_json::from_str::<GradeResult>(&a.result).ok()),
    };
    let features: Vec<Value> = result
        .map(|r| {
            r.geometries
                .features
                .iter()
                .filter(|f| {
                    f.properties
                        .as_ref()
                        .and_then(|p| p.get("role"))
                        .and_then(Value::as_str)
                        == Some("key")
                })
                .filter_map(|f| {
                    let mut feature = serde_json::to_value(f).ok()?;
                    // Words for the key beside the map: a line's length and ends, an area's size
                    // and centre (the participant page writes them out).
                    if let Some(summary) = f.geometry.as_ref().and_then(grading::summary::describe)
                    {
                        feature["properties"]["summary"] = summary;
                    }
                    Some(feature)
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(json!({ "type": "FeatureCollection", "features": features }))
}

/// `GET /api/live/{code}/events`: the session's events as server-sent events, from
/// `Last-Event-ID` (or the start) on. The trainer gets every event; participants get all but
/// the others' answers. 204 once the session has ended and everything was sent, which tells
/// `EventSource` to stop reconnecting.
pub(super) async fn events(
    State(state): State<AppState>,
    MaybePerson(person): MaybePerson,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let session = session_of(&state, &code).await?;
    let audience = match viewer(&state, &session, person.as_ref(), &headers).await {
        Ok(Viewer::Trainer) => Audience::Trainer,
        Ok(_) => Audience::Participant,
        // After the end guests are gone, but their page may still catch up on the last events.
        Err(e) if session.ended_at_ms.is_none() => return Err(e),
        Err(_) => Audience::Participant,
    };
    let after = live::last_event_id(headers.get("last-event-id").and_then(|v| v.to_str().ok()));
    let first = state
        .db
        .live_events_after(
            session.live_session_id,
            after,
            audience == Audience::Trainer,
            BATCH,
        )
        .await?;
    if session.ended_at_ms.is_some() && first.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let stream = EventStream {
        db: state.db.clone(),
        rx: hub(&state).tx.subscribe(),
        session: session.live_session_id,
        audience,
        last: after,
        queue: first.into(),
        done: false,
    };
    let sse = Sse::new(futures_util::stream::unfold(stream, EventStream::next))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)));
    let mut response = sse.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Tells nginx-like proxies not to buffer the stream.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

struct EventStream {
    db: Db,
    rx: broadcast::Receiver<Wake>,
    session: i64,
    audience: Audience,
    last: i64,
    queue: VecDeque<LiveEventRow>,
    done: bool,
}

impl EventStream {
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        loop {
            if let Some(row) = self.queue.pop_front() {
                self.last = row.live_event_id;
                if row.kind == "state" && row.payload.contains("\"state\":\"ended\"") {
                    self.done = true;
                }
                let event = Event::default()
                    .id(row.live_event_id.to_string())
                    .event(row.kind)
                    .data(row.payload);
                return Some((Ok(event), self));
            }
            if self.done {
                return None;
            }
            if !self.wait().await {
                return None;
            }
            match self
                .db
                .live_events_after(
                    self.session,
                    self.last,
                    self.audience == Audience::Trainer,
                    BATCH,
                )
                .await
            {
                Ok(rows) => self.queue.extend(rows),
                // The client reconnects with its Last-Event-ID and loses nothing.
                Err(e) => {
                    tracing::warn!(error = %e, "live stream cannot read events");
                    return None;
                }
            }
        }
    }

    /// Waits until there may be something new for this stream; false when the hub is gone.
    async fn wait(&mut self) -> bool {
        let deadline = tokio::time::Instant::now() + POLL;
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Err(_) => return true,
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => return true,
                Ok(Err(broadcast::error::RecvError::Closed)) => return false,
                Ok(Ok(w)) => {
                    let resync = w.session == 0;
                    let ours = w.session == self.session
                        && w.event > self.last
                        && self.audience.sees(w.trainer_only);
                    if resync || ours {
                        return true;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_parse() {
        let w = parse_note("12:345:1").expect("a note");
        assert_eq!((w.session, w.event, w.trainer_only), (12, 345, true));
        assert!(parse_note("12:x:0").is_none());
        assert!(parse_note("12").is_none());
    }
}
