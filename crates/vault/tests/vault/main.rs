//! Behaviour tests for the vault's public API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use hmac::{Hmac, KeyInit, Mac};
use huiji_vault::{
    BlindIndexKey, EncryptionKey, Field, KeyFile, KeyId, Keyring, NonceSource, OsRandom, Purpose, VaultError,
};
use sha2::Sha256;

mod proptests;

const ID: &str = "11010519491231002X";
const MOBILE: &str = "13800138000";

/// Deterministic source so failures reproduce.
fn counter() -> impl FnMut(&mut [u8]) {
    let mut n = 0u8;
    move |buf: &mut [u8]| {
        for b in buf {
            n = n.wrapping_add(37);
            *b = n;
        }
    }
}

fn keyring() -> Keyring {
    Keyring::new(
        KeyId::new("k1").unwrap(),
        EncryptionKey::from_bytes([1; 32]),
        BlindIndexKey::from_bytes([2; 32]),
    )
}

/// The stored layout, byte for byte: `[1][id_len][id][nonce][ciphertext || tag]`, as
/// every database written so far holds it (the bytes were made by the vault before its
/// encryption went in place; they must never change).
#[test]
fn ciphertexts_keep_the_stored_layout_byte_for_byte() {
    let kr = Keyring::new(
        KeyId::new("k1").unwrap(),
        EncryptionKey::from_bytes([7; 32]),
        BlindIndexKey::from_bytes([9; 32]),
    );
    let mut n = 0u8;
    let mut nonces = |buf: &mut [u8]| {
        for b in buf {
            *b = n;
            n = n.wrapping_add(1);
        }
    };
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let id = kr.encrypt(Field::IdNumber, "34010419900101001X", &mut nonces).unwrap();
    assert_eq!(
        hex(&id),
        "01026b31000102030405060708090a0b0c0d0e0f10111213141516179b239bb4ca286a9c1cf7b176d6d39f9c6e8eb8be60bbb366bb8d8fdcecf188aed007"
    );
    let mobile = kr.encrypt(Field::Mobile, "13800138000", &mut nonces).unwrap();
    assert_eq!(
        hex(&mobile),
        "01026b3118191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f475e30d39a4f10af6a12c13453169243d3c58d56402191f95a3ca2"
    );
    assert_eq!(kr.decrypt(Field::Mobile, &mobile).unwrap(), "13800138000");
}

#[test]
fn roundtrip_both_fields() {
    let kr = keyring();
    let mut rng = counter();
    for (field, value) in [(Field::IdNumber, ID), (Field::Mobile, MOBILE), (Field::Mobile, "")] {
        let ct = kr.encrypt(field, value, &mut rng).unwrap();
        assert_eq!(kr.decrypt(field, &ct).unwrap(), value);
    }
}

#[test]
fn layout_matches_documentation() {
    let kr = keyring();
    let ct = kr.encrypt(Field::Mobile, MOBILE, &mut |b: &mut [u8]| b.fill(9)).unwrap();
    assert_eq!(ct[0], 1);
    assert_eq!(ct[1], 2);
    assert_eq!(&ct[2..4], b"k1");
    assert_eq!(&ct[4..28], &[9; 24]);
    assert_eq!(ct.len(), 28 + MOBILE.len() + 16);
}

#[test]
fn swapped_field_fails() {
    let kr = keyring();
    let ct = kr.encrypt(Field::Mobile, MOBILE, &mut counter()).unwrap();
    assert_eq!(kr.decrypt(Field::IdNumber, &ct), Err(VaultError::AuthenticationFailed));
}

#[test]
fn every_tampered_byte_fails() {
    let kr = keyring();
    let ct = kr.encrypt(Field::IdNumber, ID, &mut counter()).unwrap();
    for i in 0..ct.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut bad = ct.clone();
            bad[i] ^= flip;
            assert!(kr.decrypt(Field::IdNumber, &bad).is_err(), "byte {i} ^ {flip:#x}");
        }
    }
    for len in 0..ct.len() {
        assert!(kr.decrypt(Field::IdNumber, &ct[..len]).is_err(), "truncated to {len}");
    }
}

#[test]
fn unknown_key_id_fails() {
    let kr = keyring();
    let other = Keyring::new(
        KeyId::new("k9").unwrap(),
        EncryptionKey::from_bytes([1; 32]),
        BlindIndexKey::from_bytes([2; 32]),
    );
    let ct = other.encrypt(Field::Mobile, MOBILE, &mut counter()).unwrap();
    assert_eq!(kr.decrypt(Field::Mobile, &ct), Err(VaultError::UnknownKeyId("k9".into())));
}

