//! Writing the audit log from the web layer: denials (404 for a missing capability or an
//! out-of-scope id, 403 for a failed origin or CSRF check) and the outcomes handlers report.
//! An audit write that fails is logged and does not change the answer: the person still gets
//! the refusal or the result they were due.

use axum::http::request::Parts;

use super::client::client_addr;
use super::error::AppError;
use super::state::AppState;
use crate::db::AuditEvent;

/// Writes one event; a failure is logged, never returned.
pub(super) async fn record(state: &AppState, event: AuditEvent<'_>) {
    if let Err(e) = state.db.audit(event).await {
        tracing::error!(error = %e, action = event.action, "cannot write the audit log");
    }
}

/// Writes a change `actor` made to `target` (`kind:id`), with the client's address.
pub(super) async fn record_change(
    state: &AppState,
    actor: i64,
    action: &str,
    target: &str,
    client: Option<std::net::IpAddr>,
    detail: Option<&str>,
) {
    let client = client.map(|c| c.to_string());
    record(
        state,
        AuditEvent {
            actor: Some(actor),
            action,
            target: Some(target),
            outcome: "success",
            detail,
            client_addr: client.as_deref(),
        },
    )
    .await;
}

/// `METHOD /path` of a request: the query is left out (it may hold a link token).
pub(super) fn request_target(parts: &Parts) -> String {
    format!("{} {}", parts.method, parts.uri.path())
}

/// Audits a denial and returns the 404 that hides it.
pub(super) async fn deny(
    state: &AppState,
    parts: &Parts,
    actor: Option<i64>,
    reason: &str,
) -> AppError {
    let client =
        client_addr(&parts.extensions, &parts.headers, &state.config).map(|a| a.to_string());
    let target = request_target(parts);
    record(
        state,
        AuditEvent {
            actor,
            action: "access",
            target: Some(&target),
            outcome: "denied",
            detail: Some(reason),
            client_addr: client.as_deref(),
        },
    )
    .await;
    AppError::NotFound
}

/// The answer to an attempt id the caller may not see: 404 either way, audited as a denial
/// when the attempt exists (an id out of scope, not a mistyped one).
pub(super) async fn attempt_out_of_scope(
    state: &AppState,
    actor: i64,
    attempt_id: i64,
) -> AppError {
    match state.db.attempt_exists(attempt_id).await {
        Ok(true) => {
            let target = format!("attempt:{attempt_id}");
            record(
                state,
                AuditEvent {
                    actor: Some(actor),
                    action: "access",
                    target: Some(&target),
                    outcome: "denied",
                    detail: Some("scope"),
                    client_addr: None,
                },
            )
            .await;
            AppError::NotFound
        }
        Ok(false) => AppError::NotFound,
        Err(e) => e.into(),
    }
}
