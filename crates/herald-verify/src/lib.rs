//! Verify webhooks sent by Herald (or any sender of
//! [Standard Webhooks](https://www.standardwebhooks.com/)) in a Rust
//! receiver.
//!
//! ```
//! use herald_verify::Webhook;
//!
//! let wh = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
//! let mut headers = http::HeaderMap::new();
//! headers.insert("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek".parse().unwrap());
//! headers.insert("webhook-timestamp", "1614265330".parse().unwrap());
//! headers.insert("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".parse().unwrap());
//! let body = br#"{"test": 2432232314}"#;
//! // A stored payload replayed later: its timestamp is old, so skip that check.
//! wh.clone().skip_timestamp_check().verify(&headers, body).unwrap();
//! // Live traffic: the timestamp must be within 5 minutes of now.
//! assert!(wh.verify(&headers, body).is_err());
//! ```
//!
//! **Verify the raw body.** The signature covers the request body byte for
//! byte. A body parsed as JSON and serialised again (other key order, other
//! spacing, `1.0` for `1`) no longer matches: that is the most common reason
//! receivers reject valid webhooks. Read the body as bytes, verify them, and
//! parse afterwards. The axum extractor ([`axum::Verified`], feature
//! `axum`) does exactly that.
//!
//! Keys: `whsec_…` verifies `v1,` (HMAC-SHA256) signatures and `whpk_…` (an
//! ed25519 public key) verifies `v1a,` ones. Give several keys during a
//! rotation: a request passes when any entry of `webhook-signature` matches
//! any key. The other schemes Herald's delivery profiles produce (an HMAC of
//! the body alone in a header of its own) are in [`body`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[cfg(feature = "axum")]
pub mod axum;
pub mod body;

/// Why a request did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("the `{0}` header is missing")]
    MissingHeader(&'static str),
    #[error("the `{0}` header is not valid")]
    InvalidHeader(&'static str),
    #[error("the timestamp is more than the tolerance away from now")]
    Timestamp,
    #[error("no signature matches")]
    NoMatch,
    #[error("invalid key: {0}")]
    InvalidKey(String),
}

#[derive(Clone)]
enum Key {
    Hmac(Vec<u8>),
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// Verifies `webhook-id`, `webhook-timestamp` and `webhook-signature`.
#[derive(Clone)]
pub struct Webhook {
    keys: Vec<Key>,
    tolerance: Option<Duration>,
}

/// How far from now a timestamp may be, by default (either way).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

impl Webhook {
    /// One key: `whsec_<base64>` or `whpk_<base64>`.
    pub fn new(key: &str) -> Result<Self, Error> {
        Self::with_keys(&[key])
    }

    /// Several keys (during a rotation), each `whsec_…` or `whpk_…`.
    pub fn with_keys(keys: &[&str]) -> Result<Self, Error> {
        let keys = keys.iter().map(|k| parse_key(k)).collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(Error::InvalidKey("no key given".to_owned()));
        }
        Ok(Self { keys, tolerance: Some(DEFAULT_TOLERANCE) })
    }

    /// How far from now `webhook-timestamp` may be (default 5 minutes).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = Some(tolerance);
        self
    }

    /// No timestamp check: for verifying stored payloads replayed later.
    /// Live requests should keep the check, which stops replays.
    pub fn skip_timestamp_check(mut self) -> Self {
        self.tolerance = None;
        self
    }

    /// Verifies a request's headers and raw body against the clock.
    pub fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<(), Error> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        self.verify_at(headers, body, i64::try_from(now).unwrap_or(i64::MAX))
    }

    /// [`Self::verify`] as if the time were `now` (seconds since the epoch).
    pub fn verify_at(&self, headers: &http::HeaderMap, body: &[u8], now: i64) -> Result<(), Error> {
        let get = |name: &'static str| {
            headers.get(name).ok_or(Error::MissingHeader(name))?.to_str().map_err(|_| Error::InvalidHeader(name))
        };
        self.verify_parts(get("webhook-id")?, get("webhook-timestamp")?, get("webhook-signature")?, body, now)
    }

    /// Verifies the three header values and the raw body.
    pub fn verify_parts(
        &self,
        id: &str,
        timestamp: &str,
        signatures: &str,
        body: &[u8],
        now: i64,
    ) -> Result<(), Error> {
        let ts: i64 = timestamp.trim().parse().map_err(|_| Error::InvalidHeader("webhook-timestamp"))?;
        if let Some(tol) = self.tolerance {
            let tol = i64::try_from(tol.as_secs()).unwrap_or(i64::MAX);
            if now.saturating_sub(ts).abs() > tol {
                return Err(Error::Timestamp);
            }
        }
        let mut signed = Vec::with_capacity(id.len() + timestamp.len() + body.len() + 2);
        signed.extend_from_slice(id.as_bytes());
        signed.push(b'.');
        signed.extend_from_slice(timestamp.trim().as_bytes());
        signed.push(b'.');
        signed.extend_from_slice(body);
        for entry in signatures.split(' ') {
            let Some((version, sig)) = entry.split_once(',') else { continue };
            let Ok(sig) = B64.decode(sig) else { continue };
            for key in &self.keys {
                let ok = match (version, key) {
                    ("v1", Key::Hmac(k)) => {
                        let mut mac = Hmac::<Sha256>::new_from_slice(k).expect("HMAC takes any key");
                        mac.update(&signed);
                        // Constant time.
                        mac.verify_slice(&sig).is_ok()
                    }
                    ("v1a", Key::Ed25519(k)) => {
                        ed25519_dalek::Signature::from_slice(&sig).is_ok_and(|s| k.verify_strict(&signed, &s).is_ok())
                    }
                    _ => false,
                };
                if ok {
                    return Ok(());
                }
            }
        }
        Err(Error::NoMatch)
    }
}