#[test]
fn wrong_key_same_id_fails_authentication() {
    let kr = keyring();
    let mut other = keyring();
    other.current.1 = EncryptionKey::from_bytes([3; 32]);
    let ct = other.encrypt(Field::Mobile, MOBILE, &mut counter()).unwrap();
    assert_eq!(kr.decrypt(Field::Mobile, &ct), Err(VaultError::AuthenticationFailed));
}

#[test]
fn malformed_inputs_are_rejected() {
    let kr = keyring();
    assert_eq!(kr.decrypt(Field::Mobile, &[]), Err(VaultError::Malformed));
    let mut ct = kr.encrypt(Field::Mobile, MOBILE, &mut counter()).unwrap();
    ct[0] = 2;
    assert_eq!(kr.decrypt(Field::Mobile, &ct), Err(VaultError::Malformed));
    assert_eq!(Keyring::key_id_of(&ct), None);
}

#[test]
fn rotation_keeps_old_values_readable() {
    let mut rng = counter();
    let kr = keyring();
    let old = kr.encrypt(Field::IdNumber, ID, &mut rng).unwrap();
    assert_eq!(Keyring::key_id_of(&old), Some("k1"));
    assert!(!kr.needs_rotation(&old));

    let kr = kr.with_new_current(KeyId::new("k2").unwrap(), EncryptionKey::from_bytes([7; 32]));
    assert_eq!(kr.current.0.as_str(), "k2");
    assert_eq!(kr.previous.len(), 1);
    assert!(kr.needs_rotation(&old));
    assert_eq!(kr.decrypt(Field::IdNumber, &old).unwrap(), ID);

    let new = kr.reencrypt(Field::IdNumber, &old, &mut rng).unwrap();
    assert_eq!(Keyring::key_id_of(&new), Some("k2"));
    assert!(!kr.needs_rotation(&new));
    assert_eq!(kr.decrypt(Field::IdNumber, &new).unwrap(), ID);

    // Once k1 is retired, only re-encrypted rows remain readable.
    let retired = Keyring { previous: Vec::new(), ..kr };
    assert_eq!(retired.decrypt(Field::IdNumber, &new).unwrap(), ID);
    assert_eq!(retired.decrypt(Field::IdNumber, &old), Err(VaultError::UnknownKeyId("k1".into())));
}

#[test]
fn new_encryptions_use_current_key() {
    let kr = keyring().with_new_current(KeyId::new("k2").unwrap(), EncryptionKey::from_bytes([7; 32]));
    let ct = kr.encrypt(Field::Mobile, MOBILE, &mut counter()).unwrap();
    assert_eq!(Keyring::key_id_of(&ct), Some("k2"));
}

#[test]
fn blind_index_is_deterministic_and_separated() {
    let kr = keyring();
    let a = kr.blind_index(Field::Mobile, MOBILE);
    assert_eq!(a, kr.blind_index(Field::Mobile, MOBILE));
    assert_ne!(a, kr.blind_index(Field::IdNumber, MOBILE));
    assert_ne!(a, kr.blind_index(Field::Mobile, "13800138001"));

    let mut other = keyring();
    other.blind = BlindIndexKey::from_bytes([3; 32]);
    assert_ne!(a, other.blind_index(Field::Mobile, MOBILE));

    // Encryption rotation must not change indexes.
    let rotated = keyring().with_new_current(KeyId::new("k2").unwrap(), EncryptionKey::from_bytes([7; 32]));
    assert_eq!(a, rotated.blind_index(Field::Mobile, MOBILE));

    assert_eq!(a.to_hex().len(), 64);
    assert!(a.to_hex().bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!(a.as_bytes().len(), 32);
}

#[test]
fn blind_index_matches_reference_hmac() {
    let kr = keyring();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[2; 32]).unwrap();
    mac.update(b"mobile\0");
    mac.update(MOBILE.as_bytes());
    let expected: [u8; 32] = mac.finalize().into_bytes().into();
    assert_eq!(kr.blind_index(Field::Mobile, MOBILE).as_bytes(), &expected);
}

#[test]
fn a_blind_indexer_gives_the_blind_index_of_every_value() {
    let kr = keyring();
    for field in [Field::IdNumber, Field::Mobile, Field::WebhookSecret] {
        let indexer = kr.blind_indexer(field);
        for value in [ID, MOBILE, "", "13800138001"] {
            // The same indexer used again and again: its keyed state is not consumed.
            assert_eq!(indexer.index(value), kr.blind_index(field, value), "{field:?} {value}");
        }
    }
    assert_eq!(format!("{:?}", kr.blind_indexer(Field::Mobile)), "BlindIndexer(..)");
}

