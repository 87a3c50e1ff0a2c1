//! Sums of money in yuan, as people type them (“12,000”, “3.5万”, “¥860.50元”), kept as
//! whole fen so sums and comparisons are exact.

use std::fmt;

/// Fen in one yuan.
const FEN_PER_YUAN: i64 = 100;

/// The largest amount accepted: 1,000 亿 yuan, far above any wage claim or benefit, low
/// enough that sums of many never overflow.
const MAX_FEN: i64 = 100_000_000_000 * FEN_PER_YUAN;

/// A non-negative sum of money, in fen (分).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(i64);

/// Why a text is not an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Nothing but a currency sign or unit.
    #[error("no amount given")]
    Empty,
    /// Not a decimal number (letters, two points, a minus sign…).
    #[error("not a number")]
    NotANumber,
    /// Finer than one fen.
    #[error("more than two decimal places")]
    TooPrecise,
    /// Above the largest accepted amount.
    #[error("amount too large")]
    TooLarge,
}

impl AmountError {
    /// Stable code for forms and the API, e.g. `amount.format`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Empty => "amount.missing",
            Self::NotANumber => "amount.format",
            Self::TooPrecise => "amount.precision",
            Self::TooLarge => "amount.too_large",
        }
    }
}

impl Amount {
    /// Nothing.
    pub const ZERO: Amount = Amount(0);

    /// From whole fen; `None` when negative or above the maximum.
    pub fn from_fen(fen: i64) -> Option<Amount> {
        (0..=MAX_FEN).contains(&fen).then_some(Amount(fen))
    }

    /// From whole yuan; `None` when negative or above the maximum.
    pub fn from_yuan(yuan: i64) -> Option<Amount> {
        Self::from_fen(yuan.checked_mul(FEN_PER_YUAN)?)
    }

    /// The amount in fen: what the database stores.
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// The sum of two amounts, saturating at the maximum (a figure, never an error).
    pub fn saturating_add(self, other: Amount) -> Amount {
        Amount(self.0.saturating_add(other.0).min(MAX_FEN))
    }

    /// Parses what a person types: digits with optional thousands separators (`,`,
    /// `，`), a decimal point, full-width digits, a leading `¥`/`￥`, a trailing `元`,
    /// and a `万` multiplier (`3.5万` = 35,000 yuan).
    ///
    /// # Errors
    ///
    /// [`AmountError`] saying what is wrong; negative amounts are not numbers here.
    pub fn parse(text: &str) -> Result<Amount, AmountError> {
        let normalised: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, ',' | '，'))
            .map(|c| match c {
                '０'..='９' => char::from_u32(u32::from(c) - 0xFF10 + u32::from('0')).unwrap_or(c),
                '．' => '.',
                other => other,
            })
            .collect();
        let body = normalised.trim_start_matches(['¥', '￥']).trim_end_matches('元');
        let (body, ten_thousands) = match body.strip_suffix('万') {
            Some(rest) => (rest, true),
            None => (body, false),
        };
        if body.is_empty() {
            return Err(AmountError::Empty);
        }
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) || body.ends_with('.') {
            return Err(AmountError::NotANumber);
        }
        // Fen per unit of the typed number, and how many decimals that unit allows.
        let (unit_fen, max_decimals) =
            if ten_thousands { (10_000 * FEN_PER_YUAN, 6) } else { (FEN_PER_YUAN, 2) };
        if fraction.len() > max_decimals {
            return Err(AmountError::TooPrecise);
        }
        let whole: i64 = whole.parse().map_err(|_| AmountError::TooLarge)?;
        let scale = 10_i64.pow(u32::try_from(fraction.len()).unwrap_or(0));
        let fraction: i64 =
            if fraction.is_empty() { 0 } else { fraction.parse().map_err(|_| AmountError::NotANumber)? };
        let fen = whole
            .checked_mul(unit_fen)
            .and_then(|w| w.checked_add(fraction * unit_fen / scale))
            .ok_or(AmountError::TooLarge)?;
        Self::from_fen(fen).ok_or(AmountError::TooLarge)
    }
}

impl fmt::Display for Amount {
    /// `12345.60`: yuan with two decimals, no separators (what exports carry).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / FEN_PER_YUAN, self.0 % FEN_PER_YUAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn typed_amounts_parse_to_fen() {
        let fen = |text| Amount::parse(text).map(Amount::fen);
        assert_eq!(fen("12000"), Ok(1_200_000));
        assert_eq!(fen("12,000.5"), Ok(1_200_050));
        assert_eq!(fen(" ¥860.50元 "), Ok(86_050));
        assert_eq!(fen("３.５万"), Ok(3_500_000));
        assert_eq!(fen("1.234567万"), Ok(1_234_567));
        assert_eq!(fen("1.2345678万"), Err(AmountError::TooPrecise));
        assert_eq!(fen("0.123456万"), Ok(123_456));
        assert_eq!(fen("0"), Ok(0));
        assert_eq!(fen("1.005"), Err(AmountError::TooPrecise));
        assert_eq!(fen("元"), Err(AmountError::Empty));
        assert_eq!(fen("-5"), Err(AmountError::NotANumber));
        assert_eq!(fen("1.2.3"), Err(AmountError::NotANumber));
        assert_eq!(fen(".5"), Err(AmountError::NotANumber));
        assert_eq!(fen("5."), Err(AmountError::NotANumber));
        assert_eq!(fen("+5"), Err(AmountError::NotANumber));
        assert_eq!(fen("99999999999999999999"), Err(AmountError::TooLarge));
        assert_eq!(fen("100000000001"), Err(AmountError::TooLarge));
        assert_eq!(AmountError::TooPrecise.code(), "amount.precision");
    }

    #[test]
    fn display_and_constructors() {
        assert_eq!(Amount::from_yuan(12).unwrap().to_string(), "12.00");
        assert_eq!(Amount::from_fen(1_205).unwrap().to_string(), "12.05");
        assert_eq!(Amount::from_fen(-1), None);
        assert_eq!(Amount::from_yuan(i64::MAX), None);
        let max = Amount::from_fen(MAX_FEN).unwrap();
        assert_eq!(max.saturating_add(max), max);
    }

    proptest! {
        #[test]
        fn display_parses_back(fen in 0..=MAX_FEN) {
            let amount = Amount::from_fen(fen).unwrap();
            prop_assert_eq!(Amount::parse(&amount.to_string()), Ok(amount));
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,30}") {
            let _ = Amount::parse(&text);
        }
    }
}
