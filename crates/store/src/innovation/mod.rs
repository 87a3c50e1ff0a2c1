//! 跟着劳模去创新 in the database: the registry (model workers, studios, key projects,
//! mentorships, activities) with its figures and public listing ([`InnovationStore`]),
//! and the evaluation of innovation results ([`EvaluationStore`], in [`evaluation`]).
//!
//! Every registry record is scoped by a union's path: a model worker's employer union, a
//! studio's host union (and through the studio, its projects, mentorships and
//! activities). Conflicts come back typed ([`RegistryConflict`]), read from the kind of
//! constraint the database reports, never from its name.

mod evaluation;
mod figures;
mod registry;
mod rows;

use async_trait::async_trait;
use huiji_core::innovation::{
    ActivityId, ActivityKind, CertificateLevel, Honour, InnovationLevel, MentorshipId, ModelWorkerId,
    ProjectId, ProjectStatus, StudioId, StudioKind,
};
use huiji_core::money::Amount;
use huiji_core::{CivilDate, MembershipId, OrgId, OrgPath, Timestamp};

use crate::Result;

pub use evaluation::{
    Attachment, AttachmentMeta, Call, CloseOutcome, EntryRecord, EntryResultRow, EvaluationStore, Judge,
    NewAttachment, NewCall, NewEntry, ScoreOutcome, ScoreRecord, Tally,
};
pub use figures::{InnovationFigures, PublicStudioQuery};

/// Why a registry write did not happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryConflict {
    /// Another record already has this name (or title) where names are unique: a model
    /// worker in their union, a studio in its union, a project in its studio, an entry
    /// in its call.
    Duplicate,
    /// A record it refers to (a union, a studio, a leader, a mentor, a member) is gone.
    Missing,
    /// Other records refer to it (a studio's leader, a studio with projects): delete
    /// those first.
    InUse,
    /// A value the database refuses (a name too long, a negative count).
    Invalid,
}

/// One page of a registry list: the records with ids above `after` (0: from the first),
/// at most `limit` — a subtree may hold thousands of mentorships, so lists page by id
/// rather than stop at a cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistryPage {
    /// The last id of the previous page (0 for the first page).
    pub after: i64,
    /// Records at most.
    pub limit: u32,
}

impl RegistryPage {
    /// Every record (imports and recounts read the whole subtree).
    pub const ALL: RegistryPage = RegistryPage { after: 0, limit: u32::MAX };

    /// The first `limit` records.
    pub fn first(limit: u32) -> RegistryPage {
        RegistryPage { after: 0, limit }
    }
}

/// A model worker to record (or the new values of one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewModelWorker {
    /// The public name.
    pub name: String,
    /// Their highest honour.
    pub honour: Honour,
    /// Their employer's union.
    pub org: OrgId,
    /// What they are known for (数控加工, 电力抢修 …).
    pub specialty: String,
}

/// A model worker as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelWorker {
    /// Id.
    pub id: ModelWorkerId,
    /// The recorded values.
    pub worker: NewModelWorker,
    /// The employer union's name.
    pub org_name: String,
    /// The employer union's path (the record's scope).
    pub org_path: OrgPath,
}

/// A studio to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStudio {
    /// e.g. 张建国劳模创新工作室.
    pub name: String,
    /// 劳模 or 工匠 studio.
    pub kind: StudioKind,
    /// Its demonstration level.
    pub level: InnovationLevel,
    /// Who leads it.
    pub leader: ModelWorkerId,
    /// The host enterprise's union.
    pub org: OrgId,
    /// Fields of work.
    pub fields: Vec<String>,
    /// How many people work in it.
    pub members: u32,
    /// When it was founded, if known.
    pub founded: Option<CivilDate>,
    /// Whether the public page shows it.
    pub published: bool,
}

/// A studio as stored, with what the lists show of its leader and records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Studio {
    /// Id.
    pub id: StudioId,
    /// The recorded values.
    pub studio: NewStudio,
    /// The leader's public name.
    pub leader_name: String,
    /// The leader's honour.
    pub leader_honour: Honour,
    /// The host union's name.
    pub org_name: String,
    /// The host union's path (the scope of the studio and everything under it).
    pub org_path: OrgPath,
    /// Its key projects.
    pub projects: u32,
    /// Its mentorships.
    pub mentorships: u32,
}

/// A key project to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewProject {
    /// The studio running it.
    pub studio: StudioId,
    /// Its title.
    pub title: String,
    /// Where it stands.
    pub status: ProjectStatus,
    /// Patents applied for.
    pub patents_filed: u32,
    /// Patents granted.
    pub patents_granted: u32,
    /// Economic benefit (创效).
    pub benefit: Amount,
    /// People taking part.
    pub participants: u32,
}

/// A key project as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// Id.
    pub id: ProjectId,
    /// The recorded values.
    pub project: NewProject,
    /// The studio's name.
    pub studio_name: String,
    /// The studio's scope.
    pub org_path: OrgPath,
}

