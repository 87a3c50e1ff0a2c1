//! The five sheets of a registry workbook: their columns (with the spellings registries
//! use) and how a row becomes a record.

use std::path::Path;

use huiji_core::Timestamp;
use huiji_core::innovation::{
    ActivityKind, CertificateLevel, Honour, HonourKind, InnovationLevel, ProjectStatus, StudioKind,
    parse_fields,
};
use huiji_store::{NewActivity, NewMentorship, NewModelWorker, NewProject, NewStudio, Store};
use huiji_tabular::{HeaderSpec, Record};

use super::super::Result;
use super::super::registry::{valid_activity, valid_mentorship, valid_project, valid_studio, valid_worker};
use super::{Names, RowProblem, SheetReport, cells, invalid, read_sheet, refused};

/// A field code of the checks, in Chinese.
pub(super) fn field_zh(field: &str) -> &'static str {
    match field {
        "name" => "姓名或名称",
        "specialty" => "专长",
        "fields" => "领域",
        "members" | "participants" => "人数",
        "patents" => "专利数（授权多于申请）",
        "title" => "名称",
        "apprentice" => "徒弟姓名",
        "skill" => "技能",
        _ => "字段",
    }
}

/// Reads one row into a record, or says why not.
type Row<T> = std::result::Result<T, String>;

/// Reads each record of a sheet into a value (`$parse`, whose `Err` is the row's
/// problem) and saves it (`$save`); a store failure ends the import.
macro_rules! load {
    ($report:expr, $found:expr, |$record:ident| $parse:expr, |$value:ident| $save:expr) => {
        if let Some((sheet, records)) = $found {
            $report.sheet = Some(sheet);
            for $record in records {
                let number = $record.number;
                let parsed: Row<_> = async { $parse }.await;
                let outcome = match parsed {
                    Ok($value) => $save.await?.map(|_| ()).map_err(refused),
                    Err(problem) => Err(problem),
                };
                match outcome {
                    Ok(()) => $report.created += 1,
                    Err(problem) => $report.rejected.push(RowProblem { row: number, problem }),
                }
            }
        }
    };
}

