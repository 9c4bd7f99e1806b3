//! Where deliveries may go: every address outside the globally routable
//! Internet is refused (loopback, private, link-local, CGNAT, multicast,
//! documentation, benchmarking, ...) unless the operator opened its range
//! on purpose. Decided on resolved addresses; no I/O here.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::ParseError;

/// The setting that opens ranges, named in every refusal.
pub const ALLOW_SETTING: &str = "security.allowed_cidrs (HERALD_SECURITY_ALLOWED_CIDRS)";

/// A special-purpose range (IANA registries, RFC 6890 and successors).
struct Range {
    net: &'static str,
    name: &'static str,
}

const fn r(net: &'static str, name: &'static str) -> Range {
    Range { net, name }
}

/// IPv4 ranges that are not globally reachable.
const V4: &[Range] = &[
    r("0.0.0.0/8", "\"this network\""),
    r("10.0.0.0/8", "private"),
    r("100.64.0.0/10", "carrier-grade NAT"),
    r("127.0.0.0/8", "loopback"),
    r("169.254.0.0/16", "link-local (cloud metadata)"),
    r("172.16.0.0/12", "private"),
    r("192.0.0.0/24", "IETF protocol assignments"),
    r("192.0.2.0/24", "documentation"),
    r("192.88.99.0/24", "6to4 relay anycast"),
    r("192.168.0.0/16", "private"),
    r("198.18.0.0/15", "benchmarking"),
    r("198.51.100.0/24", "documentation"),
    r("203.0.113.0/24", "documentation"),
    r("224.0.0.0/4", "multicast"),
    r("240.0.0.0/4", "reserved"),
];

/// IPv6 ranges that are not globally reachable. The ranges that embed an
/// IPv4 address (mapped, NAT64, 6to4) are judged by that address instead.
const V6: &[Range] = &[
    r("::/128", "unspecified"),
    r("::1/128", "loopback"),
    r("::/96", "IPv4-compatible (deprecated)"),
    r("64:ff9b:1::/48", "local NAT64"),
    r("100::/64", "discard-only"),
    r("2001::/23", "IETF protocol assignments (Teredo, benchmarking, ORCHID)"),
    r("2001:db8::/32", "documentation"),
    r("3fff::/20", "documentation"),
    r("5f00::/16", "segment routing"),
    r("fc00::/7", "unique local (private)"),
    r("fe80::/10", "link-local"),
    r("fec0::/10", "site-local (deprecated)"),
    r("ff00::/8", "multicast"),
];

/// Why an address may not be reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{addr} is in {net} ({name}), which deliveries may not reach; {ALLOW_SETTING} or `herald serve --dev` (loopback) opens it")]
    Blocked { addr: IpAddr, net: &'static str, name: &'static str },
    #[error("{addr} is reached over plain http while security.require_https is on; use https, or open its range with {ALLOW_SETTING}")]
    PlainHttp { addr: IpAddr },
    /// A cloud's instance-metadata service by name: refused whatever it
    /// resolves to (or whether it resolves at all where the check runs).
    #[error("{host} is a cloud metadata service, which deliveries may never reach")]
    MetadataName { host: String },
}

/// The names cloud providers serve instance metadata (and credentials) at,
/// refused by name before any lookup. Their addresses (169.254.169.254,
/// fd00:ec2::254, 100.100.100.200) are refused by range as well.
const METADATA_NAMES: &[&str] = &[
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.azure.internal",
    "metadata.tencentyun.com",
    "metadata.platformequinix.com",
];

/// Whether `host` names a cloud metadata service (any case, with or without
/// the final dot).
pub fn metadata_name(host: &str) -> Option<Refusal> {
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    METADATA_NAMES.contains(&name.as_str()).then(|| Refusal::MetadataName { host: host.to_owned() })
}

