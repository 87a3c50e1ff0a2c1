//! Personal invite codes: the `{code}` of `PUBLIC_URL/i/{code}`. Short enough for an SMS,
//! safe in a URL, unguessable (65 bits of the caller's randomness), and expiring.
//!
//! The code proves nothing about who opens it: it only attributes the visit to the
//! campaign and presets the region; the worker still types their own five fields.

use std::collections::HashSet;
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

/// Codes dealt in a run from one fill of randomness: one per [`INVITE_RANDOM_BYTES`] of
/// `random` (a remainder shorter than that is unused), each the [`InviteCode::from_random`]
/// of its own bytes, so every code keeps its 65 random bits; a code equal to one dealt
/// earlier in the run is skipped, so a run's codes are distinct and a caller short of
/// codes fills again. Queueing fills once per batch of thousands of targets instead of
/// once per target.
pub fn deal(random: &[u8]) -> Vec<InviteCode> {
    let mut seen = HashSet::with_capacity(random.len() / INVITE_RANDOM_BYTES);
    random
        .chunks_exact(INVITE_RANDOM_BYTES)
        .filter_map(|chunk| {
            let mut bytes = [0u8; INVITE_RANDOM_BYTES];
            bytes.copy_from_slice(chunk);
            let code = InviteCode::from_random(bytes);
            seen.insert(code.clone()).then_some(code)
        })
        .collect()
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

    #[test]
    fn a_run_skips_a_repeated_code_and_the_remainder() {
        let mut random = [7u8; 9 * 3 + 4].to_vec();
        random[9] = 8;
        let codes = deal(&random);
        assert_eq!(
            codes,
            [InviteCode::from_random([7; 9]), InviteCode::from_random([8, 7, 7, 7, 7, 7, 7, 7, 7])]
        );
        assert!(deal(&[1; 8]).is_empty());
    }

    proptest! {
        #[test]
        fn dealt_codes_are_distinct_and_each_keeps_its_65_bits(
            random in proptest::collection::vec(any::<u8>(), 0..9 * 300),
            flip in any::<prop::sample::Index>(),
            bit in 0usize..65,
        ) {
            let codes = deal(&random);
            let chunks: Vec<[u8; 9]> =
                random.chunks_exact(9).map(|c| { let mut b = [0; 9]; b.copy_from_slice(c); b }).collect();
            // Distinct, in order, each from its own bytes.
            let distinct: std::collections::HashSet<_> = codes.iter().collect();
            prop_assert_eq!(distinct.len(), codes.len());
            let mut expected = Vec::new();
            for chunk in &chunks {
                let code = InviteCode::from_random(*chunk);
                if !expected.contains(&code) {
                    expected.push(code);
                }
            }
            prop_assert_eq!(&codes, &expected);
            // Any one of a chunk's 65 used bits changes its code: no bit is lost in a run.
            if !chunks.is_empty() {
                let mut flipped = chunks[flip.index(chunks.len())];
                let code = InviteCode::from_random(flipped);
                flipped[bit / 8] ^= 0x80 >> (bit % 8);
                prop_assert_ne!(InviteCode::from_random(flipped), code);
            }
        }

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
