//! A station's public code, the `{code}` of `/s/{code}`: its id in Crockford's base 32,
//! upper case, so the link on a printed poster is short and survives being retyped.

use std::fmt;

use crate::ids::id_newtype;

id_newtype! {
    /// A service station.
    StationId;
}

/// Crockford's base 32: digits and letters without I, L, O and U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Longest code: 13 characters hold every positive `i64`.
const MAX_LEN: usize = 13;

/// A station's public code (whether a station has it is the store's question).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StationCode(StationId);

impl StationCode {
    /// The code of a station.
    pub const fn of(id: StationId) -> StationCode {
        StationCode(id)
    }

    /// The station it names.
    pub const fn id(self) -> StationId {
        self.0
    }

    /// Reads a code from a URL or typed text: any case, with Crockford's readings of
    /// look-alikes (`I`/`L` → 1, `O` → 0). Zero, negative or overlong values are refused.
    pub fn parse(text: &str) -> Option<StationCode> {
        let text = text.trim();
        if text.is_empty() || text.len() > MAX_LEN {
            return None;
        }
        let mut value: i64 = 0;
        for byte in text.bytes() {
            let byte = match byte.to_ascii_uppercase() {
                b'I' | b'L' => b'1',
                b'O' => b'0',
                other => other,
            };
            let digit = ALPHABET.iter().position(|c| *c == byte)?;
            value = value.checked_mul(32)?.checked_add(i64::try_from(digit).ok()?)?;
        }
        (value > 0).then_some(StationCode(StationId(value)))
    }
}

impl fmt::Display for StationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut value = u64::try_from(self.0.0).unwrap_or(0);
        let mut digits = [0u8; MAX_LEN];
        let mut start = MAX_LEN;
        loop {
            start -= 1;
            // The remainder is below 32, so the index is in range.
            digits[start] = ALPHABET[(value % 32) as usize];
            value /= 32;
            if value == 0 || start == 0 {
                break;
            }
        }
        f.write_str(std::str::from_utf8(&digits[start..]).map_err(|_| fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_short_and_forgiving() {
        assert_eq!(StationCode::of(StationId(1)).to_string(), "1");
        assert_eq!(StationCode::of(StationId(32)).to_string(), "10");
        assert_eq!(StationCode::of(StationId(443)).to_string(), "DV");
        assert_eq!(StationCode::parse("dv"), Some(StationCode::of(StationId(443))));
        assert_eq!(StationCode::parse("1O"), Some(StationCode::of(StationId(32))));
        assert_eq!(StationCode::parse("I"), Some(StationCode::of(StationId(1))));
        assert_eq!(StationCode::parse("0"), None);
        assert_eq!(StationCode::parse("U1"), None);
        assert_eq!(StationCode::parse(""), None);
        assert_eq!(StationCode::parse("ZZZZZZZZZZZZZ"), None);
    }

    proptest! {
        #[test]
        fn every_id_round_trips(id in 1i64..=i64::MAX) {
            let code = StationCode::of(StationId(id));
            prop_assert_eq!(StationCode::parse(&code.to_string()), Some(code));
            prop_assert_eq!(StationCode::parse(&code.to_string().to_lowercase()), Some(code));
        }
    }
}
