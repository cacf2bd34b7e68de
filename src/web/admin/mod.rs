//! `/admin…`: people, their capabilities, regions and organisations, invitation and reset
//! links, API tokens, pseudonymisation, and the audit log. Every handler takes the [`Admin`]
//! extractor, so a page here cannot be reached without the capability (others get 404), and
//! every change is audited.

mod audit_log;
mod organisations;
mod people;
mod person;
mod tokens;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::OriginalUri;
use axum::routing::{get, post};

use super::account::capability_label;
use super::error::AppError;
use super::lang::ReqLang;
use super::pages::Chrome;
use super::session::Admin;
use super::state::AppState;
use crate::db::{Capability, Db, OrganisationRow, PersonRow};
use crate::i18n::Strings;
use crate::progress::time::rfc3339;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index))
        .route("/admin/people", get(people::list).post(people::create))
        .route("/admin/people/new", get(people::new_form))
        .route("/admin/people/{id}", get(person::page))
        .route(
            "/admin/people/{id}/capabilities",
            post(person::set_capabilities),
        )
        .route("/admin/people/{id}/placement", post(person::set_placement))
        .route("/admin/people/{id}/disable", post(person::disable))
        .route("/admin/people/{id}/enable", post(person::enable))
        .route("/admin/people/{id}/reset-link", post(person::reset_link))
        .route(
            "/admin/people/{id}/pseudonymise",
            post(person::pseudonymise),
        )
        .route("/admin/people/{id}/tokens", post(tokens::create))
        .route("/admin/tokens", get(tokens::list))
        .route("/admin/tokens/{id}/revoke", post(tokens::revoke))
        .route(
            "/admin/organisations",
            get(organisations::list).post(organisations::create),
        )
        .route("/admin/audit", get(audit_log::page))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_index.html")]
struct IndexPage {
    chrome: Chrome,
}

async fn index(
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    Admin(_): Admin,
) -> IndexPage {
    IndexPage {
        chrome: Chrome::new(lang, &uri),
    }
}

/// An id from the path; anything else is simply not found.
fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// `2026-03-05 14:22 UTC`.
fn when(ms: i64) -> String {
    let text = rfc3339(ms);
    format!("{} UTC", text.get(..16).unwrap_or(&text).replace('T', " "))
}

/// A person's capabilities for a table cell, e.g. "Utbildare, Chef".
fn capability_list(t: &Strings, capabilities: &[Capability]) -> String {
    if capabilities.is_empty() {
        return t.account.learner.to_owned();
    }
    capabilities
        .iter()
        .map(|c| capability_label(t, *c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn status_label(t: &Strings, row: &PersonRow) -> &'static str {
    if row.pseudonymised > 0 {
        t.admin.status_pseudonymised
    } else if row.disabled > 0 {
        t.admin.status_disabled
    } else if row.has_password == 0 {
        t.admin.status_invited
    } else {
        t.admin.status_active
    }
}

fn kind_label(t: &Strings, kind: &str) -> &'static str {
    match kind {
        "region" => t.admin.kind_region,
        "municipality" => t.admin.kind_municipality,
        "county_board" => t.admin.kind_county_board,
        _ => t.admin.kind_authority,
    }
}

/// A person as the admin tables and pages show them.
struct PersonView {
    id: i64,
    name: String,
    email: String,
    region: String,
    organisation: String,
    capabilities: String,
    status: &'static str,
}

fn person_view(t: &Strings, row: &PersonRow, regions: &[(String, String)]) -> PersonView {
    PersonView {
        id: row.person_id,
        name: row.display_name.clone(),
        email: row.email.clone(),
        region: region_name(regions, &row.region_id),
        organisation: row.organisation_name.clone().unwrap_or_default(),
        capabilities: capability_list(t, &row.capabilities()),
        status: status_label(t, row),
    }
}

fn region_name(regions: &[(String, String)], id: &str) -> String {
    regions
        .iter()
        .find(|(region_id, _)| region_id == id)
        .map_or_else(|| id.to_owned(), |(_, name)| name.clone())
}

/// An organisation in a select list.
struct OrgChoice {
    id: i64,
    label: String,
    selected: bool,
}

/// The region and organisation choices of a form, with the current ones selected.
struct Placement {
    regions: Vec<(String, String)>,
    region: String,
    organisations: Vec<OrgChoice>,
}

async fn placement_choices(
    db: &Db,
    region: &str,
    organisation: Option<i64>,
) -> Result<Placement, AppError> {
    let regions = db.regions().await?;
    let organisations = db
        .organisations(None)
        .await?
        .into_iter()
        .map(|o: OrganisationRow| OrgChoice {
            id: o.organisation_id,
            label: format!("{} ({})", o.name, region_name(&regions, &o.region_id)),
            selected: Some(o.organisation_id) == organisation,
        })
        .collect();
    Ok(Placement {
        regions,
        region: region.to_owned(),
        organisations,
    })
}

/// The capability checkboxes: (value, label, checked).
fn capability_choices(t: &Strings, held: &[Capability]) -> Vec<(&'static str, &'static str, bool)> {
    Capability::ALL
        .iter()
        .map(|c| (c.as_str(), capability_label(t, *c), held.contains(c)))
        .collect()
}

/// The values of a form field that may repeat (checkboxes).
fn all_of<'a>(pairs: &'a [(String, String)], name: &str) -> impl Iterator<Item = &'a str> {
    pairs
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The one value of a form field ("" when absent).
fn one_of<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    all_of(pairs, name).next().unwrap_or_default()
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_secret.html")]
struct SecretPage {
    chrome: Chrome,
    heading: &'static str,
    intro: &'static str,
    label: &'static str,
    secret: String,
    person_id: i64,
}
