//! Replies to campaign messages: which of them mean "stop sending me these".

use crate::width::half_width;

/// The replies Chinese SMS providers treat as opting out.
pub const OPT_OUT_KEYWORDS: [&str; 5] = ["退订", "T", "TD", "R", "N"];

/// Whether an inbound reply opts the mobile out: one of [`OPT_OUT_KEYWORDS`] in any case
/// and width (ｔｄ, Ｔ), with whitespace and punctuation around it ignored (" T。"), or
/// any reply containing 退订 ("我要退订"). Erring towards opting out is deliberate: a
/// wrongly honoured opt-out costs one invitation, a wrongly ignored one costs trust.
pub fn is_opt_out(reply: &str) -> bool {
    let folded: String = reply
        .chars()
        .map(half_width)
        .filter(|c| !c.is_whitespace() && !is_punctuation(*c))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    folded.contains("退订") || OPT_OUT_KEYWORDS.contains(&folded.as_str())
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c, '\u{3000}'..='\u{303F}' | '\u{2010}'..='\u{2027}' | '\u{FE30}'..='\u{FE4F}' | '·' | '～')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keywords_in_any_case_width_and_punctuation() {
        for reply in [
            "T",
            "t",
            "TD",
            "td",
            "Td",
            "R",
            "r",
            "N",
            "n",
            "退订",
            " T ",
            "T。",
            "【TD】",
            "ｔｄ",
            "Ｔ",
            "\u{3000}R！",
            "“退订”",
            "退订。",
            "我要退订",
            "退订谢谢",
            "N...",
        ] {
            assert!(is_opt_out(reply), "{reply:?}");
        }
    }

    #[test]
    fn other_replies_are_not_opt_outs() {
        for reply in ["", "好的", "Thanks", "TT", "T D X", "NO", "怎么入会", "1", "Y", "TDR"] {
            assert!(!is_opt_out(reply), "{reply:?}");
        }
    }

    proptest! {
        #[test]
        fn padding_never_changes_the_answer(keyword in proptest::sample::select(OPT_OUT_KEYWORDS.to_vec()),
                                            pad in "[ 　。，！？、.,!?]{0,4}") {
            let padded = format!("{pad}{keyword}{pad}");
            prop_assert!(is_opt_out(&padded));
            prop_assert!(is_opt_out(&padded.to_lowercase()));
        }
    }
}
