//! Who may hold a programme's grant: rules evaluated against a snapshot of the member,
//! each failure naming its rule so a refusal can say which.

use crate::civil_date::CivilDate;
use crate::id_number::Sex;
use crate::membership::{Channel, MembershipStatus};
use crate::occupation::Occupation;
use crate::region::RegionCode;

/// An inclusive range of dates, either end open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Period {
    from: Option<CivilDate>,
    until: Option<CivilDate>,
}

impl Period {
    /// Any date.
    pub const ALWAYS: Period = Period { from: None, until: None };

    /// `None` when `until` is before `from`.
    pub fn new(from: Option<CivilDate>, until: Option<CivilDate>) -> Option<Period> {
        match (from, until) {
            (Some(a), Some(b)) if b < a => None,
            _ => Some(Period { from, until }),
        }
    }

    /// The first day, if bounded.
    pub const fn from(self) -> Option<CivilDate> {
        self.from
    }

    /// The last day, if bounded.
    pub const fn until(self) -> Option<CivilDate> {
        self.until
    }

    /// Whether `date` lies inside.
    pub fn contains(self, date: CivilDate) -> bool {
        self.from.is_none_or(|from| date >= from) && self.until.is_none_or(|until| date <= until)
    }
}

/// An inclusive range of ages in whole years, either end open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AgeRange {
    min: Option<u32>,
    max: Option<u32>,
}

impl AgeRange {
    /// The youngest age admitted.
    pub const fn min(self) -> Option<u32> {
        self.min
    }

    /// The oldest age admitted.
    pub const fn max(self) -> Option<u32> {
        self.max
    }

    /// Whether any bound is set (the rule needs the birth date).
    pub const fn is_bounded(self) -> bool {
        self.min.is_some() || self.max.is_some()
    }

    /// `None` when `max` is below `min`.
    pub fn new(min: Option<u32>, max: Option<u32>) -> Option<AgeRange> {
        match (min, max) {
            (Some(a), Some(b)) if b < a => None,
            _ => Some(AgeRange { min, max }),
        }
    }
}

/// How the member must have joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinedVia {
    /// Through this channel.
    Channel(Channel),
    /// Through this platform's API (e.g. 卡友保 only for those who joined via 卡友地带).
    Platform(String),
}

/// A programme's eligibility rules; an empty list or `None` means "any".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Eligibility {
    /// Occupations admitted.
    pub occupations: Vec<Occupation>,
    /// Work regions admitted, each with everything under it (a city admits its counties).
    pub regions: Vec<RegionCode>,
    /// Only active members (not retained ones); a withdrawn, expelled or deceased
    /// person is never eligible.
    pub active_only: bool,
    /// When the member must have joined (inclusive).
    pub joined: Period,
    /// The channel or platform the member must have joined through.
    pub joined_via: Option<JoinedVia>,
    /// The sex required (e.g. two-cancer screening).
    pub sex: Option<Sex>,
    /// The age range required, on the day of the grant.
    pub age: AgeRange,
}

/// What the rules need to know about a member (birth date and sex derived from the ID
/// number at joining; nothing sensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberSnapshot<'a> {
    /// 从业类型
    pub occupation: Occupation,
    /// County-level work region.
    pub region: RegionCode,
    /// Membership status.
    pub status: MembershipStatus,
    /// The day the membership began.
    pub joined_on: CivilDate,
    /// The channel of the application.
    pub channel: Channel,
    /// The platform that submitted it, when the channel is `platform`.
    pub platform: Option<&'a str>,
    /// Birth date, from the ID number; `None` where only the sealed number is at hand
    /// (the approval transaction), and then an age rule fails.
    pub birth_date: Option<CivilDate>,
    /// Sex.
    pub sex: Sex,
}

/// The rule a member fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ineligible {
    /// Not a held membership, or not active when active is required.
    Status,
    /// Occupation not admitted.
    Occupation,
    /// Work region outside the admitted regions.
    Region,
    /// Joined before the programme's window.
    JoinedTooEarly(CivilDate),
    /// Joined after the programme's window.
    JoinedTooLate(CivilDate),
    /// Joined through another channel.
    Channel(Channel),
    /// Joined through another platform, or not through a platform.
    Platform(String),
    /// The programme is for the other sex.
    Sex(Sex),
    /// Younger than the minimum age.
    TooYoung(u32),
    /// Older than the maximum age.
    TooOld(u32),
}

