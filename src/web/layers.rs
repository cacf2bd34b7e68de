//! `GET /api/layers/{name}`: a map layer as GeoJSON, served as authored.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::error::AppError;
use crate::content::Catalog;

pub(super) async fn layer(
    State(catalog): State<Arc<Catalog>>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let name = name.strip_suffix(".geojson").unwrap_or(&name);
    let layer = catalog.layer(name).ok_or(AppError::NotFound)?;
    let mut response = axum::body::Bytes::copy_from_slice(&layer.geojson).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    // Layers change only with a deploy; an hour keeps maps fast without serving stale data long.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(response)
}
