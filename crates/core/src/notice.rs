//! Decision notices: every decision about an applicant or a member — approval, rejection,
//! escalation past the review deadline, a transfer agreed or refused, a distribution from
//! the turnover pool — owes that person an SMS. The notice is written in the same
//! transaction as the decision (an outbox), and delivered afterwards with retries; what it
//! says is [`crate::sms`]'s, and `/status` shows the same facts.

use crate::labelled::coded_enum;

coded_enum! {
    /// What a notice tells.
    NoticeKind {
        /// An approval, instant or by an officer: the welcome with the member number.
        Welcome = "welcome",
        /// A rejection: the reason, whom to ask, what to do next.
        Rejected = "rejected",
        /// The review passed its deadline and moved up to the parent federation.
        Escalated = "escalated",
        /// A transfer was agreed: the membership moved.
        TransferAgreed = "transfer_agreed",
        /// A transfer was refused: the membership stays.
        TransferRefused = "transfer_refused",
        /// A pool member was distributed to a union.
        Distributed = "distributed",
    }
}

coded_enum! {
    /// Where a notice's delivery stands.
    NoticeDelivery {
        /// Waiting for (another) attempt.
        Pending = "pending",
        /// The SMS provider took it.
        Sent = "sent",
        /// Out of attempts, or nobody to send it to (the mobile was purged).
        Failed = "failed",
    }
}

/// Attempts before a notice is given up.
pub const MAX_ATTEMPTS: u32 = 8;

/// How long one delivery worker holds a claimed notice before another may try it.
pub const LEASE_MILLIS: i64 = 60_000;

/// When to try again after `attempts` failed attempts: 30 s, doubling, at most an hour;
/// `None` once [`MAX_ATTEMPTS`] are spent.
pub fn retry_after_millis(attempts: u32) -> Option<i64> {
    (attempts < MAX_ATTEMPTS).then(|| (30_000_i64 << attempts.saturating_sub(1).min(7)).min(3_600_000))
}

/// What a rejected applicant may do next, as the rejection SMS and `/status` both say it:
/// ask the union that decided, or correct the application and send it again.
pub const REJECTION_NEXT_ZH: &str = "如对结果有疑问，请联系该工会；如信息填写有误，可修改后重新申请";

/// [`REJECTION_NEXT_ZH`] in English.
pub const REJECTION_NEXT_EN: &str = "If you have questions about this decision, contact the union; if something was filled in wrong, correct it and apply again";

/// Whether a member is told of an answer to a transfer: not when they gave it themselves
/// (they saw the result on `/status`), always when a union did.
pub fn tells_member_of_answer(answered_by_member: bool) -> bool {
    !answered_by_member
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(retry_after_millis(1), Some(30_000));
        assert_eq!(retry_after_millis(2), Some(60_000));
        assert_eq!(retry_after_millis(7), Some(1_920_000));
        assert_eq!(retry_after_millis(MAX_ATTEMPTS), None);
    }

    #[test]
    fn kinds_round_trip() {
        for kind in NoticeKind::ALL {
            assert_eq!(kind.code().parse::<NoticeKind>(), Ok(*kind));
        }
        assert!(tells_member_of_answer(false));
        assert!(!tells_member_of_answer(true));
    }
}
