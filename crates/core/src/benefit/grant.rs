//! One grant's life: granted → enrolled (the insurer's policy number) → used → closed,
//! or revoked with a reason before it is used.

use crate::labelled::labelled_enum;

/// Longest policy number.
const MAX_POLICY_CHARS: usize = 64;

/// Longest revocation reason.
const MAX_REASON_CHARS: usize = 200;

labelled_enum!(
    /// Where a grant stands.
    GrantStatus {
        /// Given to the member.
        Granted = "granted", "已发放", "Granted";
        /// Enrolled with the insurer or provider (a policy number is known).
        Enrolled = "enrolled", "已登记", "Enrolled";
        /// Used or claimed (the check-up done, the insurance claim paid).
        Used = "used", "已使用", "Used";
        /// Over: expired or finished.
        Closed = "closed", "已结束", "Closed";
        /// Taken back, with a reason.
        Revoked = "revoked", "已撤销", "Revoked";
    }
);

/// The insurer's or provider's policy number, as their enrolment list returns it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PolicyNumber(String);

impl PolicyNumber {
    /// Trimmed, 1–64 characters, no spaces or control characters.
    pub fn parse(text: &str) -> Option<PolicyNumber> {
        let text = text.trim();
        let ok = !text.is_empty()
            && text.chars().count() <= MAX_POLICY_CHARS
            && !text.chars().any(|c| c.is_whitespace() || c.is_control());
        ok.then(|| PolicyNumber(text.to_owned()))
    }

    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a grant was revoked: required, because a revocation takes something from a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationReason(String);

impl RevocationReason {
    /// Trimmed, 1–200 characters.
    pub fn parse(text: &str) -> Option<RevocationReason> {
        let text = text.trim();
        (!text.is_empty() && text.chars().count() <= MAX_REASON_CHARS)
            .then(|| RevocationReason(text.to_owned()))
    }

    /// The reason.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A change to a grant; each is recorded as an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantAction {
    /// The insurer enrolled the member.
    Enrol(PolicyNumber),
    /// The benefit was used or claimed.
    Use,
    /// The grant is over.
    Close,
    /// The grant is taken back.
    Revoke(RevocationReason),
}

impl GrantAction {
    /// A stable code for events.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Enrol(_) => "enrol",
            Self::Use => "use",
            Self::Close => "close",
            Self::Revoke(_) => "revoke",
        }
    }
}

/// The action is not allowed in the grant's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{action} is not allowed on a {from} grant")]
pub struct IllegalGrantTransition {
    /// The grant's status.
    pub from: GrantStatus,
    /// The attempted action's code.
    pub action: &'static str,
}

impl GrantStatus {
    /// Whether the member still holds the grant (it shows on the card).
    pub const fn is_held(self) -> bool {
        matches!(self, Self::Granted | Self::Enrolled | Self::Used)
    }

    /// The status after `action`. Enrolment is optional (a health check has no policy);
    /// a used benefit cannot be revoked, only closed.
    ///
    /// # Errors
    ///
    /// [`IllegalGrantTransition`] for anything else, and anything on a closed or
    /// revoked grant.
    pub fn after(self, action: &GrantAction) -> Result<GrantStatus, IllegalGrantTransition> {
        use GrantStatus::{Closed, Enrolled, Granted, Revoked, Used};
        let next = match (self, action) {
            (Granted, GrantAction::Enrol(_)) => Enrolled,
            (Granted | Enrolled, GrantAction::Use) => Used,
            (Granted | Enrolled | Used, GrantAction::Close) => Closed,
            (Granted | Enrolled, GrantAction::Revoke(_)) => Revoked,
            _ => return Err(IllegalGrantTransition { from: self, action: action.code() }),
        };
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grant_lifecycle() {
        use GrantStatus::*;
        let enrol = GrantAction::Enrol(PolicyNumber::parse(" PA-2026-000123 ").unwrap());
        let revoke = GrantAction::Revoke(RevocationReason::parse("重复发放").unwrap());
        assert_eq!(Granted.after(&enrol), Ok(Enrolled));
        assert_eq!(Enrolled.after(&GrantAction::Use), Ok(Used));
        assert_eq!(Used.after(&GrantAction::Close), Ok(Closed));
        assert_eq!(Granted.after(&GrantAction::Use), Ok(Used));
        assert_eq!(Granted.after(&revoke), Ok(Revoked));
        assert_eq!(Enrolled.after(&revoke), Ok(Revoked));
        assert_eq!(Used.after(&revoke), Err(IllegalGrantTransition { from: Used, action: "revoke" }));
        assert!(Enrolled.after(&enrol).is_err());
        for done in [Closed, Revoked] {
            assert!(!done.is_held());
            for action in [&enrol, &GrantAction::Use, &GrantAction::Close, &revoke] {
                assert!(done.after(action).is_err());
            }
        }
        assert!(Used.is_held());
    }

    #[test]
    fn policy_numbers_and_reasons() {
        assert_eq!(PolicyNumber::parse(" P123 ").unwrap().as_str(), "P123");
        assert_eq!(PolicyNumber::parse("P 123"), None);
        assert_eq!(PolicyNumber::parse(""), None);
        assert_eq!(PolicyNumber::parse(&"9".repeat(65)), None);
        assert_eq!(RevocationReason::parse("  "), None);
        assert_eq!(RevocationReason::parse(&"因".repeat(201)), None);
        assert_eq!(RevocationReason::parse(" 离职 ").unwrap().as_str(), "离职");
    }
}