/// A mentorship to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMentorship {
    /// The studio it belongs to.
    pub studio: StudioId,
    /// The mentor (名师), a model worker of the registry.
    pub mentor: ModelWorkerId,
    /// The apprentice's name (personal data: masked in lists, never public).
    pub apprentice: String,
    /// The apprentice's membership, when they are a member.
    pub membership: Option<MembershipId>,
    /// The skill taught.
    pub skill: String,
    /// When it began.
    pub started: Option<CivilDate>,
    /// The skill level reached, once certified.
    pub certificate: Option<CertificateLevel>,
}

/// A mentorship as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mentorship {
    /// Id.
    pub id: MentorshipId,
    /// The recorded values.
    pub mentorship: NewMentorship,
    /// The mentor's name.
    pub mentor_name: String,
    /// The studio's name.
    pub studio_name: String,
    /// The studio's scope.
    pub org_path: OrgPath,
}

/// An activity to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewActivity {
    /// The studio that held it.
    pub studio: StudioId,
    /// Lecture or enterprise visit.
    pub kind: ActivityKind,
    /// What it was.
    pub title: String,
    /// When.
    pub held: Option<CivilDate>,
    /// Small and medium enterprises it helped.
    pub smes_helped: u32,
}

/// An activity as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    /// Id.
    pub id: ActivityId,
    /// The recorded values.
    pub activity: NewActivity,
    /// The studio's name.
    pub studio_name: String,
    /// The studio's scope.
    pub org_path: OrgPath,
}

/// A registry record by kind and id, for what every kind shares (deleting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryRef {
    /// A model worker.
    ModelWorker(ModelWorkerId),
    /// A studio.
    Studio(StudioId),
    /// A key project.
    Project(ProjectId),
    /// A mentorship.
    Mentorship(MentorshipId),
    /// An activity.
    Activity(ActivityId),
}

/// A registry write's outcome: the record's id, or why not.
pub type Saved<T> = Result<std::result::Result<T, RegistryConflict>>;

/// The innovation registry, its figures and its public listing. `save_*` creates a
/// record (`id` `None`) or replaces one's values (`Missing` when that record is gone).
#[async_trait]
pub trait InnovationStore: Send + Sync {
    /// Records or updates a model worker.
    async fn save_model_worker(
        &self,
        id: Option<ModelWorkerId>,
        worker: &NewModelWorker,
        at: Timestamp,
    ) -> Saved<ModelWorkerId>;
    /// Records or updates a studio.
    async fn save_studio(&self, id: Option<StudioId>, studio: &NewStudio, at: Timestamp) -> Saved<StudioId>;
    /// Records or updates a key project.
    async fn save_project(
        &self,
        id: Option<ProjectId>,
        project: &NewProject,
        at: Timestamp,
    ) -> Saved<ProjectId>;
    /// Records or updates a mentorship.
    async fn save_mentorship(
        &self,
        id: Option<MentorshipId>,
        mentorship: &NewMentorship,
        at: Timestamp,
    ) -> Saved<MentorshipId>;
    /// Records or updates an activity.
    async fn save_activity(
        &self,
        id: Option<ActivityId>,
        activity: &NewActivity,
        at: Timestamp,
    ) -> Saved<ActivityId>;
    /// Deletes a record: `InUse` while others refer to it, `Missing` if already gone.
    async fn delete_registry_record(&self, record: RegistryRef) -> Saved<()>;

    /// One model worker.
    async fn model_worker(&self, id: ModelWorkerId) -> Result<Option<ModelWorker>>;
    /// One studio.
    async fn studio(&self, id: StudioId) -> Result<Option<Studio>>;
    /// One key project.
    async fn project(&self, id: ProjectId) -> Result<Option<Project>>;
    /// One mentorship.
    async fn mentorship(&self, id: MentorshipId) -> Result<Option<Mentorship>>;
    /// One activity.
    async fn activity(&self, id: ActivityId) -> Result<Option<Activity>>;

    /// The model workers of a subtree, one page by id ([`RegistryPage`]).
    async fn model_workers(&self, within: &OrgPath, page: RegistryPage) -> Result<Vec<ModelWorker>>;
    /// The studios of a subtree, one page by id ([`RegistryPage`]).
    async fn studios(&self, within: &OrgPath, page: RegistryPage) -> Result<Vec<Studio>>;
    /// The key projects of a subtree's studios (or of one studio), one page by id ([`RegistryPage`]).
    async fn projects(
        &self,
        within: &OrgPath,
        studio: Option<StudioId>,
        page: RegistryPage,
    ) -> Result<Vec<Project>>;
    /// The mentorships of a subtree's studios, one page by id ([`RegistryPage`]).
    async fn mentorships(&self, within: &OrgPath, page: RegistryPage) -> Result<Vec<Mentorship>>;
    /// The activities of a subtree's studios, one page by id ([`RegistryPage`]).
    async fn activities(&self, within: &OrgPath, page: RegistryPage) -> Result<Vec<Activity>>;

    /// The published studios matching the query, best level first, and how many match.
    async fn public_studios(&self, query: &PublicStudioQuery) -> Result<(Vec<Studio>, u64)>;
    /// The fields of work published studios list, each once, in order.
    async fn public_fields(&self) -> Result<Vec<String>>;
    /// The figures of a subtree's registry, counted now.
    async fn innovation_figures(&self, within: &OrgPath) -> Result<InnovationFigures>;
}
