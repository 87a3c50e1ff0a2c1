use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::aead::{self, NONCE_LEN, TAG_LEN};
use super::keys::is_valid_key_id;
use super::signing::hex;
use super::{BlindIndexKey, EncryptionKey, KeyId, NonceSource, VaultError};

/// Format version written as the first ciphertext byte.
const VERSION: u8 = 1;
/// Domain tag of member-card signatures; differs from every [`Field`] tag.
const CARD_TAG: &str = "member_card";

/// Which column a value belongs to.
///
/// Bound into both the AEAD associated data and the blind index so values
/// cannot be moved between columns or matched across them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Resident identity card number.
    IdNumber,
    /// Mobile phone number.
    Mobile,
    /// A platform's webhook signing secret.
    WebhookSecret,
}

impl Field {
    /// Stable domain-separation tag; changing it breaks every stored value.
    #[must_use]
    pub const fn tag(self) -> &'static str {
        match self {
            Self::IdNumber => "id_number",
            Self::Mobile => "mobile",
            Self::WebhookSecret => "webhook_secret",
        }
    }
}

/// HMAC-SHA256 of a normalised value, stored alongside the ciphertext for
/// equality lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlindIndex([u8; 32]);

impl BlindIndex {
    /// Raw 32 bytes, e.g. for a `BLOB` column.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex, e.g. for a `TEXT` column.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

/// The blind index of one field, ready for many values ([`Keyring::blind_indexer`]):
/// keying HMAC-SHA256 is two of the four SHA-256 blocks a short value costs, and a bulk
/// import indexes a million values with the same key and tag.
#[derive(Clone)]
pub struct BlindIndexer(Hmac<Sha256>);

impl BlindIndexer {
    /// The blind index of a normalised value (as [`Keyring::blind_index`]).
    #[must_use]
    pub fn index(&self, normalised: &str) -> BlindIndex {
        let mut mac = self.0.clone();
        mac.update(normalised.as_bytes());
        BlindIndex(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for BlindIndexer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The keyed state is secret material: never printed.
        f.write_str("BlindIndexer(..)")
    }
}

/// What a keyring signature vouches for. Each purpose prefixes its own text to the signed
/// message, so a signature made for one purpose never verifies for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// A member card link; the message is the member number.
    Card,
    /// A member's transfer link; the message is `{membership id}:{expiry millis}`.
    Transfer,
    /// A console notice carried in a redirect; the message is the notice's text.
    ConsoleNotice,
}

impl Purpose {
    /// The text signed before the message. Stable: changing it invalidates every printed
    /// card and every link already sent.
    #[must_use]
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Card => "huiji-card-v1:",
            Self::Transfer => "transfer:",
            Self::ConsoleNotice => "console-notice:",
        }
    }

    fn payload(self, message: &str) -> String {
        let prefix = self.prefix();
        let mut payload = String::with_capacity(prefix.len() + message.len());
        payload.push_str(prefix);
        payload.push_str(message);
        payload
    }
}

/// The keys in force: one current encryption key, retired keys that must stay
/// readable until rotation finishes, and the blind-index key.
#[derive(Debug, Clone)]
pub struct Keyring {
    /// Key used for every new encryption.
    pub current: (KeyId, EncryptionKey),
    /// Older keys, used only to decrypt rows not yet re-encrypted.
    pub previous: Vec<(KeyId, EncryptionKey)>,
    /// Blind-index key; never rotated with the encryption keys, because doing
    /// so would invalidate every stored index at once.
    pub blind: BlindIndexKey,
}

/// Parsed view of a ciphertext; borrowing avoids copying the body.
struct Parsed<'a> {
    header: &'a [u8],
    key_id: &'a str,
    nonce: &'a [u8],
    body: &'a [u8],
}

fn parse(ciphertext: &[u8]) -> Option<Parsed<'_>> {
    let (&version, rest) = ciphertext.split_first()?;
    if version != VERSION {
        return None;
    }
    let (&id_len, rest) = rest.split_first()?;
    let (id, rest) = rest.split_at_checked(usize::from(id_len))?;
    if !is_valid_key_id(id) {
        return None;
    }
    let key_id = core::str::from_utf8(id).ok()?;
    let (nonce, body) = rest.split_at_checked(NONCE_LEN)?;
    if body.len() < TAG_LEN {
        return None;
    }
    let header = ciphertext.get(..2 + id.len())?;
    Some(Parsed { header, key_id, nonce, body })
}

