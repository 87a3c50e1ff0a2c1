//! The first load from a workbook: rows that read load, rows that do not are reported
//! with their row numbers and why, names are looked up within the subtree, a second run
//! adds nothing, and one audit record says what happened.

use huiji_app::innovation::figures::figures;
use huiji_app::innovation::import::import_registry;
use huiji_core::Role;
use huiji_core::innovation::{InnovationLevel, StudioKind};
use huiji_core::money::Amount;
use huiji_store::testing::TestDb;
use huiji_store::{PublicStudioQuery, both_databases};
use rust_xlsxwriter::Workbook;

use crate::support::World;

/// A cell: text, or a number cell when it parses as one and is marked `#`.
fn write(workbook: &mut Workbook, name: &str, rows: &[&[&str]]) {
    let sheet = workbook.add_worksheet();
    sheet.set_name(name).unwrap();
    for (r, row) in (0u32..).zip(rows) {
        for (c, cell) in (0u16..).zip(row.iter()) {
            match cell.strip_prefix('#') {
                Some(number) => sheet.write_number(r, c, number.parse::<f64>().unwrap()).map(|_| ()),
                None => sheet.write_string(r, c, *cell).map(|_| ()),
            }
            .unwrap();
        }
    }
}

fn workbook(path: &std::path::Path, hefei_firm: &str, wuhu_firm: &str) {
    let mut book = Workbook::new();
    write(
        &mut book,
        "劳模",
        &[
            &["2025年劳模工匠名册"],
            &["姓名", "荣誉称号", "所在工会", "专长"],
            &["张建国", "江淮工匠", hefei_firm, "焊接"],
            &["李红", "全国劳动模范", wuhu_firm, "涂装"],
            &["王五", "三八红旗手", hefei_firm, ""],
            &["赵六", "省劳模", "不存在的工会", ""],
        ],
    );
    write(
        &mut book,
        "工作室",
        &[
            &["名称", "类型", "级别", "领办人", "依托单位工会", "领域", "人数", "成立日期", "是否公开"],
            &[
                "张建国工匠创新工作室",
                "",
                "省级",
                "张建国",
                hefei_firm,
                "焊接、机器人",
                "#12",
                "2019/5/1",
                "是",
            ],
            &[
                "李红劳模创新工作室",
                "劳模创新工作室",
                "国家级",
                "李红",
                wuhu_firm,
                "涂装",
                "#8",
                "2018年3月",
                "否",
            ],
            &["区里的工作室", "", "区级", "张建国", hefei_firm, "", "", "", ""],
        ],
    );
    write(
        &mut book,
        "项目",
        &[
            &["工作室", "项目名称", "状态", "专利申请", "专利授权", "经济效益（元）", "参与人数"],
            &["张建国工匠创新工作室", "机器人焊接工艺", "在研", "#3", "#1", "3.5万", "#6"],
            &["李红劳模创新工作室", "涂装线改造", "已完成", "#2", "#2", "#1200000", "#10"],
            &["没有的工作室", "某项目", "在研", "", "", "", ""],
            &["张建国工匠创新工作室", "专利数不对", "在研", "#1", "#3", "", ""],
        ],
    );
    write(
        &mut book,
        "师带徒",
        &[
            &["工作室", "师傅", "徒弟", "技能", "开始日期", "取得等级"],
            &["张建国工匠创新工作室", "张建国", "王小明", "氩弧焊", "2024-03-01", "高级工（三级）"],
            &["张建国工匠创新工作室", "张建国", "陈小红", "氩弧焊", "", ""],
            &["张建国工匠创新工作室", "无名氏师傅", "某某", "", "", ""],
        ],
    );
    write(
        &mut book,
        "活动",
        &[
            &["工作室", "类型", "活动名称", "活动日期", "帮扶企业数"],
            &["张建国工匠创新工作室", "走进企业", "解决焊接难题", "2025-04-18", "#3"],
            &["李红劳模创新工作室", "讲座", "涂装工艺讲座", "", "#0"],
        ],
    );
    book.save(path).unwrap();
}

both_databases!(a_workbook_loads_the_registry_and_reports_what_did_not, |db: TestDb| async move {
    let w = World::new(db).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.xlsx");
    workbook(&path, &w.hefei_firm.name, &w.wuhu_firm.name);

    let report = import_registry(w.app.store().as_ref(), w.app.now(), w.root.id, &path).await.unwrap();
    let table: Vec<_> =
        report.sheets().iter().map(|(name, s)| (*name, s.created, s.rejected.len())).collect();
    assert_eq!(table, [("劳模", 2, 2), ("工作室", 2, 1), ("项目", 2, 2), ("师带徒", 2, 1), ("活动", 2, 0)]);
    let rows: Vec<_> = report.model_workers.rejected.iter().map(|p| (p.row, p.problem.as_str())).collect();
    assert_eq!(rows, [(5, "荣誉“三八红旗手”无法识别"), (6, "工会“不存在的工会”不在该组织的登记中")]);
    assert_eq!(report.studios.rejected[0].problem, "级别“区级”无法识别");
    assert_eq!(report.projects.rejected[1].problem, "专利数（授权多于申请）无效");
    assert_eq!(report.model_workers.sheet.as_deref(), Some("劳模"));

    let province = w.officer("prov", &w.root, Role::Viewer).await;
    let (_, f) = figures(&w.app, &province, None).await.unwrap();
    assert_eq!((f.studios_at(InnovationLevel::National), f.studios_at(InnovationLevel::Provincial)), (1, 1));
    assert_eq!(
        (f.patents_filed, f.patents_granted, f.benefit),
        (5, 3, Amount::from_yuan(1_235_000).unwrap())
    );
    assert_eq!((f.mentors, f.apprentices, f.certified, f.smes_helped, f.studio_members), (1, 2, 1, 3, 20));
    let (public, _) =
        w.app.store().public_studios(&PublicStudioQuery { limit: 10, ..Default::default() }).await.unwrap();
    let public: Vec<_> =
        public.iter().map(|s| (s.studio.name.as_str(), s.studio.kind, s.studio.founded)).collect();
    let founded = huiji_core::CivilDate::new(2019, 5, 1);
    assert_eq!(public, [("张建国工匠创新工作室", StudioKind::Craftsman, founded)], "李红's is not published");

    // Run again: nothing is added twice.
    let again = import_registry(w.app.store().as_ref(), w.app.now(), w.root.id, &path).await.unwrap();
    let table: Vec<_> = again.sheets().iter().map(|(_, s)| (s.created, s.rejected.len())).collect();
    assert_eq!(table, [(0, 4), (0, 3), (0, 4), (0, 3), (0, 2)]);
    assert_eq!(again.activities.rejected[0].problem, "已登记（重复）");
    let audit = w.audit("innovation.import").await;
    assert_eq!(audit.len(), 2);
    assert_eq!(
        audit[0].reason.as_deref(),
        Some("added+refused: 劳模 2+2, 工作室 2+1, 项目 2+2, 师带徒 2+1, 活动 2+0")
    );

    // Within a city's subtree, the other city's unions are unknown.
    let hefei = import_registry(w.app.store().as_ref(), w.app.now(), w.hefei.id, &path).await.unwrap();
    assert!(hefei.model_workers.rejected.iter().any(|p| p.problem.contains(&w.wuhu_firm.name)));
});
