//! The five kinds of registry record as the console shows them: a list's columns here; a
//! form's fields and the reading of a posted one in [`form`].

use huiji_app::innovation::InnovationError;
use huiji_core::CivilDate;
use huiji_core::innovation::{
    ActivityId, Honour, HonourKind, InnovationLevel, MentorshipId, ModelWorkerId, ProjectId, StudioId,
};
use huiji_core::person_name::mask_stored;
use huiji_store::{RegistryPage, RegistryRef};

use crate::console::Officer;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

mod form;

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
}
