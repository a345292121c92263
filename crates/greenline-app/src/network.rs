//! Where requests come from: the reverse proxies whose word on the client's address is taken.
//!
//! Behind a proxy every connection comes from the proxy, so a limit per address would put all
//! clients in one bucket. The proxy names the client in `X-Forwarded-For` or `Forwarded`; but
//! anyone can send those headers, so they are believed only from the proxies listed here
//! (`web.trusted_proxies`). How the headers are read is the web adapter's business; which
//! peers are believed is a setting, and lives here with the other settings.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One trusted proxy: an address (`10.0.0.5`, `::1`) or a network (`10.0.0.0/8`,
/// `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet(IpNet);

/// A proxy entry that is neither an address nor a network.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an IP address or network (10.0.0.5, 10.0.0.0/8, fd00::/8)")]
pub struct BadProxy(String);

impl FromStr for ProxyNet {
    type Err = BadProxy;

    fn from_str(text: &str) -> Result<Self, BadProxy> {
        let text = text.trim();
        if let Ok(net) = text.parse::<IpNet>() {
            return Ok(ProxyNet(net.trunc()));
        }
        text.parse::<IpAddr>()
            .map(|ip| ProxyNet(IpNet::from(ip)))
            .map_err(|_| BadProxy(text.to_owned()))
    }
}

impl fmt::Display for ProxyNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.prefix_len() == self.0.max_prefix_len() {
            write!(f, "{}", self.0.addr())
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// The reverse proxies allowed to name the client (`web.trusted_proxies`); empty by default,
/// when the TCP peer is the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ProxyNet>);

impl TrustedProxies {
    /// Reads a list of addresses and networks.
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Self, BadProxy> {
        entries
            .into_iter()
            .filter(|e| !e.trim().is_empty())
            .map(str::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    /// Whether `ip` is one of the proxies. An IPv4 peer on a dual-stack socket
    /// (`::ffff:10.0.0.5`) counts as its IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.0.contains(&ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for TrustedProxies {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(ToString::to_string))
    }
}

/// A list in the TOML file (`["10.0.0.5", "10.1.0.0/16"]`), or one comma-separated string, as
/// an environment variable gives it (`GREENLINE_WEB__TRUSTED_PROXIES=10.0.0.5,10.1.0.0/16`).
impl<'de> Deserialize<'de> for TrustedProxies {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Entries {
            List(Vec<String>),
            Text(String),
        }
        let parsed = match Entries::deserialize(deserializer)? {
            Entries::List(list) => TrustedProxies::parse(list.iter().map(String::as_str)),
            Entries::Text(text) => TrustedProxies::parse(text.split(',')),
        };
        parsed.map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn addresses_and_networks_are_both_proxies() {
        let proxies =
            TrustedProxies::parse(["10.0.0.5", "192.168.0.0/16", "fd00::/8"]).expect("proxies");
        assert!(proxies.contains(ip("10.0.0.5")));
        assert!(!proxies.contains(ip("10.0.0.6")));
        assert!(proxies.contains(ip("192.168.44.1")));
        assert!(proxies.contains(ip("fd12::1")));
        assert!(proxies.contains(ip("::ffff:10.0.0.5")));
        assert!(!proxies.contains(ip("2001:db8::1")));
    }

    #[test]
    fn a_list_or_a_comma_separated_string_reads_the_same() {
        let from_list: TrustedProxies =
            serde_json::from_str(r#"["10.0.0.5", "10.1.0.0/16"]"#).expect("list");
        let from_text: TrustedProxies =
            serde_json::from_str(r#""10.0.0.5, 10.1.0.0/16""#).expect("text");
        assert_eq!(from_list, from_text);
        assert_eq!(
            serde_json::to_string(&from_list).expect("json"),
            r#"["10.0.0.5","10.1.0.0/16"]"#
        );
    }

    #[test]
    fn a_host_name_is_refused() {
        assert!(TrustedProxies::parse(["proxy.example"]).is_err());
        assert!(serde_json::from_str::<TrustedProxies>(r#"["10.0.0.0/33"]"#).is_err());
    }
}
