//! New unions below an existing one: which kinds an admin may create where (DESIGN.md
//! "Organisation tree"), what a create form must hold, and the rules for a union's name.

use crate::credit_code::{CreditCode, CreditCodeError};
use crate::membership::AutoApproval;
use crate::occupation::Occupation;
use crate::org::{JoinCode, Level, Org, OrgKind, OrgKindCode};
use crate::region::RegionCode;

/// Longest union name the schema accepts (`orgs_name_check`).
pub const MAX_UNION_NAME_CHARS: usize = 100;

/// A union's official name: trimmed, 1 to [`MAX_UNION_NAME_CHARS`] characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnionName(String);

impl UnionName {
    /// The trimmed name, or [`ChildError::NameLength`].
    pub fn parse(text: &str) -> Result<UnionName, ChildError> {
        let name = text.trim();
        let chars = name.chars().count();
        if chars == 0 || chars > MAX_UNION_NAME_CHARS {
            return Err(ChildError::NameLength);
        }
        Ok(UnionName(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Why a union cannot be created (or renamed) as asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChildError {
    /// This kind of union does not hang below this parent.
    #[error("this kind of union cannot be created here")]
    KindNotAllowed,
    /// The name is empty or too long.
    #[error("a union name has 1 to {MAX_UNION_NAME_CHARS} characters")]
    NameLength,
    /// An industry federation names no occupation.
    #[error("an industry federation serves at least one occupation")]
    NoOccupation,
    /// The enterprise's credit code is not one.
    #[error(transparent)]
    CreditCode(#[from] CreditCodeError),
}

impl ChildError {
    /// The message in Chinese.
    pub const fn message_zh(self) -> &'static str {
        match self {
            Self::KindNotAllowed => "不能在这里创建这类工会",
            Self::NameLength => "名称应为1到100个字",
            Self::NoOccupation => "请至少选择一个从业类型",
            Self::CreditCode(e) => e.message_zh(),
        }
    }
}

/// The kinds of union an admin may create directly below `parent`: industry federations
/// hang under a city or county federation, community unions under a township, enterprise
/// unions under the union where the enterprise is.
pub fn child_kinds(parent: &Org) -> Vec<OrgKindCode> {
    match parent.kind {
        OrgKind::Federation(Level::City | Level::County) => {
            vec![OrgKindCode::Enterprise, OrgKindCode::IndustryFederation]
        }
        OrgKind::Township => vec![OrgKindCode::Community, OrgKindCode::Enterprise],
        OrgKind::Federation(Level::Province) | OrgKind::IndustryFederation(_) | OrgKind::Community => {
            vec![OrgKindCode::Enterprise]
        }
        OrgKind::Enterprise => Vec::new(),
    }
}

/// What a create form asks for, as typed.
#[derive(Clone, Debug, Default)]
pub struct ChildRequest<'a> {
    /// The kind's code.
    pub kind: &'a str,
    /// The name as typed.
    pub name: &'a str,
    /// An enterprise union's credit code as typed (optional).
    pub credit_code: &'a str,
    /// An industry federation's occupations' codes.
    pub occupations: &'a [String],
}

/// A union to create below a parent, its fields checked; the join code is chosen when it
/// is stored ([`ChildUnion::join_codes`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildUnion {
    /// Kind and level.
    pub kind: OrgKind,
    /// Name.
    pub name: UnionName,
    /// Where it is: the parent's region.
    pub region: RegionCode,
    /// Occupations served (industry federations).
    pub occupations: Vec<Occupation>,
    /// An enterprise union's credit code.
    pub credit_code: Option<CreditCode>,
    /// Its auto-approval policy.
    pub auto_approval: AutoApproval,
}

impl ChildUnion {
    /// Checks a create form against the parent.
    pub fn plan(parent: &Org, request: &ChildRequest<'_>) -> Result<ChildUnion, ChildError> {
        let kind = request
            .kind
            .parse::<OrgKindCode>()
            .ok()
            .filter(|k| child_kinds(parent).contains(k))
            .ok_or(ChildError::KindNotAllowed)?;
        let name = UnionName::parse(request.name)?;
        let mut child = ChildUnion {
            kind: OrgKind::Enterprise,
            name,
            region: parent.region,
            occupations: Vec::new(),
            credit_code: None,
            auto_approval: AutoApproval::Off,
        };
        match kind {
            OrgKindCode::Enterprise if !request.credit_code.trim().is_empty() => {
                child.credit_code = Some(CreditCode::parse(request.credit_code)?);
            }
            OrgKindCode::Enterprise => {}
            OrgKindCode::IndustryFederation => {
                let level = parent
                    .kind
                    .level()
                    .filter(|l| *l != Level::Province)
                    .ok_or(ChildError::KindNotAllowed)?;
                let occupations: Vec<Occupation> = Occupation::ALL
                    .into_iter()
                    .filter(|o| request.occupations.iter().any(|c| c == o.code()))
                    .collect();
                if occupations.is_empty() {
                    return Err(ChildError::NoOccupation);
                }
                child.kind = OrgKind::IndustryFederation(level);
                child.occupations = occupations;
                // Like the seeded industry federations: 马上入会 until an officer says otherwise.
                child.auto_approval = AutoApproval::AllVerified;
            }
            OrgKindCode::Community => child.kind = OrgKind::Community,
            OrgKindCode::Federation | OrgKindCode::Township => return Err(ChildError::KindNotAllowed),
        }
        Ok(child)
    }

    /// The join codes to try, in order: an industry federation's scheme
    /// ([`JoinCode::candidates`]); none for unions that receive no applications.
    pub fn join_codes(&self) -> Vec<JoinCode> {
        match (self.kind, self.occupations.first()) {
            (OrgKind::IndustryFederation(_), Some(first)) => JoinCode::candidates(self.region, *first),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::org::{OrgId, OrgPath};
    use crate::time::Timestamp;

    fn org(kind: OrgKind) -> Org {
        Org {
            id: OrgId(2),
            parent: Some(OrgId(1)),
            kind,
            name: "合肥市总工会".to_owned(),
            region: "3401".parse().unwrap(),
            occupations: Vec::new(),
            turnover_pool: false,
            path: OrgPath::root(OrgId(1)).child(OrgId(2)),
            join_code: None,
            credit_code: None,
            auto_approval: AutoApproval::Off,
            review_days: 3,
            created_at: Timestamp(0),
        }
    }

    fn request<'a>(kind: &'a str, name: &'a str, occupations: &'a [String]) -> ChildRequest<'a> {
        ChildRequest { kind, name, credit_code: "", occupations }
    }

    #[test]
    fn kinds_follow_the_tree() {
        let city = org(OrgKind::Federation(Level::City));
        assert_eq!(child_kinds(&city), [OrgKindCode::Enterprise, OrgKindCode::IndustryFederation]);
        assert_eq!(child_kinds(&org(OrgKind::Township)), [OrgKindCode::Community, OrgKindCode::Enterprise]);
        assert_eq!(child_kinds(&org(OrgKind::Federation(Level::Province))), [OrgKindCode::Enterprise]);
        assert!(child_kinds(&org(OrgKind::Enterprise)).is_empty());
        let none = ChildUnion::plan(&city, &request("township", "某镇工会", &[]));
        assert_eq!(none, Err(ChildError::KindNotAllowed));
    }

    #[test]
    fn an_industry_federation_needs_an_occupation_and_gets_its_codes() {
        let city = org(OrgKind::Federation(Level::City));
        let empty = ChildUnion::plan(&city, &request("industry_federation", "合肥市快递员工会联合会", &[]));
        assert_eq!(empty, Err(ChildError::NoOccupation));
        let occupations = ["courier".to_owned()];
        let child = ChildUnion::plan(
            &city,
            &request("industry_federation", " 合肥市快递员工会联合会 ", &occupations),
        )
        .unwrap();
        assert_eq!(child.kind, OrgKind::IndustryFederation(Level::City));
        assert_eq!(child.name.as_str(), "合肥市快递员工会联合会");
        assert_eq!(child.auto_approval, AutoApproval::AllVerified);
        let codes = child.join_codes();
        assert_eq!(codes.first(), Some(&JoinCode::for_industry(city.region, Occupation::Courier)));
        assert_eq!(codes.len(), 9);
    }

    #[test]
    fn names_and_credit_codes_are_checked() {
        let city = org(OrgKind::Federation(Level::City));
        assert_eq!(UnionName::parse("  "), Err(ChildError::NameLength));
        assert_eq!(UnionName::parse(&"工".repeat(101)), Err(ChildError::NameLength));
        assert!(UnionName::parse(&"工".repeat(100)).is_ok());
        let bad = ChildRequest { credit_code: "nope", ..request("enterprise", "某公司工会", &[]) };
        assert!(matches!(ChildUnion::plan(&city, &bad), Err(ChildError::CreditCode(_))));
        let plain = ChildUnion::plan(&city, &request("enterprise", "某公司工会", &[])).unwrap();
        assert_eq!((plain.kind, plain.join_codes().len()), (OrgKind::Enterprise, 0));
        assert_eq!(plain.credit_code, None);
    }
}
