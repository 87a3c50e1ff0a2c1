//! The tables of the other areas' panels (`app::stats::panels`): outreach (roster
//! coverage by occupation and by importing union), benefit uptake against quotas,
//! innovation, legal-aid cases by category and contest participation. Built like the page's other tables, so each is
//! a chart where it helps, has a definition on the page and is a sheet of the export.

use huiji_app::stats::Figures;
use huiji_app::stats::panels::Panel;
use huiji_core::innovation::InnovationLevel;
use huiji_core::stats::{per_mille, percent_text};
use huiji_store::CoverageRow;

use super::tables::{Cell, Table};
use crate::console::occupation_label;
use crate::http::i18n::Lang;

/// A count the store gives unsigned, as the tables' signed numbers.
fn n(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// 花名册人数, 已入会, 审核中, 覆盖率 after a first column.
fn coverage_header(lang: Lang, first: &str) -> Vec<String> {
    vec![
        first.to_owned(),
        lang.t("花名册人数", "On the roster").to_owned(),
        lang.t("已入会", "Members").to_owned(),
        lang.t("审核中", "Applying").to_owned(),
        lang.t("覆盖率", "Coverage").to_owned(),
    ]
}

fn coverage_row<K>(first: Cell, row: &CoverageRow<K>) -> Vec<Cell> {
    vec![
        first,
        Cell::number(n(row.entries)),
        Cell::number(n(row.members)),
        Cell::number(n(row.pending)),
        Cell::text(percent_text(per_mille(n(row.members), n(row.entries)))),
    ]
}

/// The panels' tables, in the page's order.
pub(crate) fn tables(lang: Lang, f: &Figures) -> Vec<Table> {
    let p = &f.panels;
    let o = &p.outreach;
    let mut out = Vec::new();
    let total = CoverageRow { key: (), entries: o.entries, members: o.members, pending: o.pending };
    out.push(Table {
        id: "outreach",
        title: lang.t("花名册覆盖（按职业）", "Roster coverage by occupation").to_owned(),
        chart: "bar",
        series: 2,
        header: coverage_header(lang, lang.t("职业", "Occupation")),
        rows: o
            .by_occupation
            .iter()
            .map(|r| coverage_row(Cell::text(occupation_label(lang, r.key)), r))
            .chain((o.entries > 0).then(|| coverage_row(Cell::text(lang.t("合计", "Total")), &total)))
            .collect(),
    });
    out.push(Table {
        id: "outreach-unions",
        title: lang.t("花名册覆盖（按导入工会）", "Roster coverage by importing union").to_owned(),
        chart: "",
        series: 0,
        header: coverage_header(lang, lang.t("工会", "Union")),
        rows: o.by_union.iter().map(|r| coverage_row(Cell::text(r.key.1.clone()), r)).collect(),
    });
    out.push(Table {
        id: "benefits",
        title: lang.t("会员福利领取与额度", "Benefit uptake against quotas").to_owned(),
        chart: "",
        series: 0,
        header: vec![
            lang.t("福利项目", "Programme").to_owned(),
            lang.t("类型", "Kind").to_owned(),
            lang.t("发放单位", "Sponsor").to_owned(),
            lang.t("适用额度", "Quota").to_owned(),
            lang.t("本范围已发放", "Granted here").to_owned(),
            lang.t("使用率", "Uptake").to_owned(),
            lang.t("剩余额度", "Remaining").to_owned(),
        ],
        rows: p
            .benefits
            .iter()
            .map(|u| {
                let quota = if u.share {
                    format!("{}（{}）", u.quota.total, lang.t("下级工会份额", "child union's share"))
                } else {
                    u.quota.total.to_string()
                };
                vec![
                    Cell {
                        text: u.name.clone(),
                        number: None,
                        href: Some(format!("/console/benefits/{}", u.id.0)),
                    },
                    Cell::text(lang.t(u.kind.label_zh(), u.kind.label_en())),
                    Cell::text(u.sponsor.clone()),
                    Cell { text: quota, number: Some(i64::from(u.quota.total)), href: None },
                    Cell::number(n(u.granted_here)),
                    Cell::text(percent_text(per_mille(n(u.granted_here), i64::from(u.quota.total)))),
                    Cell::number(i64::from(u.quota.remaining())),
                ]
            })
            .collect(),
    });
    let i = &p.innovation;
    let mut innovation: Vec<(String, i64)> = InnovationLevel::ALL
        .iter()
        .map(|level| {
            let label =
                format!("{}{}", lang.t(level.label_zh(), level.label_en()), lang.t("创新工作室", " studios"));
            (label, n(i.studios_at(*level)))
        })
        .collect();
    let projects: u64 = i.projects.iter().map(|(_, count)| count).sum();
    for (label, count) in [
        (lang.t("工作室成员", "People in the studios"), i.studio_members),
        (lang.t("重点创新项目", "Key projects"), projects),
        (lang.t("申请专利", "Patents filed"), i.patents_filed),
        (lang.t("授权专利", "Patents granted"), i.patents_granted),
        (lang.t("名师", "Mentors"), i.mentors),
        (lang.t("徒弟", "Apprentices"), i.apprentices),
        (lang.t("徒弟取得技能等级", "Apprentices certified"), i.certified),
    ] {
        innovation.push((label.to_owned(), n(count)));
    }
    out.push(Table {
        id: "innovation",
        title: lang.t("劳模创新", "Innovation").to_owned(),
        chart: "",
        series: 0,
        header: vec![lang.t("指标", "Figure").to_owned(), lang.t("数值", "Value").to_owned()],
        rows: innovation.into_iter().map(|(k, v)| vec![Cell::text(k), Cell::number(v)]).collect(),
    });
    if let Panel::Ready(funnel) = &p.campaigns {
        let stages = [
            (lang.t("目标人数", "Targeted"), funnel.targeted),
            (lang.t("已退订（不发送）", "Opted out (not sent)"), funnel.suppressed),
            (lang.t("待发送", "Waiting to be sent"), funnel.queued),
            (lang.t("已发送", "Sent"), funnel.sent),
            (lang.t("已送达", "Delivered"), funnel.delivered),
            (lang.t("发送失败", "Failed"), funnel.failed),
            (lang.t("打开链接", "Opened the link"), funnel.clicked),
            (lang.t("提交申请", "Applied"), funnel.applied),
            (lang.t("批准入会", "Approved"), funnel.approved),
        ];
        out.push(Table {
            id: "campaigns",
            title: lang.t("短信邀请漏斗", "Campaign funnel").to_owned(),
            chart: "",
            series: 0,
            header: vec![lang.t("环节", "Stage").to_owned(), lang.t("人数", "People").to_owned()],
            rows: stages
                .into_iter()
                .map(|(k, v)| vec![Cell::text(k.to_owned()), Cell::number(n(v))])
                .collect(),
        });
    }
    let c = &f.cases;
    let yuan = |fen: i64| Cell { text: format!("{}.{:02}", fen / 100, fen % 100), number: None, href: None };
    let case_row = |label: String, open: i64, overdue: i64, closed: i64, fen: i64| {
        vec![Cell::text(label), Cell::number(open), Cell::number(overdue), Cell::number(closed), yuan(fen)]
    };
    out.push(Table {
        id: "cases",
        title: lang.t("维权案件（按类别）", "Legal-aid cases by category").to_owned(),
        chart: "bar",
        series: 3,
        header: vec![
            lang.t("类别", "Category").to_owned(),
            lang.t("办理中", "Open").to_owned(),
            lang.t("其中超期", "Of them overdue").to_owned(),
            lang.t("办结（30天）", "Closed (30 days)").to_owned(),
            lang.t("追回金额（元，30天）", "Recovered (yuan, 30 days)").to_owned(),
        ],
        rows: c
            .by_category
            .iter()
            .map(|k| {
                let label = lang.t(k.category.label_zh(), k.category.label_en()).to_owned();
                case_row(label, k.open, k.overdue, k.closed, k.recovered_fen)
            })
            .chain((!c.by_category.is_empty()).then(|| {
                case_row(lang.t("合计", "Total").to_owned(), c.open, c.overdue, c.closed, c.recovered_fen)
            }))
            .collect(),
    });
    out.push(Table {
        id: "contests",
        title: lang.t("竞赛参与", "Contest participation").to_owned(),
        chart: "",
        series: 0,
        header: vec![
            lang.t("竞赛", "Contest").to_owned(),
            lang.t("起止日期", "Window").to_owned(),
            lang.t("参与会员", "Participants").to_owned(),
            lang.t("参与率（÷现有会员）", "Share of members now").to_owned(),
        ],
        rows: p
            .contests
            .iter()
            .map(|c| {
                vec![
                    Cell::text(c.name.clone()),
                    Cell::text(format!("{} – {}", c.starts_on, c.ends_on)),
                    Cell::number(c.participants),
                    Cell::text(percent_text(per_mille(c.participants, f.held))),
                ]
            })
            .collect(),
    });
    out
}