impl Ineligible {
    /// Stable code, e.g. `benefit.ineligible.age_min`.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Status => "benefit.ineligible.status",
            Self::Occupation => "benefit.ineligible.occupation",
            Self::Region => "benefit.ineligible.region",
            Self::JoinedTooEarly(_) => "benefit.ineligible.joined_after",
            Self::JoinedTooLate(_) => "benefit.ineligible.joined_before",
            Self::Channel(_) => "benefit.ineligible.channel",
            Self::Platform(_) => "benefit.ineligible.platform",
            Self::Sex(_) => "benefit.ineligible.sex",
            Self::TooYoung(_) => "benefit.ineligible.age_min",
            Self::TooOld(_) => "benefit.ineligible.age_max",
        }
    }

    /// The rule, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::Status => "仅限在册会员".to_owned(),
            Self::Occupation => "您的从业类型不在本项目范围内".to_owned(),
            Self::Region => "您的工作所在地不在本项目范围内".to_owned(),
            Self::JoinedTooEarly(date) => format!("仅限{date}及以后入会的会员"),
            Self::JoinedTooLate(date) => format!("仅限{date}及以前入会的会员"),
            Self::Channel(channel) => format!("仅限通过{}入会的会员", channel_zh(*channel)),
            Self::Platform(name) => format!("仅限通过{name}入会的会员"),
            Self::Sex(Sex::Female) => "仅限女性会员".to_owned(),
            Self::Sex(Sex::Male) => "仅限男性会员".to_owned(),
            Self::TooYoung(min) => format!("仅限{min}周岁及以上"),
            Self::TooOld(max) => format!("仅限{max}周岁及以下"),
        }
    }

    /// The rule, in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::Status => "only for members in good standing".to_owned(),
            Self::Occupation => "your occupation is not covered".to_owned(),
            Self::Region => "your work region is not covered".to_owned(),
            Self::JoinedTooEarly(date) => format!("only for members who joined on or after {date}"),
            Self::JoinedTooLate(date) => format!("only for members who joined on or before {date}"),
            Self::Channel(channel) => format!("only for members who joined through the {channel} channel"),
            Self::Platform(name) => format!("only for members who joined through {name}"),
            Self::Sex(Sex::Female) => "only for women".to_owned(),
            Self::Sex(Sex::Male) => "only for men".to_owned(),
            Self::TooYoung(min) => format!("only from age {min}"),
            Self::TooOld(max) => format!("only up to age {max}"),
        }
    }
}

/// The channel's name in a sentence.
const fn channel_zh(channel: Channel) -> &'static str {
    match channel {
        Channel::Portal => "入会页面",
        Channel::Qr => "工会二维码",
        Channel::Platform => "平台",
        Channel::Offline => "线下登记",
        Channel::Invite => "邀请链接",
    }
}

impl Eligibility {
    /// Every rule the member fails on `today`, in a fixed order (status, occupation,
    /// region, join date, channel/platform, sex, age); empty when eligible.
    pub fn failures(&self, member: &MemberSnapshot<'_>, today: CivilDate) -> Vec<Ineligible> {
        let mut failed = Vec::new();
        let status_ok = if self.active_only {
            member.status == MembershipStatus::Active
        } else {
            member.status.is_held()
        };
        if !status_ok {
            failed.push(Ineligible::Status);
        }
        if !self.occupations.is_empty() && !self.occupations.contains(&member.occupation) {
            failed.push(Ineligible::Occupation);
        }
        if !self.regions.is_empty() && !self.regions.iter().any(|r| r.contains(member.region)) {
            failed.push(Ineligible::Region);
        }
        if let Some(from) = self.joined.from.filter(|from| member.joined_on < *from) {
            failed.push(Ineligible::JoinedTooEarly(from));
        }
        if let Some(until) = self.joined.until.filter(|until| member.joined_on > *until) {
            failed.push(Ineligible::JoinedTooLate(until));
        }
        match &self.joined_via {
            Some(JoinedVia::Channel(channel)) if member.channel != *channel => {
                failed.push(Ineligible::Channel(*channel));
            }
            Some(JoinedVia::Platform(name))
                if member.channel != Channel::Platform
                    || member.platform.map(str::trim) != Some(name.trim()) =>
            {
                failed.push(Ineligible::Platform(name.clone()));
            }
            _ => {}
        }
        if let Some(sex) = self.sex.filter(|sex| *sex != member.sex) {
            failed.push(Ineligible::Sex(sex));
        }
        match member.birth_date.map(|born| born.whole_years_until(today)) {
            Some(age) => {
                if let Some(min) = self.age.min.filter(|min| age < *min) {
                    failed.push(Ineligible::TooYoung(min));
                }
                if let Some(max) = self.age.max.filter(|max| age > *max) {
                    failed.push(Ineligible::TooOld(max));
                }
            }
            None => {
                if let Some(min) = self.age.min {
                    failed.push(Ineligible::TooYoung(min));
                } else if let Some(max) = self.age.max {
                    failed.push(Ineligible::TooOld(max));
                }
            }
        }
        failed
    }

    /// `Ok` when the member meets every rule on `today`.
    ///
    /// # Errors
    ///
    /// The first failing rule (see [`Eligibility::failures`] for the order).
    pub fn check(&self, member: &MemberSnapshot<'_>, today: CivilDate) -> Result<(), Ineligible> {
        match self.failures(member, today).into_iter().next() {
            Some(rule) => Err(rule),
            None => Ok(()),
        }
    }
}
