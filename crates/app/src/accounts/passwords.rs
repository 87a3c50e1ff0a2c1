//! Officer passwords: argon2id with a random salt, checked off the async threads.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::ports::Randomness;

/// A valid hash, with the parameters every new hash gets, of a password nobody knows:
/// logins of unknown, disabled and locked accounts are checked against it, so they take
/// as long as a wrong password.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Xp5hFnr7IdqJ4JOWnVJdpr8ohKHhCBfeYBwq+c3Zy4U";

/// Shortest password accepted for an officer account.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Why a password was not hashed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Too short to be a password.
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// Hashing failed (randomness or parameters).
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// The PHC string (`$argon2id$v=19$...`) of a new password.
pub fn hash(password: &str, random: &dyn Randomness) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    let mut salt = [0u8; 16];
    random.fill(&mut salt).map_err(|e| PasswordError::Hashing(e.to_string()))?;
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hashing(e.to_string()))
}

/// Whether `password` matches the stored hash (a malformed hash never matches).
pub fn verify(password: &str, phc: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), phc).is_ok()
}

/// Checks a password on the blocking pool: argon2 takes tens of milliseconds of CPU by
/// design, which must not stall the request threads.
pub async fn verify_blocking(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || verify(&password, &phc)).await.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::OsRandomness;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash("correct horse battery", &OsRandomness).unwrap();
        let b = hash("correct horse battery", &OsRandomness).unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse battery!", &a));
        assert!(!verify("x", "not a hash"));
        assert!(matches!(hash("short", &OsRandomness), Err(PasswordError::TooShort)));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let dummy = argon2::PasswordHash::new(DUMMY_HASH).unwrap();
        let real = hash("correct horse battery", &OsRandomness).unwrap();
        let real = argon2::PasswordHash::new(&real).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(argon2::Params::try_from(&dummy).unwrap(), argon2::Params::try_from(&real).unwrap());
        assert!(!verify("", DUMMY_HASH) && !verify("correct horse battery", DUMMY_HASH));
    }
}
