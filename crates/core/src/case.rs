//! Legal-aid cases (`case`, 法律援助/维权): what a worker files, the steps officers take,
//! how a case ends, and the working-time deadlines it is held to. 12351 is the national
//! hotline; the same rules serve members and non-members.

mod deadline;
mod form;
mod routing;

pub use deadline::{CaseClock, CaseDeadlines, CaseDues, MissedDeadline, Overdue};
pub use form::{CaseDescription, CaseForm, CaseSubmission, MAX_DESCRIPTION_CHARS, Rating, parse_case_form};
pub use routing::handling_federation;

use crate::ids::id_newtype;

use crate::labelled::labelled_enum;
use crate::money::Amount;

id_newtype! {
    /// A legal-aid case.
    CaseId;
}

/// Longest note an officer writes with a step or an outcome.
pub const MAX_NOTE_CHARS: usize = 500;

/// An officer's note on a step or an outcome: at most [`MAX_NOTE_CHARS`] characters,
/// trimmed, no control characters but line breaks; empty means none. It may hold personal
/// data, so it is purged with the description.
///
/// # Errors
///
/// [`NoteError`].
pub fn parse_note(text: &str) -> Result<Option<String>, NoteError> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(NoteError::TooLong);
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::ControlCharacter);
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// Why a note was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Over [`MAX_NOTE_CHARS`].
    #[error("the note is longer than 500 characters")]
    TooLong,
    /// A control character other than a line break.
    #[error("the note holds a control character")]
    ControlCharacter,
}

labelled_enum!(
    /// What the case is about.
    CaseCategory {
        /// 欠薪
        WageArrears = "wage_arrears", "欠薪", "Wage arrears";
        /// 工伤
        WorkInjury = "work_injury", "工伤", "Work injury";
        /// 劳动关系或合同
        LabourContract = "labour_contract", "劳动关系/合同", "Labour relation or contract";
        /// 平台规则与算法
        PlatformRules = "platform_rules", "平台规则与算法", "Platform rules and algorithms";
        /// 交通事故
        TrafficAccident = "traffic_accident", "交通事故", "Traffic accident";
        /// 保险
        Insurance = "insurance", "保险", "Insurance";
        /// 其他
        Other = "other", "其他", "Other";
    }
);

labelled_enum!(
    /// Where a case stands.
    CaseStatus {
        /// Filed, waiting for the work region's federation.
        Submitted = "submitted", "已提交", "Submitted";
        /// An officer took it on.
        Accepted = "accepted", "已受理", "Accepted";
        /// At least one step recorded.
        InProgress = "in_progress", "处理中", "In progress";
        /// Ended with an outcome; the worker may rate it.
        Closed = "closed", "已办结", "Closed";
        /// The worker withdrew it before it closed.
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
    }
);

labelled_enum!(
    /// A step officers record on a case.
    StepKind {
        /// 法律咨询
        Consultation = "consultation", "法律咨询", "Consultation";
        /// 调解
        Mediation = "mediation", "调解", "Mediation";
        /// 劳动仲裁
        Arbitration = "arbitration", "劳动仲裁", "Arbitration";
        /// 诉讼
        Litigation = "litigation", "诉讼", "Litigation";
        /// 转介律师
        ReferralToLawyer = "referral_lawyer", "转介律师", "Referred to a lawyer";
        /// 转劳动保障监察
        ReferralToInspectorate = "referral_inspectorate", "转劳动监察", "Referred to the labour inspectorate";
    }
);

labelled_enum!(
    /// How a case ended, as stored (the amount lives beside it, see [`CaseOutcome`]).
    OutcomeKind {
        /// Money recovered for the worker.
        Recovered = "recovered", "追回款项", "Amount recovered";
        /// Settled between the parties.
        Settled = "settled", "和解", "Settled";
        /// Handed to another body.
        Referred = "referred", "已转办", "Referred";
        /// The worker dropped it.
        Withdrawn = "withdrawn", "撤回", "Withdrawn";
        /// The claim had no basis.
        NotSupported = "not_supported", "不予支持", "Not supported";
    }
);

