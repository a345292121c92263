//! What handlers read from a request besides its body: a case's id from the path, the
//! client's address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Path};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use greenline_app::TrustedProxies;
use greenline_domain::FieldError;

use crate::AppState;
use crate::error::ApiError;

/// The `{id}` of a case's URL; anything but a number is a 400 problem naming `id`.
#[derive(Debug, Clone, Copy)]
pub struct CaseId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for CaseId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let bad = || ApiError::BadRequest {
            detail: "the case id in the URL must be a number".to_owned(),
            errors: vec![FieldError::new("id", "a case number")],
        };
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| bad())?;
        text.parse().map(CaseId).map_err(|_| bad())
    }
}

/// The client a request counts against, as limits key on it: the TCP peer, or — when the peer
/// is one of `web.trusted_proxies` — the client the proxy names. An IPv6 client is its /64
/// network, since one subscriber is handed a whole /64 and could otherwise take a fresh
/// address (and a fresh allowance) for every request; an IPv4 client on a dual-stack socket
/// (`::ffff:a.b.c.d`) is its IPv4 address.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        let client = client_address(peer, &parts.headers, &app.settings.trusted_proxies);
        Ok(ClientIp(network_of(client)))
    }
}

/// The client's address: the peer itself unless the peer is a trusted proxy; then, walking
/// the proxies' list of hops from the nearest (the right) end, the first address that is not
/// itself a trusted proxy. `X-Forwarded-For` is read if present, else `Forwarded`. A hop that
/// cannot be read (`unknown`, an obfuscated name) ends the walk at the last proxy: nothing
/// further left can be trusted.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, proxies: &TrustedProxies) -> IpAddr {
    let peer = peer.to_canonical();
    if !proxies.contains(peer) {
        return peer;
    }
    let hops = forwarded_for(headers);
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = hop else { return nearest };
        if !proxies.contains(*ip) {
            return *ip;
        }
        nearest = *ip;
    }
    nearest
}

/// The hops the proxies list, nearest last; `None` for one that is not an address.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
    };
    let x_forwarded = values("x-forwarded-for");
    if !x_forwarded.is_empty() {
        return x_forwarded
            .into_iter()
            .flat_map(|v| match v {
                Some(text) => text.split(',').map(hop).collect(),
                None => vec![None],
            })
            .collect();
    }
    values("forwarded")
        .into_iter()
        .flat_map(|v| match v {
            // `for=192.0.2.60;proto=http, for="[2001:db8::17]:4711"`: one element per hop.
            Some(text) => text
                .split(',')
                .filter_map(|element| {
                    element.split(';').find_map(|pair| {
                        let (key, value) = pair.split_once('=')?;
                        key.trim()
                            .eq_ignore_ascii_case("for")
                            .then(|| hop(value.trim().trim_matches('"')))
                    })
                })
                .collect(),
            None => vec![None],
        })
        .collect()
}

/// One hop: `192.0.2.60`, `192.0.2.60:4711`, `2001:db8::17`, `[2001:db8::17]:4711`.
fn hop(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .or_else(|_| text.parse::<SocketAddr>().map(|s| s.ip()))
        .or_else(|_| {
            text.trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
        })
        .ok()
        .map(|ip| ip.to_canonical())
}

/// An IPv6 address's /64 network (its first 64 bits); an IPv4 address as it is.
pub fn network_of(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !(u128::from(u64::MAX));
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(list.iter().copied()).expect("proxies")
    }

    #[test]
    fn without_trusted_proxies_the_headers_are_ignored() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_address(ip("10.0.0.5"), &h, &proxies(&[])),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn a_peer_that_is_not_a_proxy_cannot_name_another_client() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_address(ip("198.51.100.7"), &h, &proxies(&["10.0.0.0/8"])),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn the_rightmost_hop_that_is_not_a_proxy_is_the_client() {
        // The client put a forged address first; the two proxies appended theirs.
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4, 203.0.113.9"),
            ("x-forwarded-for", "10.0.0.7"),
        ]);
        assert_eq!(
            client_address(ip("10.0.0.5"), &h, &proxies(&["10.0.0.0/8"])),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn forwarded_is_read_when_x_forwarded_for_is_absent() {
        let h = headers(&[(
            "forwarded",
            r#"for=1.2.3.4, for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.7"#,
        )]);
        assert_eq!(
            client_address(ip("10.0.0.5"), &h, &proxies(&["10.0.0.0/8"])),
            ip("2001:db8:cafe::17")
        );
    }

    #[test]
    fn an_unreadable_hop_stops_at_the_last_proxy() {
        let h = headers(&[("forwarded", "for=unknown, for=10.0.0.7")]);
        assert_eq!(
            client_address(ip("10.0.0.5"), &h, &proxies(&["10.0.0.0/8"])),
            ip("10.0.0.7")
        );
        let none = headers(&[]);
        assert_eq!(
            client_address(ip("10.0.0.5"), &none, &proxies(&["10.0.0.0/8"])),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_network() {
        assert_eq!(
            network_of(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(network_of(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(network_of(ip("192.0.2.1")), ip("192.0.2.1"));
    }
}

/// The `{id}` of a disclosure request's URL; anything but a number is a 400 problem naming `id`.
#[derive(Debug, Clone, Copy)]
pub struct RequestId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let bad = || ApiError::BadRequest {
            detail: "the request id in the URL must be a number".to_owned(),
            errors: vec![FieldError::new("id", "a request number")],
        };
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| bad())?;
        text.parse().map(RequestId).map_err(|_| bad())
    }
}
