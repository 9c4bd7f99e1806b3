//! How Herald proves itself to a receiver beyond the signature: an OAuth2
//! client-credentials token sent as `Authorization: Bearer …`, and TLS
//! settings (a client certificate, a private CA to trust). Kept per
//! endpoint and sealed at rest as one value; the parts that are secret (the
//! client secret, the private key) are never shown back.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::endpoint::EndpointUrl;
use crate::ParseError;

/// The most a PEM value (certificate chain, key or CA bundle) may be.
pub const MAX_PEM_BYTES: usize = 64 * 1024;

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointAuth {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsAuth>,
}

/// The OAuth2 client-credentials grant (RFC 6749 §4.4).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2 {
    pub token_url: EndpointUrl,
    pub client_id: String,
    pub client_secret: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// How the client authenticates to the token endpoint.
    #[serde(default)]
    pub client_auth: ClientAuth,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAuth {
    /// HTTP Basic with the id and secret (`client_secret_basic`).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    Body,
}

/// TLS towards the receiver: a client certificate (chain and key, PEM) and
/// CA certificates trusted besides the public roots.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsAuth {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_bundle: Option<String>,
}

impl EndpointAuth {
    pub fn is_empty(&self) -> bool {
        self.oauth2.is_none() && self.tls.is_none()
    }

    pub fn check(&self) -> Result<(), ParseError> {
        if let Some(o) = &self.oauth2 {
            o.check()?;
        }
        if let Some(t) = &self.tls {
            t.check()?;
        }
        Ok(())
    }
}

impl OAuth2 {
    pub fn check(&self) -> Result<(), ParseError> {
        let printable = |s: &str| s.chars().all(|c| !c.is_control());
        if self.client_id.is_empty() || self.client_id.len() > 256 || !printable(&self.client_id) {
            return Err(ParseError::new("oauth2.client_id must be 1 to 256 printable characters"));
        }
        if self.client_secret.is_empty() || self.client_secret.len() > 1024 || !printable(&self.client_secret) {
            return Err(ParseError::new("oauth2.client_secret must be 1 to 1024 printable characters"));
        }
        if self.scopes.len() > 50
            || self.scopes.iter().any(|s| {
                s.is_empty() || s.len() > 256 || !s.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
            })
        {
            return Err(ParseError::new("oauth2.scopes: at most 50, each 1 to 256 characters without spaces"));
        }
        if self.audience.as_ref().is_some_and(|a| a.is_empty() || a.len() > 1024 || !printable(a)) {
            return Err(ParseError::new("oauth2.audience must be 1 to 1024 printable characters"));
        }
        Ok(())
    }

    /// The form body of a token request.
    pub fn token_request_body(&self) -> String {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "client_credentials");
        if !self.scopes.is_empty() {
            form.append_pair("scope", &self.scopes.join(" "));
        }
        if let Some(a) = &self.audience {
            form.append_pair("audience", a);
        }
        if self.client_auth == ClientAuth::Body {
            form.append_pair("client_id", &self.client_id);
            form.append_pair("client_secret", &self.client_secret);
        }
        form.finish()
    }
}

impl TlsAuth {
    pub fn check(&self) -> Result<(), ParseError> {
        for (name, pem) in
            [("client_cert", &self.client_cert), ("client_key", &self.client_key), ("ca_bundle", &self.ca_bundle)]
        {
            if let Some(p) = pem {
                if p.len() > MAX_PEM_BYTES || !p.contains("-----BEGIN ") {
                    return Err(ParseError::new(format!("tls.{name} must be PEM text of at most 64 KiB")));
                }
            }
        }
        if self.client_cert.is_some() != self.client_key.is_some() {
            return Err(ParseError::new("tls.client_cert and tls.client_key go together"));
        }
        Ok(())
    }
}

/// A token endpoint's answer (RFC 6749 §5.1), as far as Herald uses it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    pub access_token: String,
    /// How long it is valid, when the server said; see [`Token::reuse_for`].
    pub expires_in: Option<Duration>,
}

/// A token whose lifetime the server did not give is reused this long.
const UNSTATED_LIFETIME: Duration = Duration::from_secs(300);