labelled_enum!(
    /// What an event of a case's history records ("every step is an event").
    CaseEventKind {
        /// The worker filed it.
        Submit = "submit", "提交求助", "Filed";
        /// An officer accepted it.
        Accept = "accept", "受理", "Accepted";
        /// An officer assigned it.
        Assign = "assign", "指派经办人", "Assigned";
        /// An officer recorded a step.
        Step = "step", "办理", "Step";
        /// An officer closed it.
        Close = "close", "办结", "Closed";
        /// The worker withdrew it.
        Withdraw = "withdraw", "撤回", "Withdrawn";
        /// The worker rated it.
        Rate = "rate", "评价", "Rated";
        /// Overdue: moved to the parent federation.
        Escalate = "escalate", "超期上报上级工会", "Escalated to the parent federation";
    }
);

impl CaseAction {
    /// The event the action records.
    pub const fn event(self) -> CaseEventKind {
        match self {
            Self::Accept => CaseEventKind::Accept,
            Self::Assign => CaseEventKind::Assign,
            Self::RecordStep(_) => CaseEventKind::Step,
            Self::Close(_) => CaseEventKind::Close,
            Self::Withdraw => CaseEventKind::Withdraw,
        }
    }

    /// Whether doing it answers the worker (ends the wait for a first response).
    pub const fn is_response(self) -> bool {
        !matches!(self, Self::Withdraw)
    }
}

/// How a case ended; a recovery always says how much (it feeds "amounts recovered").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseOutcome {
    /// Money recovered for the worker, in yuan.
    Recovered(Amount),
    /// Settled between the parties.
    Settled,
    /// Handed to another body.
    Referred,
    /// The worker dropped it.
    Withdrawn,
    /// The claim had no basis.
    NotSupported,
}

impl CaseOutcome {
    /// The stored kind.
    pub const fn kind(self) -> OutcomeKind {
        match self {
            Self::Recovered(_) => OutcomeKind::Recovered,
            Self::Settled => OutcomeKind::Settled,
            Self::Referred => OutcomeKind::Referred,
            Self::Withdrawn => OutcomeKind::Withdrawn,
            Self::NotSupported => OutcomeKind::NotSupported,
        }
    }

    /// The amount recovered (zero unless [`CaseOutcome::Recovered`]).
    pub const fn recovered(self) -> Amount {
        match self {
            Self::Recovered(amount) => amount,
            _ => Amount::ZERO,
        }
    }

    /// Rebuilds an outcome from its stored parts; `None` when a recovery has no amount
    /// (or a positive amount is attached to another kind).
    pub fn from_parts(kind: OutcomeKind, amount: Option<Amount>) -> Option<CaseOutcome> {
        match (kind, amount) {
            (OutcomeKind::Recovered, Some(amount)) => Some(Self::Recovered(amount)),
            (OutcomeKind::Recovered, None) => None,
            (_, Some(amount)) if amount > Amount::ZERO => None,
            (OutcomeKind::Settled, _) => Some(Self::Settled),
            (OutcomeKind::Referred, _) => Some(Self::Referred),
            (OutcomeKind::Withdrawn, _) => Some(Self::Withdrawn),
            (OutcomeKind::NotSupported, _) => Some(Self::NotSupported),
        }
    }
}

/// Something done to a case; who may do it (officer of the subtree, or the worker for
/// [`CaseAction::Withdraw`]) is the app's check, whether it may happen now is this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseAction {
    /// An officer takes the case on (the first response).
    Accept,
    /// An officer assigns it to an officer (status unchanged).
    Assign,
    /// An officer records a step.
    RecordStep(StepKind),
    /// An officer closes it with an outcome.
    Close(CaseOutcome),
    /// The worker withdraws it.
    Withdraw,
}

/// The action is not allowed in the case's current status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{action} is not allowed on a {from} case")]
pub struct IllegalTransition {
    /// The status the case was in.
    pub from: CaseStatus,
    /// What was attempted, by code.
    pub action: &'static str,
}

impl CaseAction {
    /// A stable code for events and audit records.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Assign => "assign",
            Self::RecordStep(_) => "step",
            Self::Close(_) => "close",
            Self::Withdraw => "withdraw",
        }
    }
}

