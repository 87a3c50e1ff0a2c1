//! Transfers (接转): a held membership moves from its home union (the outgoing side) to
//! another union (the receiving side), keeping its seniority — only when both sides agree.
//!
//! Either side may start one. The member asks, SMS-verified: that is the outgoing side's
//! consent, and the receiving union accepts or rejects. Or an officer of the receiving
//! union asks for a member: the transfer then waits until the outgoing side agrees — the
//! member (SMS-verified), or an officer whose subtree holds the membership — and agreeing
//! moves it. Nobody answers a transfer they started, and until the outgoing side agrees
//! the asking side learns nothing of the membership: its request may name nobody at all,
//! and looks the same either way.

use crate::civil_date::CivilDate;
use crate::id_number::IdNumber;
use crate::labelled::coded_enum;
use crate::member_number::MemberNumber;
use crate::person_name::PersonName;

coded_enum!(
    /// Where a transfer stands.
    TransferStatus {
        /// The receiving side asked; the member or the outgoing side must agree.
        AwaitingConsent = "awaiting_consent",
        /// The member asked (the outgoing side's consent); the receiving side must accept.
        Requested = "requested",
        /// Both sides agreed: the membership moved.
        Accepted = "accepted",
        /// The receiving side turned down the member's request.
        Rejected = "rejected",
        /// The member or the outgoing side turned down the receiving side's request.
        Refused = "refused",
        /// Withdrawn by the asking side, or moot: the membership ended or moved meanwhile.
        Cancelled = "cancelled",
    }
);

/// One side of a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The membership's home union (and the member).
    Outgoing,
    /// The union the membership would move to.
    Receiving,
}

impl TransferStatus {
    /// Whose answer an open transfer waits for; `None` once it is closed.
    pub const fn awaits(self) -> Option<Side> {
        match self {
            Self::AwaitingConsent => Some(Side::Outgoing),
            Self::Requested => Some(Side::Receiving),
            Self::Accepted | Self::Rejected | Self::Refused | Self::Cancelled => None,
        }
    }

    /// Where the awaited side's answer leads; `None` for a closed transfer.
    pub const fn answered(self, agree: bool) -> Option<TransferStatus> {
        match (self, agree) {
            (Self::AwaitingConsent | Self::Requested, true) => Some(Self::Accepted),
            (Self::AwaitingConsent, false) => Some(Self::Refused),
            (Self::Requested, false) => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// Where an officer stands toward one transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Standing {
    /// Their subtree holds the membership's home union.
    pub outgoing: bool,
    /// Their subtree holds the receiving union.
    pub receiving: bool,
    /// They started it.
    pub started: bool,
}

impl Standing {
    /// Whether their subtree holds this side.
    pub const fn holds(self, side: Side) -> bool {
        match side {
            Side::Outgoing => self.outgoing,
            Side::Receiving => self.receiving,
        }
    }

    /// Whether they may give the answer the transfer waits for: an officer of the awaited
    /// side who did not start it (an officer holding both sides cannot agree with
    /// themselves).
    pub fn may_answer(self, status: TransferStatus) -> bool {
        status.awaits().is_some_and(|side| self.holds(side)) && !self.started
    }

    /// Whether they may withdraw it: the receiving side, while its request still waits
    /// for the outgoing side.
    pub fn may_withdraw(self, status: TransferStatus) -> bool {
        status == TransferStatus::AwaitingConsent && self.receiving
    }

    /// Whether they may see the membership (the member's name, number and home union):
    /// the outgoing side always; the receiving side only once the outgoing side agreed.
    pub fn sees_membership(self, outgoing_agreed: bool) -> bool {
        self.outgoing || (self.receiving && outgoing_agreed)
    }
}

/// How an asking officer names the member: by member number or full ID number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberRef {
    /// A member number.
    Number(MemberNumber),
    /// A resident ID number.
    IdNumber(IdNumber),
}

impl MemberRef {
    /// A member number, else a valid ID number; `None` for anything else.
    pub fn parse(text: &str, today: CivilDate, known_province: impl Fn(&str) -> bool) -> Option<MemberRef> {
        MemberNumber::parse(text)
            .map(MemberRef::Number)
            .or_else(|| IdNumber::parse(text, today, known_province).ok().map(MemberRef::IdNumber))
    }

