//! The registry's forms described as data (one template draws every kind's form), and
//! reading their fields.

use std::collections::HashMap;

use huiji_core::CivilDate;

use crate::http::i18n::Lang;

/// How a field is typed in.
pub(super) enum Input {
    /// A line of text.
    Text,
    /// A whole number.
    Number,
    /// A date.
    Date,
    /// One of these (code, label); the first may be an empty "none".
    Select(Vec<(String, String)>),
    /// A checkbox.
    Check,
}

/// One field of a form, with its current value.
pub(super) struct Field {
    /// The form's field name.
    pub name: &'static str,
    /// What the officer reads.
    pub label: &'static str,
    /// How it is typed in.
    pub input: Input,
    /// The value shown.
    pub value: String,
    /// Whether it must be filled.
    pub required: bool,
}

impl Field {
    /// A field of this kind.
    pub fn new(lang: Lang, name: &'static str, input: Input, value: String, required: bool) -> Field {
        Field { name, label: label(lang, name), input, value, required }
    }

    /// Whether a select's option is the current value.
    pub fn is(&self, code: &str) -> bool {
        self.value == code
    }
}

/// The label of a field by its name (also the field codes the app's checks name).
pub(super) fn label(lang: Lang, name: &str) -> &'static str {
    match name {
        "name" => lang.t("姓名/名称", "Name"),
        "honour" => lang.t("荣誉", "Honour"),
        "org" => lang.t("工会（ID）", "Union (id)"),
        "specialty" => lang.t("专长", "Specialty"),
        "kind" => lang.t("类型", "Kind"),
        "level" => lang.t("级别", "Level"),
        "leader" => lang.t("领办人", "Leader"),
        "fields" => lang.t("领域（以、分隔）", "Fields (separated by 、)"),
        "members" => lang.t("成员人数", "Members"),
        "founded" => lang.t("成立日期", "Founded"),
        "published" => lang.t("在公开页展示", "Shown on the public page"),
        "studio" => lang.t("工作室", "Studio"),
        "title" => lang.t("名称", "Title"),
        "status" => lang.t("状态", "Status"),
        "patents_filed" => lang.t("专利申请", "Patents filed"),
        "patents_granted" => lang.t("专利授权", "Patents granted"),
        "patents" => lang.t("专利数（授权不多于申请）", "Patents (granted at most filed)"),
        "benefit" => lang.t("经济效益（元）", "Economic benefit (yuan)"),
        "participants" => lang.t("参与人数", "Participants"),
        "mentor" => lang.t("师傅", "Mentor"),
        "apprentice" => lang.t("徒弟姓名", "Apprentice"),
        "member_number" => lang.t("徒弟会员编号（会员填写）", "Apprentice's member number (members)"),
        "skill" => lang.t("技能", "Skill"),
        "started" => lang.t("结对日期", "Started"),
        "certificate" => lang.t("取得等级", "Level reached"),
        "held" => lang.t("日期", "Date"),
        "smes_helped" => lang.t("帮扶中小企业数", "SMEs helped"),
        "category" => lang.t("类别", "Category"),
        "summary" => lang.t("简介", "Summary"),
        "authors" => lang.t("完成人", "Authors"),
        "categories" => lang.t("类别（以、分隔）", "Categories (separated by 、)"),
        "criteria" => lang.t("评分项与权重", "Criteria and weights"),
        "window" => lang.t("申报期", "Window"),
        "plan" => lang.t("奖项名额", "Awards"),
        "username" => lang.t("评委账号", "Judge's username"),
        "studios" => lang.t("评委所在工作室", "Judge's studios"),
        "reason" => lang.t("回避理由", "Reason"),
        _ => lang.t("字段", "Field"),
    }
}

/// A posted form's fields by name.
pub(super) type Form = HashMap<String, String>;

/// A field's trimmed text ("" when absent).
pub(super) fn text<'f>(form: &'f Form, name: &str) -> &'f str {
    form.get(name).map_or("", |v| v.trim())
}

/// A whole number; empty is 0; `Err(name)` otherwise.
pub(super) fn number(form: &Form, name: &'static str) -> Result<u32, &'static str> {
    match text(form, name) {
        "" => Ok(0),
        n => n.parse().map_err(|_| name),
    }
}

/// An optional date (YYYY-MM-DD).
pub(super) fn date(form: &Form, name: &'static str) -> Result<Option<CivilDate>, &'static str> {
    match text(form, name) {
        "" => Ok(None),
        d => CivilDate::parse_iso(d).map(Some).ok_or(name),
    }
}

/// A required id.
pub(super) fn id(form: &Form, name: &'static str) -> Result<i64, &'static str> {
    text(form, name).parse().map_err(|_| name)
}
