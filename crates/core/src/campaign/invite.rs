//! Personal invite codes: the `{code}` of `PUBLIC_URL/i/{code}`. Short enough for an SMS,
//! safe in a URL, unguessable (65 bits of the caller's randomness), and expiring.
//!
//! The code proves nothing about who opens it: it only attributes the visit to the
//! campaign and presets the region; the worker still types their own five fields.

use std::fmt;

use crate::time::Timestamp;

/// Characters in a code.
pub const INVITE_CODE_LEN: usize = 13;

/// Random bytes a code is made from (65 of their 72 bits are used).
pub const INVITE_RANDOM_BYTES: usize = 9;

/// How long an invite stays valid unless the campaign says otherwise.
pub const DEFAULT_INVITE_DAYS: u32 = 30;

/// Crockford's base32, lower case: digits and letters without i, l, o and u, so a code
/// read aloud or retyped from a screenshot survives.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A well-formed invite code (whether it exists is the store's question).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct InviteCode(String);

/// Why a text is not an invite code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InviteCodeError {
    /// Not 13 characters.
    #[error("an invite code has 13 characters")]
    Length,
    /// A character outside the code alphabet.
    #[error("an invite code has only digits and the letters of Crockford's base32")]
    Character,
}

impl InviteCode {
    /// A code from fresh random bytes (the caller's `Randomness`): 13 characters of 5
    /// bits each, 65 bits of entropy.
    pub fn from_random(bytes: [u8; INVITE_RANDOM_BYTES]) -> InviteCode {
        let mut value = u128::from_be_bytes({
            let mut wide = [0u8; 16];
            wide[..INVITE_RANDOM_BYTES].copy_from_slice(&bytes);
            wide
        });
        let mut code = String::with_capacity(INVITE_CODE_LEN);
        for _ in 0..INVITE_CODE_LEN {
            // The top 5 bits each time.
            let index = (value >> 123) as usize;
            code.push(char::from(ALPHABET[index]));
            value <<= 5;
        }
        InviteCode(code)
    }

    /// Reads a code from a URL or typed text: trimmed, any case, with Crockford's
    /// readings of look-alikes (`I`/`L` → 1, `O` → 0).
    ///
    /// # Errors
    ///
    /// Wrong length or a character outside the alphabet.
    pub fn parse(text: &str) -> Result<InviteCode, InviteCodeError> {
        let code: String = text
            .trim()
            .chars()
            .map(|c| match c.to_ascii_lowercase() {
                'i' | 'l' => '1',
                'o' => '0',
                other => other,
            })
            .collect();
        if code.chars().count() != INVITE_CODE_LEN {
            return Err(InviteCodeError::Length);
        }
        if !code.bytes().all(|b| ALPHABET.contains(&b)) {
            return Err(InviteCodeError::Character);
        }
        Ok(InviteCode(code))
    }

    /// The code as it appears in links.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InviteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for InviteCode {
    /// Only the first characters: a full code in a log is a usable link.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InviteCode({}…)", &self.0[..4])
    }
}

/// When an invite made at `created` stops working, `days` later.
pub const fn invite_expires_at(created: Timestamp, days: u32) -> Timestamp {
    created.plus_days(days as i64)
}

/// Whether an invite expiring at `expires_at` no longer works at `now`.
pub fn invite_expired(expires_at: Timestamp, now: Timestamp) -> bool {
    now >= expires_at
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_short_url_safe_and_use_65_bits() {
        assert_eq!(InviteCode::from_random([0; 9]).as_str(), "0000000000000");
        assert_eq!(InviteCode::from_random([0xFF; 9]).as_str(), "zzzzzzzzzzzzz");
        // The 65th bit is the top bit of the ninth byte; the rest of it is unused.
        assert_eq!(InviteCode::from_random([0, 0, 0, 0, 0, 0, 0, 0, 0x80]).as_str(), "0000000000001");
        assert_eq!(InviteCode::from_random([0, 0, 0, 0, 0, 0, 0, 0, 0x7F]).as_str(), "0000000000000");
        assert_eq!(InviteCode::from_random([0x80, 0, 0, 0, 0, 0, 0, 0, 0]).as_str(), "g000000000000");
    }

    #[test]
    fn parsing_reads_case_and_look_alikes() {
        let code = InviteCode::from_random([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(InviteCode::parse(&code.as_str().to_uppercase()), Ok(code.clone()));
        assert_eq!(InviteCode::parse(&format!(" {code} ")), Ok(code));
        assert_eq!(InviteCode::parse("OIL0000000000").unwrap().as_str(), "0110000000000");
        assert_eq!(InviteCode::parse("000000000000"), Err(InviteCodeError::Length));
        assert_eq!(InviteCode::parse("00000000000000"), Err(InviteCodeError::Length));
        assert_eq!(InviteCode::parse("000000000000u"), Err(InviteCodeError::Character));
        assert_eq!(InviteCode::parse("00000000000/."), Err(InviteCodeError::Character));
        assert_eq!(InviteCode::parse("00000000000０0"), Err(InviteCodeError::Character));
        assert!(!format!("{:?}", InviteCode::parse("abcdefghjkmnp").unwrap()).contains("abcdefghjkmnp"));
    }

    #[test]
    fn invites_expire() {
        let created = Timestamp(1_796_054_400_000);
        let expires = invite_expires_at(created, DEFAULT_INVITE_DAYS);
        assert_eq!(expires, created.plus_days(30));
        assert!(!invite_expired(expires, Timestamp(expires.millis() - 1)));
        assert!(invite_expired(expires, expires));
    }

    proptest! {
        #[test]
        fn codes_round_trip_and_differ_with_their_65_bits(a in any::<[u8; 9]>(), b in any::<[u8; 9]>()) {
            let code = InviteCode::from_random(a);
            prop_assert_eq!(code.as_str().len(), INVITE_CODE_LEN);
            prop_assert_eq!(InviteCode::parse(code.as_str()), Ok(code.clone()));
            let bits = |x: [u8; 9]| u128::from_be_bytes({ let mut w = [0; 16]; w[..9].copy_from_slice(&x); w }) >> 63;
            prop_assert_eq!(code == InviteCode::from_random(b), bits(a) == bits(b));
        }
    }
}
