//! Full-width forms, as a Chinese input method types them (ＩＤ, １３８, （选填）, the
//! ideographic space), folded to their ASCII twins before text is compared.

/// The ASCII character a full-width form stands for (U+FF01–U+FF5E → `!`–`~`, the
/// ideographic space U+3000 → space); any other character unchanged.
pub fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_forms_fold_to_ascii() {
        let folded: String = "ＩＤ　（１３８）！～".chars().map(half_width).collect();
        assert_eq!(folded, "ID (138)!~");
        assert_eq!(half_width('张'), '张');
        assert_eq!(half_width('。'), '。');
    }
}
