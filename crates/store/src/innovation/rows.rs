//! The registry's rows as the database returns them, read into typed records; and the
//! reading of a failed write into a [`RegistryConflict`].

use huiji_core::innovation::{ActivityId, Honour, MentorshipId, ModelWorkerId, ProjectId, StudioId};
use huiji_core::money::Amount;
use huiji_core::{CivilDate, MembershipId, OrgId, OrgPath};
use sqlx::error::ErrorKind;

use super::{
    Activity, Mentorship, ModelWorker, NewActivity, NewMentorship, NewModelWorker, NewProject, NewStudio,
    Project, RegistryConflict, Studio,
};
use crate::{Result, StoreError};

/// What a failed write means, when it is a constraint: `reference` is what a foreign-key
/// violation means for this write (`Missing` when inserting, `InUse` when deleting).
pub(super) fn conflict(error: sqlx::Error, reference: RegistryConflict) -> Saved {
    if let sqlx::Error::Database(db) = &error {
        match db.kind() {
            ErrorKind::UniqueViolation => return Ok(RegistryConflict::Duplicate),
            ErrorKind::ForeignKeyViolation => return Ok(reference),
            // The only NOT NULL a valid write can miss is a path copied from a union
            // that is gone.
            ErrorKind::NotNullViolation => return Ok(RegistryConflict::Missing),
            ErrorKind::CheckViolation => return Ok(RegistryConflict::Invalid),
            _ => {}
        }
    }
    Err(StoreError::from(error))
}

/// A conflict, or the store error that was not one.
type Saved = Result<RegistryConflict>;

/// A stored code read back as its domain value.
pub(super) fn code<T: std::str::FromStr>(text: &str, what: &str) -> Result<T> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("innovation {what}: {text:?}")))
}

/// A stored path read back.
pub(super) fn path(text: &str) -> Result<OrgPath> {
    OrgPath::parse(text).ok_or_else(|| StoreError::Corrupt(format!("innovation path: {text:?}")))
}

/// A stored ISO date read back.
pub(super) fn date(text: Option<&str>) -> Result<Option<CivilDate>> {
    text.map(|t| {
        CivilDate::parse_iso(t).ok_or_else(|| StoreError::Corrupt(format!("innovation date: {t:?}")))
    })
    .transpose()
}

/// A stored count read back.
pub(super) fn count<T: TryInto<u32>>(n: T) -> Result<u32> {
    n.try_into().map_err(|_| StoreError::Corrupt("innovation count".to_owned()))
}

/// A count to store (the database's INTEGER is 32-bit signed).
pub(super) fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn honour(kind: &str, level: &str) -> Result<Honour> {
    Ok(Honour { kind: code(kind, "honour kind")?, level: code(level, "honour level")? })
}

#[derive(sqlx::FromRow)]
pub(super) struct WorkerRow {
    id: i64,
    name: String,
    honour_kind: String,
    honour_level: String,
    org_id: i64,
    specialty: String,
    org_name: String,
    org_path: String,
}

impl TryFrom<WorkerRow> for ModelWorker {
    type Error = StoreError;

    fn try_from(r: WorkerRow) -> Result<ModelWorker> {
        Ok(ModelWorker {
            id: ModelWorkerId(r.id),
            worker: NewModelWorker {
                name: r.name,
                honour: honour(&r.honour_kind, &r.honour_level)?,
                org: OrgId(r.org_id),
                specialty: r.specialty,
            },
            org_name: r.org_name,
            org_path: path(&r.org_path)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct StudioRow {
    id: i64,
    name: String,
    kind: String,
    level: String,
    leader_id: i64,
    org_id: i64,
    fields: String,
    members: i32,
    founded_on: Option<String>,
    published: bool,
    org_path: String,
    leader_name: String,
    leader_honour_kind: String,
    leader_honour_level: String,
    org_name: String,
    projects: i64,
    mentorships: i64,
}

impl TryFrom<StudioRow> for Studio {
    type Error = StoreError;

    fn try_from(r: StudioRow) -> Result<Studio> {
        Ok(Studio {
            id: StudioId(r.id),
            studio: NewStudio {
                name: r.name,
                kind: code(&r.kind, "studio kind")?,
                level: code(&r.level, "studio level")?,
                leader: ModelWorkerId(r.leader_id),
                org: OrgId(r.org_id),
                fields: r.fields.split(',').filter(|f| !f.is_empty()).map(str::to_owned).collect(),
                members: count(r.members)?,
                founded: date(r.founded_on.as_deref())?,
                published: r.published,
            },
            leader_name: r.leader_name,
            leader_honour: honour(&r.leader_honour_kind, &r.leader_honour_level)?,
            org_name: r.org_name,
            org_path: path(&r.org_path)?,
            projects: count(r.projects)?,
            mentorships: count(r.mentorships)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ProjectRow {
    id: i64,
    studio_id: i64,
    title: String,
    status: String,
    patents_filed: i32,
    patents_granted: i32,
    benefit_fen: i64,
    participants: i32,
    studio_name: String,
    org_path: String,
}

impl TryFrom<ProjectRow> for Project {
    type Error = StoreError;

    fn try_from(r: ProjectRow) -> Result<Project> {
        Ok(Project {
            id: ProjectId(r.id),
            project: NewProject {
                studio: StudioId(r.studio_id),
                title: r.title,
                status: code(&r.status, "project status")?,
                patents_filed: count(r.patents_filed)?,
                patents_granted: count(r.patents_granted)?,
                benefit: Amount::from_fen(r.benefit_fen)
                    .ok_or_else(|| StoreError::Corrupt(format!("project {}: benefit", r.id)))?,
                participants: count(r.participants)?,
            },
            studio_name: r.studio_name,
            org_path: path(&r.org_path)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct MentorshipRow {
    id: i64,
    studio_id: i64,
    mentor_id: i64,
    apprentice: String,
    membership_id: Option<i64>,
    skill: String,
    started_on: Option<String>,
    certificate: Option<String>,
    mentor_name: String,
    studio_name: String,
    org_path: String,
}

impl TryFrom<MentorshipRow> for Mentorship {
    type Error = StoreError;

    fn try_from(r: MentorshipRow) -> Result<Mentorship> {
        Ok(Mentorship {
            id: MentorshipId(r.id),
            mentorship: NewMentorship {
                studio: StudioId(r.studio_id),
                mentor: ModelWorkerId(r.mentor_id),
                apprentice: r.apprentice,
                membership: r.membership_id.map(MembershipId),
                skill: r.skill,
                started: date(r.started_on.as_deref())?,
                certificate: r.certificate.as_deref().map(|c| code(c, "certificate")).transpose()?,
            },
            mentor_name: r.mentor_name,
            studio_name: r.studio_name,
            org_path: path(&r.org_path)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ActivityRow {
    id: i64,
    studio_id: i64,
    kind: String,
    title: String,
    held_on: Option<String>,
    smes_helped: i32,
    studio_name: String,
    org_path: String,
}

impl TryFrom<ActivityRow> for Activity {
    type Error = StoreError;

    fn try_from(r: ActivityRow) -> Result<Activity> {
        Ok(Activity {
            id: ActivityId(r.id),
            activity: NewActivity {
                studio: StudioId(r.studio_id),
                kind: code(&r.kind, "activity kind")?,
                title: r.title,
                held: date(r.held_on.as_deref())?,
                smes_helped: count(r.smes_helped)?,
            },
            studio_name: r.studio_name,
            org_path: path(&r.org_path)?,
        })
    }
}
