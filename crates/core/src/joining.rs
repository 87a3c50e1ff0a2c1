//! Joining: the five fields, who reviews (承接) and where the membership lives (落地).
//!
//! One implementation for every door: the H5 form, the console's offline entry and the
//! platform API all parse with [`parse_join`] and route with [`receiving_org`] and
//! [`landing`].

use crate::civil_date::CivilDate;
use crate::credit_code::CreditCode;
use crate::id_number::IdNumber;
use crate::mobile::Mobile;
use crate::occupation::Occupation;
use crate::org::{Level, Org, OrgId, OrgKind};
use crate::person_name::PersonName;
use crate::region::{RegionCode, RegionLevel, RegionTable};

/// Applicants must be at least this old (the union's statute; derived from the ID).
pub const MIN_AGE_YEARS: u32 = 16;

/// Longest employer name accepted.
pub const MAX_EMPLOYER_CHARS: usize = 100;

/// The fields as typed or sent, before any checking.
#[derive(Clone, Debug, Default)]
pub struct JoinForm<'a> {
    /// 姓名
    pub name: &'a str,
    /// 身份证号
    pub id_number: &'a str,
    /// 手机号
    pub mobile: &'a str,
    /// 从业类型 code, e.g. `truck_driver`.
    pub occupation: &'a str,
    /// 工作所在地: a county-level GB/T 2260 code.
    pub region_code: &'a str,
    /// Employer or platform name (optional).
    pub employer_name: &'a str,
    /// Employer's unified social credit code (optional).
    pub employer_credit_code: &'a str,
    /// The consent text version accepted; `None` when consent was not given.
    pub consent_version: Option<&'a str>,
}

/// One problem with one field, in both languages; `code` is the API's error code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name in the form and the API (`id_number`, `employer.credit_code`).
    pub field: &'static str,
    /// A stable code such as `id_number.checksum`.
    pub code: &'static str,
    /// The message in Chinese.
    pub message_zh: String,
    /// The message in English.
    pub message_en: String,
}

impl FieldError {
    pub(crate) fn new(
        field: &'static str,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        FieldError { field, code, message_zh: zh.into(), message_en: en.into() }
    }
}

/// The employer an applicant named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Employer {
    /// Name as given (trimmed); may be empty when only the code was given.
    pub name: String,
    /// The credit code, when given.
    pub credit_code: Option<CreditCode>,
}

/// A join request that passed every check: holding one is proof of validity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinRequest {
    /// 姓名
    pub name: PersonName,
    /// 身份证号
    pub id_number: IdNumber,
    /// 手机号
    pub mobile: Mobile,
    /// 从业类型
    pub occupation: Occupation,
    /// County-level work region.
    pub region: RegionCode,
    /// Employer, if named.
    pub employer: Option<Employer>,
    /// The consent version accepted.
    pub consent_version: String,
}

/// What checking needs besides the form: today's date, the division table and the
/// consent versions that exist.
#[derive(Clone, Copy, Debug)]
pub struct JoinContext<'a> {
    /// Today (for the birth-date and age rules).
    pub today: CivilDate,
    /// The division table.
    pub regions: &'a RegionTable,
    /// Known consent versions ("1", "2", ...).
    pub consent_versions: &'a [String],
}

/// The fields that say who the person is: name, ID number (valid, old enough) and mobile.
pub const IDENTITY_FIELDS: [&str; 3] = ["name", "id_number", "mobile"];

/// The problems [`parse_join`] finds in the [`IDENTITY_FIELDS`] alone. The H5 form asks
/// before it sends an SMS code, so nobody spends a code on a form that cannot pass; the
/// rest of the form may still be unfilled then.
pub fn identity_errors(form: &JoinForm<'_>, ctx: &JoinContext<'_>) -> Vec<FieldError> {
    match parse_join(form, ctx) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.into_iter().filter(|e| IDENTITY_FIELDS.contains(&e.field)).collect(),
    }
}

