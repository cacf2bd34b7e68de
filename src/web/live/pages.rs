//! The live pages: the trainer's start form and big-screen view (under `/cohorts/live`), and
//! the participant page (`/live/{code}`). The trainer's view is a shell for static/js/live/;
//! the participant page runs the exercise player (static/js/player/) in its live mode.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{OriginalUri, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::super::assets::asset_url;
use super::super::error::AppError;
use super::super::exercises::{player_config, script_json};
use super::super::lang::ReqLang;
use super::super::pages::Chrome;
use super::super::session::{MaybePerson, Trainer};
use super::super::state::AppState;
use super::{exercise, guests_welcome, session_of, start_session, state_of, viewer};
use crate::content::markdown;
use crate::db::LiveSessionRow;
use crate::i18n::Lang;
use crate::live::LiveState;

pub(crate) struct Choice {
    id: String,
    title: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "live_start.html")]
pub(crate) struct StartPage {
    chrome: Chrome,
    csrf: String,
    exercises: Vec<Choice>,
}

/// `GET /cohorts/live`: the trainer picks an exercise and starts.
pub(crate) async fn start_form(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    Trainer(trainer): Trainer,
) -> StartPage {
    StartPage {
        chrome: Chrome::new(lang, &uri),
        csrf: trainer.csrf_token,
        exercises: choices(&state, lang),
    }
}

fn choices(state: &AppState, lang: crate::i18n::Lang) -> Vec<Choice> {
    state
        .catalog
        .exercises
        .values()
        .map(|e| Choice {
            id: e.id.clone(),
            title: e.title.get(lang).to_owned(),
        })
        .collect()
}

#[derive(Deserialize)]
pub(crate) struct StartForm {
    exercise_id: String,
    /// A checkbox: present ("1") when ticked.
    allow_guests: Option<String>,
}

/// `POST /cohorts/live`: starts the session and shows the trainer's view.
pub(crate) async fn start_submit(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Form(form): Form<StartForm>,
) -> Result<Response, AppError> {
    let session = start_session(
        &state,
        trainer.id,
        &form.exercise_id,
        form.allow_guests.is_some(),
    )
    .await?;
    Ok(Redirect::to(&format!("/cohorts/live/{}", session.code)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "live_trainer.html")]
pub(crate) struct TrainerPage {
    chrome: Chrome,
    code: String,
    join_url: String,
    qr_svg: String,
    exercises: Vec<Choice>,
    config_json: String,
    ol_css: String,
    ol_js: String,
    proj4_js: String,
    live_css: String,
    trainer_js: String,
}

/// `GET /cohorts/live/{code}`: the big-screen view; 404 for anyone but the session's trainer.
pub(crate) async fn trainer_page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    Trainer(trainer): Trainer,
    Path(code): Path<String>,
) -> Result<TrainerPage, AppError> {
    let session = session_of(&state, &code).await?;
    if session.trainer_id != trainer.id {
        return Err(AppError::NotFound);
    }
    let join_url = format!(
        "{}/live/{}",
        state.config.public_url.trim_end_matches('/'),
        session.code
    );
    let config = json!({
        "code": session.code,
        "events_url": format!("/api/live/{}/events", session.code),
        "control_url": format!("/api/live/{}/control", session.code),
        "lang": lang.code(),
        "tile_url": state.config.tile_url,
        "strings": lang.strings().live,
    });
    Ok(TrainerPage {
        chrome: Chrome::new(lang, &uri),
        qr_svg: qr_svg(&join_url)?,
        join_url,
        code: session.code,
        exercises: choices(&state, lang),
        config_json: script_json(&config),
        ol_css: asset_url("vendor/ol.css"),
        ol_js: asset_url("vendor/ol.js"),
        proj4_js: asset_url("vendor/proj4.js"),
        live_css: asset_url("css/live.css"),
        trainer_js: asset_url("js/live/trainer.js"),
    })
}

