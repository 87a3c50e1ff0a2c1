//! Decision notices: every decision about an applicant or a member — approval, rejection,
//! escalation past the review deadline, a transfer agreed or refused, a distribution from
//! the turnover pool — owes that person an SMS. The notice is written in the same
//! transaction as the decision (an outbox), and delivered afterwards with retries (a
//! benefit grant's SMS too, queued in the grant's transaction); what it
//! says is [`crate::sms`]'s, and `/status` shows the same facts.

use crate::case::CaseEventKind;
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
        /// A legal-aid case was filed: its number and the federation handling it.
        CaseFiled = "case_filed",
        /// An officer accepted the case.
        CaseAccepted = "case_accepted",
        /// An officer recorded a step (mediation, arbitration …) on the case.
        CaseStep = "case_step",
        /// The case closed with an outcome; the worker may rate it.
        CaseClosed = "case_closed",
        /// A benefit was granted to a member: the programme, its validity, the hotline.
        BenefitGranted = "benefit_granted",
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

/// The notice a case event owes the worker who filed the case: filing, acceptance, each
/// step and the close are told (the worker waits on them); an assignment is the
/// officers' own business, an escalation changes who handles it but not what the worker
/// sees next, a withdrawal and a rating are the worker's own acts.
pub const fn case_notice(event: CaseEventKind) -> Option<NoticeKind> {
    match event {
        CaseEventKind::Submit => Some(NoticeKind::CaseFiled),
        CaseEventKind::Accept => Some(NoticeKind::CaseAccepted),
        CaseEventKind::Step => Some(NoticeKind::CaseStep),
        CaseEventKind::Close => Some(NoticeKind::CaseClosed),
        CaseEventKind::Assign | CaseEventKind::Withdraw | CaseEventKind::Rate | CaseEventKind::Escalate => {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_tell_the_worker_what_they_wait_on() {
        assert_eq!(case_notice(CaseEventKind::Submit), Some(NoticeKind::CaseFiled));
        assert_eq!(case_notice(CaseEventKind::Step), Some(NoticeKind::CaseStep));
        assert_eq!(case_notice(CaseEventKind::Close), Some(NoticeKind::CaseClosed));
        assert_eq!(case_notice(CaseEventKind::Assign), None);
        assert_eq!(case_notice(CaseEventKind::Rate), None);
    }

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
