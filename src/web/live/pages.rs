//! The live pages: the trainer's start form and big-screen view (under `/cohorts/live`), and
//! the participant page (`/live/{code}`). They are shells: the scripts in static/js/live/ follow
//! the event stream and talk to the JSON API of the parent module.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::super::assets::asset_url;
use super::super::error::AppError;
use super::super::lang::ReqLang;
use super::super::pages::Chrome;
use super::super::session::{MaybePerson, Trainer};
use super::super::state::AppState;
use super::{guests_welcome, session_of, start_session};

/// JSON safe inside `<script type="application/json">`.
fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

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

#[derive(Template, WebTemplate)]
#[template(path = "live_participant.html")]
pub(crate) struct ParticipantPage {
    chrome: Chrome,
    code: String,
    /// Logged in, or guests welcome: the page can take part.
    can_join: bool,
    needs_name: bool,
    login_href: String,
    config_json: String,
    ol_css: String,
    ol_js: String,
    live_css: String,
    participant_js: String,
}

/// `GET /live/{code}`: the participant page (a guest name form first, when that is the way in).
pub(crate) async fn participant_page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    MaybePerson(person): MaybePerson,
    Path(code): Path<String>,
) -> Result<ParticipantPage, AppError> {
    let session = session_of(&state, &code).await?;
    let guests = guests_welcome(&session);
    let config = json!({
        "code": session.code,
        "session_url": format!("/api/live/{}", session.code),
        "events_url": format!("/api/live/{}/events", session.code),
        "answers_url": format!("/api/live/{}/answers", session.code),
        "guests_url": format!("/api/live/{}/guests", session.code),
        "exercise_api": "/api/exercises/",
        "logged_in": person.is_some(),
        "tile_url": state.config.tile_url,
        "strings": lang.strings().live,
    });
    Ok(ParticipantPage {
        chrome: Chrome::new(lang, &uri),
        login_href: format!("/login?next=%2Flive%2F{}", session.code),
        code: session.code,
        can_join: person.is_some() || guests,
        needs_name: person.is_none() && guests,
        config_json: script_json(&config),
        ol_css: asset_url("vendor/ol.css"),
        ol_js: asset_url("vendor/ol.js"),
        live_css: asset_url("css/live.css"),
        participant_js: asset_url("js/live/participant.js"),
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
