//! Signing secrets in the Standard Webhooks forms: `whsec_<base64>` keys an
//! HMAC-SHA256 (`v1,` signatures); `whsk_<base64>` is an ed25519 secret key
//! (`v1a,` signatures), whose public key `whpk_<base64>` is what a receiver
//! verifies with. The kind follows from the prefix, so a rotation from one
//! to the other signs with both during its grace period.

use std::fmt;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};

use crate::ParseError;

const HMAC_PREFIX: &str = "whsec_";
const ED25519_PREFIX: &str = "whsk_";
const PUBLIC_PREFIX: &str = "whpk_";
const GENERATED_HMAC_BYTES: usize = 24;

/// Which scheme a secret signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub enum SecretKind {
    /// HMAC-SHA256, `v1,<base64>`.
    #[serde(rename = "hmac-sha256")]
    Hmac,
    /// ed25519, `v1a,<base64>`.
    #[serde(rename = "ed25519")]
    Ed25519,
}

impl SecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hmac => "hmac-sha256",
            Self::Ed25519 => "ed25519",
        }
    }
}

/// A signing secret. Its `Debug` never shows the value.
#[derive(Clone)]
pub struct EndpointSecret {
    text: String,
    /// The HMAC key, or the ed25519 seed.
    key: Vec<u8>,
    signer: Option<SigningKey>,
}

impl EndpointSecret {
    /// A new HMAC secret (24 random bytes).
    pub fn generate() -> Self {
        let bytes: [u8; GENERATED_HMAC_BYTES] = rand::random();
        Self { text: format!("{HMAC_PREFIX}{}", B64.encode(bytes)), key: bytes.to_vec(), signer: None }
    }

    /// A new ed25519 key pair.
    pub fn generate_ed25519() -> Self {
        let seed: [u8; 32] = rand::random();
        Self {
            text: format!("{ED25519_PREFIX}{}", B64.encode(seed)),
            key: seed.to_vec(),
            signer: Some(SigningKey::from_bytes(&seed)),
        }
    }

    /// A new secret of `kind`.
    pub fn generate_kind(kind: SecretKind) -> Self {
        match kind {
            SecretKind::Hmac => Self::generate(),
            SecretKind::Ed25519 => Self::generate_ed25519(),
        }
    }

    /// `whsec_` with a 24 to 75 byte key, or `whsk_` with a 32-byte seed (or
    /// the 64-byte seed-and-public-key form, whose halves must agree).
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        // A secret pasted with its line's end (or a JSON Schema `$`, which
        // also matches before a final newline) is the same secret.
        let s = s.trim();
        if let Some(b64) = s.strip_prefix(ED25519_PREFIX) {
            let bytes =
                B64.decode(b64).map_err(|_| ParseError::new("an ed25519 secret must be `whsk_` followed by base64"))?;
            let seed: [u8; 32] = bytes
                .get(..32)
                .and_then(|b| b.try_into().ok())
                .filter(|_| bytes.len() == 32 || bytes.len() == 64)
                .ok_or_else(|| ParseError::new("an ed25519 secret is 32 bytes (or 64 with its public key)"))?;
            let signer = SigningKey::from_bytes(&seed);
            if bytes.len() == 64 && bytes[32..] != signer.verifying_key().to_bytes() {
                return Err(ParseError::new("the public half of this ed25519 secret does not match its seed"));
            }
            return Ok(Self { text: s.to_owned(), key: seed.to_vec(), signer: Some(signer) });
        }
        let b64 = s
            .strip_prefix(HMAC_PREFIX)
            .ok_or_else(|| ParseError::new("a secret must start with `whsec_` (HMAC) or `whsk_` (ed25519)"))?;
        let key = B64.decode(b64).map_err(|_| ParseError::new("a secret must be `whsec_` followed by base64"))?;
        if !(24..=75).contains(&key.len()) {
            return Err(ParseError::new("a secret's key must be 24 to 75 bytes long"));
        }
        Ok(Self { text: s.to_owned(), key, signer: None })
    }

    pub fn expose(&self) -> &str {
        &self.text
    }

    /// The HMAC key (for an ed25519 secret, its seed).
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    pub fn kind(&self) -> SecretKind {
        if self.signer.is_some() {
            SecretKind::Ed25519
        } else {
            SecretKind::Hmac
        }
    }

    /// `whpk_<base64>`, what a receiver verifies `v1a` signatures with; `None`
    /// for an HMAC secret.
    pub fn public_key(&self) -> Option<String> {
        self.signer.as_ref().map(|k| format!("{PUBLIC_PREFIX}{}", B64.encode(k.verifying_key().to_bytes())))
    }

    /// One `webhook-signature` entry over `id.timestamp.body`: `v1,…` or
    /// `v1a,…` as the secret's kind says.
    pub fn sign(&self, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
        let Some(signer) = &self.signer else {
            return crate::signing::sign(&self.key, msg_id, timestamp_secs, body);
        };
        let ts = timestamp_secs.to_string();
        let mut content = Vec::with_capacity(msg_id.len() + ts.len() + body.len() + 2);
        content.extend_from_slice(msg_id.as_bytes());
        content.push(b'.');
        content.extend_from_slice(ts.as_bytes());
        content.push(b'.');
        content.extend_from_slice(body);
        format!("v1a,{}", B64.encode(signer.sign(&content).to_bytes()))
    }
}

