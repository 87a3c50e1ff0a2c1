//! Platform companies using the API: their names and what their keys may do.

use crate::labelled::coded_enum;

coded_enum!(
    /// What an API key may do; a new key gets every scope unless narrowed.
    ApiScope {
        /// Submit applications and read their own.
        Applications = "applications",
        /// Ask whether someone is a member.
        MembershipsVerify = "memberships.verify",
        /// List the unions to join.
        Orgs = "orgs",
    }
);

/// Why a list of scopes was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScopeListError {
    /// A word is not a scope.
    #[error("unknown scope {0:?}; scopes are {all}", all = every_scope())]
    Unknown(String),
    /// No scope at all.
    #[error("at least one scope is needed")]
    Empty,
}

/// Every scope's code, for an operator who typed a wrong one.
fn every_scope() -> String {
    ApiScope::ALL.iter().map(|s| s.code()).collect::<Vec<_>>().join(", ")
}

impl ApiScope {
    /// Reads a scope list as an operator types it (comma- or space-separated), in order,
    /// each scope once.
    pub fn parse_list(text: &str) -> Result<Vec<ApiScope>, ScopeListError> {
        let mut scopes = Vec::new();
        for word in text.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
            let scope: ApiScope = word.parse().map_err(|_| ScopeListError::Unknown(word.to_owned()))?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            return Err(ScopeListError::Empty);
        }
        Ok(scopes)
    }

    /// A list as stored with a key: codes separated by single spaces.
    pub fn stored(scopes: &[ApiScope]) -> String {
        scopes.iter().map(|s| s.code()).collect::<Vec<_>>().join(" ")
    }
}

/// The longest platform name, in characters.
pub const MAX_PLATFORM_NAME_CHARS: usize = 64;

/// A platform's name, as `--platform` takes it and lists show it: trimmed, 1 to
/// [`MAX_PLATFORM_NAME_CHARS`] characters, no spaces or control characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PlatformName(String);

/// The text is not a platform name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("1 to {MAX_PLATFORM_NAME_CHARS} characters, no spaces")]
pub struct InvalidPlatformName;

impl PlatformName {
    /// Trims and checks `text`.
    pub fn parse(text: &str) -> Result<PlatformName, InvalidPlatformName> {
        let name = text.trim();
        let valid = (1..=MAX_PLATFORM_NAME_CHARS).contains(&name.chars().count())
            && !name.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid { Ok(PlatformName(name.to_owned())) } else { Err(InvalidPlatformName) }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PlatformName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApiScope::{Applications, MembershipsVerify, Orgs};

    #[test]
    fn scopes_keep_todays_codes() {
        let codes: Vec<_> = ApiScope::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, ["applications", "memberships.verify", "orgs"]);
        for scope in ApiScope::ALL {
            assert_eq!(scope.code().parse(), Ok(*scope));
        }
    }

    #[test]
    fn scope_lists_are_checked_like_todays() {
        let list = ApiScope::parse_list("orgs, applications").map(|s| ApiScope::stored(&s));
        assert_eq!(list, Ok("orgs applications".to_owned()));
        assert_eq!(ApiScope::parse_list("orgs orgs,,memberships.verify"), Ok(vec![Orgs, MembershipsVerify]));
        assert_eq!(ApiScope::stored(ApiScope::ALL), "applications memberships.verify orgs");
        assert_eq!(ApiScope::stored(&[Applications]), "applications");
        let unknown = ApiScope::parse_list("orgs admin");
        assert_eq!(unknown, Err(ScopeListError::Unknown("admin".to_owned())));
        assert_eq!(
            unknown.unwrap_err().to_string(),
            "unknown scope \"admin\"; scopes are applications, memberships.verify, orgs"
        );
        assert_eq!(ApiScope::parse_list(" , "), Err(ScopeListError::Empty));
        assert_eq!(ScopeListError::Empty.to_string(), "at least one scope is needed");
    }

    #[test]
    fn platform_names_are_one_word_of_up_to_64_characters() {
        assert_eq!(PlatformName::parse("  huolala ").map(|n| n.to_string()), Ok("huolala".to_owned()));
        assert_eq!(PlatformName::parse("满帮").unwrap().as_str(), "满帮");
        let longest = "x".repeat(MAX_PLATFORM_NAME_CHARS);
        assert_eq!(PlatformName::parse(&longest).unwrap().as_str(), longest);
        for bad in
            ["", "   ", "two words", "tab\there", "bell\u{7}", "全角\u{3000}空格", &format!("{longest}y")]
        {
            assert_eq!(PlatformName::parse(bad), Err(InvalidPlatformName), "{bad:?}");
        }
    }
}
