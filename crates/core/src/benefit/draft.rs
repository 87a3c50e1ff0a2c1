//! A programme as an admin (or the operator) types it: every field checked, every problem
//! reported on its field, so the console form and `huiji benefit create` refuse alike.

use super::eligibility::{AgeRange, Eligibility, JoinedVia, Period};
use super::{GrantMode, ProgrammeKind, ProgrammeRules};
use crate::civil_date::CivilDate;
use crate::id_number::Sex;
use crate::joining::FieldError;
use crate::membership::Channel;
use crate::occupation::Occupation;
use crate::region::{RegionCode, RegionTable};
use crate::text::PlainText;

/// Longest programme name.
pub(super) const MAX_NAME_CHARS: usize = 100;
/// Longest insurer or provider name.
pub(super) const MAX_PROVIDER_CHARS: usize = 100;
/// The largest quota (the article's biggest programme gives 100,000).
pub const MAX_QUOTA: u32 = 10_000_000;
/// The longest validity of one grant, in days (ten years).
const MAX_VALID_DAYS: u32 = 3_650;
/// The age bounds a rule may name (members are at least 16).
const AGES: std::ops::RangeInclusive<u32> = 16..=100;

/// The fields as typed; empty text means "not given".
#[derive(Clone, Debug, Default)]
pub struct ProgrammeFields<'a> {
    /// `insurance_gift`, `health_check` … or its Chinese label.
    pub kind: &'a str,
    /// What members see.
    pub name: &'a str,
    /// The insurer or provider.
    pub provider: &'a str,
    /// The insurer's or provider's hotline members call.
    pub hotline: &'a str,
    /// `on_approval`, `claim` or `officer` (default `officer`).
    pub mode: &'a str,
    /// First day (YYYY-MM-DD).
    pub from: &'a str,
    /// Last day (YYYY-MM-DD).
    pub until: &'a str,
    /// Total grants allowed.
    pub quota: &'a str,
    /// How long one grant lasts from the day it is made, in days (else until the
    /// programme's last day).
    pub valid_days: &'a str,
    /// Occupation codes admitted (none: all).
    pub occupations: Vec<&'a str>,
    /// Work-region codes admitted, separated by commas or spaces (none: all).
    pub regions: &'a str,
    /// Only active members (not retained ones).
    pub active_only: bool,
    /// Joined on or after (YYYY-MM-DD).
    pub joined_from: &'a str,
    /// Joined on or before (YYYY-MM-DD).
    pub joined_until: &'a str,
    /// The channel members must have joined through.
    pub channel: &'a str,
    /// The platform members must have joined through.
    pub platform: &'a str,
    /// `female` or `male`.
    pub sex: &'a str,
    /// Youngest age admitted.
    pub age_min: &'a str,
    /// Oldest age admitted.
    pub age_max: &'a str,
}

/// A checked programme, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeDraft {
    /// What it gives.
    pub kind: ProgrammeKind,
    /// Its name.
    pub name: String,
    /// The insurer or provider.
    pub provider: Option<String>,
    /// Their hotline.
    pub hotline: Option<String>,
    /// Mode, period and eligibility.
    pub rules: ProgrammeRules,
    /// Total grants allowed.
    pub quota: u32,
    /// Days one grant lasts, if not until the programme's end.
    pub valid_days: Option<u32>,
}

impl ProgrammeDraft {
    /// The last day a grant made on `granted_on` is valid: its own days if the programme
    /// sets them, else the programme's last day (none: open-ended).
    pub fn valid_until(&self, granted_on: CivilDate) -> Option<CivilDate> {
        valid_until(self.valid_days, self.rules.period, granted_on)
    }
}

/// See [`ProgrammeDraft::valid_until`]; for stored programmes too.
pub fn valid_until(valid_days: Option<u32>, period: Period, granted_on: CivilDate) -> Option<CivilDate> {
    match valid_days {
        Some(days) => granted_on.plus_days(i64::from(days) - 1),
        None => period.until(),
    }
}

pub(super) fn error(field: &'static str, code: &'static str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, code, zh, en)
}

/// Trimmed text, or `None` when empty; a control character or too many characters is
/// an error on the field.
pub(super) fn text<'a>(
    field: &'static str,
    value: &'a str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<&'a str> {
    let value = value.trim();
    if PlainText::parse(value).is_err() || value.chars().count() > max {
        errors.push(error(
            field,
            "benefit.text",
            &format!("最多{max}个字，不能含控制字符"),
            &format!("at most {max} characters of plain text"),
        ));
        return None;
    }
    (!value.is_empty()).then_some(value)
}

pub(super) fn date(field: &'static str, value: &str, errors: &mut Vec<FieldError>) -> Option<CivilDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let parsed = CivilDate::parse_iso(value);
    if parsed.is_none() {
        errors.push(error(field, "benefit.date", "日期格式应为 2026-01-31", "a date like 2026-01-31"));
    }
    parsed
}

