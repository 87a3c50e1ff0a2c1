//! Keeping the registry: admins add, change and delete the model workers, studios,
//! projects, mentorships and activities of their subtree. A record is in an admin's
//! subtree when its union is (a studio's projects, mentorships and activities follow
//! the studio); what it refers to (a studio's leader, a mentor) must be in it too.
//! Every change is audited, scoped to the record's union.

use huiji_core::audit::AuditAction;
use huiji_core::innovation::{
    ActivityId, MAX_FIELDS, MentorshipId, ModelWorkerId, ProjectId, StudioId, parse_fields,
};
use huiji_core::{MembershipId, OrgPath, PersonName};
use huiji_store::{
    Activity, Mentorship, ModelWorker, NewActivity, NewMentorship, NewModelWorker, NewProject, NewStudio,
    Project, RegistryRef, Studio,
};

use super::{InnovationError, Result, optional_text, org_in_scope, require_admin, saved, text};
use crate::App;
use crate::audit::Officer;

/// Most people a studio or project counts: more is a typing error.
const MAX_PEOPLE: u32 = 100_000;

/// A model worker of the officer's subtree.
pub async fn model_worker(app: &App, officer: &Officer, id: ModelWorkerId) -> Result<ModelWorker> {
    app.store().model_worker(id).await?.filter(|w| officer.sees(&w.org_path)).ok_or(InnovationError::NotFound)
}

/// A studio of the officer's subtree.
pub async fn studio(app: &App, officer: &Officer, id: StudioId) -> Result<Studio> {
    app.store().studio(id).await?.filter(|s| officer.sees(&s.org_path)).ok_or(InnovationError::NotFound)
}

/// A key project of the officer's subtree.
pub async fn project(app: &App, officer: &Officer, id: ProjectId) -> Result<Project> {
    app.store().project(id).await?.filter(|p| officer.sees(&p.org_path)).ok_or(InnovationError::NotFound)
}

/// A mentorship of the officer's subtree.
pub async fn mentorship(app: &App, officer: &Officer, id: MentorshipId) -> Result<Mentorship> {
    app.store().mentorship(id).await?.filter(|m| officer.sees(&m.org_path)).ok_or(InnovationError::NotFound)
}

/// An activity of the officer's subtree.
pub async fn activity(app: &App, officer: &Officer, id: ActivityId) -> Result<Activity> {
    app.store().activity(id).await?.filter(|a| officer.sees(&a.org_path)).ok_or(InnovationError::NotFound)
}

/// A model worker's values checked: a person's name, a specialty of at most 40
/// characters.
pub(crate) fn valid_worker(worker: NewModelWorker) -> Result<NewModelWorker> {
    let name = PersonName::parse(&worker.name).map_err(|_| InnovationError::Invalid("name"))?;
    let specialty = optional_text(&worker.specialty, 40, "specialty")?;
    Ok(NewModelWorker { name: name.as_str().to_owned(), specialty, ..worker })
}

/// A studio's values checked: a name of 1–80 characters, at most eight fields of work,
/// a plausible head count.
pub(crate) fn valid_studio(studio: NewStudio) -> Result<NewStudio> {
    let fields = parse_fields(&studio.fields.join(",")).filter(|f| f.len() <= MAX_FIELDS);
    Ok(NewStudio {
        name: text(&studio.name, 80, "name")?,
        fields: fields.ok_or(InnovationError::Invalid("fields"))?,
        members: Some(studio.members)
            .filter(|m| *m <= MAX_PEOPLE)
            .ok_or(InnovationError::Invalid("members"))?,
        ..studio
    })
}

/// A project's values checked: a title of 1–100 characters, no more patents granted than
/// filed, a plausible head count.
pub(crate) fn valid_project(project: NewProject) -> Result<NewProject> {
    if project.patents_granted > project.patents_filed {
        return Err(InnovationError::Invalid("patents"));
    }
    if project.participants > MAX_PEOPLE {
        return Err(InnovationError::Invalid("participants"));
    }
    Ok(NewProject { title: text(&project.title, 100, "title")?, ..project })
}