/// Checks every field and reports every problem at once, so a worker on a slow network
/// fixes the whole form in one round trip.
pub fn parse_join(form: &JoinForm<'_>, ctx: &JoinContext<'_>) -> Result<JoinRequest, Vec<FieldError>> {
    let mut errors = Vec::new();

    let name = PersonName::parse(form.name)
        .map_err(|e| errors.push(FieldError::new("name", e.code(), e.message_zh(), e.message_en())))
        .ok();
    let id_number = IdNumber::parse(form.id_number, ctx.today, |p| ctx.regions.province_exists(p))
        .and_then(|id| id.check_min_age(ctx.today, MIN_AGE_YEARS).map(|()| id))
        .map_err(|e| errors.push(FieldError::new("id_number", e.code(), e.message_zh(), e.message_en())))
        .ok();
    let mobile = Mobile::parse(form.mobile)
        .map_err(|e| errors.push(FieldError::new("mobile", e.code(), e.message_zh(), e.message_en())))
        .ok();
    let occupation = parse_occupation(form.occupation).map_err(|e| errors.push(e)).ok();
    let region = parse_region(form.region_code, ctx.regions).map_err(|e| errors.push(e)).ok();
    let employer = parse_employer(form.employer_name, form.employer_credit_code, &mut errors);
    let consent_version = match form.consent_version.map(str::trim) {
        None | Some("") => {
            errors.push(FieldError::new(
                "consent",
                "consent.missing",
                "请阅读并同意个人信息处理规则后再提交",
                "Please read and accept the personal information notice",
            ));
            None
        }
        Some(v) if !ctx.consent_versions.iter().any(|known| known == v) => {
            errors.push(FieldError::new(
                "consent",
                "consent.version",
                "同意书版本无效，请刷新页面后重新同意",
                "Unknown consent version; reload the page and accept again",
            ));
            None
        }
        Some(v) => Some(v.to_owned()),
    };

    match (name, id_number, mobile, occupation, region, consent_version) {
        (
            Some(name),
            Some(id_number),
            Some(mobile),
            Some(occupation),
            Some(region),
            Some(consent_version),
        ) if errors.is_empty() => {
            Ok(JoinRequest { name, id_number, mobile, occupation, region, employer, consent_version })
        }
        _ => Err(errors),
    }
}

fn parse_occupation(text: &str) -> Result<Occupation, FieldError> {
    match text.trim() {
        "" => Err(FieldError::new(
            "occupation",
            "occupation.missing",
            "请选择从业类型",
            "Choose your occupation",
        )),
        code => code.parse().map_err(|_| {
            FieldError::new(
                "occupation",
                "occupation.unknown",
                "从业类型无效，请从列表中选择",
                "Unknown occupation; choose one from the list",
            )
        }),
    }
}

pub(crate) fn parse_region(text: &str, regions: &RegionTable) -> Result<RegionCode, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(
            "region_code",
            "region_code.missing",
            "请选择工作所在地（区县）",
            "Choose where you work (county or district)",
        ));
    }
    let unknown = || {
        FieldError::new(
            "region_code",
            "region_code.unknown",
            "工作所在地应为有效的区县代码",
            "The work region must be an existing county-level code",
        )
    };
    let code: RegionCode = text.parse().map_err(|_| unknown())?;
    if code.level() != RegionLevel::County || regions.get(code).is_none() {
        return Err(unknown());
    }
    Ok(code)
}

/// The employer's name and credit code, both optional; the roster import reads them the
/// same way.
pub(crate) fn parse_employer(
    name: &str,
    credit_code: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Employer> {
    let name = name.trim();
    let credit_code = credit_code.trim();
    if name.chars().count() > MAX_EMPLOYER_CHARS || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "employer.name",
            "employer.name",
            "单位名称不能超过100个字",
            "The employer's name is at most 100 characters",
        ));
        return None;
    }
    let credit_code = if credit_code.is_empty() {
        None
    } else {
        match CreditCode::parse(credit_code) {
            Ok(code) => Some(code),
            Err(e) => {
                errors.push(FieldError::new("employer.credit_code", e.code(), e.message_zh(), e.to_string()));
                return None;
            }
        }
    };
    (!name.is_empty() || credit_code.is_some()).then(|| Employer { name: name.to_owned(), credit_code })
}

/// Whether an org reviews online applications: federations and industry federations
/// do; enterprise unions never do (DESIGN.md), nor do the grass-roots unions.
pub fn receives_applications(org: &Org) -> bool {
    matches!(org.kind, OrgKind::Federation(_) | OrgKind::IndustryFederation(_))
}

