//! The audit log as an admin reads it: the latest events, or those by or about one person.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{OriginalUri, Query, State};
use serde::Deserialize;

use super::when;
use crate::web::error::AppError;
use crate::web::lang::ReqLang;
use crate::web::pages::Chrome;
use crate::web::session::Admin;
use crate::web::state::AppState;

struct EventView {
    when: String,
    who: String,
    action: String,
    target: String,
    outcome: String,
    detail: String,
    address: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_audit.html")]
pub(super) struct AuditPage {
    chrome: Chrome,
    events: Vec<EventView>,
}

#[derive(Debug, Deserialize)]
pub(super) struct AuditFilter {
    person: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    Admin(_): Admin,
    Query(filter): Query<AuditFilter>,
) -> Result<AuditPage, AppError> {
    let person = filter.person.and_then(|p| p.parse::<i64>().ok());
    let events = state
        .db
        .audit_events(person, 500)
        .await?
        .into_iter()
        .map(|e| EventView {
            when: when(e.at_ms),
            who: match (e.actor_person_id, e.actor_name) {
                (Some(id), Some(name)) => format!("{name} ({id})"),
                (Some(id), None) => id.to_string(),
                (None, _) => "–".to_owned(),
            },
            action: e.action,
            target: e.target.unwrap_or_default(),
            outcome: e.outcome,
            detail: e.detail.unwrap_or_default(),
            address: e.client_addr.unwrap_or_default(),
        })
        .collect();
    Ok(AuditPage {
        chrome: Chrome::new(lang, &uri),
        events,
    })
}
