//! The statistics page's tables, built once from `app::stats::Figures` and shown three
//! ways: as HTML tables, as ECharts charts drawn from those tables by `/static/stats.js`,
//! and as the XLSX export's sheets — so the export holds exactly what is shown.

use huiji_app::stats::Figures;
use huiji_app::stats::figures::{PeriodLine, RECENT_DAYS};
use huiji_core::Channel;
use huiji_core::stats::{date_of_day_key, hours_text, percent_text, tiles};

use crate::console::occupation_label;
use crate::http::i18n::Lang;

/// One cell: its text, the number behind it (charts and the XLSX use it), and for a child
/// union a link to its own figures.
pub(crate) struct Cell {
    pub(crate) text: String,
    pub(crate) number: Option<i64>,
    pub(crate) href: Option<String>,
}

impl Cell {
    pub(super) fn text(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), number: None, href: None }
    }

    pub(super) fn number(n: i64) -> Cell {
        Cell { text: n.to_string(), number: Some(n), href: None }
    }
}

/// A table of the page: its anchor, title, the chart drawn from it (`bar`, `line`, `pie`,
/// or none), how many value columns the chart plots, and the anchor of its definition.
pub(crate) struct Table {
    pub(crate) id: &'static str,
    pub(crate) title: String,
    pub(crate) chart: &'static str,
    pub(crate) series: usize,
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<Cell>>,
}

fn month_label(key: i64) -> String {
    format!("{}-{:02}", key / 100, key % 100)
}

fn day_label(key: i64) -> String {
    date_of_day_key(key).map_or_else(|| key.to_string(), |d| d.to_string())
}

fn flow_header(lang: Lang, first: &str) -> Vec<String> {
    let mut header = vec![first.to_owned()];
    for (zh, en) in [
        ("入会", "Joined"),
        ("退会", "Withdrawn"),
        ("除名", "Expelled"),
        ("去世", "Deceased"),
        ("转入", "Transferred in"),
        ("转出", "Transferred out"),
        ("净增长", "Net growth"),
    ] {
        header.push(lang.t(zh, en).to_owned());
    }
    header
}

fn flow_rows(lines: &[PeriodLine], label: fn(i64) -> String) -> Vec<Vec<Cell>> {
    lines
        .iter()
        .map(|l| {
            let f = &l.flows;
            let mut row = vec![Cell::text(label(l.key))];
            for n in [f.joined, f.withdrawn, f.expelled, f.deceased, f.moved_in, f.moved_out, f.net()] {
                row.push(Cell::number(n));
            }
            row
        })
        .collect()
}