impl Refusal {
    /// The refusal in the words of a customer adding an endpoint, who can
    /// change the URL but not the server's settings.
    pub fn for_customers(&self) -> String {
        match self {
            Self::Blocked { addr, name, .. } => format!(
                "this address leads to {addr}, a {name} network address, which webhooks cannot be sent to; \
                 use an address reachable from the Internet"
            ),
            Self::PlainHttp { .. } => "this address must start with https://".to_owned(),
            Self::MetadataName { .. } => {
                "this address is a cloud provider's internal service, which webhooks cannot be sent to; \
                 use an address reachable from the Internet"
                    .to_owned()
            }
        }
    }
}

/// The operator's policy: the ranges opened on purpose, and whether plain
/// `http://` is allowed outside them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DestinationPolicy {
    allowed: Vec<IpNet>,
    require_https: bool,
}

impl fmt::Debug for DestinationPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nets: Vec<String> = self.allowed.iter().map(ToString::to_string).collect();
        f.debug_struct("DestinationPolicy").field("allowed", &nets).field("require_https", &self.require_https).finish()
    }
}

/// Loopback, as `--dev` opens it.
pub const LOOPBACK_CIDRS: &str = "127.0.0.0/8,::1/128";

impl DestinationPolicy {
    pub fn new(allowed: Vec<IpNet>, require_https: bool) -> Self {
        Self { allowed, require_https }
    }

    pub fn allowed(&self) -> &[IpNet] {
        &self.allowed
    }

    /// Whether `addr` may be connected to, for a request over https or not.
    pub fn check(&self, addr: IpAddr, https: bool) -> Result<(), Refusal> {
        // An opened range may be written in either form of a mapped address.
        let written = addr;
        let addr = canonical(addr);
        if self.is_opened(addr) || self.is_opened(written) {
            return Ok(());
        }
        if let Some((net, name)) = special_range(addr) {
            return Err(Refusal::Blocked { addr, net, name });
        }
        if self.require_https && !https {
            return Err(Refusal::PlainHttp { addr });
        }
        Ok(())
    }

    fn is_opened(&self, addr: IpAddr) -> bool {
        self.allowed.iter().any(|n| n.contains(&addr))
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it stands for.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 @ IpAddr::V4(_) => v4,
    }
}

/// The special-purpose range `addr` lies in, if any.
pub fn special_range(addr: IpAddr) -> Option<(&'static str, &'static str)> {
    match canonical(addr) {
        IpAddr::V4(v4) => v4_range(v4),
        IpAddr::V6(v6) => {
            if let Some(embedded) = embedded_v4(v6) {
                return v4_range(embedded);
            }
            V6.iter().find(|r| parse_v6(r.net).contains(&v6)).map(|r| (r.net, r.name))
        }
    }
}

fn v4_range(v4: Ipv4Addr) -> Option<(&'static str, &'static str)> {
    V4.iter().find(|r| parse_v4(r.net).contains(&v4)).map(|r| (r.net, r.name))
}

/// The IPv4 address a NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`)
/// address reaches.
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let join = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(join(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(join(s[1], s[2]));
    }
    None
}

// The tables are constants checked by a test; a typo would fail it.
#[allow(clippy::unwrap_used)]
fn parse_v4(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

#[allow(clippy::unwrap_used)]
fn parse_v6(s: &str) -> Ipv6Net {
    s.parse().unwrap()
}

/// A comma-separated list of ranges (`127.0.0.0/8,::1/128`); a bare
/// address means just that address.
pub fn parse_cidrs(s: &str) -> Result<Vec<IpNet>, ParseError> {
    s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(parse_cidr).collect()
}

pub fn parse_cidr(s: &str) -> Result<IpNet, ParseError> {
    if let Ok(net) = s.parse::<IpNet>() {
        if net.trunc() != net {
            return Err(ParseError::new(format!("`{s}` has host bits set; did you mean {}?", net.trunc())));
        }
        return Ok(net);
    }
    s.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| ParseError::new(format!("`{s}` is not an address range like 10.0.0.0/8 or ::1/128")))
}

#[cfg(test)]
mod tests {

