//! The registry's statements: saving, deleting, reading and listing each kind of record.
//!
//! Each kind's insert and update bind the record's values as `$1..$N` in the same order
//! (the update adds the id after them), so one `bind_*!` serves both. A record's scope
//! path is copied from its union in the same statement.

use async_trait::async_trait;
use huiji_core::innovation::{ActivityId, MentorshipId, ModelWorkerId, ProjectId, StudioId};
use huiji_core::{OrgPath, Timestamp};

use super::rows::{ActivityRow, MentorshipRow, ProjectRow, StudioRow, WorkerRow, conflict, int};
use super::{
    Activity, InnovationFigures, InnovationStore, Mentorship, ModelWorker, NewActivity, NewMentorship,
    NewModelWorker, NewProject, NewStudio, Project, PublicStudioQuery, RegistryConflict, RegistryPage,
    RegistryRef, Saved, Studio, figures,
};
use crate::Result;
use crate::db::{SqlStore, on_pool};

macro_rules! worker {
    () => {
        "SELECT w.id, w.name, w.honour_kind, w.honour_level, w.org_id, w.specialty, \
    o.name AS org_name, w.org_path FROM model_workers w JOIN orgs o ON o.id = w.org_id"
    };
}
const INSERT_WORKER: &str = "INSERT INTO model_workers \
    (name, honour_kind, honour_level, org_id, org_path, specialty, created_at, updated_at) \
    SELECT $1, $2, $3, o.id, o.path, $5, $6, $6 FROM orgs o WHERE o.id = $4 RETURNING id";
const UPDATE_WORKER: &str = "UPDATE model_workers SET name = $1, honour_kind = $2, honour_level = $3, \
    org_id = $4, org_path = (SELECT path FROM orgs WHERE id = $4), specialty = $5, updated_at = $6 \
    WHERE id = $7 RETURNING id";

/// Studios with their leader, union and how many projects and mentorships they have
/// (shared with the public listing).
macro_rules! studio {
    () => {
        "SELECT s.id, s.name, s.kind, s.level, s.leader_id, s.org_id, s.fields, \
    s.members, s.founded_on, s.published, s.org_path, w.name AS leader_name, \
    w.honour_kind AS leader_honour_kind, w.honour_level AS leader_honour_level, o.name AS org_name, \
    (SELECT COUNT(*) FROM innovation_projects p WHERE p.studio_id = s.id) AS projects, \
    (SELECT COUNT(*) FROM innovation_mentorships m WHERE m.studio_id = s.id) AS mentorships \
    FROM innovation_studios s JOIN model_workers w ON w.id = s.leader_id JOIN orgs o ON o.id = s.org_id"
    };
}
const INSERT_STUDIO: &str = "INSERT INTO innovation_studios \
    (name, kind, level, leader_id, org_id, org_path, fields, members, founded_on, published, created_at, \
     updated_at) \
    SELECT $1, $2, $3, $4, o.id, o.path, $6, $7, $8, $9, $10, $10 FROM orgs o WHERE o.id = $5 RETURNING id";
const UPDATE_STUDIO: &str = "UPDATE innovation_studios SET name = $1, kind = $2, level = $3, leader_id = $4, \
    org_id = $5, org_path = (SELECT path FROM orgs WHERE id = $5), fields = $6, members = $7, \
    founded_on = $8, published = $9, updated_at = $10 WHERE id = $11 RETURNING id";

macro_rules! project {
    () => {
        "SELECT p.id, p.studio_id, p.title, p.status, p.patents_filed, p.patents_granted, \
    p.benefit_fen, p.participants, s.name AS studio_name, s.org_path \
    FROM innovation_projects p JOIN innovation_studios s ON s.id = p.studio_id"
    };
}
const INSERT_PROJECT: &str = "INSERT INTO innovation_projects (studio_id, title, status, patents_filed, \
    patents_granted, benefit_fen, participants, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
const UPDATE_PROJECT: &str = "UPDATE innovation_projects SET studio_id = $1, title = $2, status = $3, \
    patents_filed = $4, patents_granted = $5, benefit_fen = $6, participants = $7, updated_at = $8 \
    WHERE id = $9 RETURNING id";

