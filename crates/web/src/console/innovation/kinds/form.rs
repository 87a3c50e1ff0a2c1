//! A registry record's form: the fields the console shows for a new or an existing
//! record, and a posted form read into the record the app saves.

use huiji_app::innovation::{InnovationError, registry};
use huiji_core::OrgId;
use huiji_core::innovation::{
    ActivityId, ActivityKind, CertificateLevel, Honour, InnovationLevel, MentorshipId, ModelWorkerId,
    ProjectId, ProjectStatus, StudioId, StudioKind, parse_fields,
};
use huiji_core::money::Amount;
use huiji_store::{NewActivity, NewMentorship, NewModelWorker, NewProject, NewStudio, RegistryPage};

use super::{CHOICES_LIMIT, Kind, date_text, honour_code, honours, invalid, options};
use crate::console::Officer;
use crate::console::innovation::fields::{self, Field, Form, Input};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

impl Kind {
    /// The form of a new record (`id` `None`) or of one of the officer's subtree.
    pub async fn form(
        self,
        state: &WebState,
        lang: Lang,
        officer: &Officer,
        id: Option<i64>,
    ) -> Result<Vec<Field>, WebError> {
        let app = &state.app;
        let acting = officer.acting();
        let found = |e: InnovationError| match e {
            InnovationError::Store(e) => WebError::from(e),
            _ => WebError::NotFound,
        };
        let f = |name, input, value: String, required| Field::new(lang, name, input, value, required);
        let studios = || async {
            let list = state.store.studios(officer.scope(), RegistryPage::first(CHOICES_LIMIT)).await?;
            Ok::<_, WebError>(list.into_iter().map(|s| (s.id.to_string(), s.studio.name)).collect::<Vec<_>>())
        };
        let workers = || async {
            let list = state.store.model_workers(officer.scope(), RegistryPage::first(CHOICES_LIMIT)).await?;
            Ok::<_, WebError>(
                list.into_iter()
                    .map(|w| (w.id.to_string(), format!("{}（{}）", w.worker.name, w.org_name)))
                    .collect::<Vec<_>>(),
            )
        };
        let own_org = officer.org.id.to_string();
        Ok(match self {
            Kind::ModelWorkers => {
                let w = match id {
                    Some(id) => Some(
                        registry::model_worker(app, &acting, ModelWorkerId(id)).await.map_err(found)?.worker,
                    ),
                    None => None,
                };
                vec![
                    f("name", Input::Text, w.as_ref().map(|w| w.name.clone()).unwrap_or_default(), true),
                    f(
                        "honour",
                        Input::Select(honours(lang)),
                        w.as_ref().map(|w| honour_code(w.honour)).unwrap_or_default(),
                        true,
                    ),
                    f("org", Input::Number, w.as_ref().map_or(own_org, |w| w.org.to_string()), true),
                    f("specialty", Input::Text, w.map(|w| w.specialty).unwrap_or_default(), false),
                ]
            }
            Kind::Studios => {
                let s = match id {
                    Some(id) => {
                        Some(registry::studio(app, &acting, StudioId(id)).await.map_err(found)?.studio)
                    }
                    None => None,
                };
                let kinds = options(
                    lang,
                    StudioKind::ALL,
                    StudioKind::code,
                    StudioKind::label_zh,
                    StudioKind::label_en,
                );
                let levels = options(
                    lang,
                    InnovationLevel::ALL,
                    InnovationLevel::code,
                    InnovationLevel::label_zh,
                    InnovationLevel::label_en,
                );
                vec![
                    f("name", Input::Text, s.as_ref().map(|s| s.name.clone()).unwrap_or_default(), true),
                    f(
                        "kind",
                        Input::Select(kinds),
                        s.as_ref().map(|s| s.kind.code().to_owned()).unwrap_or_default(),
                        true,
                    ),
                    f(
                        "level",
                        Input::Select(levels),
                        s.as_ref().map(|s| s.level.code().to_owned()).unwrap_or_default(),
                        true,
                    ),
                    f(
                        "leader",
                        Input::Select(workers().await?),
                        s.as_ref().map(|s| s.leader.to_string()).unwrap_or_default(),
                        true,
                    ),
                    f("org", Input::Number, s.as_ref().map_or(own_org, |s| s.org.to_string()), true),
                    f(
                        "fields",
                        Input::Text,
                        s.as_ref().map(|s| s.fields.join("、")).unwrap_or_default(),
                        false,
                    ),
                    f(
                        "members",
                        Input::Number,
                        s.as_ref().map(|s| s.members.to_string()).unwrap_or_default(),
                        false,
                    ),
                    f("founded", Input::Date, date_text(s.as_ref().and_then(|s| s.founded)), false),
                    f(
                        "published",
                        Input::Check,
                        if s.as_ref().is_none_or(|s| s.published) { "on".to_owned() } else { String::new() },
                        false,
                    ),
                ]
            }
            Kind::Projects => {
                let p = match id {
                    Some(id) => {
                        Some(registry::project(app, &acting, ProjectId(id)).await.map_err(found)?.project)
                    }
                    None => None,
                };
                let statuses = options(
                    lang,
                    ProjectStatus::ALL,
                    ProjectStatus::code,
                    ProjectStatus::label_zh,
                    ProjectStatus::label_en,
                );
                let n = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
                vec![
                    f(
                        "studio",
                        Input::Select(studios().await?),
                        p.as_ref().map(|p| p.studio.to_string()).unwrap_or_default(),
                        true,
                    ),
                    f("title", Input::Text, p.as_ref().map(|p| p.title.clone()).unwrap_or_default(), true),
                    f(
                        "status",
                        Input::Select(statuses),
                        p.as_ref().map(|p| p.status.code().to_owned()).unwrap_or_default(),
                        true,
                    ),
                    f("patents_filed", Input::Number, n(p.as_ref().map(|p| p.patents_filed)), false),
                    f("patents_granted", Input::Number, n(p.as_ref().map(|p| p.patents_granted)), false),
                    f(
                        "benefit",
                        Input::Text,
                        p.as_ref().map(|p| p.benefit.to_string()).unwrap_or_default(),
                        false,
                    ),
                    f("participants", Input::Number, n(p.as_ref().map(|p| p.participants)), false),
                ]
            }
            Kind::Mentorships => {
                let m = match id {
                    Some(id) => Some(
                        registry::mentorship(app, &acting, MentorshipId(id)).await.map_err(found)?.mentorship,
                    ),
                    None => None,
                };
                let mut levels = vec![(String::new(), lang.t("（尚未取得）", "(none yet)").to_owned())];
                levels.extend(options(
                    lang,
                    CertificateLevel::ALL,
                    CertificateLevel::code,
                    CertificateLevel::label_zh,
                    CertificateLevel::label_en,
                ));
                vec![
                    f(
                        "studio",
                        Input::Select(studios().await?),
                        m.as_ref().map(|m| m.studio.to_string()).unwrap_or_default(),
                        true,
                    ),
                    f(
                        "mentor",
                        Input::Select(workers().await?),
                        m.as_ref().map(|m| m.mentor.to_string()).unwrap_or_default(),
                        true,
                    ),
                    f(
                        "apprentice",
                        Input::Text,
                        m.as_ref().map(|m| m.apprentice.clone()).unwrap_or_default(),
                        false,
                    ),
                    f("member_number", Input::Text, String::new(), false),
                    f("skill", Input::Text, m.as_ref().map(|m| m.skill.clone()).unwrap_or_default(), false),
                    f("started", Input::Date, date_text(m.as_ref().and_then(|m| m.started)), false),
                    f(
                        "certificate",
                        Input::Select(levels),
                        m.and_then(|m| m.certificate).map(|c| c.code().to_owned()).unwrap_or_default(),
                        false,
                    ),
                ]
            }
            Kind::Activities => {
                let a = match id {
                    Some(id) => {
                        Some(registry::activity(app, &acting, ActivityId(id)).await.map_err(found)?.activity)
                    }
                    None => None,
                };
                let kinds = options(
                    lang,
                    ActivityKind::ALL,
                    ActivityKind::code,
                    ActivityKind::label_zh,
                    ActivityKind::label_en,
                );
                vec![
                    f(
                        "studio",
                        Input::Select(studios().await?),
                        a.as_ref().map(|a| a.studio.to_string()).unwrap_or_default(),
                        true,
                    ),
                    f(
                        "kind",
                        Input::Select(kinds),
                        a.as_ref().map(|a| a.kind.code().to_owned()).unwrap_or_default(),
                        true,
                    ),
                    f("title", Input::Text, a.as_ref().map(|a| a.title.clone()).unwrap_or_default(), true),
                    f("held", Input::Date, date_text(a.as_ref().and_then(|a| a.held)), false),
                    f(
                        "smes_helped",
                        Input::Number,
                        a.map(|a| a.smes_helped.to_string()).unwrap_or_default(),
                        false,
                    ),
                ]
            }
        })
    }

