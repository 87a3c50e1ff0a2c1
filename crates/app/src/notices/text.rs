//! A notice's text from the facts it was claimed with: one of `huiji_core::sms`'s texts
//! (decisions about members, the steps of a legal-aid case, a benefit grant).

use huiji_core::benefit::{GrantStatus, grant_text};
use huiji_core::case::{CaseId, CaseOutcome, OutcomeKind, StepKind};
use huiji_core::money::Amount;
use huiji_core::notice::NoticeKind;
use huiji_core::org::UnionContact;
use huiji_core::sms;
use huiji_core::{CivilDate, MemberNumber};
use huiji_store::NoticeRecord;

/// The SMS a notice sends, with the contact details of the union it speaks of; `None`
/// when a fact it needs is gone (a number, a reason).
pub fn render(notice: &NoticeRecord, contact: &UnionContact, public_url: &str) -> Option<String> {
    let union = notice.org_name.as_str();
    Some(match notice.kind {
        NoticeKind::Welcome => {
            let number = notice.member_number.as_deref().and_then(MemberNumber::parse)?;
            sms::welcome_text(&number, union, public_url)
        }
        NoticeKind::Rejected => {
            sms::rejection_text(union, notice.decision_reason.as_deref()?, contact, public_url)
        }
        NoticeKind::Escalated => sms::escalation_text(union, public_url),
        NoticeKind::TransferAgreed => sms::transfer_agreed_text(union, public_url),
        NoticeKind::TransferRefused => {
            sms::transfer_refused_text(notice.transfer_to_name.as_deref()?, union, contact, public_url)
        }
        NoticeKind::Distributed => sms::distribution_text(union, contact, public_url),
        NoticeKind::CaseFiled => sms::case_filed_text(CaseId(notice.case_id?), union, public_url),
        NoticeKind::CaseAccepted => sms::case_accepted_text(CaseId(notice.case_id?), union, public_url),
        NoticeKind::CaseStep => {
            let step: StepKind = notice.case_step.as_deref()?.parse().ok()?;
            sms::case_step_text(CaseId(notice.case_id?), step, union, public_url)
        }
        NoticeKind::CaseClosed => {
            let kind: OutcomeKind = notice.case_outcome.as_deref()?.parse().ok()?;
            let amount = notice.case_recovered_fen.and_then(Amount::from_fen);
            sms::case_closed_text(CaseId(notice.case_id?), CaseOutcome::from_parts(kind, amount)?, public_url)
        }
        NoticeKind::BenefitGranted => {
            // A grant revoked before its SMS went out is not told of.
            let status: GrantStatus = notice.benefit_status.as_deref()?.parse().ok()?;
            if status == GrantStatus::Revoked {
                return None;
            }
            let until = match notice.benefit_valid_until.as_deref() {
                Some(day) => Some(CivilDate::parse_iso(day)?),
                None => None,
            };
            grant_text(notice.benefit_name.as_deref()?, until, notice.benefit_hotline.as_deref())
        }
    })
}
