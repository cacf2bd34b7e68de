//! The admin's list of people and the creation of a person. A new person gets no password: the
//! admin hands them an invitation link, and they choose their own.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{OriginalUri, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{
    OrgChoice, PersonView, SecretPage, all_of, capability_choices, one_of, person_view,
    placement_choices,
};
use crate::auth::links;
use crate::db::{
    AuditEvent, Capability, InsertRefused, LinkPurpose, NewPerson, PeopleQuery, REGIONS,
    is_plausible_email,
};
use crate::i18n::Lang;
use crate::web::audit::record;
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::lang::ReqLang;
use crate::web::pages::Chrome;
use crate::web::session::Admin;
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "admin_people.html")]
pub(super) struct PeoplePage {
    chrome: Chrome,
    q: String,
    region: String,
    regions: Vec<(String, String)>,
    people: Vec<PersonView>,
}

#[derive(Debug, Deserialize)]
pub(super) struct PeopleFilter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    region: String,
}

pub(super) async fn list(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    Admin(admin): Admin,
    Query(filter): Query<PeopleFilter>,
) -> Result<PeoplePage, AppError> {
    let t = lang.strings();
    let regions = state.db.regions().await?;
    let query = PeopleQuery {
        text: Some(filter.q.clone()),
        region_id: Some(filter.region.clone()).filter(|r| !r.is_empty()),
        limit: 500,
    };
    let people = state
        .db
        .people_in_scope(&admin.scope(), &query)
        .await?
        .iter()
        .map(|row| person_view(t, row, &regions))
        .collect();
    Ok(PeoplePage {
        chrome: Chrome::new(lang, &uri),
        q: filter.q,
        region: filter.region,
        regions,
        people,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_person_new.html")]
struct NewPersonPage {
    chrome: Chrome,
    csrf: String,
    error: Option<&'static str>,
    email: String,
    name: String,
    regions: Vec<(String, String)>,
    region: String,
    organisations: Vec<OrgChoice>,
    capability_choices: Vec<(&'static str, &'static str, bool)>,
}

/// What the form held, to show it again with an error.
struct Typed<'a> {
    email: &'a str,
    name: &'a str,
    region: &'a str,
    organisation: Option<i64>,
    capabilities: &'a [Capability],
}

async fn render_new(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    csrf: &str,
    typed: &Typed<'_>,
    error: Option<&'static str>,
) -> Result<Response, AppError> {
    let t = lang.strings();
    let placement = placement_choices(&state.db, typed.region, typed.organisation).await?;
    let page = NewPersonPage {
        chrome: Chrome::new(lang, uri),
        csrf: csrf.to_owned(),
        error,
        email: typed.email.to_owned(),
        name: typed.name.to_owned(),
        regions: placement.regions,
        region: placement.region,
        organisations: placement.organisations,
        capability_choices: capability_choices(t, typed.capabilities),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, page).into_response())
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    Admin(admin): Admin,
) -> Result<Response, AppError> {
    let typed = Typed {
        email: "",
        name: "",
        region: &admin.region_id,
        organisation: None,
        capabilities: &[],
    };
    render_new(&state, lang, &uri, &admin.csrf_token, &typed, None).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    ClientAddr(client): ClientAddr,
    Admin(admin): Admin,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let t = &lang.strings().admin;
    let email = one_of(&pairs, "email").trim();
    let name = one_of(&pairs, "display_name").trim();
    let region = one_of(&pairs, "region_id");
    let organisation = one_of(&pairs, "organisation_id").parse::<i64>().ok();
    let capabilities: Vec<Capability> = all_of(&pairs, "capability")
        .filter_map(Capability::parse)
        .collect();
    let typed = Typed {
        email,
        name,
        region,
        organisation,
        capabilities: &capabilities,
    };
    let problem = if !is_plausible_email(email) {
        Some(t.email_invalid)
    } else if name.is_empty() || name.chars().count() > 200 {
        Some(t.name_required)
    } else if !REGIONS.contains(&region) {
        Some(t.region_invalid)
    } else {
        None
    };
    if problem.is_some() {
        return render_new(&state, lang, &uri, &admin.csrf_token, &typed, problem).await;
    }
    let new = NewPerson {
        email,
        display_name: name,
        region_id: region,
        organisation_id: organisation,
        password_hash: None,
        capabilities: &capabilities,
    };
    let person_id = match state.db.insert_person(&new).await? {
        Ok(id) => id,
        Err(refused) => {
            let message = match refused {
                InsertRefused::EmailTaken => t.email_taken,
                InsertRefused::BadOrganisation => t.organisation_mismatch,
                InsertRefused::DemoPresent => t.demo_present,
            };
            return render_new(&state, lang, &uri, &admin.csrf_token, &typed, Some(message)).await;
        }
    };
    let target = format!("person:{person_id}");
    let detail = capabilities
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let client = client.map(|c| c.to_string());
    record(
        &state,
        AuditEvent {
            actor: Some(admin.id),
            action: "person_create",
            target: Some(&target),
            outcome: "success",
            detail: Some(&detail),
            client_addr: client.as_deref(),
        },
    )
    .await;
    let link = links::issue(
        &state.db,
        &state.config.public_url,
        person_id,
        LinkPurpose::Invite,
        Some(admin.id),
    )
    .await?;
    record(
        &state,
        AuditEvent {
            actor: Some(admin.id),
            action: "link_issue",
            target: Some(&target),
            outcome: "success",
            detail: Some(LinkPurpose::Invite.as_str()),
            client_addr: client.as_deref(),
        },
    )
    .await;
    Ok((
        StatusCode::CREATED,
        SecretPage {
            chrome: Chrome::new(lang, &uri),
            heading: t.link_heading,
            intro: t.link_intro,
            label: t.link_label,
            secret: link,
            person_id,
        },
    )
        .into_response())
}