    #[test]
    fn metadata_services_are_refused_by_name() {
        for host in ["metadata.google.internal", "METADATA.google.internal.", "metadata", "instance-data.ec2.internal"]
        {
            assert!(super::metadata_name(host).is_some(), "{host}");
        }
        for host in ["metadata.example.com", "example.com", "google.internal"] {
            assert!(super::metadata_name(host).is_none(), "{host}");
        }
    }

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_tables_parse() {
        V4.iter().for_each(|r| assert_eq!(parse_v4(r.net).trunc(), parse_v4(r.net), "{}", r.net));
        V6.iter().for_each(|r| assert_eq!(parse_v6(r.net).trunc(), parse_v6(r.net), "{}", r.net));
    }

    #[test]
    fn every_non_global_range_is_refused() {
        let p = DestinationPolicy::default();
        for a in [
            "0.0.0.0",
            "10.1.2.3",
            "100.64.0.1",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "2001::1",
            "2001:2::1",
            "2001:db8::1",
            "3fff::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(matches!(p.check(ip(a), true), Err(Refusal::Blocked { .. })), "{a} must be refused");
        }
    }

    #[test]
    fn global_addresses_pass() {
        let p = DestinationPolicy::default();
        for a in
            ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::"]
        {
            assert_eq!(p.check(ip(a), false), Ok(()), "{a}");
        }
    }

    #[test]
    fn opened_ranges_pass_and_plain_http_follows_the_policy() {
        let p = DestinationPolicy::new(parse_cidrs(LOOPBACK_CIDRS).unwrap(), true);
        assert_eq!(p.check(ip("127.0.0.1"), false), Ok(()));
        assert_eq!(p.check(ip("::ffff:127.0.0.2"), false), Ok(()), "mapped form of an opened address");
        assert_eq!(p.check(ip("::1"), false), Ok(()));
        assert!(matches!(p.check(ip("10.0.0.1"), true), Err(Refusal::Blocked { .. })));
        assert_eq!(p.check(ip("8.8.8.8"), false), Err(Refusal::PlainHttp { addr: ip("8.8.8.8") }));
        assert_eq!(p.check(ip("8.8.8.8"), true), Ok(()));
    }

    /// Found by the `cidrs` fuzz target: an opened IPv6 range that covers
    /// IPv4-mapped addresses (`::/80`) must open them too.
    #[test]
    fn an_opened_ipv6_range_opens_the_mapped_addresses_inside_it() {
        let p = DestinationPolicy::new(parse_cidrs("::/80").unwrap(), false);
        assert_eq!(p.check(ip("::ffff:255.255.255.255"), false), Ok(()));
        assert_eq!(p.check(ip("::ffff:127.0.0.1"), false), Ok(()));
        let v6_only = DestinationPolicy::new(parse_cidrs("::ffff:0:0/96").unwrap(), false);
        assert_eq!(
            v6_only.check(ip("10.0.0.1"), false),
            Err(Refusal::Blocked { addr: ip("10.0.0.1"), net: "10.0.0.0/8", name: "private" }),
            "a plain IPv4 address is not opened by a mapped range"
        );
    }

    #[test]
    fn a_refusal_names_the_range_and_the_setting() {
        let e = DestinationPolicy::default().check(ip("169.254.169.254"), true).unwrap_err().to_string();
        assert!(e.contains("169.254.0.0/16") && e.contains("link-local"), "{e}");
        assert!(e.contains("security.allowed_cidrs"), "{e}");
    }

    #[test]
    fn cidr_lists_parse_with_clear_errors() {
        let nets = parse_cidrs(" 127.0.0.0/8, ::1/128 ,10.0.0.5").unwrap();
        assert_eq!(nets.len(), 3);
        assert_eq!(nets[2].to_string(), "10.0.0.5/32");
        assert!(parse_cidrs("").unwrap().is_empty());
        assert!(parse_cidrs("127.0.0.1/8").unwrap_err().0.contains("127.0.0.0/8"));
        assert!(parse_cidrs("localhost").is_err());
        assert!(parse_cidrs("10.0.0.0/33").is_err());
    }
}
