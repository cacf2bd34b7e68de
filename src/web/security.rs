//! Security headers on every response, and the same-origin check of every unsafe request.
//!
//! Headers: a strict CSP (no inline scripts, nothing from other origins but the configured tile
//! server), no framing, no sniffing, a conservative referrer policy, HSTS over https, and
//! `Cache-Control: no-store` on anything personal (a request with a session cookie, or a
//! response that sets a cookie) unless the handler chose its own caching.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::audit::{record, request_target};
use super::client::client_addr;
use super::error::AppError;
use super::state::AppState;
use crate::config::Config;
use crate::db::AuditEvent;

/// The Content-Security-Policy of every response, with the tile server's origin (if any)
/// allowed for images and fetches: it depends on the configuration only, so
/// it is built once ([`AppParts::new`](super::state::AppParts::new)), not per response.
pub(super) fn csp_header(config: &Config) -> HeaderValue {
    HeaderValue::from_str(&content_security_policy(config))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

fn content_security_policy(config: &Config) -> String {
    let tiles = config
        .tile_url
        .as_deref()
        .and_then(origin_of)
        .map(|origin| format!(" {origin}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{tiles}; \
         connect-src 'self'{tiles}; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// `scheme://host[:port]` of a URL (or URL template).
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .filter(|h| !h.is_empty())?;
    Some(format!("{scheme}://{host}"))
}

/// Sets the security headers on every response; `personal_request` tells whether the request
/// carried a session cookie (its response is then never cached).
pub(super) fn finish(state: &AppState, personal_request: bool, response: &mut Response) {
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert_with(|| state.csp.clone());
    let set = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in set {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if state.config.is_https() {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    let personal = personal_request || headers.contains_key(header::SET_COOKIE);
    if personal && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.remove(header::SERVER);
}

/// Unsafe methods must come from our own pages: a browser's `Sec-Fetch-Site` must say
/// same-origin, and an `Origin` must be the public URL's origin or name the host the request
/// was sent to. Requests with neither header come from programs, not browsers, and carry no
/// ambient session risk (HTML forms still need their CSRF token, see `csrf`).
/// The request back if it may go on; the rendered refusal otherwise.
pub(super) async fn same_origin(state: &AppState, request: Request) -> Result<Request, Response> {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if unsafe_method && !is_same_origin(request.headers(), &state.config) {
        let (parts, _) = request.into_parts();
        let client =
            client_addr(&parts.extensions, &parts.headers, &state.config).map(|a| a.to_string());
        let target = request_target(&parts);
        record(
            state,
            AuditEvent {
                actor: None,
                action: "cross_origin",
                target: Some(&target),
                outcome: "denied",
                detail: None,
                client_addr: client.as_deref(),
            },
        )
        .await;
        return Err(AppError::client(StatusCode::FORBIDDEN, "cross_origin", None).into_response());
    }
    Ok(request)
}

fn is_same_origin(headers: &HeaderMap, config: &Config) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = get("origin") else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    if origin_of(&config.public_url).is_some_and(|public| public == origin) {
        return true;
    }
    match get("host") {
        Some(host) => origin
            .split_once("://")
            .is_some_and(|(_, origin_host)| origin_host == host),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn origins_must_match_the_public_url_or_the_host() {
        let mut config =
            Config::for_tests(crate::config::DatabaseUrl::default_sqlite(), ".".into());
        config.public_url = "https://kartskola.example.se".to_owned();
        assert!(is_same_origin(
            &headers(&[("origin", "https://kartskola.example.se")]),
            &config
        ));
        assert!(is_same_origin(
            &headers(&[
                ("origin", "http://10.1.1.1:8080"),
                ("host", "10.1.1.1:8080")
            ]),
            &config
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "kartskola.example.se")
            ]),
            &config
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            &config
        ));
        assert!(!is_same_origin(&headers(&[("origin", "null")]), &config));
        assert!(is_same_origin(&headers(&[]), &config));
    }

    #[test]
    fn the_tile_server_joins_the_csp() {
        let mut config =
            Config::for_tests(crate::config::DatabaseUrl::default_sqlite(), ".".into());
        assert!(!content_security_policy(&config).contains("https://"));
        config.tile_url = Some("https://tiles.example.se/{z}/{x}/{y}.png".to_owned());
        let csp = content_security_policy(&config);
        assert!(
            csp.contains("img-src 'self' data: blob: https://tiles.example.se;"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
    }
}
