//! The application's own assets (CSS, JS, OpenLayers, proj4), embedded at build time by
//! `build.rs` and served at `/assets/<version>/…` with a one-year cache: the version changes
//! whenever any asset does, so a browser never runs stale code.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::error::AppError;

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The URL of an asset, e.g. `asset_url("vendor/ol.js")`.
pub fn asset_url(name: &str) -> String {
    format!("/assets/{ASSET_VERSION}/{name}")
}

pub async fn serve(Path((version, name)): Path<(String, String)>) -> Result<Response, AppError> {
    if version != ASSET_VERSION {
        return Err(AppError::NotFound);
    }
    let (_, content_type, bytes) = ASSETS
        .iter()
        .find(|(path, _, _)| *path == name)
        .ok_or(AppError::NotFound)?;
    let mut response = (*bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
