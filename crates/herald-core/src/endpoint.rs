//! Endpoint URLs, signing secrets and custom headers.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// An absolute `http` or `https` URL with a host.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EndpointUrl(String);

impl EndpointUrl {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if s.len() > 2048 {
            return Err(ParseError::new("a URL is at most 2048 characters"));
        }
        if s.trim().is_empty() {
            return Err(ParseError::new(
                "enter the URL that should receive the events, like https://example.com/webhooks",
            ));
        }
        let url = url::Url::parse(s)
            .map_err(|_| ParseError::new("not a full web address: write it like https://example.com/webhooks"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ParseError::new("the URL scheme must be http or https"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ParseError::new("the URL has no host"));
        }
        if url.port() == Some(0) {
            return Err(ParseError::new("the URL's port must be between 1 and 65535"));
        }
        Ok(Self(url.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Host (IPv6 literals in brackets), port (the scheme's default when
    /// none is given) and whether the scheme is https.
    pub fn target(&self) -> (String, u16, bool) {
        match url::Url::parse(&self.0) {
            Ok(u) => {
                let https = u.scheme() == "https";
                (u.host_str().unwrap_or_default().to_owned(), u.port_or_known_default().unwrap_or(80), https)
            }
            Err(_) => (String::new(), 0, false),
        }
    }
}

impl fmt::Debug for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl TryFrom<String> for EndpointUrl {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::parse(&s)
    }
}

impl From<EndpointUrl> for String {
    fn from(u: EndpointUrl) -> String {
        u.0
    }
}

pub use crate::secret::EndpointSecret;

/// A credential a profile sends (an application's or an endpoint's API key
/// for the receiver). Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential(String);

impl Credential {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Credential {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credential(redacted)")
    }
}

/// Headers Herald sets itself, and hop-by-hop or framing headers that
/// would change how the request is sent or routed: no endpoint sets them.
pub const RESERVED_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "content-encoding",
    "host",
    "user-agent",
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "proxy-authenticate",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "expect",
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
];

/// Name prefixes of the signature headers (Standard Webhooks' and the
/// compatibility profiles').
pub const RESERVED_PREFIXES: &[&str] = &["webhook-", "svix-", "x-herald-"];

/// Most custom headers on one endpoint, and the longest value.
pub const MAX_CUSTOM_HEADERS: usize = 32;
pub const MAX_HEADER_VALUE_BYTES: usize = 4096;

/// Whether `lower` (a lower-case header name) frames or routes the
/// request; a profile may still set `user-agent` and signature headers.
pub fn controls_sending(lower: &str) -> bool {
    lower != "user-agent" && RESERVED_HEADERS.contains(&lower)
}

/// Why `lower` (a lower-case header name) may not be a custom header.
pub fn reserved_header(lower: &str) -> Option<&'static str> {
    if RESERVED_HEADERS.contains(&lower) {
        return Some("is set by Herald or controls how the request is sent");
    }
    RESERVED_PREFIXES.iter().any(|p| lower.starts_with(p)).then_some("is reserved for signatures (webhook-*, svix-*)")
}

/// Custom headers sent with every request to an endpoint. Names are stored
/// lower-case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, String>", into = "BTreeMap<String, String>")]
pub struct CustomHeaders(BTreeMap<String, String>);

impl CustomHeaders {
    pub fn parse(map: BTreeMap<String, String>) -> Result<Self, ParseError> {
        if map.len() > MAX_CUSTOM_HEADERS {
            return Err(ParseError::new(format!("at most {MAX_CUSTOM_HEADERS} custom headers")));
        }
        let mut out = BTreeMap::new();
        for (name, value) in map {
            let lower = name.to_ascii_lowercase();
            if lower.is_empty() || !lower.bytes().all(is_token_byte) {
                return Err(ParseError::new(format!("`{name}` is not a valid header name")));
            }
            if let Some(why) = reserved_header(&lower) {
                return Err(ParseError::new(format!("`{name}` {why}; it cannot be a custom header")));
            }
            if value.len() > MAX_HEADER_VALUE_BYTES || !value.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
            {
                return Err(ParseError::new(format!(
                    "the value of `{name}` must be printable ASCII, at most {MAX_HEADER_VALUE_BYTES} characters"
                )));
            }
            out.insert(lower, value);
        }
        Ok(Self(out))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl TryFrom<BTreeMap<String, String>> for CustomHeaders {
    type Error = ParseError;
    fn try_from(m: BTreeMap<String, String>) -> Result<Self, ParseError> {
        Self::parse(m)
    }
}

impl From<CustomHeaders> for BTreeMap<String, String> {
    fn from(h: CustomHeaders) -> Self {
        h.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http() {
        assert!(EndpointUrl::parse("https://example.com/hook").is_ok());
        assert!(EndpointUrl::parse("ftp://example.com").is_err());
        assert!(EndpointUrl::parse("not a url").is_err());
        // Found by the `endpoint_url` fuzz target: port 0 parsed.
        assert!(EndpointUrl::parse("http://example.com:0/").is_err());
        assert!(EndpointUrl::parse("http://example.com:00/x").is_err());
    }

    #[test]
    fn odd_ipv4_literals_are_normalised_before_anything_checks_them() {
        for odd in
            ["http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.0.0.1./"]
        {
            let u = EndpointUrl::parse(odd).unwrap();
            assert_eq!(u.target().0.trim_end_matches('.'), "127.0.0.1", "{odd}");
        }
        let v6 = EndpointUrl::parse("https://[::ffff:7f00:1]:8443/x").unwrap();
        assert_eq!(v6.target(), ("[::ffff:7f00:1]".to_owned(), 8443, true));
    }

    #[test]
    fn reserved_and_malformed_headers_are_rejected() {
        let ok = CustomHeaders::parse([("X-Team".into(), "growth".into())].into()).unwrap();
        assert_eq!(ok.iter().next(), Some(("x-team", "growth")));
        for name in ["webhook-id", "Webhook-Signature", "webhook-anything", "svix-signature", "Host", "Connection"] {
            let e = CustomHeaders::parse([(name.into(), "x".into())].into()).unwrap_err();
            assert!(e.0.contains("cannot be a custom header"), "{name}: {e}");
        }
        for name in ["transfer-encoding", "content-length", "te", "upgrade", "proxy-authorization", "x-forwarded-for"] {
            assert!(CustomHeaders::parse([(name.into(), "x".into())].into()).is_err(), "{name}");
        }
        let long = "v".repeat(MAX_HEADER_VALUE_BYTES + 1);
        assert!(CustomHeaders::parse([("x-a".into(), long)].into()).is_err());
        let many = (0..=MAX_CUSTOM_HEADERS).map(|i| (format!("x-{i}"), "v".to_owned())).collect();
        assert!(CustomHeaders::parse(many).is_err());
        assert!(CustomHeaders::parse([("bad name".into(), "x".into())].into()).is_err());
        assert!(CustomHeaders::parse([("x-a".into(), "line\nbreak".into())].into()).is_err());
    }
}
