//! One person, as an admin sees and changes them: capabilities, region and organisation,
//! disabling, a new invitation or reset link, and pseudonymisation. An admin cannot take away
//! their own admin capability, disable or pseudonymise themselves (so the service always keeps
//! an admin who can log in); every change is audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{
    OrgChoice, PersonView, SecretPage, all_of, capability_choices, one_of, parse_id, person_view,
    placement_choices, when,
};
use crate::auth::AuthError;
use crate::auth::links;
use crate::auth::token::new_pseudonym;
use crate::db::{Capability, LinkPurpose, Placement, REGIONS, now_ms};
use crate::i18n::Lang;
use crate::web::audit::record_change;
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::lang::ReqLang;
use crate::web::login::redirect;
use crate::web::pages::Chrome;
use crate::web::session::{Admin, Person};
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "admin_person.html")]
struct PersonPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<&'static str>,
    error: Option<&'static str>,
    person: PersonView,
    pseudonymised: bool,
    disabled: bool,
    has_password: bool,
    capability_choices: Vec<(&'static str, &'static str, bool)>,
    regions: Vec<(String, String)>,
    region: String,
    organisations: Vec<OrgChoice>,
    tokens: Vec<String>,
}

struct Shown<'a> {
    lang: Lang,
    uri: &'a Uri,
    notice: Option<&'static str>,
    error: Option<&'static str>,
}

