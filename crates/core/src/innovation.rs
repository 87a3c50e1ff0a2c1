//! 跟着劳模去创新: model workers' honours, innovation studios, key projects, activities,
//! and the blind evaluation of innovation results (see [`evaluation`]).

pub mod evaluation;

use crate::ids::id_newtype;
use crate::labelled::labelled_enum;

id_newtype! {
    /// A model worker (劳模, 工匠, 五一劳动奖章 holder) in the registry.
    ModelWorkerId;
    /// An innovation studio (劳模/工匠创新工作室).
    StudioId;
    /// A studio's key innovation project.
    ProjectId;
    /// A mentorship (名师带徒): one mentor, one apprentice.
    MentorshipId;
    /// A studio's lecture or enterprise visit.
    ActivityId;
}

/// Most fields of work a studio lists.
pub const MAX_FIELDS: usize = 8;

/// Reads a studio's fields of work as registries write them: 数控加工、焊接 / 数控加工,焊接 /
/// one per line; trimmed, empty and repeated ones dropped, at most [`MAX_FIELDS`]. `None`
/// when there are more or one is longer than 20 characters.
pub fn parse_fields(text: &str) -> Option<Vec<String>> {
    parse_list(text, MAX_FIELDS)
}

/// Splits a list written in one cell or text box (separated by 、 , ， ; ； or lines) into
/// distinct trimmed items of at most 20 characters; `None` beyond `max` items or with a
/// longer item.
pub(crate) fn parse_list(text: &str, max: usize) -> Option<Vec<String>> {
    let mut items: Vec<String> = Vec::new();
    for item in text.split(['、', ',', '，', ';', '；', '\n']).map(str::trim).filter(|f| !f.is_empty()) {
        if item.chars().count() > 20 {
            return None;
        }
        if !items.iter().any(|f| f == item) {
            items.push(item.to_owned());
        }
    }
    (items.len() <= max).then_some(items)
}

labelled_enum!(
    /// The level of an honour or a studio's demonstration title.
    InnovationLevel {
        /// 全国 (national).
        National = "national", "全国", "National";
        /// 省级 (provincial).
        Provincial = "provincial", "省级", "Provincial";
        /// 市级 (city).
        City = "city", "市级", "City";
    }
);

labelled_enum!(
    /// The kind of honour a worker holds.
    HonourKind {
        /// 劳动模范 (劳模)
        ModelWorker = "model_worker", "劳动模范", "Model worker";
        /// 工匠 (大国工匠, 江淮工匠, city craftsmen)
        Craftsman = "craftsman", "工匠", "Craftsman";
        /// 五一劳动奖章
        MayDayMedal = "may_day_medal", "五一劳动奖章", "May Day Labour Medal";
    }
);

/// An honour: its kind and level, stored as two codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Honour {
    /// What it is.
    pub kind: HonourKind,
    /// Who awarded it.
    pub level: InnovationLevel,
}

impl Honour {
    /// The title as people say it: 全国劳动模范, 省劳动模范, 市劳动模范, 大国工匠, 江淮工匠
    /// (Anhui's provincial craftsman title), 市级工匠, 全国/省/市五一劳动奖章.
    pub const fn title_zh(self) -> &'static str {
        use HonourKind::{Craftsman, MayDayMedal, ModelWorker};
        use InnovationLevel::{City, National, Provincial};
        match (self.kind, self.level) {
            (ModelWorker, National) => "全国劳动模范",
            (ModelWorker, Provincial) => "省劳动模范",
            (ModelWorker, City) => "市劳动模范",
            (Craftsman, National) => "大国工匠",
            (Craftsman, Provincial) => "江淮工匠",
            (Craftsman, City) => "市级工匠",
            (MayDayMedal, National) => "全国五一劳动奖章",
            (MayDayMedal, Provincial) => "省五一劳动奖章",
            (MayDayMedal, City) => "市五一劳动奖章",
        }
    }

    /// The title in English, e.g. "National model worker".
    pub fn title_en(self) -> String {
        format!("{} {}", self.level.label_en(), self.kind.label_en().to_lowercase())
    }

    /// Reads an import cell: 全国劳动模范/全国劳模, 省劳模/安徽省劳动模范, 合肥市劳动模范,
    /// 大国工匠, 江淮工匠, 庐州工匠 (a city's craftsmen), 全国/省/市五一劳动奖章. `None` when
    /// the kind or the level cannot be told (a bare 五一劳动奖章 or 劳模).
    pub fn parse(text: &str) -> Option<Honour> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let level_from_prefix = || {
            if text.starts_with("全国") {
                Some(InnovationLevel::National)
            } else if text.contains('省') {
                Some(InnovationLevel::Provincial)
            } else if text.contains('市') {
                Some(InnovationLevel::City)
            } else {
                None
            }
        };
        let (kind, level) = if text.contains("五一劳动奖章") {
            (HonourKind::MayDayMedal, level_from_prefix()?)
        } else if text.ends_with("工匠") {
            let level = match text.as_str() {
                "大国工匠" => InnovationLevel::National,
                "江淮工匠" => InnovationLevel::Provincial,
                _ if text.contains('省') => InnovationLevel::Provincial,
                _ => InnovationLevel::City,
            };
            (HonourKind::Craftsman, level)
        } else if text.contains("劳动模范") || text.contains("劳模") {
            (HonourKind::ModelWorker, level_from_prefix()?)
        } else {
            return None;
        };
        Some(Honour { kind, level })
    }
}