/// A mentorship's values checked (an apprentice named, not linked to a member): a
/// person's name, a skill of at most 40 characters.
pub(crate) fn valid_mentorship(mentorship: NewMentorship) -> Result<NewMentorship> {
    let name =
        PersonName::parse(&mentorship.apprentice).map_err(|_| InnovationError::Invalid("apprentice"))?;
    let skill = optional_text(&mentorship.skill, 40, "skill")?;
    Ok(NewMentorship { apprentice: name.as_str().to_owned(), skill, ..mentorship })
}

/// An activity's values checked: a title of 1–100 characters.
pub(crate) fn valid_activity(activity: NewActivity) -> Result<NewActivity> {
    Ok(NewActivity { title: text(&activity.title, 100, "title")?, ..activity })
}

/// Writes the audit record of a change.
async fn audited(
    app: &App,
    officer: &Officer,
    scope: &OrgPath,
    created: bool,
    subject: String,
    what: &str,
) -> Result<()> {
    let action = if created { AuditAction::InnovationCreate } else { AuditAction::InnovationUpdate };
    officer.record(app.store().as_ref(), app.now(), scope, action, subject, Some(what.to_owned())).await?;
    Ok(())
}

/// Adds a model worker (`id` `None`) or changes one, in a union of the admin's subtree.
///
/// # Errors
///
/// `Forbidden` for non-admins, `NotFound` outside the subtree, `Invalid` for the name
/// (`name`) or specialty (`specialty`), `Conflict` for a name the union already has.
pub async fn save_model_worker(
    app: &App,
    officer: &Officer,
    id: Option<ModelWorkerId>,
    worker: NewModelWorker,
) -> Result<ModelWorkerId> {
    require_admin(officer)?;
    if let Some(id) = id {
        model_worker(app, officer, id).await?;
    }
    let org = org_in_scope(app, officer, worker.org).await?;
    let worker = valid_worker(worker)?;
    let saved_id = saved(app.store().save_model_worker(id, &worker, app.now()).await?)?;
    audited(app, officer, &org.path, id.is_none(), format!("model_worker:{saved_id}"), &worker.name).await?;
    Ok(saved_id)
}

/// Adds or changes a studio hosted by a union of the admin's subtree and led by a model
/// worker of it.
///
/// # Errors
///
/// As [`save_model_worker`]; `Invalid` for `name`, `fields` or `members`; `NotFound`
/// for a leader outside the subtree.
pub async fn save_studio(
    app: &App,
    officer: &Officer,
    id: Option<StudioId>,
    studio: NewStudio,
) -> Result<StudioId> {
    require_admin(officer)?;
    if let Some(id) = id {
        self::studio(app, officer, id).await?;
    }
    let org = org_in_scope(app, officer, studio.org).await?;
    model_worker(app, officer, studio.leader).await?;
    let studio = valid_studio(studio)?;
    let saved_id = saved(app.store().save_studio(id, &studio, app.now()).await?)?;
    audited(app, officer, &org.path, id.is_none(), format!("studio:{saved_id}"), &studio.name).await?;
    Ok(saved_id)
}

/// Adds or changes a key project of a studio in the admin's subtree.
///
/// # Errors
///
/// As [`save_model_worker`]; `Invalid` for `title`, `participants` or `patents` (more
/// granted than filed).
pub async fn save_project(
    app: &App,
    officer: &Officer,
    id: Option<ProjectId>,
    project: NewProject,
) -> Result<ProjectId> {
    require_admin(officer)?;
    if let Some(id) = id {
        self::project(app, officer, id).await?;
    }
    let studio = studio(app, officer, project.studio).await?;
    let project = valid_project(project)?;
    let saved_id = saved(app.store().save_project(id, &project, app.now()).await?)?;
    audited(app, officer, &studio.org_path, id.is_none(), format!("project:{saved_id}"), &project.title)
        .await?;
    Ok(saved_id)
}