    /// Reads a posted form and saves it through the app.
    pub async fn save(
        self,
        state: &WebState,
        officer: &Officer,
        id: Option<i64>,
        form: &Form,
    ) -> Result<(), InnovationError> {
        let app = &state.app;
        let acting = officer.acting();
        let text = |name| fields::text(form, name).to_owned();
        let code = |name: &'static str| fields::text(form, name);
        match self {
            Kind::ModelWorkers => {
                let (kind, level) = code("honour").split_once(':').ok_or(invalid("honour"))?;
                let honour = Honour {
                    kind: kind.parse().map_err(|_| invalid("honour"))?,
                    level: level.parse().map_err(|_| invalid("honour"))?,
                };
                let worker = NewModelWorker {
                    name: text("name"),
                    honour,
                    org: OrgId(fields::id(form, "org").map_err(invalid)?),
                    specialty: text("specialty"),
                };
                registry::save_model_worker(app, &acting, id.map(ModelWorkerId), worker).await.map(|_| ())
            }
            Kind::Studios => {
                let studio = NewStudio {
                    name: text("name"),
                    kind: code("kind").parse().map_err(|_| invalid("kind"))?,
                    level: code("level").parse().map_err(|_| invalid("level"))?,
                    leader: ModelWorkerId(fields::id(form, "leader").map_err(invalid)?),
                    org: OrgId(fields::id(form, "org").map_err(invalid)?),
                    fields: parse_fields(code("fields")).ok_or(invalid("fields"))?,
                    members: fields::number(form, "members").map_err(invalid)?,
                    founded: fields::date(form, "founded").map_err(invalid)?,
                    published: !code("published").is_empty(),
                };
                registry::save_studio(app, &acting, id.map(StudioId), studio).await.map(|_| ())
            }
            Kind::Projects => {
                let benefit = match code("benefit") {
                    "" => Amount::ZERO,
                    b => Amount::parse(b).map_err(|_| invalid("benefit"))?,
                };
                let project = NewProject {
                    studio: StudioId(fields::id(form, "studio").map_err(invalid)?),
                    title: text("title"),
                    status: code("status").parse().map_err(|_| invalid("status"))?,
                    patents_filed: fields::number(form, "patents_filed").map_err(invalid)?,
                    patents_granted: fields::number(form, "patents_granted").map_err(invalid)?,
                    benefit,
                    participants: fields::number(form, "participants").map_err(invalid)?,
                };
                registry::save_project(app, &acting, id.map(ProjectId), project).await.map(|_| ())
            }
            Kind::Mentorships => {
                let certificate = match code("certificate") {
                    "" => None,
                    c => Some(c.parse().map_err(|_| invalid("certificate"))?),
                };
                let mentorship = NewMentorship {
                    studio: StudioId(fields::id(form, "studio").map_err(invalid)?),
                    mentor: ModelWorkerId(fields::id(form, "mentor").map_err(invalid)?),
                    apprentice: text("apprentice"),
                    membership: None,
                    skill: text("skill"),
                    started: fields::date(form, "started").map_err(invalid)?,
                    certificate,
                };
                let number = Some(code("member_number")).filter(|n| !n.is_empty());
                registry::save_mentorship(app, &acting, id.map(MentorshipId), mentorship, number)
                    .await
                    .map(|_| ())
            }
            Kind::Activities => {
                let activity = NewActivity {
                    studio: StudioId(fields::id(form, "studio").map_err(invalid)?),
                    kind: code("kind").parse().map_err(|_| invalid("kind"))?,
                    title: text("title"),
                    held: fields::date(form, "held").map_err(invalid)?,
                    smes_helped: fields::number(form, "smes_helped").map_err(invalid)?,
                };
                registry::save_activity(app, &acting, id.map(ActivityId), activity).await.map(|_| ())
            }
        }
    }
}
