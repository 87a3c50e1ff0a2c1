//! Platform API keys: `hj_<prefix>_<secret>`. The prefix finds the stored row and is safe
//! to show in lists; only the SHA-256 of the whole key is stored.

use huiji_store::{ApiKeyRecord, StoreError};
use huiji_vault::{VaultError, constant_time_eq, hex, sha256_hex};

use crate::App;
use crate::ports::Randomness;

/// Scopes a key can carry; a new key gets all of them unless narrowed.
pub const SCOPES: [&str; 3] = ["applications", "memberships.verify", "orgs"];

/// A freshly issued key: shown once, then only its prefix and hash exist.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedKey {
    /// The whole key, for the platform.
    pub key: String,
    /// Its public prefix.
    pub prefix: String,
    /// What is stored.
    pub hash: String,
}

impl std::fmt::Debug for IssuedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedKey").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

/// Makes a new key from 6 random bytes of prefix and 32 of secret.
pub fn issue(random: &dyn Randomness) -> Result<IssuedKey, VaultError> {
    let mut prefix = [0u8; 6];
    let mut secret = [0u8; 32];
    random.fill(&mut prefix)?;
    random.fill(&mut secret)?;
    let prefix = hex(&prefix);
    let key = format!("hj_{prefix}_{}", hex(&secret));
    Ok(IssuedKey { hash: sha256_hex(key.as_bytes()), key, prefix })
}

/// The prefix of a well-formed key.
pub fn prefix_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("hj_")?;
    let (prefix, secret) = rest.split_once('_')?;
    let well_formed = prefix.len() == 12
        && secret.len() == 64
        && prefix.bytes().chain(secret.bytes()).all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    well_formed.then_some(prefix)
}

/// The stored key a presented one stands for: well-formed, genuine (its hash compared
/// in constant time) and not revoked; `None` for anything else, alike.
///
/// # Errors
///
/// The store's.
pub async fn authenticate(app: &App, presented: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
    let Some(prefix) = prefix_of(presented) else {
        return Ok(None);
    };
    let Some(key) = app.store().api_key_by_prefix(prefix).await? else {
        return Ok(None);
    };
    let genuine = constant_time_eq(sha256_hex(presented.as_bytes()).as_bytes(), key.key_hash.as_bytes());
    Ok((genuine && key.revoked_at.is_none()).then_some(key))
}

/// Checks and normalises a scope list (comma- or space-separated).
pub fn parse_scopes(text: &str) -> Result<String, String> {
    let mut scopes: Vec<&str> = Vec::new();
    for scope in text.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
        if !SCOPES.contains(&scope) {
            return Err(format!("unknown scope {scope:?}; scopes are {}", SCOPES.join(", ")));
        }
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        return Err("at least one scope is needed".to_owned());
    }
    Ok(scopes.join(" "))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::ports::OsRandomness;

    #[test]
    fn issued_keys_parse_back_to_their_prefix() {
        let issued = issue(&OsRandomness).unwrap();
        assert_eq!(prefix_of(&issued.key), Some(issued.prefix.as_str()));
        assert_eq!(issued.hash, sha256_hex(issued.key.as_bytes()));
        assert!(!format!("{issued:?}").contains(&issued.key));
        assert_eq!(prefix_of("hj_short_abc"), None);
        assert_eq!(prefix_of(&issued.key.to_uppercase()), None);
        assert_eq!(prefix_of(""), None);
    }

    #[test]
    fn scopes_are_checked() {
        assert_eq!(parse_scopes("orgs, applications").unwrap(), "orgs applications");
        assert!(parse_scopes("admin").is_err());
        assert!(parse_scopes(" ").is_err());
    }
}