/// Adds or changes a mentorship of a studio in the admin's subtree. An apprentice who is
/// a member is named by member number (`member_number`): the membership must be in the
/// subtree, and its name is the one recorded.
///
/// # Errors
///
/// As [`save_model_worker`]; `Invalid` for `apprentice`, `skill` or `member_number`
/// (no such member in the subtree).
pub async fn save_mentorship(
    app: &App,
    officer: &Officer,
    id: Option<MentorshipId>,
    mentorship: NewMentorship,
    member_number: Option<&str>,
) -> Result<MentorshipId> {
    require_admin(officer)?;
    if let Some(id) = id {
        self::mentorship(app, officer, id).await?;
    }
    let studio = studio(app, officer, mentorship.studio).await?;
    model_worker(app, officer, mentorship.mentor).await?;
    let (apprentice, membership) = match member_number.map(str::trim).filter(|n| !n.is_empty()) {
        Some(number) => {
            let member = app.store().membership_by_number(number).await?;
            let member = member
                .filter(|m| OrgPath::parse(&m.home_path).is_some_and(|p| officer.sees(&p)))
                .ok_or(InnovationError::Invalid("member_number"))?;
            (member.name, Some(MembershipId(member.id)))
        }
        None => (valid_mentorship(mentorship.clone())?.apprentice, None),
    };
    let skill = optional_text(&mentorship.skill, 40, "skill")?;
    let mentorship = NewMentorship { apprentice, membership, skill, ..mentorship };
    let saved_id = saved(app.store().save_mentorship(id, &mentorship, app.now()).await?)?;
    audited(
        app,
        officer,
        &studio.org_path,
        id.is_none(),
        format!("mentorship:{saved_id}"),
        &mentorship.skill,
    )
    .await?;
    Ok(saved_id)
}

/// Adds or changes an activity of a studio in the admin's subtree.
///
/// # Errors
///
/// As [`save_model_worker`]; `Invalid` for `title`.
pub async fn save_activity(
    app: &App,
    officer: &Officer,
    id: Option<ActivityId>,
    activity: NewActivity,
) -> Result<ActivityId> {
    require_admin(officer)?;
    if let Some(id) = id {
        self::activity(app, officer, id).await?;
    }
    let studio = studio(app, officer, activity.studio).await?;
    let activity = valid_activity(activity)?;
    let saved_id = saved(app.store().save_activity(id, &activity, app.now()).await?)?;
    audited(app, officer, &studio.org_path, id.is_none(), format!("activity:{saved_id}"), &activity.title)
        .await?;
    Ok(saved_id)
}

/// Deletes a record of the admin's subtree; `Conflict(InUse)` while others refer to it.
///
/// # Errors
///
/// `Forbidden`, `NotFound`, `Conflict`.
pub async fn delete(app: &App, officer: &Officer, record: RegistryRef) -> Result<()> {
    require_admin(officer)?;
    let (scope, subject) = match record {
        RegistryRef::ModelWorker(id) => {
            (model_worker(app, officer, id).await?.org_path, format!("model_worker:{id}"))
        }
        RegistryRef::Studio(id) => (studio(app, officer, id).await?.org_path, format!("studio:{id}")),
        RegistryRef::Project(id) => (project(app, officer, id).await?.org_path, format!("project:{id}")),
        RegistryRef::Mentorship(id) => {
            (mentorship(app, officer, id).await?.org_path, format!("mentorship:{id}"))
        }
        RegistryRef::Activity(id) => (activity(app, officer, id).await?.org_path, format!("activity:{id}")),
    };
    saved(app.store().delete_registry_record(record).await?)?;
    officer
        .record(app.store().as_ref(), app.now(), &scope, AuditAction::InnovationDelete, subject, None)
        .await?;
    Ok(())
}