/// The industry federation for `occupation` covering `region`: the county's first, then
/// the city's. `orgs` are the orgs of the region's city (any kinds).
pub fn covering_industry_federation(
    orgs: &[Org],
    occupation: Occupation,
    region: RegionCode,
) -> Option<&Org> {
    let serves = |org: &&Org, level: Level, place: Option<RegionCode>| {
        org.kind == OrgKind::IndustryFederation(level)
            && Some(org.region) == place
            && org.occupations.contains(&occupation)
    };
    let city = region.ancestor_at(RegionLevel::City);
    orgs.iter()
        .find(|o| serves(o, Level::County, Some(region)))
        .or_else(|| orgs.iter().find(|o| serves(o, Level::City, city)))
}

fn city_federation(orgs: &[Org], region: RegionCode) -> Option<&Org> {
    let city = region.ancestor_at(RegionLevel::City)?;
    orgs.iter().find(|o| o.kind == OrgKind::Federation(Level::City) && o.region == city)
}

/// Who reviews (承接): the federation behind the QR code, else the industry federation
/// for the occupation covering the region (county first, then city), else the city
/// federation. `None` when the region's city has no federation in the system.
pub fn receiving_org<'o>(
    qr_org: Option<&'o Org>,
    orgs: &'o [Org],
    occupation: Occupation,
    region: RegionCode,
) -> Option<&'o Org> {
    qr_org
        .filter(|org| receives_applications(org))
        .or_else(|| covering_industry_federation(orgs, occupation, region))
        .or_else(|| city_federation(orgs, region))
}

/// Where a new membership lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Landing {
    /// A union that will serve the member (an enterprise union or an industry federation).
    Union(OrgId),
    /// The city's turnover pool (先入会再分流): officers distribute the member later.
    Pool(OrgId),
}

impl Landing {
    /// The org the membership is recorded at.
    pub const fn org(self) -> OrgId {
        match self {
            Landing::Union(id) | Landing::Pool(id) => id,
        }
    }
}

/// Whether an enterprise union may take members who work in `work_region` (a county):
/// only if it is of that county (or a place in it) or is the county's city's own. Landing
/// by employer never moves a member out of the tree of the region they work in, so an
/// officer cannot catch a province's applicants by naming a union after their employer.
pub fn serves_work_region(union: &Org, work_region: RegionCode) -> bool {
    union.kind == OrgKind::Enterprise
        && (work_region.contains(union.region)
            || work_region.ancestor_at(RegionLevel::City) == Some(union.region))
}

/// The employer's enterprise union among `candidates` (unions matching the employer's
/// credit code or exact name): by the credit code when one was given, else by the exact
/// name; only a union serving the work region ([`serves_work_region`]), the county's own
/// before the city's.
pub fn employer_union<'o>(
    candidates: &'o [Org],
    employer: &Employer,
    work_region: RegionCode,
) -> Option<&'o Org> {
    let mut serving = candidates.iter().filter(|o| serves_work_region(o, work_region));
    match &employer.credit_code {
        Some(code) => serving.find(|o| o.credit_code.as_deref() == Some(code.as_str())),
        None if employer.name.is_empty() => None,
        None => {
            serving.filter(|o| o.name == employer.name).min_by_key(|o| std::cmp::Reverse(o.region.level()))
        }
    }
}

/// Landing (落地), first rule that applies: the employer's enterprise union
/// (`employer_union`, see [`employer_union`]) if it serves the work region; the
/// industry federation for the occupation covering the region; the city's turnover pool.
pub fn landing(
    employer_union: Option<&Org>,
    orgs: &[Org],
    occupation: Occupation,
    region: RegionCode,
) -> Option<Landing> {
    if let Some(union) = employer_union.filter(|o| serves_work_region(o, region)) {
        return Some(Landing::Union(union.id));
    }
    if let Some(federation) = covering_industry_federation(orgs, occupation, region) {
        return Some(Landing::Union(federation.id));
    }
    city_federation(orgs, region).filter(|o| o.turnover_pool).map(|o| Landing::Pool(o.id))
}

#[cfg(test)]
mod tests;