impl CaseStatus {
    /// Whether the case still waits for officers (and so can be overdue).
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Submitted | Self::Accepted | Self::InProgress)
    }

    /// The status after `action`: submitted → accepted → in progress → closed, and
    /// withdrawn from any open status. Steps and assignment need an accepted case;
    /// closing does not (a case may be referred on straight away).
    ///
    /// # Errors
    ///
    /// [`IllegalTransition`] for anything on a closed or withdrawn case, accepting twice,
    /// or a step or assignment before acceptance.
    pub fn after(self, action: CaseAction) -> Result<CaseStatus, IllegalTransition> {
        use CaseStatus::{Accepted, Closed, InProgress, Submitted, Withdrawn};
        let next = match (self, action) {
            (Submitted, CaseAction::Accept) => Accepted,
            (Accepted | InProgress, CaseAction::Assign) => self,
            (Accepted | InProgress, CaseAction::RecordStep(_)) => InProgress,
            (Submitted | Accepted | InProgress, CaseAction::Close(_)) => Closed,
            (Submitted | Accepted | InProgress, CaseAction::Withdraw) => Withdrawn,
            _ => return Err(IllegalTransition { from: self, action: action.code() }),
        };
        Ok(next)
    }

    /// Whether the worker may rate the case now (once, after it closed).
    pub const fn can_be_rated(self, already_rated: bool) -> bool {
        matches!(self, Self::Closed) && !already_rated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine() {
        use CaseStatus::*;
        let step = CaseAction::RecordStep(StepKind::Mediation);
        let close = CaseAction::Close(CaseOutcome::Settled);
        assert_eq!(Submitted.after(CaseAction::Accept), Ok(Accepted));
        assert_eq!(Accepted.after(CaseAction::Assign), Ok(Accepted));
        assert_eq!(Accepted.after(step), Ok(InProgress));
        assert_eq!(InProgress.after(step), Ok(InProgress));
        assert_eq!(InProgress.after(close), Ok(Closed));
        assert_eq!(Submitted.after(CaseAction::Close(CaseOutcome::Referred)), Ok(Closed));
        for open in [Submitted, Accepted, InProgress] {
            assert!(open.is_open());
            assert_eq!(open.after(CaseAction::Withdraw), Ok(Withdrawn));
        }
        assert_eq!(Submitted.after(step), Err(IllegalTransition { from: Submitted, action: "step" }));
        assert!(Submitted.after(CaseAction::Assign).is_err());
        assert!(Accepted.after(CaseAction::Accept).is_err());
        for done in [Closed, Withdrawn] {
            assert!(!done.is_open());
            for action in [CaseAction::Accept, CaseAction::Assign, step, close, CaseAction::Withdraw] {
                assert!(done.after(action).is_err(), "{done} {action:?}");
            }
        }
        assert!(Closed.can_be_rated(false) && !Closed.can_be_rated(true) && !Withdrawn.can_be_rated(false));
        assert_eq!(
            IllegalTransition { from: Closed, action: "close" }.to_string(),
            "close is not allowed on a closed case"
        );
    }

    #[test]
    fn outcomes_store_as_a_kind_and_an_amount() {
        let amount = Amount::parse("8600").unwrap();
        let recovered = CaseOutcome::Recovered(amount);
        assert_eq!(recovered.kind(), OutcomeKind::Recovered);
        assert_eq!(recovered.recovered(), amount);
        assert_eq!(CaseOutcome::Settled.recovered(), Amount::ZERO);
        assert_eq!(CaseOutcome::from_parts(OutcomeKind::Recovered, Some(amount)), Some(recovered));
        assert_eq!(CaseOutcome::from_parts(OutcomeKind::Recovered, None), None);
        assert_eq!(CaseOutcome::from_parts(OutcomeKind::Settled, Some(amount)), None);
        assert_eq!(
            CaseOutcome::from_parts(OutcomeKind::Settled, Some(Amount::ZERO)),
            Some(CaseOutcome::Settled)
        );
        for kind in OutcomeKind::ALL.iter().filter(|k| **k != OutcomeKind::Recovered) {
            assert_eq!(CaseOutcome::from_parts(*kind, None).map(CaseOutcome::kind), Some(*kind));
        }
        assert_eq!(CaseCategory::from_code_or_label("欠薪"), Some(CaseCategory::WageArrears));
        assert_eq!(StepKind::ReferralToInspectorate.code(), "referral_inspectorate");
    }

    #[test]
    fn notes_are_short_plain_text() {
        assert_eq!(parse_note("  "), Ok(None));
        assert_eq!(
            parse_note(" 已电话联系\r\n约定周三调解 "),
            Ok(Some("已电话联系\n约定周三调解".to_owned()))
        );
        assert_eq!(parse_note(&"字".repeat(MAX_NOTE_CHARS)).map(|n| n.is_some()), Ok(true));
        assert_eq!(parse_note(&"字".repeat(MAX_NOTE_CHARS + 1)), Err(NoteError::TooLong));
        assert_eq!(parse_note("a\u{0}b"), Err(NoteError::ControlCharacter));
    }
}