#[test]
fn ciphertext_does_not_contain_plaintext() {
    let kr = keyring();
    let mut rng = counter();
    for (field, value) in [(Field::IdNumber, ID), (Field::Mobile, MOBILE)] {
        let ct = kr.encrypt(field, value, &mut rng).unwrap();
        // Any 4-byte window of the value would be a leak worth noticing.
        for window in value.as_bytes().windows(4) {
            assert!(!ct.windows(4).any(|w| w == window), "{value} leaked");
        }
    }
}

#[test]
fn fresh_nonces_give_different_ciphertexts() {
    let kr = keyring();
    let a = kr.encrypt(Field::Mobile, MOBILE, &mut OsRandom).unwrap();
    let b = kr.encrypt(Field::Mobile, MOBILE, &mut OsRandom).unwrap();
    assert_ne!(a, b);
}

#[test]
fn failing_nonce_source_aborts_encryption() {
    struct Broken;
    impl NonceSource for Broken {
        fn fill(&mut self, _: &mut [u8]) -> Result<(), VaultError> {
            Err(VaultError::Random)
        }
    }
    assert_eq!(keyring().encrypt(Field::Mobile, MOBILE, &mut Broken), Err(VaultError::Random));
}

#[test]
fn debug_never_shows_key_material() {
    let key = EncryptionKey::from_bytes([0xab; 32]);
    let blind = BlindIndexKey::from_bytes([0xcd; 32]);
    assert_eq!(format!("{key:?}"), "[redacted]");
    assert_eq!(format!("{blind:?}"), "[redacted]");

    let kr = Keyring::new(KeyId::new("k1").unwrap(), key.clone(), blind.clone())
        .with_new_current(KeyId::new("k2").unwrap(), EncryptionKey::from_bytes([0xef; 32]));
    let shown = format!("{kr:?} {kr:#?}");
    for secret in [key.to_base64(), blind.to_base64(), kr.current.1.to_base64()] {
        assert!(!shown.contains(&secret));
    }
    for byte in ["171", "205", "239", "0xab", "0xcd", "0xef", "ab, ab", "cd, cd"] {
        assert!(!shown.contains(byte), "{byte} in {shown}");
    }
    assert!(shown.contains("k1") && shown.contains("k2"));
}

#[test]
fn key_id_validation() {
    for ok in ["k1", "a", "2026-01_main", "abcdefghijklmnop"] {
        assert_eq!(KeyId::new(ok).unwrap().as_str(), ok);
    }
    for bad in ["", "K1", "k 1", "k.1", "abcdefghijklmnopq", "键"] {
        assert_eq!(KeyId::new(bad), Err(VaultError::InvalidKeyId), "{bad:?}");
    }
}

#[test]
fn key_base64_roundtrip_and_validation() {
    let key = EncryptionKey::from_bytes([5; 32]);
    let text = key.to_base64();
    assert_eq!(EncryptionKey::from_base64(&format!(" {text}\n")).unwrap().to_base64(), text);
    assert!(EncryptionKey::from_base64("not base64!").is_err());
    assert!(BlindIndexKey::from_base64("AAAA").is_err());
}

#[test]
fn generated_key_file_loads_and_roundtrips() {
    let text = KeyFile::generate(&mut OsRandom).unwrap();
    let kr = Keyring::from_key_file_text(&text).unwrap();
    assert_eq!(kr.current.0.as_str(), "k1");
    assert!(kr.previous.is_empty());
    let ct = kr.encrypt(Field::IdNumber, ID, &mut OsRandom).unwrap();

    let rotated =
        kr.with_new_current(KeyId::new("k2").unwrap(), EncryptionKey::generate(&mut OsRandom).unwrap());
    let reloaded = Keyring::from_key_file_text(&rotated.to_key_file_text()).unwrap();
    assert_eq!(reloaded.current.0.as_str(), "k2");
    assert_eq!(reloaded.decrypt(Field::IdNumber, &ct).unwrap(), ID);
    assert_eq!(reloaded.blind_index(Field::IdNumber, ID), rotated.blind_index(Field::IdNumber, ID));
}

