use super::{BlindIndexKey, EncryptionKey, KeyId, Keyring, NonceSource, VaultError};

/// Creates and renders the plain-text key file.
///
/// Format, one entry per line, `#` comments and blank lines ignored:
///
/// ```text
/// current = k1
/// enc.k1 = <base64 of 32 bytes>
/// enc.k0 = <base64 of 32 bytes>
/// blind = <base64 of 32 bytes>
/// ```
///
/// Deliberately not TOML so the crate needs no parser and the file stays
/// easy to audit by eye.
#[derive(Debug, Clone, Copy)]
pub struct KeyFile;

impl KeyFile {
    /// Text of a new key file with fresh keys, current key id `k1`.
    ///
    /// # Errors
    /// Propagates a failure of the random source.
    pub fn generate(rng: &mut impl NonceSource) -> Result<String, VaultError> {
        let id = KeyId::new("k1")?;
        let keyring = Keyring::new(id, EncryptionKey::generate(rng)?, BlindIndexKey::generate(rng)?);
        Ok(Self::render(&keyring))
    }

    /// Key file text for `keyring`, e.g. to save after a rotation.
    #[must_use]
    pub fn render(keyring: &Keyring) -> String {
        let mut lines = vec![
            "# huiji vault keys. Secret: losing this file loses every encrypted value.".to_owned(),
            format!("current = {}", keyring.current.0),
        ];
        for (id, key) in core::iter::once(&keyring.current).chain(&keyring.previous) {
            lines.push(format!("enc.{id} = {}", key.to_base64()));
        }
        lines.push(format!("blind = {}", keyring.blind.to_base64()));
        lines.push(String::new());
        lines.join("\n")
    }
}

impl Keyring {
    /// Parses the key file format documented on [`KeyFile`].
    ///
    /// # Errors
    /// [`VaultError::KeyFile`] naming the offending line or missing entry:
    /// no `current`, no `blind`, `current` without a matching `enc.<id>`,
    /// duplicates, unknown entries, or bad key text. Messages never quote key
    /// material.
    pub fn from_key_file_text(text: &str) -> Result<Self, VaultError> {
        let mut current: Option<KeyId> = None;
        let mut blind: Option<BlindIndexKey> = None;
        let mut enc: Vec<(KeyId, EncryptionKey)> = Vec::new();

        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let n = index + 1;
            let err = |msg: &str| VaultError::KeyFile(format!("line {n}: {msg}"));
            // Split on the first '=' only: base64 padding also uses '='.
            let (name, value) = line.split_once('=').ok_or_else(|| err("expected `name = value`"))?;
            let (name, value) = (name.trim(), value.trim());

            if name == "current" {
                if current.is_some() {
                    return Err(err("duplicate `current`"));
                }
                current =
                    Some(KeyId::new(value).map_err(|_| err("current key id must match [a-z0-9_-]{1,16}"))?);
            } else if name == "blind" {
                if blind.is_some() {
                    return Err(err("duplicate `blind`"));
                }
                blind = Some(
                    BlindIndexKey::from_base64(value).map_err(|_| err("blind is not base64 of 32 bytes"))?,
                );
            } else if let Some(id) = name.strip_prefix("enc.") {
                let id =
                    KeyId::new(id).map_err(|_| err("key id after `enc.` must match [a-z0-9_-]{1,16}"))?;
                if enc.iter().any(|(k, _)| *k == id) {
                    return Err(err(&format!("duplicate `enc.{id}`")));
                }
                let key = EncryptionKey::from_base64(value)
                    .map_err(|_| err(&format!("enc.{id} is not base64 of 32 bytes")))?;
                enc.push((id, key));
            } else {
                return Err(err(&format!("unknown entry `{name}`")));
            }
        }

        let current =
            current.ok_or_else(|| VaultError::KeyFile("missing `current = <key id>` line".to_owned()))?;
        let blind = blind.ok_or_else(|| VaultError::KeyFile("missing `blind = <base64>` line".to_owned()))?;
        let pos = enc.iter().position(|(k, _)| *k == current).ok_or_else(|| {
            VaultError::KeyFile(format!("current key id `{current}` has no `enc.{current}` line"))
        })?;
        let current = enc.remove(pos);
        Ok(Self { current, previous: enc, blind })
    }

    /// Same as [`KeyFile::render`]; pairs with [`Keyring::from_key_file_text`].
    #[must_use]
    pub fn to_key_file_text(&self) -> String {
        KeyFile::render(self)
    }
}
