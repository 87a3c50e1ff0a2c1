//! How spreadsheet programs show values, so reports quote a cell as the operator sees it.

/// A number as Excel's General format shows it in a cell: integers up to 11 digits in
/// full, larger (and tiny) magnitudes in scientific notation with up to 6 significant
/// digits — `3.40104E+17` for an ID number Excel stored as a number.
pub fn excel_general(n: f64) -> String {
    if !n.is_finite() {
        return n.to_string();
    }
    if n != 0.0 && (n.abs() >= 1e11 || n.abs() < 1e-9) {
        let text = format!("{n:.5E}");
        let (mantissa, exponent) = text.split_once('E').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        let exponent: i32 = exponent.parse().unwrap_or(0);
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}E{sign}{:02}", exponent.abs());
    }
    if n.fract() == 0.0 {
        return format!("{n:.0}");
    }
    let text = format!("{n:.10}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The digits of a number that is a whole number Excel holds exactly (below 10^15: Excel
/// keeps 15 significant digits), e.g. a mobile or a county code typed into a cell
/// without the text format; `None` for fractions, negatives and longer numbers, whose
/// digits are not all there.
pub fn exact_digits(n: f64) -> Option<String> {
    (n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n < 1e15).then(|| format!("{n:.0}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(excel_general(340_104_199_001_011_234.0), "3.40104E+17");
        assert_eq!(excel_general(13_812_345_678.0), "13812345678");
        assert_eq!(excel_general(340_104.0), "340104");
        assert_eq!(excel_general(1.5), "1.5");
        assert_eq!(excel_general(-2.0), "-2");
        assert_eq!(excel_general(0.0), "0");
        assert_eq!(excel_general(123_456_789_012.0), "1.23457E+11");
        assert_eq!(excel_general(3e17), "3E+17");
    }

    #[test]
    fn only_exact_whole_numbers_give_digits() {
        assert_eq!(exact_digits(13_812_345_678.0).as_deref(), Some("13812345678"));
        assert_eq!(exact_digits(340_104.0).as_deref(), Some("340104"));
        assert_eq!(exact_digits(340_104_199_001_011_234.0), None);
        assert_eq!(exact_digits(1.5), None);
        assert_eq!(exact_digits(-1.0), None);
        assert_eq!(exact_digits(f64::NAN), None);
    }
}
