//! How far an applicant's identity was established, and what that allows: instant
//! approval (马上入会) or an officer's review. One rule for every door.
//!
//! Instant approval answers differently from a review, so whatever allows it must be
//! something the caller proves about *themselves*, never something the system knows about
//! the person whose ID number was typed. Hence:
//! - a proven mobile answers for one identity only: the ID number it was first joined or
//!   applied with (a stranger's ID with it waits for review, like a member's ID with a
//!   stranger's mobile);
//! - where a real-name check (运营商三要素) is configured, the name, ID number and mobile
//!   must belong together at the mobile carrier; a mismatch or no answer waits for review.

use crate::membership::{AutoApproval, Decision};

/// What the real-name check (运营商三要素: do this name, ID number and mobile belong
/// together, as the mobile carrier registered them) said about an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RealNameCheck {
    /// No real-name provider is configured: a proven mobile is all `all_verified` asks.
    NotConfigured,
    /// A provider is configured but was not asked: the application is reviewed whatever
    /// it would have said, so the (paid) query was saved.
    NotAsked,
    /// They belong together.
    Matched,
    /// They do not.
    Mismatched,
    /// The provider gave no usable answer (down, slow, malformed).
    Unavailable,
}

impl RealNameCheck {
    /// The stored code of a check that was made; `None` when none was.
    pub const fn code(self) -> Option<&'static str> {
        match self {
            Self::NotConfigured | Self::NotAsked => None,
            Self::Matched => Some("matched"),
            Self::Mismatched => Some("mismatched"),
            Self::Unavailable => Some("unavailable"),
        }
    }

    /// The check a stored code stands for (`None`, or an unknown code: no check made).
    pub fn from_code(code: Option<&str>) -> RealNameCheck {
        match code {
            Some("matched") => Self::Matched,
            Some("mismatched") => Self::Mismatched,
            Some("unavailable") => Self::Unavailable,
            _ => Self::NotAsked,
        }
    }

    /// Whether an officer must look closer: the check was made and did not match.
    pub const fn is_concern(self) -> bool {
        matches!(self, Self::Mismatched | Self::Unavailable)
    }
}

/// The stored code column, as the store decodes it.
impl From<Option<String>> for RealNameCheck {
    fn from(code: Option<String>) -> Self {
        RealNameCheck::from_code(code.as_deref())
    }
}

/// What is known about an applicant when the decision is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verification {
    /// The mobile was proven: an SMS code on the H5 page, or a platform's attestation.
    pub mobile_verified: bool,
    /// The proven mobile is on record with another ID number (a verified application or
    /// a membership): it answers for that identity, not this one.
    pub mobile_bound_elsewhere: bool,
    /// The real-name check.
    pub real_name: RealNameCheck,
}

impl Verification {
    /// Whether the applicant counts as verified for `all_verified`: a proven mobile that
    /// is not another identity's and, where a real-name check is configured, a match.
    pub const fn is_verified(&self) -> bool {
        self.mobile_verified
            && !self.mobile_bound_elsewhere
            && matches!(self.real_name, RealNameCheck::NotConfigured | RealNameCheck::Matched)
    }
}

/// Instant approval needs a verified applicant ([`Verification::is_verified`]) and a
/// receiving org whose policy allows it for this person. The ID's validity, the age rule
/// and "holds no membership" are established before anyone gets this far.
pub fn decide(policy: AutoApproval, verification: &Verification, on_roster: bool) -> Decision {
    let allowed = match policy {
        AutoApproval::Off => false,
        AutoApproval::RosterOnly => on_roster,
        AutoApproval::AllVerified => true,
    };
    if allowed && verification.is_verified() { Decision::Approve } else { Decision::Review }
}

/// Whether a proven mobile alone would have the applicant approved at once, were it free
/// (bound to no other identity) and no real-name check configured. Only then may a door
/// leave the binding to the store to check as it writes the approval, instead of reading
/// it before deciding: a review needs the binding read, as its officer sees it flagged.
pub fn approved_with_a_free_mobile(policy: AutoApproval, on_roster: bool) -> bool {
    let free = Verification {
        mobile_verified: true,
        mobile_bound_elsewhere: false,
        real_name: RealNameCheck::NotConfigured,
    };
    decide(policy, &free, on_roster) == Decision::Approve
}

