//! The five kinds of registry record as the console shows them: a list's columns, a
//! form's fields, and a posted form read into the record the app saves.

use huiji_app::innovation::{InnovationError, registry};
use huiji_core::innovation::{
    ActivityId, ActivityKind, CertificateLevel, Honour, HonourKind, InnovationLevel, MentorshipId,
    ModelWorkerId, ProjectId, ProjectStatus, StudioId, StudioKind, parse_fields,
};
use huiji_core::money::Amount;
use huiji_core::person_name::mask_stored;
use huiji_core::{CivilDate, OrgId};
use huiji_store::{
    NewActivity, NewMentorship, NewModelWorker, NewProject, NewStudio, RegistryPage, RegistryRef,
};

use super::fields::{self, Field, Form, Input};
use crate::console::Officer;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Records one page of a list shows; the page links to the next by the last id.
const PAGE_SIZE: u32 = 200;

/// The studios or model workers a form's select offers at most.
pub(super) const CHOICES_LIMIT: u32 = 1_000;

/// A kind of registry record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    ModelWorkers,
    Studios,
    Projects,
    Mentorships,
    Activities,
}

/// A page of a list: column headers, rows (id, cells), and where the next page starts.
pub(super) struct Listing {
    pub headers: Vec<&'static str>,
    pub rows: Vec<(i64, Vec<String>)>,
    /// The last id shown, when more records follow it.
    pub next: Option<i64>,
}

fn date_text(date: Option<CivilDate>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

fn options<T: Copy>(
    lang: Lang,
    all: &[T],
    code: fn(T) -> &'static str,
    zh: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter().map(|v| (code(*v).to_owned(), lang.t(zh(*v), en(*v)).to_owned())).collect()
}

fn honour_code(h: Honour) -> String {
    format!("{}:{}", h.kind.code(), h.level.code())
}

fn honours(lang: Lang) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for kind in HonourKind::ALL {
        for level in InnovationLevel::ALL {
            let h = Honour { kind: *kind, level: *level };
            all.push((honour_code(h), if lang == Lang::Zh { h.title_zh().to_owned() } else { h.title_en() }));
        }
    }
    all
}

fn honour_label(lang: Lang, h: Honour) -> String {
    if lang == Lang::Zh { h.title_zh().to_owned() } else { h.title_en() }
}

/// A field's code refused by the form itself.
fn invalid(field: &'static str) -> InnovationError {
    InnovationError::Invalid(field)
}

impl Kind {
    pub const ALL: [Kind; 5] =
        [Kind::ModelWorkers, Kind::Studios, Kind::Projects, Kind::Mentorships, Kind::Activities];

