//! Secrets at rest: endpoint secrets and application/endpoint credentials
//! are stored sealed with XChaCha20-Poly1305 under the main key, as
//! `hs1:<key id>:<base64 of nonce and ciphertext>`. The associated data is
//! the column and the row's id, so a sealed value copied to another row or
//! column does not open. Values written before sealing existed (no `hs1:`)
//! are read as they are and sealed by [`crate::Store::reseal_secrets`].

use std::fmt;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

use crate::StoreError;

const PREFIX: &str = "hs1:";
const NONCE: usize = 24;

struct Key {
    id: String,
    aead: XChaCha20Poly1305,
}

impl Key {
    fn new(bytes: &[u8; 32]) -> Self {
        let digest = Sha256::new().chain_update(b"herald main key id\0").chain_update(bytes).finalize();
        let id = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        Self { id, aead: XChaCha20Poly1305::new(bytes.into()) }
    }
}

/// Seals and opens stored secrets. The current key seals; it and the
/// previous keys (during a rotation) open.
pub struct Sealer {
    current: Key,
    previous: Vec<Key>,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let previous: Vec<&str> = self.previous.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("Sealer").field("key_id", &self.current.id).field("previous", &previous).finish()
    }
}

/// Where a sealed value lives; bound into it as associated data.
pub struct Place<'a> {
    pub column: &'a str,
    pub row_id: &'a str,
}

impl Place<'_> {
    fn aad(&self) -> Vec<u8> {
        [self.column.as_bytes(), b"\0", self.row_id.as_bytes()].concat()
    }
}

impl Sealer {
    pub fn new(main: &[u8; 32], previous: &[[u8; 32]]) -> Self {
        Self { current: Key::new(main), previous: previous.iter().map(Key::new).collect() }
    }

    /// A sealer under a fresh random key (for `sqlite::memory:` and tests).
    pub fn ephemeral() -> Self {
        Self::new(&rand_key(), &[])
    }

    /// The current key's id, as sealed values name it.
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    pub fn seal(&self, plain: &str, at: &Place<'_>) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = at.aad();
        // Encryption with a valid key cannot fail for inputs this size.
        let sealed =
            self.current.aead.encrypt(&nonce, Payload { msg: plain.as_bytes(), aad: &aad }).unwrap_or_default();
        format!("{PREFIX}{}:{}", self.current.id, B64.encode([nonce.as_slice(), &sealed].concat()))
    }

    /// The plain value of a stored one (sealed, or from before sealing).
    pub fn open(&self, stored: &str, at: &Place<'_>) -> Result<String, StoreError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else { return Ok(stored.to_owned()) };
        let fail = |why: &str| StoreError::Sealed(format!("{} of {}: {why}", at.column, at.row_id));
        let (id, body) = rest.split_once(':').ok_or_else(|| fail("malformed sealed value"))?;
        let key = std::iter::once(&self.current).chain(&self.previous).find(|k| k.id == id).ok_or_else(|| {
            fail(&format!(
                "sealed under key {id}, which is neither security.main_key nor one of security.previous_main_keys"
            ))
        })?;
        let bytes = B64.decode(body).map_err(|_| fail("malformed sealed value"))?;
        if bytes.len() < NONCE {
            return Err(fail("malformed sealed value"));
        }
        let (nonce, ct) = bytes.split_at(NONCE);
        let plain = key
            .aead
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &at.aad() })
            .map_err(|_| fail("does not open (altered, or moved from another row)"))?;
        String::from_utf8(plain).map_err(|_| fail("not text"))
    }

    /// Whether `stored` is sealed under the current key already.
    pub fn is_current(&self, stored: &str) -> bool {
        stored.strip_prefix(PREFIX).and_then(|r| r.split_once(':')).is_some_and(|(id, _)| id == self.current.id)
    }
}

/// 32 random bytes.
pub fn rand_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    let generated = XChaCha20Poly1305::generate_key(&mut OsRng);
    key.copy_from_slice(&generated);
    key
}

/// A key from its base64 form (`security.main_key`).
pub fn parse_key(text: &str) -> Result<[u8; 32], String> {
    let bytes =
        B64.decode(text.trim()).map_err(|_| "must be base64 (e.g. from `openssl rand -base64 32`)".to_owned())?;
    bytes.try_into().map_err(|b: Vec<u8>| format!("must be 32 bytes of base64, not {}", b.len()))
}

pub fn encode_key(key: &[u8; 32]) -> String {
    B64.encode(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: Place<'static> = Place { column: "endpoints.secret", row_id: "ep_1" };

    #[test]
    fn sealed_values_open_only_where_and_with_what_they_were_sealed() {
        let s = Sealer::new(&[7; 32], &[]);
        let sealed = s.seal("whsec_abc", &AT);
        assert!(sealed.starts_with("hs1:") && !sealed.contains("whsec_abc"), "{sealed}");
        assert_eq!(s.open(&sealed, &AT).unwrap(), "whsec_abc");
        assert_ne!(s.seal("whsec_abc", &AT), sealed, "a fresh nonce each time");
        let elsewhere = Place { column: "endpoints.secret", row_id: "ep_2" };
        assert!(s.open(&sealed, &elsewhere).is_err(), "moved to another row");
        let other_key = Sealer::new(&[8; 32], &[]);
        assert!(other_key.open(&sealed, &AT).unwrap_err().to_string().contains("security.previous_main_keys"));
        let mut tampered = sealed.clone();
        tampered.replace_range(sealed.len() - 3..sealed.len() - 2, if sealed.ends_with("A==") { "B" } else { "A" });
        assert!(s.open(&tampered, &AT).is_err());
        assert_eq!(s.open("whsec_plain", &AT).unwrap(), "whsec_plain", "written before sealing");
    }

    #[test]
    fn rotation_opens_old_values_and_seals_new_ones_under_the_new_key() {
        let old = Sealer::new(&[1; 32], &[]);
        let sealed = old.seal("secret", &AT);
        let rotated = Sealer::new(&[2; 32], &[[1; 32]]);
        assert_eq!(rotated.open(&sealed, &AT).unwrap(), "secret");
        assert!(!rotated.is_current(&sealed));
        assert!(rotated.is_current(&rotated.seal("secret", &AT)));
    }

    #[test]
    fn keys_parse_and_debug_shows_no_key() {
        let k = rand_key();
        assert_eq!(parse_key(&encode_key(&k)).unwrap(), k);
        assert!(parse_key("c2hvcnQ=").is_err());
        assert!(parse_key("not base64!").is_err());
        let shown = format!("{:?}", Sealer::new(&k, &[]));
        assert!(!shown.contains(&encode_key(&k)) && shown.contains("key_id"), "{shown}");
    }
}