/// Every table of the page, in the page's order.
pub(crate) fn tables(lang: Lang, f: &Figures) -> Vec<Table> {
    let mut out = Vec::new();
    let occupation = lang.t("职业", "Occupation").to_owned();
    let members = lang.t("会员数", "Members").to_owned();
    out.push(Table {
        id: "occupation",
        title: lang.t("按职业（现有会员）", "Members now by occupation").to_owned(),
        chart: "pie",
        series: 1,
        header: vec![occupation.clone(), members.clone()],
        rows: f
            .by_occupation
            .iter()
            .map(|(o, n)| vec![Cell::text(occupation_label(lang, *o)), Cell::number(*n)])
            .collect(),
    });
    out.push(Table {
        id: "unions",
        title: lang.t("按下级工会（现有会员）", "Members now by child union").to_owned(),
        chart: "bar",
        series: 1,
        header: vec![
            lang.t("工会", "Union").to_owned(),
            members.clone(),
            lang.t("近12个月净增长", "Net growth, 12 months").to_owned(),
        ],
        rows: f
            .by_child
            .iter()
            .map(|c| {
                vec![
                    Cell {
                        text: c.name.clone(),
                        number: None,
                        href: Some(format!("/console/stats?org={}", c.org.0)),
                    },
                    Cell::number(c.held),
                    Cell::number(c.net),
                ]
            })
            .collect(),
    });
    out.push(Table {
        id: "channel",
        title: lang.t("按入会渠道（现有会员）", "Members now by channel").to_owned(),
        chart: "pie",
        series: 1,
        header: vec![lang.t("渠道", "Channel").to_owned(), members.clone()],
        rows: f
            .by_channel
            .iter()
            .map(|c| {
                let name = match &c.platform {
                    Some(p) => format!("{} · {p}", lang.label(c.channel)),
                    None => lang.label(c.channel).to_owned(),
                };
                vec![Cell::text(name), Cell::number(c.members)]
            })
            .collect(),
    });
    out.push(Table {
        id: "status",
        title: lang.t("按会籍状态", "Memberships by status").to_owned(),
        chart: "",
        series: 0,
        header: vec![lang.t("状态", "Status").to_owned(), lang.t("人数", "Memberships").to_owned()],
        rows: f.by_status.iter().map(|(s, n)| vec![Cell::text(lang.label(*s)), Cell::number(*n)]).collect(),
    });
    out.push(Table {
        id: "months",
        title: lang.t("逐月增减", "Flows by month").to_owned(),
        chart: "bar",
        series: 2,
        header: flow_header(lang, lang.t("月份", "Month")),
        rows: flow_rows(&f.months, month_label),
    });
    let mut channel_header = vec![lang.t("月份", "Month").to_owned()];
    channel_header.extend(Channel::ALL.iter().map(|c| lang.label(*c).to_owned()));
    out.push(Table {
        id: "month-channels",
        title: lang.t("逐月入会（按渠道）", "Joins by month and channel").to_owned(),
        chart: "line",
        series: Channel::ALL.len(),
        header: channel_header,
        rows: f
            .months
            .iter()
            .map(|l| {
                let mut row = vec![Cell::text(month_label(l.key))];
                row.extend(l.joins_by_channel.iter().map(|n| Cell::number(*n)));
                row
            })
            .collect(),
    });
    out.push(Table {
        id: "weeks",
        title: lang.t("近12周增减（周一起）", "Flows by week, last 12 weeks (from Monday)").to_owned(),
        chart: "line",
        series: 1,
        header: flow_header(lang, lang.t("周一", "Week of")),
        rows: flow_rows(&f.weeks, day_label),
    });
    if let Some(on) = &f.on {
        let mut rows: Vec<Vec<Cell>> = on
            .by_occupation
            .iter()
            .map(|(o, n)| vec![Cell::text(occupation_label(lang, *o)), Cell::number(*n)])
            .collect();
        rows.push(vec![Cell::text(lang.t("合计", "Total")), Cell::number(on.held)]);
        out.push(Table {
            id: "on",
            title: format!("{} {}", on.date, lang.t("日终会员数", "members at the end of the day")),
            chart: "",
            series: 0,
            header: vec![occupation, members],
            rows,
        });
    }
    let r = &f.review;
    let hours = |ms: Option<i64>| ms.map_or_else(|| "—".to_owned(), hours_text);
    let review_rows = [
        (lang.t("收到申请", "Applications received"), Cell::number(r.received)),
        (lang.t("已决定", "Decided"), Cell::number(r.decided)),
        (
            lang.t("审核用时中位数（小时）", "Median time to an officer's decision (hours)"),
            Cell::text(hours(r.median_ms)),
        ),
        (lang.t("审核用时P90（小时）", "90th percentile (hours)"), Cell::text(hours(r.p90_ms))),
        (lang.t("待审核", "Waiting now"), Cell::number(r.pending)),
        (lang.t("已超期", "Overdue now"), Cell::number(r.overdue)),
        (lang.t("已上报上级", "Escalated"), Cell::number(r.escalated)),
        (lang.t("马上入会占比", "Instant approvals"), Cell::text(percent_text(r.instant_per_mille))),
    ];
    out.push(Table {
        id: "review",
        title: format!("{}（{RECENT_DAYS}{}）", lang.t("入会审核", "Review"), lang.t("天", " days")),
        chart: "",
        series: 0,
        header: vec![lang.t("指标", "Figure").to_owned(), lang.t("数值", "Value").to_owned()],
        rows: review_rows.into_iter().map(|(k, v)| vec![Cell::text(k), v]).collect(),
    });
    let s = &f.stations;
    let c = &f.cases;
    let yuan = |fen: i64| format!("{}.{:02}", fen / 100, fen % 100);
    let services = [
        (
            lang.t("服务站点", "Service stations"),
            Cell::number(s.by_kind.iter().map(|(_, n)| i64::try_from(*n).unwrap_or(0)).sum()),
        ),
        (lang.t("暂停开放站点", "Temporarily closed"), Cell::number(i64::try_from(s.closed).unwrap_or(0))),
        (
            lang.t("会员到访（30天）", "Member visits (30 days)"),
            Cell::number(i64::try_from(s.member_visits).unwrap_or(0)),
        ),
        (
            lang.t("其他到访（30天）", "Other visits (30 days)"),
            Cell::number(i64::try_from(s.anonymous_visits).unwrap_or(0)),
        ),
        (lang.t("维权案件办理中", "Legal-aid cases open"), Cell::number(c.open)),
        (lang.t("维权案件超期", "Cases past their deadline"), Cell::number(c.overdue)),
        (lang.t("办结案件（30天）", "Cases closed (30 days)"), Cell::number(c.closed)),
        (lang.t("追回金额（元，30天）", "Recovered (yuan, 30 days)"), Cell::text(yuan(c.recovered_fen))),
    ];
    out.push(Table {
        id: "services",
        title: lang.t("服务站点与维权", "Stations and legal aid").to_owned(),
        chart: "",
        series: 0,
        header: vec![lang.t("指标", "Figure").to_owned(), lang.t("数值", "Value").to_owned()],
        rows: services.into_iter().map(|(k, v)| vec![Cell::text(k), v]).collect(),
    });
    out.extend(super::panels::tables(lang, f));
    out
}