impl Token {
    /// Parses a successful token response: JSON with `access_token` and
    /// optionally `expires_in` (seconds, a number or a numeric string) and
    /// `token_type` (which must be `bearer` when given).
    pub fn parse(body: &str) -> Result<Self, ParseError> {
        let v: serde_json::Value =
            serde_json::from_str(body).map_err(|_| ParseError::new("the token response is not JSON"))?;
        let access_token = v
            .get("access_token")
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty() && t.len() <= 8192 && t.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| ParseError::new("the token response has no usable access_token"))?
            .to_owned();
        if let Some(kind) = v.get("token_type").and_then(|t| t.as_str()) {
            if !kind.eq_ignore_ascii_case("bearer") {
                return Err(ParseError::new(format!("the token type is `{kind}`, not bearer")));
            }
        }
        let expires_in = match v.get("expires_in") {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(serde_json::Value::String(s)) => s.parse().ok(),
            _ => None,
        }
        .map(Duration::from_secs);
        Ok(Self { access_token, expires_in })
    }

    /// How long after it was fetched the token is used: its lifetime less a
    /// margin (a tenth of it, at most a minute), so no request carries a
    /// token that expires on the way.
    pub fn reuse_for(&self) -> Duration {
        let life = self.expires_in.unwrap_or(UNSTATED_LIFETIME);
        life.saturating_sub((life / 10).min(Duration::from_secs(60)))
    }
}

impl fmt::Debug for EndpointAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointAuth")
            .field("oauth2", &self.oauth2.as_ref().map(|o| o.token_url.as_str()))
            .field("tls", &self.tls.as_ref().map(|_| "(redacted)"))
            .finish()
    }
}

impl fmt::Debug for OAuth2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2").field("token_url", &self.token_url.as_str()).finish_non_exhaustive()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token").field("expires_in", &self.expires_in).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oauth() -> OAuth2 {
        OAuth2 {
            token_url: EndpointUrl::parse("https://auth.example/token").unwrap(),
            client_id: "herald".into(),
            client_secret: "s3cret&=".into(),
            scopes: vec!["hooks.write".into(), "hooks.read".into()],
            audience: Some("https://api.example".into()),
            client_auth: ClientAuth::Basic,
        }
    }

    #[test]
    fn a_token_request_is_a_form_with_scopes_joined_by_spaces() {
        let o = oauth();
        assert_eq!(
            o.token_request_body(),
            "grant_type=client_credentials&scope=hooks.write+hooks.read&audience=https%3A%2F%2Fapi.example"
        );
        let body = OAuth2 { client_auth: ClientAuth::Body, scopes: vec![], audience: None, ..o };
        assert_eq!(
            body.token_request_body(),
            "grant_type=client_credentials&client_id=herald&client_secret=s3cret%26%3D"
        );
    }

    #[test]
    fn token_responses_parse_and_are_reused_short_of_expiry() {
        let t = Token::parse(r#"{"access_token":"abc","token_type":"Bearer","expires_in":3600}"#).unwrap();
        assert_eq!(t.access_token, "abc");
        assert_eq!(t.reuse_for(), Duration::from_secs(3_540));
        let short = Token::parse(r#"{"access_token":"abc","expires_in":"20"}"#).unwrap();
        assert_eq!(short.reuse_for(), Duration::from_secs(18));
        assert_eq!(Token::parse(r#"{"access_token":"x"}"#).unwrap().reuse_for(), Duration::from_secs(270));
        for bad in [
            "nope",
            r#"{"token_type":"bearer"}"#,
            r#"{"access_token":"a b"}"#,
            r#"{"access_token":"a","token_type":"mac"}"#,
        ] {
            assert!(Token::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn settings_are_checked() {
        assert!(oauth().check().is_ok());
        assert!(OAuth2 { client_id: String::new(), ..oauth() }.check().is_err());
        assert!(OAuth2 { scopes: vec!["a b".into()], ..oauth() }.check().is_err());
        let half = TlsAuth { client_cert: Some("-----BEGIN CERTIFICATE-----".into()), ..TlsAuth::default() };
        assert!(half.check().unwrap_err().to_string().contains("go together"));
        assert!(TlsAuth { ca_bundle: Some("not pem".into()), ..TlsAuth::default() }.check().is_err());
        assert!(!format!("{:?}", EndpointAuth { oauth2: Some(oauth()), tls: None }).contains("s3cret"));
    }
}
