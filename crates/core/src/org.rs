//! Unions (工会组织) and the tree they form.

use std::fmt;
use std::str::FromStr;

use crate::ids::id_newtype;
use crate::membership::AutoApproval;
use crate::occupation::Occupation;
use crate::region::RegionCode;
use crate::time::Timestamp;

mod child;
mod contact;
mod join_code;
mod plan;

pub use child::{ChildError, ChildRequest, ChildUnion, MAX_UNION_NAME_CHARS, UnionName, child_kinds};
pub use contact::{ContactError, UnionContact};
pub use join_code::JoinCode;
pub use plan::{PlannedOrg, TreePlan};

id_newtype! {
    /// A union's identifier, assigned by the store.
    OrgId;
}

/// The administrative level a federation works at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// 省级
    Province,
    /// 市级
    City,
    /// 县级
    County,
}

impl Level {
    /// The stable code stored in the database.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
        }
    }
}

impl FromStr for Level {
    type Err = UnknownOrgKind;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        [Self::Province, Self::City, Self::County]
            .into_iter()
            .find(|l| l.code() == code)
            .ok_or(UnknownOrgKind)
    }
}

/// What kind of union an org is (see the glossary in DESIGN.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrgKind {
    /// 总工会 at province, city or county level.
    Federation(Level),
    /// 行业工会联合会 for new-employment-form occupations, at city or county level.
    IndustryFederation(Level),
    /// 乡镇(街道)工会
    Township,
    /// 村(社区)工会
    Community,
    /// 企业工会 (including platform companies' unions)
    Enterprise,
}

/// The text names no org kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown org kind (expected federation, industry_federation, township, community or enterprise)")]
pub struct UnknownOrgKind;

/// The kind without its level: what `huiji org list --kind` and the database's `kind`
/// column name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrgKindCode {
    /// `federation`
    Federation,
    /// `industry_federation`
    IndustryFederation,
    /// `township`
    Township,
    /// `community`
    Community,
    /// `enterprise`
    Enterprise,
}

impl OrgKindCode {
    const ALL: [OrgKindCode; 5] =
        [Self::Federation, Self::IndustryFederation, Self::Township, Self::Community, Self::Enterprise];

    /// The stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Federation => "federation",
            Self::IndustryFederation => "industry_federation",
            Self::Township => "township",
            Self::Community => "community",
            Self::Enterprise => "enterprise",
        }
    }
}

impl FromStr for OrgKindCode {
    type Err = UnknownOrgKind;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.code() == code).ok_or(UnknownOrgKind)
    }
}

impl fmt::Display for OrgKindCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl OrgKind {
    /// The kind's code, without the level.
    pub const fn code(self) -> OrgKindCode {
        match self {
            Self::Federation(_) => OrgKindCode::Federation,
            Self::IndustryFederation(_) => OrgKindCode::IndustryFederation,
            Self::Township => OrgKindCode::Township,
            Self::Community => OrgKindCode::Community,
            Self::Enterprise => OrgKindCode::Enterprise,
        }
    }

    /// The level, for federations of both kinds.
    pub const fn level(self) -> Option<Level> {
        match self {
            Self::Federation(level) | Self::IndustryFederation(level) => Some(level),
            _ => None,
        }
    }

    /// Rebuilds a kind from its stored code and level; `None` when they do not fit
    /// together (a township with a level, a federation without one).
    pub fn from_parts(code: OrgKindCode, level: Option<Level>) -> Option<Self> {
        match (code, level) {
            (OrgKindCode::Federation, Some(level)) => Some(Self::Federation(level)),
            (OrgKindCode::IndustryFederation, Some(level @ (Level::City | Level::County))) => {
                Some(Self::IndustryFederation(level))
            }
            (OrgKindCode::Township, None) => Some(Self::Township),
            (OrgKindCode::Community, None) => Some(Self::Community),
            (OrgKindCode::Enterprise, None) => Some(Self::Enterprise),
            _ => None,
        }
    }

    /// A short label for lists, e.g. "federation/city".
    pub fn label(self) -> String {
        match self.level() {
            Some(level) => format!("{}/{}", self.code(), level.code()),
            None => self.code().code().to_owned(),
        }
    }

    /// The kinds of union an admin may create directly below a union of this kind
    /// (DESIGN.md): industry federations hang under a city or county federation,
    /// community unions under a township, enterprise unions under the union where the
    /// enterprise is; nothing hangs under an enterprise union. Federations and townships
    /// come only from the seeded tree.
    pub const fn child_kinds(self) -> &'static [OrgKindCode] {
        match self {
            Self::Federation(Level::City | Level::County) => {
                &[OrgKindCode::Enterprise, OrgKindCode::IndustryFederation]
            }
            Self::Township => &[OrgKindCode::Community, OrgKindCode::Enterprise],
            Self::Federation(Level::Province) | Self::IndustryFederation(_) | Self::Community => {
                &[OrgKindCode::Enterprise]
            }
            Self::Enterprise => &[],
        }
    }
}