macro_rules! mentorship {
    () => {
        "SELECT m.id, m.studio_id, m.mentor_id, m.apprentice, m.membership_id, m.skill, \
    m.started_on, m.certificate, w.name AS mentor_name, s.name AS studio_name, s.org_path \
    FROM innovation_mentorships m JOIN innovation_studios s ON s.id = m.studio_id \
    JOIN model_workers w ON w.id = m.mentor_id"
    };
}
const INSERT_MENTORSHIP: &str = "INSERT INTO innovation_mentorships (studio_id, mentor_id, apprentice, \
    membership_id, skill, started_on, certificate, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
const UPDATE_MENTORSHIP: &str = "UPDATE innovation_mentorships SET studio_id = $1, mentor_id = $2, \
    apprentice = $3, membership_id = $4, skill = $5, started_on = $6, certificate = $7, updated_at = $8 \
    WHERE id = $9 RETURNING id";

macro_rules! activity {
    () => {
        "SELECT a.id, a.studio_id, a.kind, a.title, a.held_on, a.smes_helped, \
    s.name AS studio_name, s.org_path \
    FROM innovation_activities a JOIN innovation_studios s ON s.id = a.studio_id"
    };
}
const INSERT_ACTIVITY: &str = "INSERT INTO innovation_activities (studio_id, kind, title, held_on, \
    smes_helped, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
const UPDATE_ACTIVITY: &str = "UPDATE innovation_activities SET studio_id = $1, kind = $2, title = $3, \
    held_on = $4, smes_helped = $5, updated_at = $6 WHERE id = $7 RETURNING id";

pub(super) use studio;

/// A kind's select for one record by id (`$1`) and for the records within a subtree
/// (`$1`..`$2`) with ids above `$3`, at most `$4`.
macro_rules! statements {
    ($one:ident, $within:ident, $select:ident, $alias:literal, $scope:literal) => {
        const $one: &str = concat!($select!(), " WHERE ", $alias, ".id = $1");
        const $within: &str = concat!(
            $select!(),
            " WHERE ",
            $scope,
            " >= $1 AND ",
            $scope,
            " < $2 AND ",
            $alias,
            ".id > $3 ORDER BY ",
            $alias,
            ".id LIMIT $4"
        );
    };
}

statements!(WORKER_BY_ID, WORKERS_WITHIN, worker, "w", "w.org_path");
statements!(STUDIO_BY_ID, STUDIOS_WITHIN, studio, "s", "s.org_path");
const PROJECT_BY_ID: &str = concat!(project!(), " WHERE p.id = $1");
statements!(MENTORSHIP_BY_ID, MENTORSHIPS_WITHIN, mentorship, "m", "s.org_path");
statements!(ACTIVITY_BY_ID, ACTIVITIES_WITHIN, activity, "a", "s.org_path");

/// One studio's projects within a subtree (`$3`, or every studio's for 0), ids above `$4`.
const STUDIO_PROJECTS_WITHIN: &str = concat!(
    project!(),
    " WHERE s.org_path >= $1 AND s.org_path < $2 AND ($3 = 0 OR p.studio_id = $3) AND p.id > $4 \
     ORDER BY p.id LIMIT $5"
);

macro_rules! bind_worker {
    ($q:expr, $w:expr, $at:expr) => {
        $q.bind(&$w.name)
            .bind($w.honour.kind.code())
            .bind($w.honour.level.code())
            .bind($w.org.0)
            .bind(&$w.specialty)
            .bind($at.millis())
    };
}

macro_rules! bind_studio {
    ($q:expr, $s:expr, $at:expr) => {
        $q.bind(&$s.name)
            .bind($s.kind.code())
            .bind($s.level.code())
            .bind($s.leader.0)
            .bind($s.org.0)
            .bind($s.fields.join(","))
            .bind(int($s.members))
            .bind($s.founded.map(|d| d.to_string()))
            .bind($s.published)
            .bind($at.millis())
    };
}