fn parse_key(key: &str) -> Result<Key, Error> {
    if let Some(b64) = key.strip_prefix("whsec_") {
        let bytes = B64.decode(b64).map_err(|_| Error::InvalidKey("`whsec_` must be followed by base64".into()))?;
        return Ok(Key::Hmac(bytes));
    }
    if let Some(b64) = key.strip_prefix("whpk_") {
        let bytes: [u8; 32] = B64
            .decode(b64)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::InvalidKey("`whpk_` must be followed by 32 bytes in base64".into()))?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map_err(|_| Error::InvalidKey("not an ed25519 public key".into()))?;
        return Ok(Key::Ed25519(key));
    }
    Err(Error::InvalidKey("a key starts with `whsec_` (HMAC) or `whpk_` (ed25519 public key)".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: &str = "1614265330";
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    const NOW: i64 = 1_614_265_330;

    #[test]
    fn the_standard_webhooks_test_vector_verifies() {
        let wh = Webhook::new(SECRET).unwrap();
        assert_eq!(wh.verify_parts(ID, TS, SIG, BODY, NOW), Ok(()));
        assert_eq!(wh.verify_parts(ID, TS, SIG, br#"{"test": 2432232315}"#, NOW), Err(Error::NoMatch));
        assert_eq!(wh.verify_parts("msg_other", TS, SIG, BODY, NOW), Err(Error::NoMatch));
        let other = Webhook::new("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
        assert_eq!(other.verify_parts(ID, TS, SIG, BODY, NOW), Err(Error::NoMatch));
    }

    #[test]
    fn any_entry_and_any_key_may_match() {
        let both = format!("v1,bm9wZQ== v2,xyz {SIG}");
        assert_eq!(Webhook::new(SECRET).unwrap().verify_parts(ID, TS, &both, BODY, NOW), Ok(()));
        let rotating = Webhook::with_keys(&["whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", SECRET]).unwrap();
        assert_eq!(rotating.verify_parts(ID, TS, SIG, BODY, NOW), Ok(()));
        assert_eq!(rotating.verify_parts(ID, TS, "v1a,bm9wZQ==", BODY, NOW), Err(Error::NoMatch));
    }

    #[test]
    fn the_timestamp_must_be_near_now_unless_skipped() {
        let wh = Webhook::new(SECRET).unwrap();
        assert_eq!(wh.verify_parts(ID, TS, SIG, BODY, NOW + 301), Err(Error::Timestamp));
        assert_eq!(wh.verify_parts(ID, TS, SIG, BODY, NOW - 301), Err(Error::Timestamp));
        assert_eq!(wh.verify_parts(ID, TS, SIG, BODY, NOW + 299), Ok(()));
        assert_eq!(wh.clone().skip_timestamp_check().verify_parts(ID, TS, SIG, BODY, NOW + 86_400), Ok(()));
        assert_eq!(wh.verify_parts(ID, "soon", SIG, BODY, NOW), Err(Error::InvalidHeader("webhook-timestamp")));
    }

    #[test]
    fn headers_are_read_and_missing_ones_named() {
        let wh = Webhook::new(SECRET).unwrap();
        let mut h = http::HeaderMap::new();
        h.insert("webhook-id", ID.parse().unwrap());
        h.insert("webhook-timestamp", TS.parse().unwrap());
        assert_eq!(wh.verify_at(&h, BODY, NOW), Err(Error::MissingHeader("webhook-signature")));
        h.insert("webhook-signature", SIG.parse().unwrap());
        assert_eq!(wh.verify_at(&h, BODY, NOW), Ok(()));
    }

    #[test]
    fn ed25519_public_keys_verify_v1a() {
        use ed25519_dalek::Signer;
        let signer = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let public = format!("whpk_{}", B64.encode(signer.verifying_key().to_bytes()));
        let signed = format!("{ID}.{TS}.{}", std::str::from_utf8(BODY).unwrap());
        let sig = format!("v1a,{}", B64.encode(signer.sign(signed.as_bytes()).to_bytes()));
        let wh = Webhook::new(&public).unwrap();
        assert_eq!(wh.verify_parts(ID, TS, &sig, BODY, NOW), Ok(()));
        assert_eq!(wh.verify_parts(ID, TS, SIG, BODY, NOW), Err(Error::NoMatch), "a v1 entry is not for this key");
        assert!(Webhook::new("whpk_c2hvcnQ=").is_err());
        assert!(Webhook::new("nope").is_err());
    }
}
