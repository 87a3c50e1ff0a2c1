//! Platform API keys: `hj_<prefix>_<secret>`. The prefix finds the stored row and is safe
//! to show in lists; only the SHA-256 of the whole key is stored.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// How long this instance trusts a key it read: a revocation made elsewhere (the command
/// line, another instance) stops the key here within this time; one made through
/// [`revoke`] on this instance stops it at once.
pub const CACHE_TTL: Duration = Duration::from_secs(1);

/// Above this many cached keys the cache is emptied before another is added.
const CACHE_MAX: usize = 10_000;

/// Keys read lately, by prefix, each with when it was read (this instance's monotonic
/// clock: a cache's age, not a rule's time). Only stored rows are kept: the presented
/// secret is still hashed and compared every time.
#[derive(Debug, Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, (ApiKeyRecord, Instant)>>,
}

impl KeyCache {
    fn get(&self, prefix: &str) -> Option<ApiKeyRecord> {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.get(prefix).filter(|(_, read)| read.elapsed() < CACHE_TTL).map(|(key, _)| key.clone())
    }

    fn put(&self, key: ApiKeyRecord) {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= CACHE_MAX {
            entries.clear();
        }
        entries.insert(key.prefix.clone(), (key, Instant::now()));
    }

    fn forget(&self, prefix: &str) {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(prefix);
    }
}

/// The stored key a presented one stands for: well-formed, genuine (its hash compared
/// in constant time) and not revoked; `None` for anything else, alike. A key read in the
/// last [`CACHE_TTL`] is not read again (an API request then costs no key query).
///
/// # Errors
///
/// The store's.
pub async fn authenticate(app: &App, presented: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
    let Some(prefix) = prefix_of(presented) else {
        return Ok(None);
    };
    let key = match app.api_key_cache().get(prefix) {
        Some(key) => key,
        None => {
            let Some(key) = app.store().api_key_by_prefix(prefix).await? else {
                return Ok(None);
            };
            app.api_key_cache().put(key.clone());
            key
        }
    };
    let genuine = constant_time_eq(sha256_hex(presented.as_bytes()).as_bytes(), key.key_hash.as_bytes());
    Ok((genuine && key.revoked_at.is_none()).then_some(key))
}

/// Revokes the key with this prefix and forgets it here at once (other instances within
/// [`CACHE_TTL`]); `false` when there was no active key with it.
///
/// # Errors
///
/// The store's.
pub async fn revoke(app: &App, prefix: &str) -> Result<bool, StoreError> {
    let revoked = app.store().revoke_api_key(prefix, app.now()).await?;
    app.api_key_cache().forget(prefix);
    Ok(revoked)
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
