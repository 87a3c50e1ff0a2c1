//! XChaCha20-Poly1305 as HChaCha20 (the `chacha20` crate's scalar function) and then
//! ring's ChaCha20-Poly1305 under the derived subkey — the construction of
//! draft-irtf-cfrg-xchacha, so the bytes are those the `chacha20poly1305` crate made
//! (pinned by the test `ciphertexts_keep_the_stored_layout_byte_for_byte`).
//!
//! Why not that crate: for the short values sealed here (an ID number, a mobile) its
//! AVX2 code paths cost 1.9–2.3 µs a value with this compiler (the intrinsics are called,
//! not inlined, and four blocks are computed where two are used); ring's assembly takes
//! about 0.4 µs, and a bulk roster import seals two values a row.

use chacha20::{R20, hchacha};
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};

/// Nonce length of XChaCha20-Poly1305.
pub(super) const NONCE_LEN: usize = 24;
/// Tag length of Poly1305.
pub(super) const TAG_LEN: usize = 16;

/// The ChaCha20-Poly1305 key and 96-bit nonce an XChaCha20 nonce stands for: the
/// subkey is HChaCha20 of the key and the nonce's first 16 bytes, the nonce four zero
/// bytes and the last 8. `None` only if ring refuses a 32-byte key, which it does not.
fn derive(key: &[u8; 32], nonce: &[u8; NONCE_LEN]) -> Option<(LessSafeKey, Nonce)> {
    let (head, tail) = nonce.split_first_chunk::<16>()?;
    let subkey = hchacha::<R20>(key.into(), head.into());
    let key = UnboundKey::new(&CHACHA20_POLY1305, subkey.as_slice()).ok()?;
    let mut short = [0u8; 12];
    short.get_mut(4..)?.copy_from_slice(tail);
    Some((LessSafeKey::new(key), Nonce::assume_unique_for_key(short)))
}

/// Encrypts `buf[body..]` where it lies and appends the tag. `None` only for a message
/// beyond what ChaCha20 may encrypt under one nonce (~256 GiB).
pub(super) fn seal_in_place(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut Vec<u8>,
    body: usize,
) -> Option<()> {
    let (key, nonce) = derive(key, nonce)?;
    let tag = key.seal_in_place_separate_tag(nonce, Aad::from(aad), buf.get_mut(body..)?).ok()?;
    buf.extend_from_slice(tag.as_ref());
    Some(())
}

/// Decrypts `sealed` (ciphertext then tag); `None` if it does not authenticate.
pub(super) fn open(key: &[u8; 32], nonce: &[u8; NONCE_LEN], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let (key, nonce) = derive(key, nonce)?;
    let mut buf = sealed.to_vec();
    let len = key.open_in_place(nonce, Aad::from(aad), &mut buf).ok()?.len();
    buf.truncate(len);
    Some(buf)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }

    /// The test vector of draft-irtf-cfrg-xchacha-03, appendix A.3.1.
    #[test]
    fn the_drafts_test_vector_seals_and_opens() {
        let key: [u8; 32] =
            unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f").try_into().unwrap();
        let nonce: [u8; NONCE_LEN] =
            unhex("404142434445464748494a4b4c4d4e4f5051525354555657").try_into().unwrap();
        let aad = unhex("50515253c0c1c2c3c4c5c6c7");
        let plain = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip \
                      for the future, sunscreen would be it.";
        let sealed = unhex(concat!(
            "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa644",
            "0bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e",
            "3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e",
            "c0875924c1c7987947deafd8780acf49",
        ));
        let mut buf = b"head".to_vec();
        buf.extend_from_slice(plain);
        seal_in_place(&key, &nonce, &aad, &mut buf, 4).unwrap();
        assert_eq!(buf.get(4..).unwrap(), sealed.as_slice());
        assert_eq!(open(&key, &nonce, &aad, &sealed).unwrap(), plain);
        let mut forged = sealed;
        forged[0] ^= 1;
        assert_eq!(open(&key, &nonce, &aad, &forged), None, "a changed byte does not authenticate");
    }
}