    /// What the asking side keeps and is shown of it: the number, or the ID number masked.
    pub fn shown(&self) -> String {
        match self {
            MemberRef::Number(number) => number.as_str().to_owned(),
            MemberRef::IdNumber(id) => id.masked(),
        }
    }
}

/// Whether the name an asking officer typed is the member's recorded name: a request
/// names a membership only when the number and the name both match, as on paper.
pub fn names_member(typed: &PersonName, recorded: &str) -> bool {
    PersonName::parse(recorded).is_ok_and(|name| name.as_str() == typed.as_str())
}

/// The longest reason a transfer keeps, whoever asks (the member on `/status` or an
/// officer in the console): one limit, refused rather than cut.
pub const MAX_REASON_CHARS: usize = 200;

/// A transfer reason longer than [`MAX_REASON_CHARS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReasonTooLong;

/// The reason as kept (trimmed; empty when none was given), or [`ReasonTooLong`].
pub fn reason(text: &str) -> Result<&str, ReasonTooLong> {
    let text = text.trim();
    if text.chars().count() > MAX_REASON_CHARS { Err(ReasonTooLong) } else { Ok(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_reason_limit_for_both_sides() {
        assert_eq!(reason("  搬家 "), Ok("搬家"));
        assert_eq!(reason(""), Ok(""));
        assert_eq!(reason(&"字".repeat(MAX_REASON_CHARS)).map(|r| r.chars().count()), Ok(200));
        assert_eq!(reason(&"字".repeat(MAX_REASON_CHARS + 1)), Err(ReasonTooLong));
    }
    use TransferStatus::*;

    const OUT: Standing = Standing { outgoing: true, receiving: false, started: false };
    const IN: Standing = Standing { outgoing: false, receiving: true, started: false };
    const BOTH: Standing = Standing { outgoing: true, receiving: true, started: false };

    #[test]
    fn the_awaited_side_answers_and_nobody_answers_their_own() {
        assert!(OUT.may_answer(AwaitingConsent) && !IN.may_answer(AwaitingConsent));
        assert!(IN.may_answer(Requested) && !OUT.may_answer(Requested));
        assert!(BOTH.may_answer(AwaitingConsent) && BOTH.may_answer(Requested));
        let asker = Standing { started: true, ..BOTH };
        assert!(!asker.may_answer(AwaitingConsent) && !asker.may_answer(Requested));
        for closed in [Accepted, Rejected, Refused, Cancelled] {
            assert!(!BOTH.may_answer(closed) && !BOTH.may_withdraw(closed), "{closed}");
            assert_eq!((closed.awaits(), closed.answered(true)), (None, None));
        }
        assert!(!Standing::default().may_answer(AwaitingConsent));
    }

    #[test]
    fn answers_lead_to_closed_states() {
        assert_eq!(AwaitingConsent.answered(true), Some(Accepted));
        assert_eq!(AwaitingConsent.answered(false), Some(Refused));
        assert_eq!(Requested.answered(true), Some(Accepted));
        assert_eq!(Requested.answered(false), Some(Rejected));
    }

    #[test]
    fn only_the_receiving_side_withdraws_and_only_while_it_waits() {
        assert!(IN.may_withdraw(AwaitingConsent) && !OUT.may_withdraw(AwaitingConsent));
        assert!(!IN.may_withdraw(Requested));
    }

    #[test]
    fn the_asking_side_sees_the_membership_only_after_consent() {
        assert!(!IN.sees_membership(false) && IN.sees_membership(true));
        assert!(OUT.sees_membership(false));
        assert!(!Standing::default().sees_membership(true));
    }

    #[test]
    fn a_member_is_named_by_number_or_id_and_by_name() {
        let today = CivilDate::new(2026, 11, 30).unwrap();
        let province = |p: &str| p == "11" || p == "34";
        let by_id = MemberRef::parse(" 11010519491231002x ", today, province).unwrap();
        assert_eq!(by_id.shown(), "1101**********002X");
        assert!(MemberRef::parse("11010519491231002Y", today, province).is_none());
        assert!(MemberRef::parse("not a number", today, province).is_none());
        let name = PersonName::parse(" 王晓明 ").unwrap();
        assert!(names_member(&name, "王晓明") && !names_member(&name, "王小明"));
    }

    #[test]
    fn codes_round_trip() {
        for status in TransferStatus::ALL {
            assert_eq!(status.code().parse(), Ok(*status));
        }
        assert_eq!("pending".parse::<TransferStatus>(), Err(crate::labelled::UnknownCode));
    }
}