/// The longest union name, in characters (the database's `orgs_name_check`).
pub const MAX_ORG_NAME_CHARS: usize = 100;

/// A union's official name, trimmed: 1 to [`MAX_ORG_NAME_CHARS`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrgName(String);

/// The name is blank or longer than [`MAX_ORG_NAME_CHARS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a union name has 1 to 100 characters")]
pub struct OrgNameLength;

impl OrgName {
    /// Trims and checks `text`.
    pub fn parse(text: &str) -> Result<OrgName, OrgNameLength> {
        let name = text.trim();
        let chars = name.chars().count();
        if chars == 0 || chars > MAX_ORG_NAME_CHARS {
            return Err(OrgNameLength);
        }
        Ok(OrgName(name.to_owned()))
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

impl fmt::Display for OrgName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The materialised path of an org: the ids from the root down to the org itself, as
/// `/1/17/240/`. An org's subtree is every path with its path as a prefix, which the
/// store answers with one indexed range condition instead of a recursive walk.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrgPath(String);

impl OrgPath {
    /// The path of a root org.
    pub fn root(id: OrgId) -> Self {
        Self(format!("/{id}/"))
    }

    /// The path of a child of the org with this path.
    pub fn child(&self, id: OrgId) -> Self {
        Self(format!("{}{id}/", self.0))
    }

    /// Reads a stored path; `None` unless it is `/` followed by `id/` groups.
    pub fn parse(text: &str) -> Option<Self> {
        let inner = text.strip_prefix('/')?.strip_suffix('/')?;
        let valid = !inner.is_empty()
            && inner.split('/').all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
        valid.then(|| Self(text.to_owned()))
    }

    /// The path text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The exclusive upper bound of the subtree range `[path, bound)`. Paths use only
    /// digits and `/`, both below `:` in byte order, so appending `:` bounds every
    /// descendant and nothing else (`/1/5/:` < `/1/50/`).
    pub fn subtree_upper_bound(&self) -> String {
        format!("{}:", self.0)
    }

    /// Whether `other` is this org or below it.
    pub fn contains(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The ids from the root down to this org: the org and every union above it.
    pub fn lineage(&self) -> Vec<OrgId> {
        self.0.split('/').filter_map(|id| id.parse().ok()).map(OrgId).collect()
    }

    /// Depth below the root (the root is 0).
    pub fn depth(&self) -> usize {
        self.0.matches('/').count().saturating_sub(2)
    }
}

/// A union as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Org {
    /// Identifier.
    pub id: OrgId,
    /// The union above it; `None` only for the root (the province federation).
    pub parent: Option<OrgId>,
    /// Kind and level.
    pub kind: OrgKind,
    /// The official name, e.g. 合肥市货车司机工会联合会.
    pub name: String,
    /// Where it is (GB/T 2260).
    pub region: RegionCode,
    /// The occupations an industry federation serves; empty for other kinds.
    pub occupations: Vec<Occupation>,
    /// Whether it keeps a turnover pool (周转池) for members not yet landed.
    pub turnover_pool: bool,
    /// Its place in the tree.
    pub path: OrgPath,
    /// Its 一会一码 join code (the `/j/{code}` link), for orgs that receive applications.
    pub join_code: Option<String>,
    /// An enterprise union's unified social credit code.
    pub credit_code: Option<String>,
    /// Whether applications it receives are approved instantly.
    pub auto_approval: AutoApproval,
    /// Days an officer has to review an application before it escalates.
    pub review_days: u16,
    /// When it was created.
    pub created_at: Timestamp,
}

impl Org {
    /// Whether members may be distributed (分流) from a turnover pool to this union: a
    /// township, community or industry union that is not itself a pool (moving into a
    /// pool would land nobody).
    pub fn receives_pool_members(&self) -> bool {
        matches!(self.kind, OrgKind::Township | OrgKind::Community | OrgKind::IndustryFederation(_))
            && !self.turnover_pool
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn paths_nest_and_bound_their_subtree() {
        let root = OrgPath::root(OrgId(1));
        let city = root.child(OrgId(5));
        let county = city.child(OrgId(23));
        let sibling = root.child(OrgId(50));
        assert_eq!(county.as_str(), "/1/5/23/");
        assert_eq!((root.depth(), city.depth(), county.depth()), (0, 1, 2));
        assert_eq!(county.lineage(), [OrgId(1), OrgId(5), OrgId(23)]);
        assert!(root.contains(&county) && city.contains(&county) && city.contains(&city));
        assert!(!city.contains(&sibling) && !county.contains(&city));
        let bound = city.subtree_upper_bound();
        assert!(county.as_str() >= city.as_str() && county.as_str() < bound.as_str());
        assert!(sibling.as_str() >= bound.as_str(), "/1/50/ is outside /1/5/");
    }

    #[test]
    fn paths_parse_only_well_formed_text() {
        assert_eq!(OrgPath::parse("/1/5/").unwrap().as_str(), "/1/5/");
        for bad in ["", "/", "//", "1/5/", "/1/5", "/1//5/", "/a/"] {
            assert!(OrgPath::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn kinds_round_trip_through_their_parts() {
        let kinds = [
            OrgKind::Federation(Level::Province),
            OrgKind::Federation(Level::County),
            OrgKind::IndustryFederation(Level::City),
            OrgKind::Township,
            OrgKind::Community,
            OrgKind::Enterprise,
        ];
        for kind in kinds {
            let code: OrgKindCode = kind.code().code().parse().unwrap();
            assert_eq!(OrgKind::from_parts(code, kind.level()), Some(kind));
        }
        assert_eq!(OrgKind::from_parts(OrgKindCode::Township, Some(Level::City)), None);
        assert_eq!(OrgKind::from_parts(OrgKindCode::Federation, None), None);
        assert_eq!(OrgKind::from_parts(OrgKindCode::IndustryFederation, Some(Level::Province)), None);
        assert_eq!(OrgKind::IndustryFederation(Level::City).label(), "industry_federation/city");
        assert!("union".parse::<OrgKindCode>().is_err());
    }

    #[test]
    fn child_kinds_follow_the_tree_rule() {
        use OrgKindCode::{Community, Enterprise, IndustryFederation};
        let cases: [(OrgKind, &[OrgKindCode]); 8] = [
            (OrgKind::Federation(Level::Province), &[Enterprise]),
            (OrgKind::Federation(Level::City), &[Enterprise, IndustryFederation]),
            (OrgKind::Federation(Level::County), &[Enterprise, IndustryFederation]),
            (OrgKind::IndustryFederation(Level::City), &[Enterprise]),
            (OrgKind::IndustryFederation(Level::County), &[Enterprise]),
            (OrgKind::Township, &[Community, Enterprise]),
            (OrgKind::Community, &[Enterprise]),
            (OrgKind::Enterprise, &[]),
        ];
        for (parent, children) in cases {
            assert_eq!(parent.child_kinds(), children, "{}", parent.label());
        }
    }

    fn org(kind: OrgKind, turnover_pool: bool) -> Org {
        Org {
            id: OrgId(7),
            parent: Some(OrgId(1)),
            kind,
            name: "合肥市总工会".to_owned(),
            region: "3401".parse().unwrap(),
            occupations: Vec::new(),
            turnover_pool,
            path: OrgPath::root(OrgId(1)).child(OrgId(7)),
            join_code: None,
            credit_code: None,
            auto_approval: AutoApproval::Off,
            review_days: 3,
            created_at: Timestamp(0),
        }
    }

    #[test]
    fn pool_members_land_in_townships_communities_and_industry_unions() {
        let receiving = [OrgKind::Township, OrgKind::Community, OrgKind::IndustryFederation(Level::County)];
        for kind in receiving {
            assert!(org(kind, false).receives_pool_members(), "{}", kind.label());
            assert!(!org(kind, true).receives_pool_members(), "a pool lands nobody");
        }
        for kind in
            [OrgKind::Federation(Level::City), OrgKind::Federation(Level::County), OrgKind::Enterprise]
        {
            assert!(!org(kind, false).receives_pool_members(), "{}", kind.label());
        }
    }

    #[test]
    fn union_names_are_trimmed_and_one_to_a_hundred_characters() {
        assert_eq!(OrgName::parse("  肥东县快递员工会联合会 ").unwrap().as_str(), "肥东县快递员工会联合会");
        assert_eq!(OrgName::parse(" \t "), Err(OrgNameLength));
        let longest = "工".repeat(MAX_ORG_NAME_CHARS);
        assert_eq!(OrgName::parse(&format!(" {longest} ")).unwrap().into_string(), longest);
        assert_eq!(OrgName::parse(&format!("{longest}会")), Err(OrgNameLength));
        assert_eq!(OrgNameLength.to_string(), "a union name has 1 to 100 characters");
    }
}
