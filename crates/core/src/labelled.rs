//! Closed sets of codes: the one machinery for every coded value of the domain.
//! `coded_enum!` gives each value its stored code; `labelled_enum!` adds a Chinese and
//! an English label, declared side by side so a new value cannot be added without them.

/// Defines a closed set of codes stored as text, with `code()`, `FromStr` and `Display`.
macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used in the API.
            pub const fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::labelled::UnknownCode;

            fn from_str(code: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.code() == code).ok_or($crate::labelled::UnknownCode)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }

        /// A stored code, as the store decodes a column (an unknown code is an error, not
        /// a guess).
        impl ::std::convert::TryFrom<String> for $name {
            type Error = $crate::labelled::UnknownCode;

            fn try_from(code: String) -> Result<Self, Self::Error> {
                code.parse()
            }
        }
    };
}

pub(crate) use coded_enum;

/// A code is not one of its set's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown code")]
pub struct UnknownCode;

/// A value people read in words: the one label table of each language, which the
/// console, the worker pages and the exports all go through.
pub trait Labelled: Copy {
    /// What Chinese pages show.
    fn label_zh(self) -> &'static str;
    /// What English pages show.
    fn label_en(self) -> &'static str;
}

/// Templates hand values over by reference.
impl<T: Labelled> Labelled for &T {
    fn label_zh(self) -> &'static str {
        (*self).label_zh()
    }

    fn label_en(self) -> &'static str {
        (*self).label_en()
    }
}

/// Defines a coded enum (code, `ALL`, `FromStr`, `Display`) plus `label_zh` and `label_en`.
macro_rules! labelled_enum {
    ($(#[$doc:meta])* $name:ident {
        $($(#[$vdoc:meta])* $variant:ident = $code:literal, $zh:literal, $en:literal;)+
    }) => {
        $crate::labelled::coded_enum!($(#[$doc])* $name { $($(#[$vdoc])* $variant = $code),+ });

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

        impl $crate::labelled::Labelled for $name {
            fn label_zh(self) -> &'static str {
                $name::label_zh(self)
            }

            fn label_en(self) -> &'static str {
                $name::label_en(self)
            }
        }
    };
}

pub(crate) use labelled_enum;
