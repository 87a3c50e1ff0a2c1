//! Reviewing applications: how long an officer has, when a review is overdue, and the
//! reasons a rejection gives.

use std::ops::RangeInclusive;

use crate::labelled::labelled_enum;
use crate::time::Timestamp;

/// The days an org may give its officers to review an application (the database's
/// `orgs_review_days_check`).
pub const REVIEW_DAYS: RangeInclusive<u16> = 1..=30;

/// The days a new org gives, until an admin changes its policy.
pub const DEFAULT_REVIEW_DAYS: u16 = 3;

/// The longest rejection reason stored, in characters.
pub const MAX_REJECT_REASON_CHARS: usize = 500;

/// When the review of an application received (or escalated) at `from` is due, for an
/// org that gives `review_days`.
pub fn deadline(from: Timestamp, review_days: u16) -> Timestamp {
    from.plus_days(i64::from(review_days))
}

/// Whether a review due at `deadline` is overdue at `now`: only once the deadline has
/// passed, so the escalation job and the queue's flag agree at the very millisecond.
pub fn is_overdue(deadline: Timestamp, now: Timestamp) -> bool {
    deadline < now
}

labelled_enum!(
    /// A preset reason for rejecting an application, offered beside a free text.
    RejectReason {
        /// The application's facts are untrue.
        FalseInformation = "false_information", "信息不实", "False information";
        /// The union is not the one to receive this person.
        NotOurScope = "not_our_scope", "不属于本会承接范围", "Not this union's to receive";
        /// The person applied twice.
        Duplicate = "duplicate", "重复申请", "Duplicate application";
        /// Something else: the free text says what.
        Other = "other", "其他", "Other";
    }
);

/// Why no rejection reason could be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RejectReasonError {
    /// Neither a preset (other than "other") nor a free text was given.
    #[error("choose or write a reason")]
    Missing,
    /// Longer than [`MAX_REJECT_REASON_CHARS`].
    #[error("reason too long")]
    TooLong,
}

/// The reason stored for a rejection, as the applicant and the audit read it: the
/// preset's Chinese label, followed by the officer's words when there are any
/// (`信息不实：身份证照片模糊`), or the words alone when no preset was chosen. "Other"
/// needs words.
pub fn reject_reason(preset: Option<RejectReason>, free: &str) -> Result<String, RejectReasonError> {
    let free = free.trim();
    let reason = match (preset, free.is_empty()) {
        (Some(RejectReason::Other) | None, true) => return Err(RejectReasonError::Missing),
        (Some(preset), true) => preset.label_zh().to_owned(),
        (Some(preset), false) => format!("{}：{free}", preset.label_zh()),
        (None, false) => free.to_owned(),
    };
    if reason.chars().count() > MAX_REJECT_REASON_CHARS {
        return Err(RejectReasonError::TooLong);
    }
    Ok(reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DAY_MILLIS;

    #[test]
    fn the_deadline_is_whole_days_after_receipt() {
        let at = Timestamp(1_796_004_000_000);
        assert_eq!(deadline(at, 3), Timestamp(at.millis() + 3 * DAY_MILLIS));
        assert_eq!(deadline(at, DEFAULT_REVIEW_DAYS), at.plus_days(3));
        assert_eq!(deadline(at, 30), Timestamp(at.millis() + 30 * 86_400_000));
        assert!(REVIEW_DAYS.contains(&DEFAULT_REVIEW_DAYS) && !REVIEW_DAYS.contains(&0));
        assert!(REVIEW_DAYS.contains(&30) && !REVIEW_DAYS.contains(&31));
    }

    #[test]
    fn a_review_is_overdue_only_after_its_deadline() {
        let due = Timestamp(1_000);
        assert!(!is_overdue(due, Timestamp(999)));
        assert!(!is_overdue(due, due), "due, not yet overdue");
        assert!(is_overdue(due, Timestamp(1_001)));
    }

    #[test]
    fn reasons_keep_todays_codes_and_labels() {
        let table: Vec<_> =
            RejectReason::ALL.iter().map(|r| (r.code(), r.label_zh(), r.label_en())).collect();
        assert_eq!(
            table,
            [
                ("false_information", "信息不实", "False information"),
                ("not_our_scope", "不属于本会承接范围", "Not this union's to receive"),
                ("duplicate", "重复申请", "Duplicate application"),
                ("other", "其他", "Other"),
            ]
        );
        for reason in RejectReason::ALL {
            assert_eq!(reason.code().parse(), Ok(*reason));
        }
    }

    #[test]
    fn stored_reasons_join_the_preset_and_the_words() {
        use RejectReason::{Duplicate, FalseInformation, Other};
        assert_eq!(reject_reason(Some(FalseInformation), "  "), Ok("信息不实".to_owned()));
        assert_eq!(reject_reason(Some(Duplicate), " 已在合肥入会 "), Ok("重复申请：已在合肥入会".to_owned()));
        assert_eq!(reject_reason(Some(Other), "照片看不清"), Ok("其他：照片看不清".to_owned()));
        assert_eq!(reject_reason(None, " 照片看不清 "), Ok("照片看不清".to_owned()));
        assert_eq!(reject_reason(Some(Other), ""), Err(RejectReasonError::Missing));
        assert_eq!(reject_reason(None, " "), Err(RejectReasonError::Missing));
        let long = "字".repeat(MAX_REJECT_REASON_CHARS);
        assert_eq!(reject_reason(None, &long).map(|r| r.chars().count()), Ok(500));
        assert_eq!(reject_reason(Some(Duplicate), &long), Err(RejectReasonError::TooLong));
    }
}
