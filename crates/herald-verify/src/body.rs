//! The body-only HMAC schemes Herald's delivery profiles can produce
//! (`hmac-sha256` / `hmac-sha1` in a header of the profile's choosing): an
//! HMAC of the raw body, hex or base64, keyed by the key text the profile
//! names (the endpoint's secret text, or the application's credential).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};

use crate::Error;

/// How the header encodes the MAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Hex,
    Base64,
}

/// Verifies `header_value` as the HMAC-SHA256 of `body` under `key`.
pub fn verify_hmac_sha256(key: &[u8], body: &[u8], header_value: &str, encoding: Encoding) -> Result<(), Error> {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(body);
    check(mac, header_value, encoding)
}

/// Verifies `header_value` as the HMAC-SHA1 of `body` under `key`.
pub fn verify_hmac_sha1(key: &[u8], body: &[u8], header_value: &str, encoding: Encoding) -> Result<(), Error> {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(body);
    check(mac, header_value, encoding)
}

fn check(mac: impl Mac, value: &str, encoding: Encoding) -> Result<(), Error> {
    let value = value.trim();
    let given = match encoding {
        Encoding::Hex => hex::decode(value).ok(),
        Encoding::Base64 => B64.decode(value).ok(),
    }
    .ok_or(Error::InvalidHeader("signature"))?;
    // Constant time.
    mac.verify_slice(&given).map_err(|_| Error::NoMatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_macs_verify_in_both_encodings() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let sha256 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(verify_hmac_sha256(b"Jefe", b"what do ya want for nothing?", sha256, Encoding::Hex), Ok(()));
        let b64 = B64.encode(hex::decode(sha256).unwrap());
        assert_eq!(verify_hmac_sha256(b"Jefe", b"what do ya want for nothing?", &b64, Encoding::Base64), Ok(()));
        assert_eq!(verify_hmac_sha256(b"Jefe", b"what do ya want?", sha256, Encoding::Hex), Err(Error::NoMatch));
        // RFC 2202 test case 2.
        let sha1 = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79";
        assert_eq!(verify_hmac_sha1(b"Jefe", b"what do ya want for nothing?", sha1, Encoding::Hex), Ok(()));
        assert_eq!(verify_hmac_sha1(b"Jefe", b"x", "zz", Encoding::Hex), Err(Error::InvalidHeader("signature")));
    }
}
