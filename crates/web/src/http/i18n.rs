//! The page language: Simplified Chinese by default, English on request.
//!
//! `?lang=en` (or `zh`) wins; otherwise the first language of `Accept-Language` that we
//! have. Pages carry their texts as a struct per language, so a missing translation is
//! a compile error rather than a blank on the page.

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;

/// A language the pages are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文
    Zh,
    /// English
    En,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>`.
    pub const fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The `?lang=` value that switches to the other language, and its label.
    pub const fn other(self) -> (&'static str, &'static str) {
        match self {
            Lang::Zh => ("en", "English"),
            Lang::En => ("zh", "中文"),
        }
    }

    /// Picks the text for this language; console templates use it inline, so each
    /// string's two versions sit side by side and neither can be forgotten.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// A coded value in this language's words, from the domain's one label table.
    pub fn label<T: huiji_core::Labelled>(&self, value: T) -> &'static str {
        match self {
            Lang::Zh => value.label_zh(),
            Lang::En => value.label_en(),
        }
    }

    fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the language from a query string and an `Accept-Language` header.
    pub fn negotiate(query: Option<&str>, accept_language: Option<&str>) -> Lang {
        let from_query = query.and_then(|q| {
            q.split('&').filter_map(|pair| pair.strip_prefix("lang=")).find_map(Lang::from_code)
        });
        let from_header = || {
            accept_language?.split(',').filter_map(|item| item.split(';').next()).find_map(Lang::from_code)
        };
        from_query.or_else(from_header).unwrap_or(Lang::Zh)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let accept = parts.headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        Ok(Lang::negotiate(parts.uri.query(), accept))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_beats_header_and_chinese_is_the_default() {
        assert_eq!(Lang::negotiate(None, None), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("lang=en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::negotiate(Some("a=1&lang=zh"), Some("en-US")), Lang::Zh);
        assert_eq!(Lang::negotiate(None, Some("fr-FR, en-GB;q=0.8, zh;q=0.5")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("zh-Hans-CN,zh;q=0.9")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("lang=xx"), Some("de")), Lang::Zh);
    }
}