pub(super) fn number(
    field: &'static str,
    value: &str,
    range: std::ops::RangeInclusive<u32>,
    errors: &mut Vec<FieldError>,
) -> Option<u32> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let parsed = value.parse::<u32>().ok().filter(|n| range.contains(n));
    if parsed.is_none() {
        errors.push(error(
            field,
            "benefit.number",
            &format!("应为{}到{}之间的整数", range.start(), range.end()),
            &format!("a whole number from {} to {}", range.start(), range.end()),
        ));
    }
    parsed
}

/// A hotline is empty, or 3 to 20 digits and dashes.
pub(super) fn check_hotline(hotline: &str, errors: &mut Vec<FieldError>) {
    let ok = hotline.is_empty()
        || (hotline.len() <= 20
            && hotline.len() >= 3
            && hotline.bytes().all(|b| b.is_ascii_digit() || b == b'-'));
    if !ok {
        errors.push(error(
            "hotline",
            "benefit.hotline",
            "热线只能含数字和“-”",
            "a hotline of digits and dashes",
        ));
    }
}

/// Checks every field; all problems at once.
///
/// # Errors
///
/// Each field's problem, in form order.
pub fn parse_programme(
    fields: &ProgrammeFields<'_>,
    regions: &RegionTable,
) -> Result<ProgrammeDraft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = ProgrammeKind::from_code_or_label(fields.kind.trim());
    if kind.is_none() {
        errors.push(error("kind", "benefit.kind", "请选择项目类型", "choose the kind of programme"));
    }
    let name = text("name", fields.name, MAX_NAME_CHARS, &mut errors);
    if name.is_none() && !errors.iter().any(|e| e.field == "name") {
        errors.push(error("name", "benefit.name", "请填写项目名称", "the programme needs a name"));
    }
    let provider = text("provider", fields.provider, MAX_PROVIDER_CHARS, &mut errors);
    let hotline = fields.hotline.trim();
    check_hotline(hotline, &mut errors);
    let mode = match fields.mode.trim() {
        "" => Some(GrantMode::Officer),
        code => GrantMode::from_code_or_label(code),
    };
    if mode.is_none() {
        errors.push(error(
            "mode",
            "benefit.mode",
            "发放方式应为入会即享、会员申领或工会发放",
            "grant on_approval, claim or officer",
        ));
    }
    let (from, until) = (date("from", fields.from, &mut errors), date("until", fields.until, &mut errors));
    let period = Period::new(from, until);
    if period.is_none() {
        errors.push(error(
            "until",
            "benefit.period",
            "结束日期早于开始日期",
            "the last day is before the first",
        ));
    }
    let quota = number("quota", fields.quota, 1..=MAX_QUOTA, &mut errors);
    if quota.is_none() && fields.quota.trim().is_empty() {
        errors.push(error("quota", "benefit.quota", "请填写名额总数", "the programme needs a quota"));
    }
    let valid_days = number("valid_days", fields.valid_days, 1..=MAX_VALID_DAYS, &mut errors);
    let mut occupations = Vec::new();
    for code in fields.occupations.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match code.parse::<Occupation>() {
            Ok(o) if !occupations.contains(&o) => occupations.push(o),
            Ok(_) => {}
            Err(_) => errors.push(error(
                "occupations",
                "benefit.occupation",
                "未知的从业类型",
                "unknown occupation",
            )),
        }
    }
    let mut region_codes = Vec::new();
    for code in fields.regions.split([',', ' ', '，', '、']).map(str::trim).filter(|c| !c.is_empty()) {
        match code.parse::<RegionCode>().ok().filter(|c| regions.get(*c).is_some()) {
            Some(c) => region_codes.push(c),
            None => {
                errors.push(error("regions", "benefit.region", "未知的行政区划代码", "unknown region code"))
            }
        }
    }
    let joined = Period::new(
        date("joined_from", fields.joined_from, &mut errors),
        date("joined_until", fields.joined_until, &mut errors),
    );
    if joined.is_none() {
        errors.push(error(
            "joined_until",
            "benefit.joined",
            "入会时间范围有误",
            "the join dates are the wrong way round",
        ));
    }
    let joined_via = match (fields.channel.trim(), fields.platform.trim()) {
        ("", "") => None,
        ("", platform) | ("platform", platform) if !platform.is_empty() => {
            text("platform", platform, MAX_PROVIDER_CHARS, &mut errors)
                .map(|p| JoinedVia::Platform(p.to_owned()))
        }
        (channel, "") => match channel.parse::<Channel>() {
            Ok(c) => Some(JoinedVia::Channel(c)),
            Err(_) => {
                errors.push(error("channel", "benefit.channel", "未知的入会渠道", "unknown channel"));
                None
            }
        },
        _ => {
            errors.push(error(
                "platform",
                "benefit.via",
                "入会渠道和平台只能选一项",
                "name a channel or a platform, not both",
            ));
            None
        }
    };
    let sex = match fields.sex.trim() {
        "" => None,
        code => {
            let sex = code.parse::<Sex>().ok();
            if sex.is_none() {
                errors.push(error("sex", "benefit.sex", "性别应为 female 或 male", "sex is female or male"));
            }
            sex
        }
    };
    let age_min = number("age_min", fields.age_min, AGES, &mut errors);
    let age_max = number("age_max", fields.age_max, AGES, &mut errors);
    let age = AgeRange::new(age_min, age_max);
    if age.is_none() {
        errors.push(error(
            "age_max",
            "benefit.age",
            "最大年龄小于最小年龄",
            "the oldest age is below the youngest",
        ));
    }
    let age = age.unwrap_or_default();
    if mode == Some(GrantMode::OnApproval) && age.is_bounded() {
        // The approval transaction holds the ID number sealed only: it cannot tell an age.
        errors.push(error(
            "age_min",
            "benefit.age_on_approval",
            "入会即享的项目不能设年龄条件，请改为会员申领或工会发放",
            "an on-approval programme cannot have an age rule; make it claimed or officer-granted",
        ));
    }
    match (kind, name, mode, period, quota, joined) {
        (Some(kind), Some(name), Some(mode), Some(period), Some(quota), Some(joined))
            if errors.is_empty() =>
        {
            let eligibility = Eligibility {
                occupations,
                regions: region_codes,
                active_only: fields.active_only,
                joined,
                joined_via,
                sex,
                age,
            };
            Ok(ProgrammeDraft {
                kind,
                name: name.to_owned(),
                provider: provider.map(str::to_owned),
                hotline: (!hotline.is_empty()).then(|| hotline.to_owned()),
                rules: ProgrammeRules { mode, period, eligibility },
                quota,
                valid_days,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> ProgrammeFields<'static> {
        ProgrammeFields {
            kind: "insurance_gift",
            name: "卡友保",
            provider: "中国人寿",
            hotline: "95519",
            mode: "claim",
            from: "2026-01-01",
            until: "2026-12-31",
            quota: "20000",
            occupations: vec!["truck_driver"],
            regions: "34",
            active_only: true,
            platform: "卡友地带",
            age_min: "18",
            age_max: "60",
            ..ProgrammeFields::default()
        }
    }

    #[test]
    fn a_complete_programme_parses() {
        let draft = parse_programme(&fields(), RegionTable::national()).unwrap();
        assert_eq!(draft.kind, ProgrammeKind::InsuranceGift);
        assert_eq!((draft.quota, draft.rules.mode), (20_000, GrantMode::Claim));
        assert_eq!(draft.rules.eligibility.joined_via, Some(JoinedVia::Platform("卡友地带".to_owned())));
        assert_eq!(draft.rules.eligibility.occupations, vec![Occupation::TruckDriver]);
        assert_eq!(draft.valid_until(CivilDate::new(2026, 3, 1).unwrap()), CivilDate::new(2026, 12, 31));
        let yearly = ProgrammeDraft { valid_days: Some(365), ..draft };
        assert_eq!(yearly.valid_until(CivilDate::new(2026, 3, 1).unwrap()), CivilDate::new(2027, 2, 28));
    }

    #[test]
    fn every_problem_is_reported_on_its_field() {
        let bad = ProgrammeFields {
            kind: "lottery",
            name: " ",
            hotline: "call us",
            mode: "sometimes",
            from: "2026-12-31",
            until: "2026-01-01",
            quota: "0",
            occupations: vec!["astronaut"],
            regions: "99",
            channel: "qr",
            sex: "x",
            age_min: "70",
            age_max: "20",
            ..fields()
        };
        let errors = parse_programme(&bad, RegionTable::national()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        for field in [
            "kind",
            "name",
            "hotline",
            "mode",
            "until",
            "quota",
            "occupations",
            "regions",
            "platform",
            "sex",
            "age_max",
        ] {
            assert!(fields.contains(&field), "{field} missing from {fields:?}");
        }
    }

    #[test]
    fn on_approval_programmes_cannot_ask_an_age() {
        let f = ProgrammeFields { mode: "on_approval", ..fields() };
        let errors = parse_programme(&f, RegionTable::national()).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.code).collect::<Vec<_>>(), ["benefit.age_on_approval"]);
        let f = ProgrammeFields { mode: "on_approval", age_min: "", age_max: "", ..fields() };
        assert!(parse_programme(&f, RegionTable::national()).is_ok());
    }

    #[test]
    fn the_quota_and_name_are_required() {
        let f = ProgrammeFields { name: "", quota: "", ..fields() };
        let codes: Vec<_> =
            parse_programme(&f, RegionTable::national()).unwrap_err().iter().map(|e| e.code).collect();
        assert_eq!(codes, ["benefit.name", "benefit.quota"]);
    }
}