labelled_enum!(
    /// Who leads a studio.
    StudioKind {
        /// 劳模创新工作室
        ModelWorker = "model_worker", "劳模创新工作室", "Model worker innovation studio";
        /// 工匠创新工作室
        Craftsman = "craftsman", "工匠创新工作室", "Craftsman innovation studio";
    }
);

impl StudioKind {
    /// A studio's full title with its demonstration level, e.g. 省级示范性劳模创新工作室.
    pub fn title_zh(self, level: InnovationLevel) -> String {
        format!("{}示范性{}", level.label_zh(), self.label_zh())
    }
}

labelled_enum!(
    /// Where a key innovation project stands.
    ProjectStatus {
        /// 计划中
        Planned = "planned", "计划中", "Planned";
        /// 进行中
        Ongoing = "ongoing", "进行中", "Ongoing";
        /// 已完成
        Done = "done", "已完成", "Done";
    }
);

labelled_enum!(
    /// What a studio did for others.
    ActivityKind {
        /// 讲座 / 授课
        Lecture = "lecture", "讲座", "Lecture";
        /// 走进企业 (visits that help SMEs)
        EnterpriseVisit = "enterprise_visit", "走进企业", "Enterprise visit";
    }
);

labelled_enum!(
    /// A vocational skill level (职业技能等级) an apprentice reached: the outcome of a
    /// mentorship.
    CertificateLevel {
        /// 五级/初级工
        Junior = "junior", "初级工", "Junior worker";
        /// 四级/中级工
        Intermediate = "intermediate", "中级工", "Intermediate worker";
        /// 三级/高级工
        Senior = "senior", "高级工", "Senior worker";
        /// 二级/技师
        Technician = "technician", "技师", "Technician";
        /// 一级/高级技师
        SeniorTechnician = "senior_technician", "高级技师", "Senior technician";
    }
);

impl InnovationLevel {
    /// Reads a level as registries write it: 全国/国家级, 省级/安徽省, 市级/合肥市 (the
    /// broadest named wins); `None` otherwise.
    pub fn parse(text: &str) -> Option<InnovationLevel> {
        if let Some(level) = InnovationLevel::from_code_or_label(text) {
            return Some(level);
        }
        if text.contains("全国") || text.contains("国家") {
            Some(InnovationLevel::National)
        } else if text.contains('省') {
            Some(InnovationLevel::Provincial)
        } else if text.contains('市') {
            Some(InnovationLevel::City)
        } else {
            None
        }
    }
}

impl StudioKind {
    /// Reads a studio kind: anything naming 工匠 is a craftsman studio, anything naming
    /// 劳模 a model worker studio.
    pub fn parse(text: &str) -> Option<StudioKind> {
        StudioKind::from_code_or_label(text).or_else(|| {
            if text.contains("工匠") {
                Some(StudioKind::Craftsman)
            } else if text.contains("劳模") {
                Some(StudioKind::ModelWorker)
            } else {
                None
            }
        })
    }
}

impl ProjectStatus {
    /// Reads a project status, with the words registries use: 计划/立项 → planned,
    /// 在研/实施 → ongoing, 完成/结题 → done.
    pub fn parse(text: &str) -> Option<ProjectStatus> {
        ProjectStatus::from_code_or_label(text).or_else(|| {
            if text.contains("完成") || text.contains("结题") {
                Some(ProjectStatus::Done)
            } else if text.contains("在研") || text.contains("进行") || text.contains("实施") {
                Some(ProjectStatus::Ongoing)
            } else if text.contains("计划") || text.contains("立项") {
                Some(ProjectStatus::Planned)
            } else {
                None
            }
        })
    }
}

