//! Benefit programmes (普惠服务, 互助保障): their kinds and grant modes, who is eligible,
//! and the life of one grant from granted to closed or revoked. Quotas and "one grant per
//! member" are enforced by the database; the rules here decide and explain.

mod draft;
mod edit;
mod eligibility;
mod grant;

pub use draft::{MAX_QUOTA, ProgrammeDraft, ProgrammeFields, parse_programme, valid_until};
pub use edit::{EditFields, ProgrammeEdit, closed_period, parse_edit};
pub use eligibility::{AgeRange, Eligibility, Ineligible, JoinedVia, MemberSnapshot, Period};
pub use grant::{GrantAction, GrantStatus, IllegalGrantTransition, PolicyNumber, RevocationReason};

use crate::civil_date::CivilDate;
use crate::ids::id_newtype;
use crate::labelled::labelled_enum;

id_newtype! {
    /// A benefit programme.
    ProgrammeId;
    /// One member's grant of a programme.
    GrantId;
}

labelled_enum!(
    /// What a programme gives.
    ProgrammeKind {
        /// 赠送保险 (accident insurance, 卡友保, hospital insurance …)
        InsuranceGift = "insurance_gift", "赠送保险", "Insurance gift";
        /// 体检
        HealthCheck = "health_check", "体检", "Health check";
        /// 两癌筛查
        CancerScreening = "cancer_screening", "两癌筛查", "Cancer screening";
        /// 四季送 (送清凉, 送温暖 …)
        SeasonalCare = "seasonal_care", "四季送", "Seasonal care";
        /// 困难帮扶
        HardshipAid = "hardship_aid", "困难帮扶", "Hardship aid";
        /// 其他
        Other = "other", "其他", "Other";
    }
);

labelled_enum!(
    /// How members come to hold a grant.
    GrantMode {
        /// Granted in the same transaction as the membership's approval, while quota lasts.
        OnApproval = "on_approval", "入会即享", "On approval";
        /// Claimed by the member after an SMS check.
        Claim = "claim", "会员申领", "Claimed by the member";
        /// Granted by an officer, one by one or in batch.
        Officer = "officer", "工会发放", "Granted by an officer";
    }
);

/// A programme's grant counter against its quota (total, or one child union's share).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// Grants allowed.
    pub total: u32,
    /// Grants made (revoked ones excluded).
    pub granted: u32,
}

impl Quota {
    /// Grants still possible.
    pub const fn remaining(self) -> u32 {
        self.total.saturating_sub(self.granted)
    }
}

/// Why a grant cannot be made now; each says so to the member or the officer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantRefusal {
    /// The member's union is not in the sponsor's subtree.
    OtherUnion,
    /// The programme is not running today.
    OutsidePeriod,
    /// Members cannot claim this programme (it is granted on approval or by officers).
    NotClaimable,
    /// The member already holds a grant of it.
    AlreadyGranted,
    /// An eligibility rule fails: which one.
    NotEligible(Ineligible),
    /// No quota left.
    QuotaExhausted,
}

impl GrantRefusal {
    /// Stable code, e.g. `benefit.quota_exhausted` or `benefit.ineligible.age_min`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::OtherUnion => "benefit.other_union",
            Self::OutsidePeriod => "benefit.outside_period",
            Self::NotClaimable => "benefit.not_claimable",
            Self::AlreadyGranted => "benefit.already_granted",
            Self::NotEligible(rule) => rule.code(),
            Self::QuotaExhausted => "benefit.quota_exhausted",
        }
    }

    /// What the member is told, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::OtherUnion => "该项目仅限主办工会所属会员".to_owned(),
            Self::OutsidePeriod => "该项目不在有效期内".to_owned(),
            Self::NotClaimable => "该项目无需申领，由工会统一发放".to_owned(),
            Self::AlreadyGranted => "您已领取过该项目".to_owned(),
            Self::NotEligible(rule) => format!("不符合领取条件：{}", rule.message_zh()),
            Self::QuotaExhausted => "名额已发放完毕".to_owned(),
        }
    }

    /// What the member is told, in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::OtherUnion => "Only for members of the sponsoring union".to_owned(),
            Self::OutsidePeriod => "This programme is not running now".to_owned(),
            Self::NotClaimable => "This programme is granted by the union; no claim is needed".to_owned(),
            Self::AlreadyGranted => "You already hold this benefit".to_owned(),
            Self::NotEligible(rule) => format!("Not eligible: {}", rule.message_en()),
            Self::QuotaExhausted => "The quota is used up".to_owned(),
        }
    }
}

/// The SMS telling a member of a grant: what, until when, whom to call. No link (SMS
/// providers refuse links as variables); the member sees it on `/status` and the card.
pub fn grant_text(programme: &str, valid_until: Option<CivilDate>, hotline: Option<&str>) -> String {
    let until = valid_until.map(|d| format!("，有效期至{d}")).unwrap_or_default();
    let call = hotline.map(|h| format!("，咨询电话{h}")).unwrap_or_default();
    format!("【会籍】工会为您发放了“{programme}”{until}{call}。可在会员卡页面查看。")
}

/// The rules of one programme that decide a grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeRules {
    /// How grants are made.
    pub mode: GrantMode,
    /// When the programme runs.
    pub period: Period,
    /// Who may hold a grant.
    pub eligibility: Eligibility,
}

impl ProgrammeRules {
    /// Whether a grant may be made to `member` on `today` by `mode` (a claim must be a
    /// claim programme; officers may grant any programme), checked in the order a
    /// member would want to hear them. The database still has the last word on quota
    /// and uniqueness under concurrency.
    ///
    /// # Errors
    ///
    /// The first [`GrantRefusal`].
    pub fn check_grant(
        &self,
        mode: GrantMode,
        member: &MemberSnapshot<'_>,
        today: CivilDate,
        already_granted: bool,
        quota: Quota,
    ) -> Result<(), GrantRefusal> {
        if !self.period.contains(today) {
            return Err(GrantRefusal::OutsidePeriod);
        }
        if mode != GrantMode::Officer && mode != self.mode {
            return Err(GrantRefusal::NotClaimable);
        }
        if already_granted {
            return Err(GrantRefusal::AlreadyGranted);
        }
        self.eligibility.check(member, today).map_err(GrantRefusal::NotEligible)?;
        if quota.remaining() == 0 {
            return Err(GrantRefusal::QuotaExhausted);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
