//! The unified social credit code (统一社会信用代码, GB 32100-2015) of an employer.

use std::fmt;

/// The 31 characters the code uses (no I, O, Z, S, V), in value order.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A valid credit code: 18 characters of the code alphabet with a correct check character.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

/// Why a text is not a credit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// Not 18 characters of the alphabet.
    #[error(
        "a unified social credit code has 18 characters (digits and capital letters except I, O, Z, S, V)"
    )]
    Format,
    /// The 18th character does not match the other 17.
    #[error("the credit code's check character is wrong")]
    Checksum,
}

impl CreditCodeError {
    /// The API error code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Format => "employer.credit_code.format",
            Self::Checksum => "employer.credit_code.checksum",
        }
    }

    /// The message in Chinese.
    pub const fn message_zh(self) -> &'static str {
        match self {
            Self::Format => "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）",
            Self::Checksum => "统一社会信用代码校验位不正确",
        }
    }
}

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|a| *a == c).and_then(|p| u32::try_from(p).ok())
}

/// The check character for the first 17 characters; `None` if one is outside the alphabet.
pub fn check_char(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, weight) in first17.iter().zip(WEIGHTS) {
        sum += value_of(*c)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.get(check as usize).map(|b| char::from(*b))
}

impl CreditCode {
    /// Parses a code; spaces are removed and letters upper-cased first.
    pub fn parse(input: &str) -> Result<CreditCode, CreditCodeError> {
        let text: String =
            input.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
        let bytes = text.as_bytes();
        if bytes.len() != 18 || !bytes.iter().all(|b| value_of(*b).is_some()) {
            return Err(CreditCodeError::Format);
        }
        if check_char(&bytes[..17]) != Some(char::from(bytes[17])) {
            return Err(CreditCodeError::Checksum);
        }
        Ok(CreditCode(text))
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CreditCode").field(&self.0).finish()
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_codes_pass_and_altered_ones_fail() {
        // Published codes of real companies.
        for code in ["9144030071526726XG", "914403001922038216", "91330100716105852F"] {
            assert_eq!(CreditCode::parse(code).map(|c| c.to_string()), Ok(code.to_owned()), "{code}");
        }
        assert!(CreditCode::parse(" 9144030071526726xg ").is_ok());
        assert_eq!(CreditCode::parse("9144030071526726XH"), Err(CreditCodeError::Checksum));
        assert_eq!(CreditCode::parse("9144030071526726X"), Err(CreditCodeError::Format));
        assert_eq!(CreditCode::parse("9144030071526726IG"), Err(CreditCodeError::Format));
        assert_eq!(CreditCode::parse(""), Err(CreditCodeError::Format));
    }
}
