//! The web layer's one error type. A handler returns it; the request's edge renders it as an HTML
//! page or, under `/api/`, as the JSON body of the service spec, in the reader's language, and
//! logs it once. Internal details go to the log, never to the user.

use std::sync::Arc;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::pages::ErrorPage;
use crate::db::DbError;
use crate::grading;
use crate::i18n::{ErrorTexts, Lang};

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Not logged in: 401 on the API, a redirect to the login page elsewhere.
    #[error("unauthenticated")]
    Unauthenticated,
    /// A client error with a code of the service spec's error table.
    #[error("{code}")]
    Client {
        status: StatusCode,
        code: &'static str,
        detail: Option<String>,
    },
    /// An answer the grader refused (grading spec, "Answer errors"): its own code and message.
    #[error("{0}")]
    Answer(Arc<grading::AnswerError>),
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Grading is saturated: refused before it was done, so nothing was stored.
    #[error("busy: no grading slot within the wait limit")]
    Busy,
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
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Client { status, .. } => *status,
            Self::Answer(e) if e.code() == "malformed_json" => StatusCode::BAD_REQUEST,
            Self::Answer(e) if e.code() == "body_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Answer(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable(_) | Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Unauthenticated => "unauthenticated",
            Self::Client { code, .. } => code,
            Self::Answer(e) => e.code(),
            Self::Unavailable(_) | Self::Busy => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match self {
            Self::Answer(e) => e.message(grading_lang(lang)),
            Self::Busy => lang.strings().errors.busy.to_owned(),
            _ => message_for(&lang.strings().errors, self.code()).to_owned(),
        }
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
        "live_closed" => t.live_closed,
        "already_answered" => t.already_answered,
        "live_conflict" => t.live_conflict,
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

/// Renders (and logs) any [`AppError`] a handler (or a check before it) returned; `lang` and
/// `uri` are the request's. Called by [`super::edge`] for every response.
pub(super) fn render(lang: Lang, uri: &Uri, response: Response) -> Response {
    let Some(error) = response.extensions().get::<Arc<AppError>>().cloned() else {
        return response;
    };
    let api = uri.path().starts_with("/api/");
    let (path, query) = (uri.path(), uri.query());
    match error.as_ref() {
        AppError::Internal(detail) => tracing::error!(%path, %detail, "request failed"),
        AppError::Unavailable(detail) => tracing::warn!(%path, %detail, "database unavailable"),
        AppError::Busy => tracing::info!(%path, "grading saturated: answer refused"),
        other => tracing::debug!(%path, code = other.code(), "client error"),
    }
    if !api && matches!(error.as_ref(), AppError::Unauthenticated) {
        return login_redirect(path, query);
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
        (status, ErrorPage::new(lang, path, status, &message)).into_response()
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        // A saturated grader frees up within a second; a lost database takes longer.
        let seconds = if matches!(error.as_ref(), AppError::Busy) {
            "1"
        } else {
            "5"
        };
        rendered
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
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

/// `303` to `/login?next=<this page>`: the person comes back here after logging in.
fn login_redirect(path: &str, query: Option<&str>) -> Response {
    let next = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    let location = format!("/login?next={}", super::login::encode_component(&next));
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The grading engine's own language type, for its messages.
pub(crate) fn grading_lang(lang: Lang) -> grading::Lang {
    match lang {
        Lang::Sv => grading::Lang::Sv,
        Lang::En => grading::Lang::En,
    }
}

/// The router's fallback: every unknown path is a 404 rendered like any other error.
pub(super) async fn not_found() -> AppError {
    AppError::NotFound
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::extract::Request;
    use axum::http::HeaderMap;
    use axum::middleware::{self, Next};
    use axum::routing::get;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    async fn refused(uri: &str, error: fn() -> AppError) -> (StatusCode, HeaderMap, String) {
        let app = Router::new()
            .route(
                "/api/answer",
                get(move || async move { Err::<(), _>(error()) }),
            )
            .route("/page", get(move || async move { Err::<(), _>(error()) }))
            .layer(middleware::from_fn(
                |request: Request, next: Next| async move {
                    let lang = crate::web::lang::lang_of(request.uri(), request.headers());
                    let uri = request.uri().clone();
                    render(lang, &uri, next.run(request).await)
                },
            ));
        let request = Request::get(uri).body(Body::empty()).expect("request");
        let response = app.oneshot(request).await.expect("response");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        (
            parts.status,
            parts.headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    #[tokio::test]
    async fn a_saturated_grader_refuses_with_503_and_a_short_retry_after() {
        let (status, headers, body) = refused("/api/answer?lang=en", || AppError::Busy).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            headers.get(header::RETRY_AFTER).map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
        let json: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(json["error"]["code"], "unavailable");
        assert!(
            json["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("not stored"))
        );

        let (status, headers, body) = refused("/page", || AppError::Busy).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            headers.get(header::RETRY_AFTER).map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
        assert!(body.contains("sparades inte"), "{body}");
    }

    #[tokio::test]
    async fn a_lost_database_asks_for_a_longer_wait() {
        let (status, headers, _) =
            refused("/api/answer", || AppError::Unavailable("gone".to_owned())).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            headers.get(header::RETRY_AFTER).map(|v| v.as_bytes()),
            Some(&b"5"[..])
        );
    }
}