/// Whether asking the real-name provider can change the decision; only then is the paid
/// query made. It depends only on what the caller proved and the union's policy — never
/// on the person behind the ID number (a membership, an open application): the query
/// takes time, and a slower answer for members would itself be an oracle.
pub fn worth_a_real_name_check(
    policy: AutoApproval,
    mobile_verified: bool,
    mobile_bound_elsewhere: bool,
    on_roster: bool,
) -> bool {
    let matched = Verification { mobile_verified, mobile_bound_elsewhere, real_name: RealNameCheck::Matched };
    decide(policy, &matched, on_roster) == Decision::Approve
}

/// Whether a person who already holds a membership is told so (and shown the card): only
/// when the mobile just proven is the membership's own. Anyone else's application goes to
/// an officer, flagged, and is answered exactly like a newcomer's to a reviewing union.
pub const fn tells_membership(mobile_verified: bool, membership_mobile: bool) -> bool {
    mobile_verified && membership_mobile
}

#[cfg(test)]
mod tests {
    use super::*;
    use AutoApproval::{AllVerified, Off, RosterOnly};
    use RealNameCheck::{Matched, Mismatched, NotAsked, NotConfigured, Unavailable};

    fn proven(real_name: RealNameCheck) -> Verification {
        Verification { mobile_verified: true, mobile_bound_elsewhere: false, real_name }
    }

    #[test]
    fn every_policy_and_verification_combination() {
        use Decision::{Approve, Review};
        let unproven = Verification { mobile_verified: false, ..proven(NotConfigured) };
        let cases = [
            (Off, proven(NotConfigured), true, Review),
            (Off, proven(Matched), false, Review),
            (RosterOnly, proven(NotConfigured), true, Approve),
            (RosterOnly, proven(NotConfigured), false, Review),
            (RosterOnly, unproven, true, Review),
            (AllVerified, proven(NotConfigured), false, Approve),
            (AllVerified, proven(Matched), true, Approve),
            (AllVerified, unproven, false, Review),
        ];
        for (policy, verification, roster, expected) in cases {
            assert_eq!(decide(policy, &verification, roster), expected, "{policy} {verification:?} {roster}");
        }
    }

    #[test]
    fn a_mobile_bound_to_another_identity_is_never_enough() {
        for real_name in [NotConfigured, Matched] {
            let bound = Verification { mobile_bound_elsewhere: true, ..proven(real_name) };
            assert!(!bound.is_verified());
            assert_eq!(decide(AllVerified, &bound, true), Decision::Review);
        }
    }

    #[test]
    fn with_a_real_name_check_only_a_match_approves() {
        assert_eq!(decide(AllVerified, &proven(Matched), false), Decision::Approve);
        for failed in [Mismatched, Unavailable, NotAsked] {
            assert_eq!(decide(AllVerified, &proven(failed), false), Decision::Review, "{failed:?}");
        }
        assert!(Mismatched.is_concern() && Unavailable.is_concern());
        assert!(!Matched.is_concern() && !NotAsked.is_concern());
    }

    #[test]
    fn the_paid_check_is_made_only_when_it_decides() {
        assert!(worth_a_real_name_check(AllVerified, true, false, false));
        assert!(!worth_a_real_name_check(AllVerified, false, false, false), "unproven mobile");
        assert!(!worth_a_real_name_check(AllVerified, true, true, false), "another identity's mobile");
        assert!(!worth_a_real_name_check(Off, true, false, true), "a union that reviews everyone");
        assert!(!worth_a_real_name_check(RosterOnly, true, false, false));
        assert!(worth_a_real_name_check(RosterOnly, true, false, true));
    }

    #[test]
    fn the_binding_is_left_to_the_store_only_where_a_free_mobile_approves() {
        assert!(approved_with_a_free_mobile(AllVerified, false));
        assert!(approved_with_a_free_mobile(RosterOnly, true));
        assert!(!approved_with_a_free_mobile(RosterOnly, false), "a review needs the flag read");
        assert!(!approved_with_a_free_mobile(Off, true), "a union that reviews everyone");
    }

    #[test]
    fn only_the_membership_mobile_learns_of_the_membership() {
        assert!(tells_membership(true, true));
        assert!(!tells_membership(false, true), "an unproven mobile, even the right one");
        assert!(!tells_membership(true, false), "a stranger's proven mobile");
    }

    #[test]
    fn codes_round_trip() {
        for check in [Matched, Mismatched, Unavailable] {
            assert_eq!(RealNameCheck::from_code(check.code()), check);
        }
        assert_eq!(NotConfigured.code(), None);
        assert_eq!(RealNameCheck::from_code(None), NotAsked);
    }
}