/// Binds the field and the whole header so neither can be altered or swapped.
fn associated_data(field: Field, header: &[u8]) -> Vec<u8> {
    let tag = field.tag().as_bytes();
    let mut aad = Vec::with_capacity(tag.len() + 1 + header.len());
    aad.extend_from_slice(tag);
    aad.push(0);
    aad.extend_from_slice(header);
    aad
}

impl Keyring {
    /// A keyring with no previous keys.
    #[must_use]
    pub fn new(current_id: KeyId, current: EncryptionKey, blind: BlindIndexKey) -> Self {
        Self { current: (current_id, current), previous: Vec::new(), blind }
    }

    /// Encrypts `plaintext` for `field` under the current key.
    ///
    /// Layout: `[1][id_len][id][24-byte nonce][ciphertext || 16-byte tag]`.
    ///
    /// # Errors
    /// [`VaultError::Random`] if the nonce source fails.
    pub fn encrypt(
        &self,
        field: Field,
        plaintext: &str,
        nonce_src: &mut impl NonceSource,
    ) -> Result<Vec<u8>, VaultError> {
        let (id, key) = &self.current;
        let mut nonce = [0u8; NONCE_LEN];
        nonce_src.fill(&mut nonce)?;

        let id = id.as_str().as_bytes();
        let mut out = Vec::with_capacity(2 + id.len() + NONCE_LEN + plaintext.len() + TAG_LEN);
        out.push(VERSION);
        // KeyId is at most 16 bytes, so this never saturates.
        out.push(u8::try_from(id.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(id);
        let aad = associated_data(field, &out);
        out.extend_from_slice(&nonce);
        let body = out.len();
        out.extend_from_slice(plaintext.as_bytes());

        // Encrypted where it lies in `out`, the tag appended: the same bytes as an
        // AEAD's ciphertext-and-tag, without a second buffer and copy (a bulk import
        // seals two values a row). Only a message beyond ~256 GiB fails.
        aead::seal_in_place(key.bytes(), &nonce, &aad, &mut out, body).ok_or(VaultError::Malformed)?;
        Ok(out)
    }

    /// Decrypts a value produced by [`Keyring::encrypt`] for the same `field`,
    /// with whichever keyring key the ciphertext names.
    ///
    /// # Errors
    /// [`VaultError::Malformed`], [`VaultError::UnknownKeyId`] or
    /// [`VaultError::AuthenticationFailed`]; never panics on any input.
    pub fn decrypt(&self, field: Field, ciphertext: &[u8]) -> Result<String, VaultError> {
        let parsed = parse(ciphertext).ok_or(VaultError::Malformed)?;
        let key =
            self.key_for(parsed.key_id).ok_or_else(|| VaultError::UnknownKeyId(parsed.key_id.to_owned()))?;
        let nonce = <&[u8; NONCE_LEN]>::try_from(parsed.nonce).map_err(|_| VaultError::Malformed)?;
        let aad = associated_data(field, parsed.header);
        let plain =
            aead::open(key.bytes(), nonce, &aad, parsed.body).ok_or(VaultError::AuthenticationFailed)?;
        // Authenticated bytes came from `encrypt(&str)`, so this only fails if
        // someone holding the key wrote non-UTF-8 deliberately.
        String::from_utf8(plain).map_err(|_| VaultError::Malformed)
    }

    /// Key id named by a ciphertext, without decrypting; `None` if malformed.
    #[must_use]
    pub fn key_id_of(ciphertext: &[u8]) -> Option<&str> {
        parse(ciphertext).map(|p| p.key_id)
    }

    /// Whether a stored value should be re-encrypted under the current key.
    #[must_use]
    pub fn needs_rotation(&self, ciphertext: &[u8]) -> bool {
        Self::key_id_of(ciphertext) != Some(self.current.0.as_str())
    }

    /// Deterministic lookup token: HMAC-SHA256(blind, field tag || 0x00 || value).
    ///
    /// The caller must normalise first (e.g. upper-case the ID check digit,
    /// strip `+86`), or equal values will not match.
    #[must_use]
    pub fn blind_index(&self, field: Field, normalised: &str) -> BlindIndex {
        self.blind_index_tagged(field.tag(), normalised)
    }

    fn blind_index_tagged(&self, tag: &str, value: &str) -> BlindIndex {
        self.indexer_tagged(tag).index(value)
    }

    /// [`Keyring::blind_index`] of many values of one field: the HMAC keyed and the
    /// field's tag fed once, so each value costs only its own bytes.
    #[must_use]
    pub fn blind_indexer(&self, field: Field) -> BlindIndexer {
        self.indexer_tagged(field.tag())
    }

    fn indexer_tagged(&self, tag: &str) -> BlindIndexer {
        // HMAC zero-pads short keys to the block size (RFC 2104), so padding
        // here gives the same MAC while using the infallible constructor.
        let mut padded = [0u8; 64];
        padded[..32].copy_from_slice(self.blind.bytes());
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&padded.into());
        mac.update(tag.as_bytes());
        mac.update(&[0]);
        BlindIndexer(mac)
    }

    /// Signature of a member-card payload: HMAC-SHA256 under the blind-index key with
    /// its own domain tag, so a card tag can never equal a blind index. The blind key
    /// is used because it never rotates: cards stay valid across encryption-key
    /// rotations, and revocation is checked online anyway.
    #[must_use]
    pub fn card_signature(&self, payload: &str) -> BlindIndex {
        self.blind_index_tagged(CARD_TAG, payload)
    }

    /// Whether `signature_hex` is the card signature of `payload` (constant time).
    #[must_use]
    pub fn verify_card_signature(&self, payload: &str, signature_hex: &str) -> bool {
        let expected = self.card_signature(payload).to_hex();
        expected.len() == signature_hex.len()
            && constant_time_eq(expected.as_bytes(), signature_hex.as_bytes())
    }

    /// The lower-case hex signature of `message` for `purpose`: the card signature of the
    /// purpose's prefix followed by the message, so it survives encryption-key rotations.
    #[must_use]
    pub fn sign(&self, purpose: Purpose, message: &str) -> String {
        self.card_signature(&purpose.payload(message)).to_hex()
    }

    /// Whether `signature_hex` is [`Keyring::sign`]'s signature of `message` for `purpose`
    /// (constant time).
    #[must_use]
    pub fn verify(&self, purpose: Purpose, message: &str, signature_hex: &str) -> bool {
        self.verify_card_signature(&purpose.payload(message), signature_hex)
    }

    /// Starts a rotation: `id`/`key` become current and the old current key
    /// stays available for decryption.
    #[must_use]
    pub fn with_new_current(mut self, id: KeyId, key: EncryptionKey) -> Self {
        let old = core::mem::replace(&mut self.current, (id, key));
        // Drop any stale entry with the new id so lookups are unambiguous.
        self.previous.retain(|(p, _)| *p != self.current.0);
        self.previous.insert(0, old);
        self
    }

    /// Decrypts with any known key and encrypts again under the current key.
    ///
    /// # Errors
    /// Any error of [`Keyring::decrypt`] or [`Keyring::encrypt`].
    pub fn reencrypt(
        &self,
        field: Field,
        old_ciphertext: &[u8],
        nonce_src: &mut impl NonceSource,
    ) -> Result<Vec<u8>, VaultError> {
        let plain = self.decrypt(field, old_ciphertext)?;
        self.encrypt(field, &plain, nonce_src)
    }

    /// Key ids in lookup order: current first.
    pub fn key_ids(&self) -> impl Iterator<Item = &KeyId> {
        core::iter::once(&self.current.0).chain(self.previous.iter().map(|(id, _)| id))
    }

    fn key_for(&self, id: &str) -> Option<&EncryptionKey> {
        core::iter::once(&self.current)
            .chain(&self.previous)
            .find(|(k, _)| k.as_str() == id)
            .map(|(_, key)| key)
    }
}

impl fmt::Display for BlindIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Whether two byte strings are equal, taking the same time wherever they differ, so a
/// secret (a signature, a CSRF token) cannot be guessed byte by byte from response times.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
