//! A person's name as entered by a member (any script).
//!
//! Names are not forced into a Chinese-only pattern: members of ethnic
//! minorities use the middle dot (阿依古丽·买买提) and foreign members use
//! Latin letters, hyphens and apostrophes. The checks only keep out digits,
//! symbols and invisible control characters.

use std::fmt;

/// Longest accepted name, in Unicode scalar values.
pub const MAX_NAME_CHARS: usize = 30;

/// A trimmed, whitespace-collapsed, validated personal name.
///
/// `Debug` prints only the masked form, as the name is personal data;
/// `Display` prints the full name because showing it is its purpose.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

/// Why a name was rejected; see [`NameError::code`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum NameError {
    /// Nothing left after trimming.
    Missing,
    /// Longer than [`MAX_NAME_CHARS`] characters; carries the length found.
    Length {
        /// Number of characters after normalisation.
        len: usize,
    },
    /// Contains a digit, symbol, control character or no letter at all.
    Format,
}

impl NameError {
    /// Stable API error code, e.g. `name.format`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "name.missing",
            Self::Length { .. } => "name.length",
            Self::Format => "name.format",
        }
    }

    /// User-facing message in Simplified Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::Missing => "请填写姓名".to_owned(),
            Self::Length { len } => {
                format!("姓名长度应为1至{MAX_NAME_CHARS}个字，当前为{len}个字")
            }
            Self::Format => "姓名只能包含文字、空格、间隔号（·）、连字符、撇号和句点".to_owned(),
        }
    }

    /// User-facing message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::Missing => "Please enter a name".to_owned(),
            Self::Length { len } => {
                format!("The name must be 1 to {MAX_NAME_CHARS} characters long (got {len})")
            }
            Self::Format => "The name may only contain letters, spaces, middle dots (·), \
                             hyphens, apostrophes and periods"
                .to_owned(),
        }
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for NameError {}

/// Combining marks that `char::is_alphabetic` does not already cover.
///
/// std has no `General_Category` lookup, so this lists the generic combining
/// blocks (decomposed accents such as "José" typed as e + U+0301) and the
/// variation selectors that rare Chinese characters (生僻字) are spelled with.
const EXTRA_MARKS: [(char, char); 9] = [
    ('\u{0300}', '\u{036F}'),   // Combining Diacritical Marks
    ('\u{0483}', '\u{0489}'),   // Cyrillic combining marks
    ('\u{0591}', '\u{05C7}'),   // Hebrew points
    ('\u{064B}', '\u{065F}'),   // Arabic harakat
    ('\u{1AB0}', '\u{1AFF}'),   // Combining Diacritical Marks Extended
    ('\u{1DC0}', '\u{1DFF}'),   // Combining Diacritical Marks Supplement
    ('\u{3099}', '\u{309A}'),   // Kana voicing marks
    ('\u{FE00}', '\u{FE0F}'),   // Variation Selectors
    ('\u{E0100}', '\u{E01EF}'), // Variation Selectors Supplement (IVS)
];

/// Letters, excluding letter-like numerals such as Ⅻ.
fn is_letter(c: char) -> bool {
    c.is_alphabetic() && !c.is_numeric()
}

fn is_mark(c: char) -> bool {
    EXTRA_MARKS.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

fn is_allowed(c: char) -> bool {
    is_letter(c) || is_mark(c) || matches!(c, ' ' | '·' | '-' | '\'' | '.')
}

/// Collapses whitespace runs to one space and unifies look-alike middle dots
/// and apostrophes, so the same name typed on different keyboards compares
/// equal. Control characters are kept (not collapsed) so they are rejected.
fn normalise(trimmed: &str) -> String {
    let mut out = String::with_capacity(trimmed.len());
    let mut pending_space = false;
    for c in trimmed.chars() {
        if c.is_whitespace() && !c.is_control() {
            pending_space = true;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(match c {
            '・' | '•' | '･' => '·',
            '’' => '\'',
            other => other,
        });
    }
    out
}

impl PersonName {
    /// Normalises and validates `input`.
    ///
    /// # Errors
    ///
    /// Missing if blank, then length, then disallowed characters.
    pub fn parse(input: &str) -> Result<PersonName, NameError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NameError::Missing);
        }
        let name = normalise(trimmed);
        let len = name.chars().count();
        if len > MAX_NAME_CHARS {
            return Err(NameError::Length { len });
        }
        if !name.chars().all(is_allowed) || !name.chars().any(is_letter) {
            return Err(NameError::Format);
        }
        Ok(PersonName(name))
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// First character followed by one `*` per remaining character
    /// ("张三" → "张*"); a one-character name is fully hidden ("*").
    pub fn masked(&self) -> String {
        let mut chars = self.0.chars();
        let n = self.0.chars().count();
        match (n, chars.next()) {
            (2.., Some(first)) => {
                let mut out = String::from(first);
                out.push_str(&"*".repeat(n - 1));
                out
            }
            _ => "*".to_owned(),
        }
    }
}

