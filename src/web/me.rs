//! `GET /api/me`: who the caller is, by session or API token, and what their scope covers. A
//! machine can check its token with it before pulling data.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::session::Reader;

pub(super) async fn me(reader: Reader) -> Response {
    let scope = &reader.scope;
    let capabilities: Vec<&str> = [
        (scope.is_trainer(), "trainer"),
        (scope.is_manager(), "manager"),
        (scope.is_admin(), "admin"),
    ]
    .into_iter()
    .filter(|(held, _)| *held)
    .map(|(_, name)| name)
    .collect();
    Json(json!({
        "person_id": reader.person_id,
        "region": scope.region_id(),
        "capabilities": capabilities,
        "via_token": reader.via_token,
    }))
    .into_response()
}
