//! Text as people and platforms send it, and the one rule every door applies to it: no
//! control characters.
//!
//! NUL is what PostgreSQL refuses in text (an error on every statement that binds it)
//! while SQLite stores it as-is, so without the rule the two databases would answer the
//! same request differently. The other control characters (the rest of C0, DEL, C1) have
//! no business in a name, a code, a reason or a search either, so tabs and line breaks
//! count too — except in the few fields that are written as paragraphs (a legal-aid
//! case's description, a campaign's text), which may hold line breaks and nothing else
//! ([`PlainText::parse_lines`]). The web layer parses every path parameter, query and
//! form field and JSON string before a handler runs, and answers 422 naming the field
//! that is not.

use std::fmt;

/// Text without control characters: what every field of every door must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlainText<'a>(&'a str);

/// The first control character found in text that should have been plain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ControlCharacter {
    /// The character (NUL, TAB, DEL, …).
    pub found: char,
    /// Its position, counted in characters from 0.
    pub position: usize,
}

impl fmt::Display for ControlCharacter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "control character U+{:04X} at position {}", u32::from(self.found), self.position)
    }
}

impl std::error::Error for ControlCharacter {}

impl<'a> PlainText<'a> {
    /// The text, if no character of it is a control character (Unicode category Cc).
    ///
    /// # Errors
    ///
    /// The first control character and where it is.
    pub fn parse(text: &'a str) -> Result<PlainText<'a>, ControlCharacter> {
        match text.chars().enumerate().find(|(_, c)| c.is_control()) {
            Some((position, found)) => Err(ControlCharacter { found, position }),
            None => Ok(PlainText(text)),
        }
    }

    /// The text of a field written as paragraphs: line breaks (LF, CR) allowed, every
    /// other control character refused — a tab or a NUL is no more welcome in a
    /// description than in a name.
    ///
    /// # Errors
    ///
    /// The first control character other than a line break, and where it is.
    pub fn parse_lines(text: &'a str) -> Result<PlainText<'a>, ControlCharacter> {
        match text.chars().enumerate().find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\r')) {
            Some((position, found)) => Err(ControlCharacter { found, position }),
            None => Ok(PlainText(text)),
        }
    }

    /// The text itself.
    pub fn as_str(self) -> &'a str {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn refuses_nul_and_every_other_control_character() {
        for bad in ["fd\0", "\u{0}", "a\tb", "line\n", "\r", "\u{1b}[31m", "x\u{7f}", "\u{85}", "\u{9f}"] {
            assert!(PlainText::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(PlainText::parse("3401T\0").unwrap_err(), ControlCharacter { found: '\0', position: 5 });
        assert_eq!(
            PlainText::parse("理由\u{7}").unwrap_err().to_string(),
            "control character U+0007 at position 2"
        );
    }

    #[test]
    fn paragraphs_may_break_lines_and_nothing_else() {
        for good in ["三个月工资未发。\r\n老板失联。", "a\nb\n", "\r"] {
            assert_eq!(PlainText::parse_lines(good).map(PlainText::as_str), Ok(good));
        }
        assert_eq!(
            PlainText::parse_lines("a\nb\tc").unwrap_err(),
            ControlCharacter { found: '\t', position: 3 }
        );
        assert!(PlainText::parse_lines("x\0").is_err());
        assert!(PlainText::parse_lines("\u{85}").is_err(), "NEL is C1, not a line break here");
    }

    #[test]
    fn accepts_what_people_type() {
        for good in
            ["", "王晓明", "阿卜杜·热合曼", "3401T", "O'Brien", "a b", "全角　空格", "\u{200b}\u{feff}", "😀"]
        {
            assert_eq!(PlainText::parse(good).map(PlainText::as_str), Ok(good));
        }
    }

    proptest! {
        #[test]
        fn plain_exactly_when_no_char_is_a_control(s in any::<String>()) {
            prop_assert_eq!(PlainText::parse(&s).is_ok(), !s.chars().any(char::is_control));
        }
    }
}
