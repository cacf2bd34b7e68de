//! The organisations people belong to, listed and added by an admin.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{OriginalUri, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::{kind_label, one_of, region_name};
use crate::db::{AuditEvent, NewOrganisation, ORGANISATION_KINDS};
use crate::i18n::Lang;
use crate::web::audit::record;
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::lang::ReqLang;
use crate::web::login::redirect;
use crate::web::pages::Chrome;
use crate::web::session::Admin;
use crate::web::state::AppState;

struct OrgView {
    name: String,
    kind: &'static str,
    region: String,
    code: String,
    people: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_organisations.html")]
struct OrganisationsPage {
    chrome: Chrome,
    csrf: String,
    error: Option<&'static str>,
    organisations: Vec<OrgView>,
    kinds: Vec<(&'static str, &'static str)>,
    regions: Vec<(String, String)>,
}

async fn render(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    csrf: &str,
    error: Option<&'static str>,
) -> Result<Response, AppError> {
    let t = lang.strings();
    let regions = state.db.regions().await?;
    let organisations = state
        .db
        .organisations(None)
        .await?
        .into_iter()
        .map(|o| OrgView {
            kind: kind_label(t, &o.kind),
            region: region_name(&regions, &o.region_id),
            code: o.municipality_code.unwrap_or_default(),
            people: o.people,
            name: o.name,
        })
        .collect();
    let page = OrganisationsPage {
        chrome: Chrome::new(lang, uri),
        csrf: csrf.to_owned(),
        error,
        organisations,
        kinds: ORGANISATION_KINDS
            .iter()
            .map(|k| (*k, kind_label(t, k)))
            .collect(),
        regions,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, page).into_response())
}

pub(super) async fn list(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    Admin(admin): Admin,
) -> Result<Response, AppError> {
    render(&state, lang, &uri, &admin.csrf_token, None).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    ClientAddr(client): ClientAddr,
    Admin(admin): Admin,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let code = one_of(&pairs, "municipality_code");
    let new = NewOrganisation {
        name: one_of(&pairs, "name"),
        kind: one_of(&pairs, "kind"),
        region_id: one_of(&pairs, "region_id"),
        municipality_code: Some(code).filter(|c| !c.trim().is_empty()),
    };
    let Ok(organisation_id) = state.db.insert_organisation(&new).await? else {
        let error = Some(lang.strings().admin.organisation_refused);
        return render(&state, lang, &uri, &admin.csrf_token, error).await;
    };
    let target = format!("organisation:{organisation_id}");
    let client = client.map(|c| c.to_string());
    record(
        &state,
        AuditEvent {
            actor: Some(admin.id),
            action: "organisation_create",
            target: Some(&target),
            outcome: "success",
            detail: None,
            client_addr: client.as_deref(),
        },
    )
    .await;
    Ok(redirect("/admin/organisations"))
}