macro_rules! bind_project {
    ($q:expr, $p:expr, $at:expr) => {
        $q.bind($p.studio.0)
            .bind(&$p.title)
            .bind($p.status.code())
            .bind(int($p.patents_filed))
            .bind(int($p.patents_granted))
            .bind($p.benefit.fen())
            .bind(int($p.participants))
            .bind($at.millis())
    };
}

macro_rules! bind_mentorship {
    ($q:expr, $m:expr, $at:expr) => {
        $q.bind($m.studio.0)
            .bind($m.mentor.0)
            .bind(&$m.apprentice)
            .bind($m.membership.map(|m| m.0))
            .bind(&$m.skill)
            .bind($m.started.map(|d| d.to_string()))
            .bind($m.certificate.map(|c| c.code()))
            .bind($at.millis())
    };
}

macro_rules! bind_activity {
    ($q:expr, $a:expr, $at:expr) => {
        $q.bind($a.studio.0)
            .bind($a.kind.code())
            .bind(&$a.title)
            .bind($a.held.map(|d| d.to_string()))
            .bind(int($a.smes_helped))
            .bind($at.millis())
    };
}

/// Saves with the insert (no id) or the update (the id bound last); `Missing` when the
/// insert's union or the updated record is gone.
macro_rules! save {
    ($store:expr, $id:expr, $insert:expr, $update:expr, $bind:ident, $record:expr, $at:expr) => {{
        let written: sqlx::Result<Option<i64>> = match $id {
            None => on_pool!(&$store.pools, write, |p| $bind!(sqlx::query_scalar($insert), $record, $at)
                .fetch_optional(p)
                .await),
            Some(id) => on_pool!(&$store.pools, write, |p| $bind!(sqlx::query_scalar($update), $record, $at)
                .bind(id.0)
                .fetch_optional(p)
                .await),
        };
        match written {
            Ok(Some(id)) => Ok(Ok(id)),
            Ok(None) => Ok(Err(RegistryConflict::Missing)),
            Err(error) => conflict(error, RegistryConflict::Missing).map(Err),
        }
    }};
}

/// One record of a kind by id.
macro_rules! one {
    ($store:expr, $sql:expr, $row:ty, $id:expr) => {{
        let row: Option<$row> =
            on_pool!(&$store.pools, read, |p| sqlx::query_as($sql).bind($id).fetch_optional(p).await?);
        row.map(TryInto::try_into).transpose()
    }};
}

