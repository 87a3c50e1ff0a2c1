//! Hashes and signatures exchanged with platforms (API key hashes, webhook signatures),
//! and the one hex encoding every digest and signature is written in.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// Lower-case hex of the SHA-256 of `bytes`.
///
/// API keys are 256-bit random secrets, so a plain hash suffices to store them: there is
/// nothing to brute-force that a slow password hash would protect.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The `X-Huiji-Signature` header of a webhook: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
///
/// The timestamp is signed with the body so a receiver can refuse old deliveries replayed
/// by someone who recorded them.
#[must_use]
pub fn webhook_signature(secret: &str, unix_seconds: i64, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail; the fallback keeps the
    // function total without a panic path.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={unix_seconds},v1={}", hex(&mac.finalize().into_bytes()))
}

/// Lower-case hex of `bytes`, two digits a byte: how digests, signatures, blind indexes
/// and random tokens are written into URLs, headers and `TEXT` columns.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex(&[]), "");
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn sha256_matches_the_standard_vector() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn webhook_signature_is_hmac_of_timestamp_dot_body() {
        // Expected value from Python: hmac.new(b"key", b"1.{}", hashlib.sha256).hexdigest()
        let header = webhook_signature("key", 1, b"{}");
        assert_eq!(header, "t=1,v1=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224");
        assert_eq!(header.len(), "t=1,v1=".len() + 64);
        assert_ne!(header, webhook_signature("key", 2, b"{}"));
        assert_ne!(header, webhook_signature("other", 1, b"{}"));
    }
}
