//! API tokens as an admin makes and revokes them: read-only, scoped like their owner, shown
//! once (only the hash is kept).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{SecretPage, one_of, parse_id, when};
use crate::auth::AuthError;
use crate::auth::token::{new_api_token, token_hash};
use crate::db::{AuditEvent, now_ms};
use crate::web::audit::record;
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::lang::ReqLang;
use crate::web::login::redirect;
use crate::web::pages::Chrome;
use crate::web::session::Admin;
use crate::web::state::AppState;

struct TokenView {
    id: i64,
    person_id: i64,
    name: String,
    owner: String,
    created: String,
    last_used: String,
    status: &'static str,
    live: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_tokens.html")]
pub(super) struct TokensPage {
    chrome: Chrome,
    csrf: String,
    tokens: Vec<TokenView>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    Admin(admin): Admin,
) -> Result<TokensPage, AppError> {
    let t = &lang.strings().admin;
    let now = now_ms();
    let tokens = state
        .db
        .api_tokens(None)
        .await?
        .into_iter()
        .map(|token| {
            let (status, live) = if token.revoked_at_ms.is_some() {
                (t.status_revoked, false)
            } else if token.expires_at_ms.is_some_and(|e| e <= now) {
                (t.status_expired, false)
            } else {
                (t.status_active, true)
            };
            TokenView {
                id: token.api_token_id,
                person_id: token.person_id,
                name: token.name,
                owner: token.owner_email,
                created: when(token.created_at_ms),
                last_used: token.last_used_ms.map(when).unwrap_or_default(),
                status,
                live,
            }
        })
        .collect();
    Ok(TokensPage {
        chrome: Chrome::new(lang, &uri),
        csrf: admin.csrf_token,
        tokens,
    })
}

pub(super) async fn create(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    ClientAddr(client): ClientAddr,
    Admin(admin): Admin,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let t = &lang.strings().admin;
    let person_id = parse_id(&id)?;
    let owner = state
        .db
        .person_in_scope(&admin.scope(), person_id)
        .await?
        .filter(|row| row.pseudonymised == 0)
        .ok_or(AppError::NotFound)?;
    let name = one_of(&pairs, "name").trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_request",
            Some(t.token_name_required.to_owned()),
        ));
    }
    let token = new_api_token().map_err(AuthError::from)?;
    let token_id = state
        .db
        .insert_api_token(owner.person_id, name, &token_hash(&token), now_ms(), None)
        .await?;
    let target = format!("person:{person_id}");
    let detail = format!("token:{token_id}");
    let client = client.map(|c| c.to_string());
    record(
        &state,
        AuditEvent {
            actor: Some(admin.id),
            action: "token_create",
            target: Some(&target),
            outcome: "success",
            detail: Some(&detail),
            client_addr: client.as_deref(),
        },
    )
    .await;
    Ok((
        StatusCode::CREATED,
        SecretPage {
            chrome: Chrome::new(lang, &uri),
            heading: t.token_heading,
            intro: t.token_intro,
            label: t.token_label,
            secret: token,
            person_id,
        },
    )
        .into_response())
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let token_id = parse_id(&id)?;
    if !state.db.revoke_api_token(token_id, now_ms()).await? {
        return Err(AppError::NotFound);
    }
    let target = format!("token:{token_id}");
    let client = client.map(|c| c.to_string());
    record(
        &state,
        AuditEvent {
            actor: Some(admin.id),
            action: "token_revoke",
            target: Some(&target),
            outcome: "success",
            detail: None,
            client_addr: client.as_deref(),
        },
    )
    .await;
    Ok(redirect("/admin/tokens"))
}