/// The text of a required cell.
fn required<C: Copy + Eq>(record: &Record<C>, column: C, what: &str) -> Row<String> {
    let text = cells::text(record.get(column));
    if text.is_empty() { Err(format!("缺少{what}")) } else { Ok(text) }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum W {
    Name,
    Honour,
    Union,
    Specialty,
}

pub(super) async fn model_workers(
    store: &dyn Store,
    at: Timestamp,
    path: &Path,
    names: &Names,
    report: &mut SheetReport,
) -> Result<()> {
    let specs = [
        HeaderSpec { column: W::Name, name: "name", spellings: &["姓名"], required: true },
        HeaderSpec {
            column: W::Honour,
            name: "honour",
            spellings: &["荣誉", "荣誉称号", "称号"],
            required: true,
        },
        HeaderSpec {
            column: W::Union,
            name: "union",
            spellings: &["工会", "所在工会", "单位工会"],
            required: true,
        },
        HeaderSpec {
            column: W::Specialty,
            name: "specialty",
            spellings: &["专长", "技能专长", "专业"],
            required: false,
        },
    ];
    let found = read_sheet(path, &["劳模", "劳模工匠", "model_workers"], &specs)?;
    load!(
        report,
        found,
        |record| {
            let honour = required(&record, W::Honour, "荣誉")?;
            let honour = Honour::parse(&honour).ok_or_else(|| format!("荣誉“{honour}”无法识别"))?;
            let worker = NewModelWorker {
                name: required(&record, W::Name, "姓名")?,
                honour,
                org: names.org(&required(&record, W::Union, "工会")?)?,
                specialty: cells::text(record.get(W::Specialty)),
            };
            valid_worker(worker).map_err(|e| invalid(&e))
        },
        |value| store.save_model_worker(None, &value, at)
    );
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum S {
    Name,
    Kind,
    Level,
    Leader,
    Union,
    Fields,
    Members,
    Founded,
    Published,
}

pub(super) async fn studios(
    store: &dyn Store,
    at: Timestamp,
    path: &Path,
    names: &Names,
    report: &mut SheetReport,
) -> Result<()> {
    let specs = [
        HeaderSpec {
            column: S::Name, name: "name", spellings: &["名称", "工作室名称"], required: true
        },
        HeaderSpec {
            column: S::Kind, name: "kind", spellings: &["类型", "工作室类型"], required: false
        },
        HeaderSpec {
            column: S::Level, name: "level", spellings: &["级别", "命名级别"], required: true
        },
        HeaderSpec {
            column: S::Leader,
            name: "leader",
            spellings: &["领办人", "带头人", "领衔人"],
            required: true,
        },
        HeaderSpec {
            column: S::Union,
            name: "union",
            spellings: &["工会", "依托单位工会", "所在工会"],
            required: true,
        },
        HeaderSpec {
            column: S::Fields,
            name: "fields",
            spellings: &["领域", "专业领域", "研究领域"],
            required: false,
        },
        HeaderSpec {
            column: S::Members, name: "members", spellings: &["人数", "成员人数"], required: false
        },
        HeaderSpec {
            column: S::Founded,
            name: "founded",
            spellings: &["成立日期", "成立时间"],
            required: false,
        },
        HeaderSpec {
            column: S::Published,
            name: "published",
            spellings: &["公开", "是否公开"],
            required: false,
        },
    ];
    let found = read_sheet(path, &["工作室", "创新工作室", "studios"], &specs)?;
    load!(
        report,
        found,
        |record| {
            let level = required(&record, S::Level, "级别")?;
            let level = InnovationLevel::parse(&level).ok_or_else(|| format!("级别“{level}”无法识别"))?;
            let org = names.org(&required(&record, S::Union, "工会")?)?;
            let leader = names.worker(&required(&record, S::Leader, "领办人")?, Some(org))?;
            let kind_text = cells::text(record.get(S::Kind));
            let kind = match StudioKind::parse(&kind_text) {
                Some(kind) => kind,
                None if kind_text.is_empty() => {
                    let honour =
                        store.model_worker(leader).await.ok().flatten().map(|w| w.worker.honour.kind);
                    if honour == Some(HonourKind::Craftsman) {
                        StudioKind::Craftsman
                    } else {
                        StudioKind::ModelWorker
                    }
                }
                None => return Err(format!("类型“{kind_text}”无法识别")),
            };
            let fields = parse_fields(&cells::text(record.get(S::Fields))).ok_or("领域过多或过长")?;
            let studio = NewStudio {
                name: required(&record, S::Name, "名称")?,
                kind,
                level,
                leader,
                org,
                fields,
                members: cells::count(record.get(S::Members)).ok_or("人数无效")?,
                founded: cells::date(record.get(S::Founded)).ok_or("成立日期无效")?,
                published: cells::yes_unless_no(record.get(S::Published)),
            };
            valid_studio(studio).map_err(|e| invalid(&e))
        },
        |value| store.save_studio(None, &value, at)
    );
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum P {
    Studio,
    Title,
    Status,
    Filed,
    Granted,
    Benefit,
    Participants,
}

pub(super) async fn projects(
    store: &dyn Store,
    at: Timestamp,
    path: &Path,
    names: &Names,
    report: &mut SheetReport,
) -> Result<()> {
    let specs = [
        HeaderSpec {
            column: P::Studio,
            name: "studio",
            spellings: &["工作室", "所属工作室"],
            required: true,
        },
        HeaderSpec {
            column: P::Title, name: "title", spellings: &["项目名称", "名称"], required: true
        },
        HeaderSpec { column: P::Status, name: "status", spellings: &["状态", "进展"], required: true },
        HeaderSpec {
            column: P::Filed, name: "filed", spellings: &["专利申请", "申请专利"], required: false
        },
        HeaderSpec {
            column: P::Granted,
            name: "granted",
            spellings: &["专利授权", "授权专利"],
            required: false,
        },
        HeaderSpec {
            column: P::Benefit,
            name: "benefit",
            spellings: &["经济效益", "经济效益(元)", "创效"],
            required: false,
        },
        HeaderSpec {
            column: P::Participants,
            name: "participants",
            spellings: &["参与人数", "人数"],
            required: false,
        },
    ];
    let found = read_sheet(path, &["项目", "重点项目", "projects"], &specs)?;
    load!(
        report,
        found,
        |record| {
            let status = required(&record, P::Status, "状态")?;
            let project = NewProject {
                studio: names.studio(&required(&record, P::Studio, "工作室")?)?,
                title: required(&record, P::Title, "项目名称")?,
                status: ProjectStatus::parse(&status).ok_or_else(|| format!("状态“{status}”无法识别"))?,
                patents_filed: cells::count(record.get(P::Filed)).ok_or("专利申请数无效")?,
                patents_granted: cells::count(record.get(P::Granted)).ok_or("专利授权数无效")?,
                benefit: cells::amount(record.get(P::Benefit)).ok_or("经济效益无效")?,
                participants: cells::count(record.get(P::Participants)).ok_or("参与人数无效")?,
            };
            valid_project(project).map_err(|e| invalid(&e))
        },
        |value| store.save_project(None, &value, at)
    );
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum M {
    Studio,
    Mentor,
    Apprentice,
    Skill,
    Started,
    Certificate,
}

pub(super) async fn mentorships(
    store: &dyn Store,
    at: Timestamp,
    path: &Path,
    names: &Names,
    report: &mut SheetReport,
) -> Result<()> {
    let specs = [
        HeaderSpec {
            column: M::Studio,
            name: "studio",
            spellings: &["工作室", "所属工作室"],
            required: true,
        },
        HeaderSpec { column: M::Mentor, name: "mentor", spellings: &["师傅", "导师"], required: true },
        HeaderSpec {
            column: M::Apprentice,
            name: "apprentice",
            spellings: &["徒弟", "学员"],
            required: true,
        },
        HeaderSpec {
            column: M::Skill, name: "skill", spellings: &["技能", "传授技能"], required: false
        },
        HeaderSpec {
            column: M::Started,
            name: "started",
            spellings: &["开始日期", "结对时间"],
            required: false,
        },
        HeaderSpec {
            column: M::Certificate,
            name: "certificate",
            spellings: &["取得等级", "技能等级"],
            required: false,
        },
    ];
    let found = read_sheet(path, &["师带徒", "名师带徒", "mentorships"], &specs)?;
    load!(
        report,
        found,
        |record| {
            let studio = names.studio(&required(&record, M::Studio, "工作室")?)?;
            let studio_org = names.studios.iter().find(|(_, _, id)| *id == studio).map(|(_, org, _)| *org);
            let certificate = cells::text(record.get(M::Certificate));
            let certificate = match CertificateLevel::parse(&certificate) {
                Some(level) => Some(level),
                None if certificate.is_empty() || certificate == "无" => None,
                None => return Err(format!("等级“{certificate}”无法识别")),
            };
            let mentorship = NewMentorship {
                studio,
                mentor: names.worker(&required(&record, M::Mentor, "师傅")?, studio_org)?,
                apprentice: required(&record, M::Apprentice, "徒弟")?,
                membership: None,
                skill: cells::text(record.get(M::Skill)),
                started: cells::date(record.get(M::Started)).ok_or("开始日期无效")?,
                certificate,
            };
            valid_mentorship(mentorship).map_err(|e| invalid(&e))
        },
        |value| store.save_mentorship(None, &value, at)
    );
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum A {
    Studio,
    Kind,
    Title,
    Held,
    Smes,
}

/// An activity kind as registries write it: 讲座/授课/培训 or 走进企业/走访/帮扶.
fn activity_kind(text: &str) -> Option<ActivityKind> {
    ActivityKind::from_code_or_label(text).or_else(|| {
        if ["讲", "授课", "培训"].iter().any(|w| text.contains(w)) {
            Some(ActivityKind::Lecture)
        } else if ["企业", "走访", "帮扶"].iter().any(|w| text.contains(w)) {
            Some(ActivityKind::EnterpriseVisit)
        } else {
            None
        }
    })
}

pub(super) async fn activities(
    store: &dyn Store,
    at: Timestamp,
    path: &Path,
    names: &Names,
    report: &mut SheetReport,
) -> Result<()> {
    let specs = [
        HeaderSpec {
            column: A::Studio,
            name: "studio",
            spellings: &["工作室", "所属工作室"],
            required: true,
        },
        HeaderSpec { column: A::Kind, name: "kind", spellings: &["类型", "活动类型"], required: true },
        HeaderSpec {
            column: A::Title, name: "title", spellings: &["名称", "活动名称"], required: true
        },
        HeaderSpec { column: A::Held, name: "held", spellings: &["日期", "活动日期"], required: false },
        HeaderSpec {
            column: A::Smes,
            name: "smes",
            spellings: &["帮扶中小企业", "帮扶企业数", "中小企业数"],
            required: false,
        },
    ];
    let found = read_sheet(path, &["活动", "activities"], &specs)?;
    load!(
        report,
        found,
        |record| {
            let kind = required(&record, A::Kind, "类型")?;
            let activity = NewActivity {
                studio: names.studio(&required(&record, A::Studio, "工作室")?)?,
                kind: activity_kind(&kind).ok_or_else(|| format!("类型“{kind}”无法识别"))?,
                title: required(&record, A::Title, "名称")?,
                held: cells::date(record.get(A::Held)).ok_or("日期无效")?,
                smes_helped: cells::count(record.get(A::Smes)).ok_or("帮扶企业数无效")?,
            };
            valid_activity(activity).map_err(|e| invalid(&e))
        },
        |value| store.save_activity(None, &value, at)
    );
    Ok(())
}
