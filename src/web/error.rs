//! The web layer's one error type. A handler returns it; one middleware renders it as an HTML
//! page or, under `/api/`, as the JSON body of the service spec, in the reader's language, and
//! logs it once. Internal details go to the log, never to the user.

use std::sync::Arc;

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::lang::lang_of;
use super::pages::ErrorPage;
use crate::db::DbError;
use crate::i18n::{ErrorTexts, Lang};

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// A client error with a code of the service spec's error table.
    #[error("{code}")]
    Client {
        status: StatusCode,
        code: &'static str,
        detail: Option<String>,
    },
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn client(
        status: StatusCode,
        code: &'static str,
        detail: impl Into<Option<String>>,
    ) -> Self {
        Self::Client {
            status,
            code,
            detail: detail.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Client { status, .. } => *status,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Client { code, .. } => code,
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    fn message(&self, lang: Lang) -> &'static str {
        let texts = &lang.strings().errors;
        message_for(texts, self.code())
    }
}

fn message_for(t: &ErrorTexts, code: &str) -> &'static str {
    match code {
        "not_found" => t.not_found,
        "bad_request" => t.bad_request,
        "malformed_json" => t.malformed_json,
        "unauthenticated" => t.unauthenticated,
        "cross_origin" => t.cross_origin,
        "csrf" => t.csrf,
        "attempts_exhausted" => t.attempts_exhausted,
        "session_closed" => t.session_closed,
        "body_too_large" => t.body_too_large,
        "unsupported_media_type" => t.unsupported_media_type,
        "idempotency_key_reused" => t.idempotency_key_reused,
        "too_many_requests" => t.too_many_requests,
        "unavailable" => t.unavailable,
        _ => t.internal,
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        if e.is_unavailable() {
            Self::Unavailable(e.to_string())
        } else {
            Self::Internal(e.to_string())
        }
    }
}

impl IntoResponse for AppError {
    /// Leaves the body to [`render`], which knows the request; the error travels as an extension.
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(Arc::new(self));
        response
    }
}

/// Renders (and logs) any [`AppError`] a handler returned.
pub(super) async fn render(request: Request, next: Next) -> Response {
    let lang = lang_of(request.uri(), request.headers());
    let api = request.uri().path().starts_with("/api/");
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let Some(error) = response.extensions().get::<Arc<AppError>>().cloned() else {
        return response;
    };
    match error.as_ref() {
        AppError::Internal(detail) => tracing::error!(%path, %detail, "request failed"),
        AppError::Unavailable(detail) => tracing::warn!(%path, %detail, "database unavailable"),
        other => tracing::debug!(%path, code = other.code(), "client error"),
    }
    let status = error.status();
    let message = error.message(lang);
    let mut rendered = if api {
        let mut body = json!({ "error": { "code": error.code(), "message": message } });
        if let AppError::Client {
            detail: Some(detail),
            ..
        } = error.as_ref()
        {
            body["error"]["detail"] = json!(detail);
        }
        (status, Json(body)).into_response()
    } else {
        (status, ErrorPage::new(lang, &path, status, message)).into_response()
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        rendered
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    // Keep headers the handler set deliberately (e.g. Retry-After of a throttle).
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered
                .headers_mut()
                .entry(name)
                .or_insert_with(|| value.clone());
        }
    }
    rendered
}

/// The router's fallback: every unknown path is a 404 rendered like any other error.
pub(super) async fn not_found() -> AppError {
    AppError::NotFound
}