impl CertificateLevel {
    /// Reads a skill level by its title or its grade (五级 … 一级), e.g. 高级工（三级）.
    pub fn parse(text: &str) -> Option<CertificateLevel> {
        use CertificateLevel::{Intermediate, Junior, Senior, SeniorTechnician, Technician};
        if let Some(level) = CertificateLevel::from_code_or_label(text) {
            return Some(level);
        }
        // Longest titles first: 高级技师 contains 技师, 高级工 is not 高级技师.
        [
            ("高级技师", SeniorTechnician),
            ("一级", SeniorTechnician),
            ("技师", Technician),
            ("二级", Technician),
            ("高级工", Senior),
            ("三级", Senior),
            ("中级工", Intermediate),
            ("四级", Intermediate),
            ("初级工", Junior),
            ("五级", Junior),
        ]
        .into_iter()
        .find(|(word, _)| text.contains(word))
        .map(|(_, level)| level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honours_read_from_what_registries_write() {
        let honour = |text| Honour::parse(text).map(Honour::title_zh);
        assert_eq!(honour("全国劳动模范"), Some("全国劳动模范"));
        assert_eq!(honour("全国劳模"), Some("全国劳动模范"));
        assert_eq!(honour("安徽省劳动模范"), Some("省劳动模范"));
        assert_eq!(honour("省劳模"), Some("省劳动模范"));
        assert_eq!(honour("合肥市劳动模范"), Some("市劳动模范"));
        assert_eq!(honour("大国工匠"), Some("大国工匠"));
        assert_eq!(honour(" 江淮工匠 "), Some("江淮工匠"));
        assert_eq!(honour("庐州工匠"), Some("市级工匠"));
        assert_eq!(honour("全国五一劳动奖章"), Some("全国五一劳动奖章"));
        assert_eq!(honour("安徽省五一劳动奖章"), Some("省五一劳动奖章"));
        assert_eq!(honour("芜湖市五一劳动奖章"), Some("市五一劳动奖章"));
        assert_eq!(honour("五一劳动奖章"), None);
        assert_eq!(honour("劳模"), None);
        assert_eq!(honour("三八红旗手"), None);
        // Every title reads back as itself.
        for kind in HonourKind::ALL {
            for level in InnovationLevel::ALL {
                let h = Honour { kind: *kind, level: *level };
                assert_eq!(Honour::parse(h.title_zh()), Some(h), "{}", h.title_zh());
            }
        }
        assert_eq!(
            Honour { kind: HonourKind::ModelWorker, level: InnovationLevel::National }.title_en(),
            "National model worker"
        );
    }

    #[test]
    fn studio_titles_and_codes() {
        assert_eq!(StudioKind::ModelWorker.title_zh(InnovationLevel::Provincial), "省级示范性劳模创新工作室");
        assert_eq!("ongoing".parse(), Ok(ProjectStatus::Ongoing));
        assert_eq!(ActivityKind::from_code_or_label("讲座"), Some(ActivityKind::Lecture));
        assert_eq!(CertificateLevel::from_code_or_label("技师"), Some(CertificateLevel::Technician));
        assert_eq!(StudioId(4).to_string(), "4");
    }

    #[test]
    fn registry_words_are_read() {
        assert_eq!(InnovationLevel::parse("国家级"), Some(InnovationLevel::National));
        assert_eq!(InnovationLevel::parse("安徽省级"), Some(InnovationLevel::Provincial));
        assert_eq!(InnovationLevel::parse("合肥市"), Some(InnovationLevel::City));
        assert_eq!(InnovationLevel::parse("区级"), None);
        assert_eq!(StudioKind::parse("江淮工匠创新工作室"), Some(StudioKind::Craftsman));
        assert_eq!(StudioKind::parse("劳模创新工作室"), Some(StudioKind::ModelWorker));
        assert_eq!(StudioKind::parse("其他"), None);
        assert_eq!(ProjectStatus::parse("已结题"), Some(ProjectStatus::Done));
        assert_eq!(ProjectStatus::parse("在研"), Some(ProjectStatus::Ongoing));
        assert_eq!(ProjectStatus::parse("立项"), Some(ProjectStatus::Planned));
        assert_eq!(CertificateLevel::parse("高级技师"), Some(CertificateLevel::SeniorTechnician));
        assert_eq!(CertificateLevel::parse("技师（二级）"), Some(CertificateLevel::Technician));
        assert_eq!(CertificateLevel::parse("高级工（三级）"), Some(CertificateLevel::Senior));
        assert_eq!(CertificateLevel::parse("四级"), Some(CertificateLevel::Intermediate));
        assert_eq!(CertificateLevel::parse("无"), None);
    }

    #[test]
    fn fields_read_as_registries_write_them() {
        let fields = |text| parse_fields(text);
        assert_eq!(fields("数控加工、焊接"), Some(vec!["数控加工".to_owned(), "焊接".to_owned()]));
        assert_eq!(fields(" 焊接 ,焊接，电力;"), Some(vec!["焊接".to_owned(), "电力".to_owned()]));
        assert_eq!(fields(""), Some(vec![]));
        assert_eq!(fields("一二三四五六七八九十一二三四五六七八九十一"), None, "21 characters");
        assert_eq!(fields("a、b、c、d、e、f、g、h、i"), None, "nine fields");
    }
}