    pub fn slug(self) -> &'static str {
        match self {
            Kind::ModelWorkers => "model-workers",
            Kind::Studios => "studios",
            Kind::Projects => "projects",
            Kind::Mentorships => "mentorships",
            Kind::Activities => "activities",
        }
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Kind::ModelWorkers => lang.t("劳模工匠", "Model workers"),
            Kind::Studios => lang.t("创新工作室", "Innovation studios"),
            Kind::Projects => lang.t("重点项目", "Key projects"),
            Kind::Mentorships => lang.t("名师带徒", "Mentorships"),
            Kind::Activities => lang.t("活动", "Activities"),
        }
    }

    pub fn reference(self, id: i64) -> RegistryRef {
        match self {
            Kind::ModelWorkers => RegistryRef::ModelWorker(ModelWorkerId(id)),
            Kind::Studios => RegistryRef::Studio(StudioId(id)),
            Kind::Projects => RegistryRef::Project(ProjectId(id)),
            Kind::Mentorships => RegistryRef::Mentorship(MentorshipId(id)),
            Kind::Activities => RegistryRef::Activity(ActivityId(id)),
        }
    }

    /// One page of the records of the officer's subtree: those with ids above `after`.
    pub async fn listing(
        self,
        state: &WebState,
        lang: Lang,
        officer: &Officer,
        after: i64,
    ) -> Result<Listing, WebError> {
        let scope = officer.scope();
        let store = &state.store;
        let t = |zh, en| lang.t(zh, en);
        // One more than a page tells whether a next page exists.
        let page = RegistryPage { after, limit: PAGE_SIZE + 1 };
        let mut listing = match self {
            Kind::ModelWorkers => Listing {
                headers: vec![
                    t("姓名", "Name"),
                    t("荣誉", "Honour"),
                    t("工会", "Union"),
                    t("专长", "Specialty"),
                ],
                rows: store
                    .model_workers(scope, page)
                    .await?
                    .into_iter()
                    .map(|w| {
                        (
                            w.id.0,
                            vec![
                                w.worker.name,
                                honour_label(lang, w.worker.honour),
                                w.org_name,
                                w.worker.specialty,
                            ],
                        )
                    })
                    .collect(),
                next: None,
            },
            Kind::Studios => Listing {
                headers: vec![
                    t("名称", "Name"),
                    t("级别", "Level"),
                    t("领办人", "Leader"),
                    t("工会", "Union"),
                    t("领域", "Fields"),
                    t("项目", "Projects"),
                    t("师带徒", "Mentorships"),
                    t("公开", "Public"),
                ],
                rows: store
                    .studios(scope, page)
                    .await?
                    .into_iter()
                    .map(|s| {
                        let level = lang.t(s.studio.level.label_zh(), s.studio.level.label_en()).to_owned();
                        let public =
                            if s.studio.published { t("是", "yes") } else { t("否", "no") }.to_owned();
                        (
                            s.id.0,
                            vec![
                                s.studio.name,
                                level,
                                s.leader_name,
                                s.org_name,
                                s.studio.fields.join("、"),
                                s.projects.to_string(),
                                s.mentorships.to_string(),
                                public,
                            ],
                        )
                    })
                    .collect(),
                next: None,
            },
            Kind::Projects => Listing {
                headers: vec![
                    t("名称", "Title"),
                    t("工作室", "Studio"),
                    t("状态", "Status"),
                    t("专利申请/授权", "Patents filed/granted"),
                    t("经济效益（元）", "Benefit (yuan)"),
                ],
                rows: store
                    .projects(scope, None, page)
                    .await?
                    .into_iter()
                    .map(|p| {
                        let status =
                            lang.t(p.project.status.label_zh(), p.project.status.label_en()).to_owned();
                        let patents = format!("{}/{}", p.project.patents_filed, p.project.patents_granted);
                        (
                            p.id.0,
                            vec![
                                p.project.title,
                                p.studio_name,
                                status,
                                patents,
                                p.project.benefit.to_string(),
                            ],
                        )
                    })
                    .collect(),
                next: None,
            },
            Kind::Mentorships => Listing {
                headers: vec![
                    t("师傅", "Mentor"),
                    t("徒弟", "Apprentice"),
                    t("工作室", "Studio"),
                    t("技能", "Skill"),
                    t("取得等级", "Level reached"),
                ],
                rows: store
                    .mentorships(scope, page)
                    .await?
                    .into_iter()
                    .map(|m| {
                        let level = m
                            .mentorship
                            .certificate
                            .map_or(String::new(), |c| lang.t(c.label_zh(), c.label_en()).to_owned());
                        (
                            m.id.0,
                            vec![
                                m.mentor_name,
                                mask_stored(&m.mentorship.apprentice),
                                m.studio_name,
                                m.mentorship.skill,
                                level,
                            ],
                        )
                    })
                    .collect(),
                next: None,
            },
            Kind::Activities => Listing {
                headers: vec![
                    t("名称", "Title"),
                    t("类型", "Kind"),
                    t("工作室", "Studio"),
                    t("日期", "Date"),
                    t("帮扶中小企业", "SMEs helped"),
                ],
                rows: store
                    .activities(scope, page)
                    .await?
                    .into_iter()
                    .map(|a| {
                        let kind = lang.t(a.activity.kind.label_zh(), a.activity.kind.label_en()).to_owned();
                        (
                            a.id.0,
                            vec![
                                a.activity.title,
                                kind,
                                a.studio_name,
                                date_text(a.activity.held),
                                a.activity.smes_helped.to_string(),
                            ],
                        )
                    })
                    .collect(),
                next: None,
            },
        };
        if listing.rows.len() > PAGE_SIZE as usize {
            listing.rows.truncate(PAGE_SIZE as usize);
            listing.next = listing.rows.last().map(|(id, _)| *id);
        }
        Ok(listing)
    }

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