/// A city's square on the tile map: its name, members, growth and shade (0–5).
pub(crate) struct TileCell {
    pub(crate) name: &'static str,
    pub(crate) row: u8,
    pub(crate) col: u8,
    pub(crate) members: i64,
    pub(crate) growth: String,
    pub(crate) shade: u8,
    pub(crate) href: Option<String>,
}

/// Anhui's sixteen cities coloured by net growth over the months shown (relative to their
/// members), when the union's children are Anhui's city federations; else none.
pub(crate) fn tile_map(lang: Lang, f: &Figures) -> Vec<TileCell> {
    let cities: Vec<_> = f
        .by_child
        .iter()
        .filter(|c| c.region_code.len() == 4)
        .filter_map(|c| tiles::tile_of(&c.region_code).map(|t| (t, c)))
        .collect();
    if cities.is_empty() {
        return Vec::new();
    }
    let growth = |c: &huiji_store::ChildTally| huiji_core::stats::per_mille(c.net, c.held - c.net);
    let largest = cities.iter().filter_map(|(_, c)| growth(c)).max().unwrap_or(0);
    tiles::ANHUI
        .iter()
        .map(|t| {
            let child = cities.iter().find(|(tile, _)| tile.code == t.code).map(|(_, c)| *c);
            TileCell {
                name: lang.t(t.name_zh, t.name_en),
                row: t.row,
                col: t.col,
                members: child.map_or(0, |c| c.held),
                growth: percent_text(child.and_then(growth)),
                shade: child.and_then(growth).map_or(0, |g| tiles::shade(g, largest, 5)),
                href: child.map(|c| format!("/console/stats?org={}", c.org.0)),
            }
        })
        .collect()
}