/// A kind's records within a subtree, by id.
macro_rules! within {
    ($store:expr, $sql:expr, $row:ty, $within:expr, $page:expr) => {{
        let rows: Vec<$row> = on_pool!(&$store.pools, read, |p| sqlx::query_as($sql)
            .bind($within.as_str())
            .bind($within.subtree_upper_bound())
            .bind($page.after)
            .bind(i64::from($page.limit))
            .fetch_all(p)
            .await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }};
}

#[async_trait]
impl InnovationStore for SqlStore {
    async fn save_model_worker(
        &self,
        id: Option<ModelWorkerId>,
        worker: &NewModelWorker,
        at: Timestamp,
    ) -> Saved<ModelWorkerId> {
        Ok(save!(self, id, INSERT_WORKER, UPDATE_WORKER, bind_worker, worker, at)?.map(ModelWorkerId))
    }

    async fn save_studio(&self, id: Option<StudioId>, studio: &NewStudio, at: Timestamp) -> Saved<StudioId> {
        Ok(save!(self, id, INSERT_STUDIO, UPDATE_STUDIO, bind_studio, studio, at)?.map(StudioId))
    }

    async fn save_project(
        &self,
        id: Option<ProjectId>,
        project: &NewProject,
        at: Timestamp,
    ) -> Saved<ProjectId> {
        Ok(save!(self, id, INSERT_PROJECT, UPDATE_PROJECT, bind_project, project, at)?.map(ProjectId))
    }

    async fn save_mentorship(
        &self,
        id: Option<MentorshipId>,
        mentorship: &NewMentorship,
        at: Timestamp,
    ) -> Saved<MentorshipId> {
        Ok(save!(self, id, INSERT_MENTORSHIP, UPDATE_MENTORSHIP, bind_mentorship, mentorship, at)?
            .map(MentorshipId))
    }

    async fn save_activity(
        &self,
        id: Option<ActivityId>,
        activity: &NewActivity,
        at: Timestamp,
    ) -> Saved<ActivityId> {
        Ok(save!(self, id, INSERT_ACTIVITY, UPDATE_ACTIVITY, bind_activity, activity, at)?.map(ActivityId))
    }

    async fn delete_registry_record(&self, record: RegistryRef) -> Saved<()> {
        let (sql, id) = match record {
            RegistryRef::ModelWorker(id) => ("DELETE FROM model_workers WHERE id = $1", id.0),
            RegistryRef::Studio(id) => ("DELETE FROM innovation_studios WHERE id = $1", id.0),
            RegistryRef::Project(id) => ("DELETE FROM innovation_projects WHERE id = $1", id.0),
            RegistryRef::Mentorship(id) => ("DELETE FROM innovation_mentorships WHERE id = $1", id.0),
            RegistryRef::Activity(id) => ("DELETE FROM innovation_activities WHERE id = $1", id.0),
        };
        let deleted = on_pool!(&self.pools, write, |p| sqlx::query(sql)
            .bind(id)
            .execute(p)
            .await
            .map(|d| d.rows_affected()));
        match deleted {
            Ok(0) => Ok(Err(RegistryConflict::Missing)),
            Ok(_) => Ok(Ok(())),
            Err(error) => conflict(error, RegistryConflict::InUse).map(Err),
        }
    }

    async fn model_worker(&self, id: ModelWorkerId) -> Result<Option<ModelWorker>> {
        one!(self, WORKER_BY_ID, WorkerRow, id.0)
    }

    async fn studio(&self, id: StudioId) -> Result<Option<Studio>> {
        one!(self, STUDIO_BY_ID, StudioRow, id.0)
    }

    async fn project(&self, id: ProjectId) -> Result<Option<Project>> {
        one!(self, PROJECT_BY_ID, ProjectRow, id.0)
    }

    async fn mentorship(&self, id: MentorshipId) -> Result<Option<Mentorship>> {
        one!(self, MENTORSHIP_BY_ID, MentorshipRow, id.0)
    }

    async fn activity(&self, id: ActivityId) -> Result<Option<Activity>> {
        one!(self, ACTIVITY_BY_ID, ActivityRow, id.0)
    }

    async fn model_workers(&self, within: &OrgPath, page: RegistryPage) -> Result<Vec<ModelWorker>> {
        within!(self, WORKERS_WITHIN, WorkerRow, within, page)
    }

    async fn studios(&self, within: &OrgPath, page: RegistryPage) -> Result<Vec<Studio>> {
        within!(self, STUDIOS_WITHIN, StudioRow, within, page)
    }

    async fn projects(
        &self,
        within: &OrgPath,
        studio: Option<StudioId>,
        page: RegistryPage,
    ) -> Result<Vec<Project>> {
        let rows: Vec<ProjectRow> = on_pool!(&self.pools, read, |p| sqlx::query_as(STUDIO_PROJECTS_WITHIN)
            .bind(within.as_str())
            .bind(within.subtree_upper_bound())
            .bind(studio.map_or(0, |s| s.0))
            .bind(page.after)
            .bind(i64::from(page.limit))
            .fetch_all(p)
            .await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn mentorships(&self, within: &OrgPath, page: RegistryPage) -> Result<Vec<Mentorship>> {
        within!(self, MENTORSHIPS_WITHIN, MentorshipRow, within, page)
    }

    async fn activities(&self, within: &OrgPath, page: RegistryPage) -> Result<Vec<Activity>> {
        within!(self, ACTIVITIES_WITHIN, ActivityRow, within, page)
    }

    async fn public_studios(&self, query: &PublicStudioQuery) -> Result<(Vec<Studio>, u64)> {
        figures::public_studios(self, query).await
    }

    async fn public_fields(&self) -> Result<Vec<String>> {
        figures::public_fields(self).await
    }

    async fn innovation_figures(&self, within: &OrgPath) -> Result<InnovationFigures> {
        figures::innovation_figures(self, within).await
    }
}
