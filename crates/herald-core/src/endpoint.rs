//! Endpoint URLs, signing secrets and custom headers.

use std::collections::BTreeMap;
use std::fmt;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
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
        let url = url::Url::parse(s).map_err(|e| ParseError::new(format!("not a valid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ParseError::new("the URL scheme must be http or https"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ParseError::new("the URL has no host"));
        }
        Ok(Self(url.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
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

const SECRET_PREFIX: &str = "whsec_";
const GENERATED_SECRET_BYTES: usize = 24;

/// A signing secret in the Standard Webhooks form `whsec_<base64>`; the key
/// used for HMAC is the decoded bytes. Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct EndpointSecret {
    text: String,
    key: Vec<u8>,
}

impl EndpointSecret {
    pub fn generate() -> Self {
        let bytes: [u8; GENERATED_SECRET_BYTES] = rand::random();
        Self { text: format!("{SECRET_PREFIX}{}", B64.encode(bytes)), key: bytes.to_vec() }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let b64 = s.strip_prefix(SECRET_PREFIX).ok_or_else(|| ParseError::new("a secret must start with `whsec_`"))?;
        let key = B64.decode(b64).map_err(|_| ParseError::new("a secret must be `whsec_` followed by base64"))?;
        if !(24..=75).contains(&key.len()) {
            return Err(ParseError::new("a secret's key must be 24 to 75 bytes long"));
        }
        Ok(Self { text: s.to_owned(), key })
    }

    pub fn expose(&self) -> &str {
        &self.text
    }

    pub fn key(&self) -> &[u8] {
        &self.key
    }
}

impl fmt::Debug for EndpointSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EndpointSecret(redacted)")
    }
}

/// Headers Herald sets itself; an endpoint cannot override them.
const RESERVED_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "host",
    "user-agent",
    "connection",
    "transfer-encoding",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
];

/// Custom headers sent with every request to an endpoint. Names are stored
/// lower-case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, String>", into = "BTreeMap<String, String>")]
pub struct CustomHeaders(BTreeMap<String, String>);

impl CustomHeaders {
    pub fn parse(map: BTreeMap<String, String>) -> Result<Self, ParseError> {
        if map.len() > 32 {
            return Err(ParseError::new("at most 32 custom headers"));
        }
        let mut out = BTreeMap::new();
        for (name, value) in map {
            let lower = name.to_ascii_lowercase();
            if lower.is_empty() || !lower.bytes().all(is_token_byte) {
                return Err(ParseError::new(format!("`{name}` is not a valid header name")));
            }
            if RESERVED_HEADERS.contains(&lower.as_str()) {
                return Err(ParseError::new(format!("`{name}` is set by Herald and cannot be overridden")));
            }
            if value.len() > 4096 || !value.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)) {
                return Err(ParseError::new(format!(
                    "the value of `{name}` must be printable ASCII, at most 4096 characters"
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
    fn generated_secrets_parse_back() {
        let s = EndpointSecret::generate();
        assert!(s.expose().starts_with("whsec_"));
        let again = EndpointSecret::parse(s.expose()).unwrap();
        assert_eq!(again.key().len(), 24);
        assert_eq!(again, s);
        assert!(!format!("{s:?}").contains("whsec_"));
    }

    #[test]
    fn bad_secrets_are_rejected() {
        assert!(EndpointSecret::parse("nope").is_err());
        assert!(EndpointSecret::parse("whsec_!!!").is_err());
        assert!(EndpointSecret::parse("whsec_c2hvcnQ=").is_err());
    }

    #[test]
    fn urls_must_be_http() {
        assert!(EndpointUrl::parse("https://example.com/hook").is_ok());
        assert!(EndpointUrl::parse("ftp://example.com").is_err());
        assert!(EndpointUrl::parse("not a url").is_err());
    }

    #[test]
    fn reserved_and_malformed_headers_are_rejected() {
        let ok = CustomHeaders::parse([("X-Team".into(), "growth".into())].into()).unwrap();
        assert_eq!(ok.iter().next(), Some(("x-team", "growth")));
        assert!(CustomHeaders::parse([("webhook-id".into(), "x".into())].into()).is_err());
        assert!(CustomHeaders::parse([("bad name".into(), "x".into())].into()).is_err());
        assert!(CustomHeaders::parse([("x-a".into(), "line\nbreak".into())].into()).is_err());
    }
}