/// A stored name masked as every page shows it (`张*`): what was stored passed
/// [`PersonName::parse`], and anything that does not parse now is hidden entirely.
pub fn mask_stored(stored: &str) -> String {
    PersonName::parse(stored).map_or_else(|_| "*".to_owned(), |name| name.masked())
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PersonName").field(&self.masked()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(s: &str) -> String {
        PersonName::parse(s).unwrap().as_str().to_owned()
    }

    fn err(s: &str) -> NameError {
        PersonName::parse(s).unwrap_err()
    }

    #[test]
    fn accepts_varied_real_names() {
        for name in [
            "张三",
            "欧阳娜娜",
            "阿依古丽·买买提",
            "Mary-Jane O'Neil",
            "J. R. R. Tolkien",
            "Zoë Saldaña",
            "Jose\u{0301}",
            "李",
            "𠮷野家",
            "葛\u{E0100}",
            "Владимир",
            "محمد",
        ] {
            assert_eq!(ok(name), name);
        }
    }

    #[test]
    fn trims_and_collapses_whitespace() {
        assert_eq!(ok("\u{3000} 张三 \u{3000}"), "张三");
        assert_eq!(ok("Li \u{3000}  Wei"), "Li Wei");
        assert_eq!(ok("\n张三\t"), "张三");
    }

    #[test]
    fn unifies_middle_dots_and_apostrophes() {
        assert_eq!(ok("阿依古丽・买买提"), "阿依古丽·买买提");
        assert_eq!(ok("阿依古丽•买买提"), "阿依古丽·买买提");
        assert_eq!(ok("O’Neil"), "O'Neil");
    }

    #[test]
    fn missing_and_length() {
        assert_eq!(err(""), NameError::Missing);
        assert_eq!(err(" \u{3000}\t"), NameError::Missing);
        let thirty = "一".repeat(30);
        assert_eq!(ok(&thirty), thirty);
        assert_eq!(err(&"一".repeat(31)), NameError::Length { len: 31 });
        // Characters, not bytes: 30 CJK chars are 90 bytes and still fit.
        assert_eq!(thirty.len(), 90);
    }

    #[test]
    fn rejects_digits_symbols_and_controls() {
        for bad in [
            "张三1",
            "张三１",
            "Ⅻ世",
            "张\u{0}三",
            "张\n三",
            "张\u{200B}三",
            "张三!",
            "a@b",
            "张三😀",
            "<script>",
            "-",
            "·",
            "'.'",
        ] {
            assert_eq!(err(bad), NameError::Format, "{bad:?}");
        }
    }

    #[test]
    fn masking() {
        let m = |s: &str| PersonName::parse(s).unwrap().masked();
        assert_eq!(m("张三"), "张*");
        assert_eq!(m("欧阳娜娜"), "欧***");
        assert_eq!(m("李"), "*");
        assert_eq!(m("Li Wei"), "L*****");
        let name = PersonName::parse("欧阳娜娜").unwrap();
        assert_eq!(format!("{name:?}"), "PersonName(\"欧***\")");
        assert_eq!(name.to_string(), "欧阳娜娜");
    }

    #[test]
    fn stored_names_mask_like_parsed_ones() {
        assert_eq!(mask_stored("张三"), "张*");
        assert_eq!(mask_stored("欧阳娜娜"), "欧***");
        assert_eq!(mask_stored("李"), "*");
        assert_eq!(mask_stored(" 王晓明 "), "王**");
        assert_eq!(mask_stored(""), "*");
        assert_eq!(mask_stored("12345"), "*", "not a name: nothing shown");
    }

    #[test]
    fn codes_and_messages() {
        let cases = [
            (NameError::Missing, "name.missing"),
            (NameError::Length { len: 31 }, "name.length"),
            (NameError::Format, "name.format"),
        ];
        for (e, code) in cases {
            assert_eq!(e.code(), code);
            assert!(!e.message_zh().is_empty());
            assert_eq!(e.to_string(), e.message_en());
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_unicode(s in any::<String>()) {
            if let Ok(name) = PersonName::parse(&s) {
                let n = name.as_str().chars().count();
                prop_assert!((1..=MAX_NAME_CHARS).contains(&n));
                prop_assert_eq!(name.as_str().trim(), name.as_str());
                prop_assert!(!name.as_str().contains("  "));
            }
        }

        #[test]
        fn masked_hides_all_but_first(s in "[\\u{4E00}-\\u{9FFF}]{1,30}") {
            let name = PersonName::parse(&s).unwrap();
            let masked = name.masked();
            prop_assert_eq!(masked.chars().count(), s.chars().count());
            let rest: String = masked.chars().skip(1).collect();
            prop_assert!(rest.chars().all(|c| c == '*'));
            if s.chars().count() > 1 {
                prop_assert_eq!(masked.chars().next(), s.chars().next());
            }
            let dbg = format!("{name:?}");
            prop_assert!(!dbg.contains(&s));
        }

        #[test]
        fn whitespace_padding_is_ignored(
            s in "[a-zA-Z]{1,8}( [a-zA-Z]{1,8}){0,2}",
            pad in "[ \u{3000}\t]{0,3}",
        ) {
            prop_assert_eq!(ok(&format!("{pad}{s}{pad}")), s);
        }
    }
}