async fn render(
    state: &AppState,
    admin: &Person,
    person_id: i64,
    shown: Shown<'_>,
) -> Result<Response, AppError> {
    let t = shown.lang.strings();
    let row = state
        .db
        .person_in_scope(&admin.scope(), person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let regions = state.db.regions().await?;
    let placement = placement_choices(&state.db, &row.region_id, row.organisation_id).await?;
    let now = now_ms();
    let tokens = state
        .db
        .api_tokens(Some(person_id))
        .await?
        .iter()
        .map(|token| {
            let status = if token.revoked_at_ms.is_some() {
                t.admin.status_revoked
            } else if token.expires_at_ms.is_some_and(|e| e <= now) {
                t.admin.status_expired
            } else {
                t.admin.status_active
            };
            format!("{} ({}, {})", token.name, when(token.created_at_ms), status)
        })
        .collect();
    let page = PersonPage {
        chrome: Chrome::new(shown.lang, shown.uri),
        csrf: admin.csrf_token.clone(),
        notice: shown.notice,
        error: shown.error,
        person: person_view(t, &row, &regions),
        pseudonymised: row.pseudonymised > 0,
        disabled: row.disabled > 0,
        has_password: row.has_password > 0,
        capability_choices: capability_choices(t, &row.capabilities()),
        regions: placement.regions,
        region: placement.region,
        organisations: placement.organisations,
        tokens,
    };
    let status = if shown.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct DoneQuery {
    done: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    Admin(admin): Admin,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let t = &lang.strings().admin;
    let notice = match q.done.as_deref() {
        Some("saved") => Some(t.saved),
        Some("disabled") => Some(t.disabled_notice),
        Some("enabled") => Some(t.enabled_notice),
        Some("pseudonymised") => Some(t.pseudonymised_notice),
        _ => None,
    };
    let shown = Shown {
        lang,
        uri: &uri,
        notice,
        error: None,
    };
    render(&state, &admin, parse_id(&id)?, shown).await
}

/// Writes an admin's change to the audit log.
async fn audit(
    state: &AppState,
    admin: &Person,
    client: ClientAddr,
    action: &str,
    person_id: i64,
    detail: Option<&str>,
) {
    let target = format!("person:{person_id}");
    record_change(state, admin.id, action, &target, client.0, detail).await;
}

fn back(person_id: i64, done: &str) -> Response {
    redirect(&format!("/admin/people/{person_id}?done={done}"))
}

pub(super) async fn set_capabilities(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    client: ClientAddr,
    Admin(admin): Admin,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let person_id = parse_id(&id)?;
    let mut capabilities: Vec<Capability> = all_of(&pairs, "capability")
        .filter_map(Capability::parse)
        .collect();
    capabilities.sort();
    capabilities.dedup();
    if person_id == admin.id && !capabilities.contains(&Capability::Admin) {
        let shown = Shown {
            lang,
            uri: &uri,
            notice: None,
            error: Some(lang.strings().admin.self_change),
        };
        return render(&state, &admin, person_id, shown).await;
    }
    let before = state
        .db
        .set_capabilities(&admin.scope(), person_id, &capabilities)
        .await?
        .ok_or(AppError::NotFound)?;
    let names = |list: &[Capability]| {
        list.iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    let detail = format!("{} -> {}", names(&before), names(&capabilities));
    audit(
        &state,
        &admin,
        client,
        "capability_change",
        person_id,
        Some(&detail),
    )
    .await;
    Ok(back(person_id, "saved"))
}

pub(super) async fn set_placement(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    client: ClientAddr,
    Admin(admin): Admin,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let person_id = parse_id(&id)?;
    let region = one_of(&pairs, "region_id");
    let organisation = one_of(&pairs, "organisation_id").parse::<i64>().ok();
    let placement = Placement {
        region_id: region,
        organisation_id: organisation,
    };
    let changed = REGIONS.contains(&region)
        && state
            .db
            .set_placement(&admin.scope(), person_id, placement)
            .await?;
    if !changed {
        let shown = Shown {
            lang,
            uri: &uri,
            notice: None,
            error: Some(lang.strings().admin.organisation_mismatch),
        };
        return render(&state, &admin, person_id, shown).await;
    }
    let detail = format!(
        "region={region} organisation={}",
        organisation.map_or_else(|| "none".to_owned(), |o| o.to_string())
    );
    audit(
        &state,
        &admin,
        client,
        "placement_change",
        person_id,
        Some(&detail),
    )
    .await;
    Ok(back(person_id, "saved"))
}

async fn set_disabled(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    client: ClientAddr,
    admin: &Person,
    person_id: i64,
    disabled: bool,
) -> Result<Response, AppError> {
    if disabled && person_id == admin.id {
        let shown = Shown {
            lang,
            uri,
            notice: None,
            error: Some(lang.strings().admin.self_change),
        };
        return render(state, admin, person_id, shown).await;
    }
    if !state
        .db
        .set_disabled(&admin.scope(), person_id, disabled)
        .await?
    {
        return Err(AppError::NotFound);
    }
    let (action, done) = if disabled {
        ("disable", "disabled")
    } else {
        ("enable", "enabled")
    };
    audit(state, admin, client, action, person_id, None).await;
    Ok(back(person_id, done))
}

pub(super) async fn disable(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    client: ClientAddr,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_disabled(&state, lang, &uri, client, &admin, parse_id(&id)?, true).await
}

pub(super) async fn enable(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    client: ClientAddr,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_disabled(&state, lang, &uri, client, &admin, parse_id(&id)?, false).await
}

/// A new link for the person to choose a password: an invitation if they never had one, a
/// reset otherwise. Shown once.
pub(super) async fn reset_link(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    client: ClientAddr,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let t = &lang.strings().admin;
    let person_id = parse_id(&id)?;
    let row = state
        .db
        .person_in_scope(&admin.scope(), person_id)
        .await?
        .filter(|row| row.pseudonymised == 0 && row.disabled == 0)
        .ok_or(AppError::NotFound)?;
    let purpose = if row.has_password > 0 {
        LinkPurpose::Reset
    } else {
        LinkPurpose::Invite
    };
    let link = links::issue(
        &state.db,
        &state.config.public_url,
        person_id,
        purpose,
        Some(admin.id),
    )
    .await?;
    audit(
        &state,
        &admin,
        client,
        "link_issue",
        person_id,
        Some(purpose.as_str()),
    )
    .await;
    Ok(SecretPage {
        chrome: Chrome::new(lang, &uri),
        heading: t.link_heading,
        intro: t.link_intro,
        label: t.link_label,
        secret: link,
        person_id,
    }
    .into_response())
}

pub(super) async fn pseudonymise(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    client: ClientAddr,
    Admin(admin): Admin,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let t = &lang.strings().admin;
    let person_id = parse_id(&id)?;
    let error = if person_id == admin.id {
        Some(t.self_change)
    } else if one_of(&pairs, "confirm") != "yes" {
        Some(t.confirm_required)
    } else {
        None
    };
    if error.is_some() {
        let shown = Shown {
            lang,
            uri: &uri,
            notice: None,
            error,
        };
        return render(&state, &admin, person_id, shown).await;
    }
    let pseudonym = new_pseudonym().map_err(AuthError::from)?;
    if !state
        .db
        .pseudonymise(&admin.scope(), person_id, &pseudonym)
        .await?
    {
        return Err(AppError::NotFound);
    }
    audit(&state, &admin, client, "pseudonymise", person_id, None).await;
    Ok(back(person_id, "pseudonymised"))
}
