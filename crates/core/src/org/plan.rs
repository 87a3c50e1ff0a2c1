//! The plan of a union tree: which unions exist, what they are called and which
//! occupations their industry federations serve. The plan is pure data; the store turns it
//! into rows, and the generators that build real plans from the division table live in
//! `huiji-fixtures`.

use crate::membership::AutoApproval;
use crate::occupation::Occupation;
use crate::org::OrgKind;
use crate::region::RegionCode;

/// One union to create; `parent` indexes an earlier entry of the same plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedOrg {
    /// Index of the parent in [`TreePlan::orgs`]; `None` for the root.
    pub parent: Option<usize>,
    /// Kind and level.
    pub kind: OrgKind,
    /// Official name.
    pub name: String,
    /// Where it is.
    pub region: RegionCode,
    /// Occupations served (industry federations only).
    pub occupations: Vec<Occupation>,
    /// Whether it keeps a turnover pool.
    pub turnover_pool: bool,
    /// Its 一会一码 join code, for orgs that receive applications.
    pub join_code: Option<String>,
    /// Its auto-approval policy.
    pub auto_approval: AutoApproval,
}

/// A whole tree, parents always before their children.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreePlan {
    /// The unions in creation order.
    pub orgs: Vec<PlannedOrg>,
}

impl TreePlan {
    /// How many planned unions are of this kind.
    pub fn count(&self, kind: OrgKind) -> usize {
        self.orgs.iter().filter(|o| o.kind == kind).count()
    }
}