/// The join link as an inline SVG QR code, drawn on the server (no script, no external service).
fn qr_svg(url: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::Internal(format!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .build();
    // The renderer writes an XML declaration first, which has no place inside HTML.
    Ok(svg
        .find("<svg")
        .map_or(svg.clone(), |start| svg[start..].to_owned()))
}

/// The scripts and styles of the participant page.
pub(crate) struct ParticipantAssets {
    ol_css: String,
    ol_js: String,
    proj4_js: String,
    player_css: String,
    player_js: String,
    live_css: String,
    participant_js: String,
}

impl ParticipantAssets {
    fn new() -> Self {
        ParticipantAssets {
            ol_css: asset_url("vendor/ol.css"),
            ol_js: asset_url("vendor/ol.js"),
            proj4_js: asset_url("vendor/proj4.js"),
            player_css: asset_url("css/player.css"),
            player_js: asset_url("js/player/main.js"),
            live_css: asset_url("css/live.css"),
            participant_js: asset_url("js/live/participant.js"),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "live_participant.html")]
pub(crate) struct ParticipantPage {
    chrome: Chrome,
    code: String,
    /// Logged in, or guests welcome: the page can take part.
    can_join: bool,
    needs_name: bool,
    login_href: String,
    /// Where the session stands, in words (empty before a guest has joined).
    status: &'static str,
    /// Joined and the session not over: the round's exercise is shown in the player.
    playing: bool,
    title: String,
    prompt_html: String,
    map_description: String,
    /// The player's configuration (only when `playing`).
    config_json: String,
    /// The guest form's (participant.js).
    live_config_json: String,
    assets: ParticipantAssets,
}

/// `GET /live/{code}`: the participant page. Someone who has not joined yet gets the guest name
/// form (or a login link); a participant gets the current round's exercise in the player, which
/// sends the answer to `POST /api/live/{code}/answers` and follows the trainer's event stream.
pub(crate) async fn participant_page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    MaybePerson(person): MaybePerson,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<ParticipantPage, AppError> {
    let session = session_of(&state, &code).await?;
    let guests = guests_welcome(&session);
    let joined = match viewer(&state, &session, person.as_ref(), &headers).await {
        Ok(_) => true,
        Err(AppError::Unauthenticated) => false,
        Err(other) => return Err(other),
    };
    let live_state = state_of(&session)?;
    let t = lang.strings().live;
    let login_href = format!("/login?next=%2Flive%2F{}", session.code);
    let status = match live_state {
        _ if !joined => "",
        LiveState::Open => t.open,
        LiveState::Closed => t.closed,
        LiveState::Revealed => t.revealed,
        LiveState::Ended => t.ended,
    };
    // Joined and the session not over: the round's exercise in the player.
    let round = if joined && live_state != LiveState::Ended {
        Some(round_of(&state, &session, live_state, lang, &login_href)?)
    } else {
        None
    };
    let playing = round.is_some();
    let Round {
        title,
        prompt_html,
        map_description,
        config_json,
    } = round.unwrap_or_default();
    let live_config = json!({
        "guests_url": format!("/api/live/{}/guests", session.code),
        "strings": t,
    });
    Ok(ParticipantPage {
        chrome: Chrome::new(lang, &uri),
        login_href,
        code: session.code,
        can_join: joined || guests,
        needs_name: !joined && guests,
        status,
        playing,
        title,
        prompt_html,
        map_description,
        config_json,
        live_config_json: script_json(&live_config),
        assets: ParticipantAssets::new(),
    })
}

/// What the participant page shows of the current round: its exercise, and the player's
/// configuration in live mode (answers to the session, the trainer's event stream).
#[derive(Default)]
struct Round {
    title: String,
    prompt_html: String,
    map_description: String,
    config_json: String,
}

fn round_of(
    state: &AppState,
    session: &LiveSessionRow,
    live_state: LiveState,
    lang: Lang,
    login_href: &str,
) -> Result<Round, AppError> {
    let exercise = exercise(state, &session.exercise_id)?;
    let mut config = player_config(
        state,
        lang,
        &exercise.id,
        &format!("/api/live/{}/answers", session.code),
        true,
        login_href,
    );
    config["live"] = json!({
        "code": session.code,
        "round": session.round,
        "state": live_state.as_str(),
        "events_url": format!("/api/live/{}/events", session.code),
        "strings": lang.strings().live,
    });
    Ok(Round {
        title: exercise.title.get(lang).to_owned(),
        prompt_html: markdown::render_inline(exercise.prompt.get(lang)),
        map_description: exercise.map_description(lang).to_owned(),
        config_json: script_json(&config),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_bare_svg() {
        let svg = qr_svg("http://127.0.0.1:8080/live/K7P4QM").expect("svg");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(!svg.contains("<?xml"));
    }
}