impl PartialEq for EndpointSecret {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for EndpointSecret {}

impl fmt::Debug for EndpointSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EndpointSecret(redacted)")
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_pasted_secret_with_a_line_end_is_the_same_secret() {
        let text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let pasted = super::EndpointSecret::parse(&format!("{text}\n")).unwrap();
        assert_eq!(pasted.expose(), text);
    }

    use super::*;
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};

    #[test]
    fn generated_secrets_parse_back() {
        let s = EndpointSecret::generate();
        assert!(s.expose().starts_with("whsec_"));
        let again = EndpointSecret::parse(s.expose()).unwrap();
        assert_eq!(again.key().len(), 24);
        assert_eq!(again, s);
        assert_eq!(again.kind(), SecretKind::Hmac);
        assert!(again.public_key().is_none());
        assert!(!format!("{s:?}").contains("whsec_"));
    }

    #[test]
    fn bad_secrets_are_rejected() {
        assert!(EndpointSecret::parse("nope").is_err());
        assert!(EndpointSecret::parse("whsec_!!!").is_err());
        assert!(EndpointSecret::parse("whsec_c2hvcnQ=").is_err());
        assert!(EndpointSecret::parse("whsk_c2hvcnQ=").is_err(), "too short for ed25519");
        let s = EndpointSecret::generate_ed25519();
        let mut wrong = s.key().to_vec();
        wrong.extend_from_slice(&[7; 32]);
        assert!(EndpointSecret::parse(&format!("whsk_{}", B64.encode(wrong))).is_err(), "halves disagree");
    }

    #[test]
    fn an_ed25519_secret_signs_v1a_that_its_public_key_verifies() {
        let s = EndpointSecret::generate_ed25519();
        let again = EndpointSecret::parse(s.expose()).unwrap();
        assert_eq!(again.kind(), SecretKind::Ed25519);
        let public = again.public_key().unwrap();
        assert_eq!(Some(public.clone()), s.public_key());
        let sig = again.sign("msg_1", 1_614_265_330, b"{}");
        let b64 = sig.strip_prefix("v1a,").expect("a v1a entry");
        let key: [u8; 32] = B64.decode(public.strip_prefix("whpk_").unwrap()).unwrap().try_into().unwrap();
        let sig = Signature::from_slice(&B64.decode(b64).unwrap()).unwrap();
        let key = VerifyingKey::from_bytes(&key).unwrap();
        assert!(key.verify(b"msg_1.1614265330.{}", &sig).is_ok());
        assert!(key.verify(b"msg_1.1614265331.{}", &sig).is_err());
        let mut long = s.key().to_vec();
        long.extend_from_slice(&key.to_bytes());
        let full = EndpointSecret::parse(&format!("whsk_{}", B64.encode(long))).unwrap();
        assert_eq!(full.public_key(), s.public_key(), "the 64-byte form is the same key");
    }
}
