//! The client's address, for the login throttle and the audit log. `X-Forwarded-For` is
//! believed only when the connection comes from a proxy in `KARTSKOLA_TRUSTED_PROXIES`;
//! otherwise anyone could send a new address with each guess.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};

use super::state::AppState;
use crate::config::Config;

/// The client address; `None` when the server was not given the connection's peer (the
/// router driven directly, as in tests), which then counts as one unknown client.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

/// The socket peer, or, when the peer is a trusted proxy, the nearest untrusted address in
/// `X-Forwarded-For` (read from the right: each trusted proxy appends the address it saw).
pub(super) fn client_addr(
    extensions: &Extensions,
    headers: &HeaderMap,
    config: &Config,
) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    if !config.trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|addr| !config.trusted_proxies.contains(addr))
            .unwrap_or(peer),
    )
}

impl<S> FromRequestParts<S> for ClientAddr
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        Ok(Self(client_addr(
            &parts.extensions,
            &parts.headers,
            &state.config,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn config(proxies: &[&str]) -> Config {
        let mut config =
            Config::for_tests(crate::config::DatabaseUrl::default_sqlite(), ".".into());
        config.trusted_proxies = proxies.iter().filter_map(|p| p.parse().ok()).collect();
        config
    }

    fn request(peer: &str, xff: Option<&'static str>) -> (Extensions, HeaderMap) {
        let mut extensions = Extensions::new();
        if let Ok(peer) = peer.parse::<SocketAddr>() {
            extensions.insert(ConnectInfo(peer));
        }
        let mut headers = HeaderMap::new();
        if let Some(xff) = xff {
            headers.insert("x-forwarded-for", HeaderValue::from_static(xff));
        }
        (extensions, headers)
    }

    #[test]
    fn a_forged_forwarded_for_is_ignored_without_a_trusted_proxy() {
        let (e, h) = request("203.0.113.9:5000", Some("198.51.100.1"));
        assert_eq!(
            client_addr(&e, &h, &config(&[])),
            "203.0.113.9".parse().ok()
        );
    }

    #[test]
    fn a_trusted_proxy_passes_on_the_nearest_untrusted_address() {
        let (e, h) = request("10.0.0.2:5000", Some("198.51.100.7, 203.0.113.5, 10.0.0.3"));
        let c = config(&["10.0.0.2", "10.0.0.3"]);
        // 198.51.100.7 was written by the client itself; 203.0.113.5 is what our proxy saw.
        assert_eq!(client_addr(&e, &h, &c), "203.0.113.5".parse().ok());
        let (e, h) = request("10.0.0.2:5000", None);
        assert_eq!(client_addr(&e, &h, &c), "10.0.0.2".parse().ok());
    }

    #[test]
    fn no_connection_info_is_an_unknown_client() {
        let (e, h) = request("not an address", Some("198.51.100.1"));
        assert_eq!(client_addr(&e, &h, &config(&["10.0.0.2"])), None);
    }
}
