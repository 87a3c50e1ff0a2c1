//! Property tests: decryption is total and encryption round-trips.

use huiji_vault::{BlindIndexKey, EncryptionKey, Field, KeyId, Keyring};
use proptest::prelude::*;

fn keyring() -> Keyring {
    Keyring::new(
        KeyId::new("k1").unwrap(),
        EncryptionKey::from_bytes([1; 32]),
        BlindIndexKey::from_bytes([2; 32]),
    )
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![Just(Field::IdNumber), Just(Field::Mobile), Just(Field::WebhookSecret)]
}

proptest! {
    #[test]
    fn decrypt_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..128), f in field()) {
        let _ = keyring().decrypt(f, &bytes);
        let _ = Keyring::key_id_of(&bytes);
    }

    #[test]
    fn decrypt_never_panics_on_plausible_headers(
        id in "[a-z0-9_-]{1,16}",
        tail in proptest::collection::vec(any::<u8>(), 0..64),
        f in field(),
    ) {
        // Random bytes rarely pass the version and key-id checks, so also
        // exercise inputs that reach the AEAD step.
        let mut bytes = vec![1, u8::try_from(id.len()).unwrap()];
        bytes.extend_from_slice(id.as_bytes());
        bytes.extend_from_slice(&tail);
        prop_assert!(keyring().decrypt(f, &bytes).is_err());
        if tail.len() >= 40 {
            prop_assert_eq!(Keyring::key_id_of(&bytes), Some(id.as_str()));
        }
    }

    #[test]
    fn roundtrip_any_string(s in any::<String>(), nonce in any::<[u8; 24]>(), f in field()) {
        let kr = keyring();
        let ct = kr.encrypt(f, &s, &mut |b: &mut [u8]| b.copy_from_slice(&nonce)).unwrap();
        prop_assert_eq!(kr.decrypt(f, &ct).unwrap(), s);
    }
}
