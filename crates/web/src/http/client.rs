//! The client's address, for rate limits and the audit log.
//!
//! The address is the TCP peer's, from axum's `ConnectInfo` (see [`crate::serve`]). Behind
//! a reverse proxy every request comes from the proxy, so with `trust_proxy` the last
//! entry of `X-Forwarded-For` counts instead: the one the proxy itself appended. Entries
//! before it were written by the client and prove nothing, so they are never used.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::WebState;

/// Where a request came from; `None` when the server was not started through
/// [`crate::serve`] (which records peers) and no trusted header names one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// The address as text for records ("" when unknown).
    pub fn text(self) -> Option<String> {
        self.0.map(|ip| ip.to_string())
    }
}

/// The client address of a request's parts.
pub(crate) fn client_ip(parts: &Parts, trust_proxy: bool) -> ClientIp {
    if trust_proxy {
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|entry| entry.trim().parse::<IpAddr>().ok());
        if forwarded.is_some() {
            return ClientIp(forwarded);
        }
    }
    ClientIp(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip()))
}

impl FromRequestParts<WebState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        Ok(client_ip(parts, state.http.trust_proxy))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parts(forwarded: Option<&str>, peer: Option<&str>) -> Parts {
        let mut request = axum::http::Request::builder().uri("/");
        if let Some(value) = forwarded {
            request = request.header("x-forwarded-for", value);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        if let Some(peer) = peer {
            parts.extensions.insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        }
        parts
    }

    #[test]
    fn the_peer_counts_unless_a_trusted_proxy_names_the_client() {
        let p = parts(Some("198.51.100.1, 203.0.113.7"), Some("10.0.0.2:5000"));
        assert_eq!(client_ip(&p, false).text().as_deref(), Some("10.0.0.2"));
        assert_eq!(client_ip(&p, true).text().as_deref(), Some("203.0.113.7"));
        let garbage = parts(Some("not an address"), Some("10.0.0.2:5000"));
        assert_eq!(client_ip(&garbage, true).text().as_deref(), Some("10.0.0.2"));
        assert_eq!(client_ip(&parts(None, None), true), ClientIp(None));
    }
}