#[test]
fn key_file_with_previous_keys_and_comments() {
    let k = |b| EncryptionKey::from_bytes([b; 32]).to_base64();
    let text = format!(
        "# comment\r\n\ncurrent = k1\r\nenc.k0 = {}\nenc.k1={}\n  blind =  {}  \n",
        k(0),
        k(1),
        BlindIndexKey::from_bytes([2; 32]).to_base64()
    );
    let kr = Keyring::from_key_file_text(&text).unwrap();
    let ids: Vec<_> = kr.key_ids().map(KeyId::as_str).collect();
    assert_eq!(ids, ["k1", "k0"]);
    assert_eq!(kr.blind_index(Field::Mobile, MOBILE), keyring().blind_index(Field::Mobile, MOBILE));
}

#[test]
fn key_file_errors_are_clear() {
    let enc = EncryptionKey::from_bytes([1; 32]).to_base64();
    let blind = BlindIndexKey::from_bytes([2; 32]).to_base64();
    let cases = [
        (format!("enc.k1 = {enc}\nblind = {blind}\n"), "missing `current"),
        (format!("current = k1\nenc.k1 = {enc}\n"), "missing `blind"),
        (format!("current = k2\nenc.k1 = {enc}\nblind = {blind}\n"), "`k2` has no `enc.k2`"),
        ("current = k1\ncurrent = k1\n".to_owned(), "line 2: duplicate `current`"),
        (format!("current = k1\nenc.k1 = {enc}\nenc.k1 = {enc}\n"), "line 3: duplicate `enc.k1`"),
        ("current = k1\nenc.k1 = AAAA\n".to_owned(), "line 2: enc.k1 is not base64"),
        ("current = k1\nblind = ???\n".to_owned(), "line 2: blind is not base64"),
        ("current = K1\n".to_owned(), "line 1: current key id"),
        ("enc.K1 = AAAA\n".to_owned(), "line 1: key id after `enc.`"),
        ("current k1\n".to_owned(), "line 1: expected `name = value`"),
        ("colour = blue\n".to_owned(), "line 1: unknown entry `colour`"),
        (String::new(), "missing `current"),
    ];
    for (text, want) in cases {
        let err = Keyring::from_key_file_text(&text).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, VaultError::KeyFile(_)), "{msg}");
        assert!(msg.contains(want), "{msg:?} should contain {want:?}");
        assert!(!msg.contains(&enc) && !msg.contains(&blind), "{msg} leaks key");
    }
}

#[test]
fn card_signatures_verify_and_differ_from_blind_indexes() {
    let kr = keyring();
    let sig = kr.card_signature("v1.342600000012.1764460800");
    assert!(kr.verify_card_signature("v1.342600000012.1764460800", &sig.to_hex()));
    assert!(!kr.verify_card_signature("v1.342600000013.1764460800", &sig.to_hex()));
    assert!(!kr.verify_card_signature("v1.342600000012.1764460800", "00"));
    assert_ne!(sig.to_hex(), kr.blind_index(Field::Mobile, "v1.342600000012.1764460800").to_hex());
}

#[test]
fn signing_purposes_sign_todays_payloads() {
    // Printed cards, sent transfer links and console redirects carry signatures made as
    // card signatures of these exact strings; the purposes must reproduce them byte for byte.
    let kr = keyring();
    let today = [
        (Purpose::Card, "34012026000001", "huiji-card-v1:34012026000001"),
        (Purpose::Transfer, "42:1796004000000", "transfer:42:1796004000000"),
        (Purpose::ConsoleNotice, "已批准 3 份申请", "console-notice:已批准 3 份申请"),
    ];
    for (purpose, message, payload) in today {
        let signature = kr.sign(purpose, message);
        assert_eq!(signature, kr.card_signature(payload).to_hex(), "{purpose:?}");
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[2; 32]).unwrap();
        mac.update(b"member_card\0");
        mac.update(payload.as_bytes());
        assert_eq!(signature, huiji_vault::hex(&mac.finalize().into_bytes()), "{purpose:?}");
        assert!(kr.verify(purpose, message, &signature));
        assert!(kr.verify_card_signature(payload, &signature));
        assert!(!kr.verify(purpose, "34012026000002", &signature));
        assert!(!kr.verify(purpose, message, "00"));
    }
    // A signature for one purpose is refused for every other, even for the same message.
    let card = kr.sign(Purpose::Card, "1");
    assert!(!kr.verify(Purpose::Transfer, "1", &card));
    assert!(!kr.verify(Purpose::ConsoleNotice, "1", &card));
    assert_ne!(kr.sign(Purpose::Transfer, "1"), kr.sign(Purpose::ConsoleNotice, "1"));
}
