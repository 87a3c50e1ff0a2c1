//! Closed sets of codes that people also read: each value has its stored code (see
//! `membership::coded_enum`) and a Chinese and an English label, declared side by side
//! so a new value cannot be added without its labels.

/// Defines a coded enum (code, `ALL`, `FromStr`, `Display`) plus `label_zh` and `label_en`.
macro_rules! labelled_enum {
    ($(#[$doc:meta])* $name:ident {
        $($(#[$vdoc:meta])* $variant:ident = $code:literal, $zh:literal, $en:literal;)+
    }) => {
        $crate::membership::coded_enum!($(#[$doc])* $name { $($(#[$vdoc])* $variant = $code),+ });

        impl $name {
            /// What Chinese pages show.
            pub const fn label_zh(self) -> &'static str {
                match self {
                    $($name::$variant => $zh),+
                }
            }

            /// What English pages show.
            pub const fn label_en(self) -> &'static str {
                match self {
                    $($name::$variant => $en),+
                }
            }

            /// The value whose code or either label is `text` (trimmed): what an import
            /// cell or a form may carry.
            pub fn from_code_or_label(text: &str) -> Option<Self> {
                let text = text.trim();
                Self::ALL.iter().copied().find(|v| {
                    v.code() == text || v.label_zh() == text || v.label_en().eq_ignore_ascii_case(text)
                })
            }
        }
    };
}

pub(crate) use labelled_enum;
