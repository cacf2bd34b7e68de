//! The reader's language: `?lang=` (remembered in a cookie), then the cookie, then
//! `Accept-Language`, then Swedish.

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::Response;

use crate::i18n::Lang;

const COOKIE_NAME: &str = "lang";

/// The language of this request, as an extractor.
#[derive(Debug, Clone, Copy)]
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(lang_of(&parts.uri, &parts.headers)))
    }
}

pub(super) fn lang_of(uri: &Uri, headers: &HeaderMap) -> Lang {
    query_lang(uri)
        .or_else(|| cookie_lang(headers))
        .or_else(|| {
            headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

pub(super) fn query_lang(uri: &Uri) -> Option<Lang> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
        .and_then(Lang::from_code)
}

fn cookie_lang(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("lang="))
        .and_then(Lang::from_code)
}

/// Remembers a `?lang=` choice (from [`query_lang`] of the request) in a cookie for later
/// requests.
pub(super) fn remember(chosen: Option<Lang>, response: &mut Response) {
    if let Some(lang) = chosen {
        let cookie = format!("{COOKIE_NAME}={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
}

/// The current path and query with `lang` set to `lang` (for the language switch).
pub(super) fn switch_href(uri: &Uri, lang: Lang) -> String {
    let rest: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    let mut href = format!("{}?lang={lang}", uri.path());
    for pair in rest {
        href.push('&');
        href.push_str(pair);
    }
    href
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn query_beats_cookie_beats_accept_language() {
        let uri: Uri = "/x?lang=en".parse().unwrap_or_default();
        assert_eq!(lang_of(&uri, &headers(&[("cookie", "lang=sv")])), Lang::En);
        let uri: Uri = "/x".parse().unwrap_or_default();
        assert_eq!(
            lang_of(
                &uri,
                &headers(&[("cookie", "a=b; lang=en"), ("accept-language", "sv")])
            ),
            Lang::En
        );
        assert_eq!(
            lang_of(&uri, &headers(&[("accept-language", "en-US,en;q=0.9")])),
            Lang::En
        );
        assert_eq!(lang_of(&uri, &headers(&[])), Lang::Sv);
    }

    #[test]
    fn switch_keeps_other_parameters() {
        let uri: Uri = "/a?lang=sv&x=1".parse().unwrap_or_default();
        assert_eq!(switch_href(&uri, Lang::En), "/a?lang=en&x=1");
    }
}
