//! Importing rosters through the use case on both databases: every encoding and XLSX
//! (with Excel's number damage), header spellings, every rejection reason in the report,
//! duplicates inside a file and across imports, re-import idempotence, updates, refusal
//! of unreadable files, scoping and the audit record.

use huiji_app::actor::Actor;
use huiji_app::roster::RosterError;
use huiji_core::{Occupation, Role};
use huiji_store::both_databases;
use huiji_store::testing::TestDb;
use rust_xlsxwriter::Workbook;

use crate::roster_support::{csv, id, import_as, import_ok};
use crate::support::World;

/// The same three people in every encoding test: a rare character (𠀾, GB18030's
/// four-byte range) in one name where the encoding can carry it.
fn people(rare: bool) -> String {
    let (a, b, c) = (id(1), id(2), id(3));
    let rare_name = if rare { "王𠀾" } else { "王五" };
    csv(
        &[
            &["姓名", "身份证号", "手机号", "从业类型", "所在地"],
            &["张三", &a, "13800138000", "货车司机", "340104"],
            &["李四", &b, "13800138001", "快递员", "安徽省合肥市蜀山区某路1号"],
            &[rare_name, &c, "", "网约车司机", "合肥市瑶海区"],
        ],
        ",",
    )
}

both_databases!(every_encoding_is_detected, |db: TestDb| async move {
    let world = World::new(db).await;
    let utf8 = people(true).into_bytes();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(&utf8);
    let (plain, rare) = (people(false), people(true));
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&plain);
    assert!(!unmappable);
    let (gb18030, _, unmappable) = encoding_rs::GB18030.encode(&rare);
    assert!(!unmappable);
    for (source, bytes) in
        [("utf8", utf8), ("bom", bom), ("gbk", gbk.into_owned()), ("gb18030", gb18030.into_owned())]
    {
        let (summary, report) = import_ok(&world, source, bytes).await;
        let c = summary.counts;
        assert_eq!(
            (c.rows, c.imported, c.rejected, c.not_members),
            (3, 3, 0, 3),
            "{source}: {}",
            report.text()
        );
    }
    // The rare character survived the GB18030 file: the non-members list shows the name.
    let people =
        huiji_app::roster::coverage::non_members(&world.app, &Actor::Operator, None, 0).await.unwrap();
    assert!(people.iter().any(|p| p.name == "王*" && p.source == "gb18030"));
    assert!(people.iter().all(|p| p.id_number.contains("**********") && !p.id_number.contains("19900101")));
});

both_databases!(header_spellings_and_delimiters_are_recognised, |db: TestDb| async move {
    let world = World::new(db).await;
    let (a, b) = (id(1), id(2));
    for (sep, headers) in [
        ("\t", ["名字", "证件号码", "联系电话", "职业", "工作地"]),
        (";", [" 人员姓名 ", "公民身份号码", "手机号码", "工种", "所在区县"]),
        (",", ["姓　名", "ＩＤ_ＮＵＭＢＥＲ", "电话", "岗位", "区县"]),
    ] {
        let text = csv(
            &[
                &headers,
                &["张三", &a, "13800138000", "货车司机", "340104"],
                &["李四", &b, "", "快递员", "340104"],
            ],
            sep,
        );
        let (summary, report) =
            import_ok(&world, &format!("spelling{}", sep.len() + headers[0].len()), text.into_bytes()).await;
        assert_eq!(
            (summary.counts.imported, summary.counts.rejected),
            (2, 0),
            "{headers:?}: {}",
            report.text()
        );
    }
});

both_databases!(a_file_without_an_id_column_is_refused_naming_its_headers, |db: TestDb| async move {
    let world = World::new(db).await;
    let text = csv(&[&["姓名", "手机"], &["张三", "13800138000"]], ",");
    let (result, _) = import_as(&world, &Actor::Operator, &world.root, "x", text.into_bytes(), None).await;
    let message = match result {
        Err(RosterError::File(e)) => e.to_string(),
        other => panic!("expected a file error, got {other:?}"),
    };
    assert!(
        message.contains("身份证号") && message.contains("姓名") && message.contains("手机"),
        "{message}"
    );
    assert!(
        world.app.store().roster_imports(&world.root.path, 10).await.unwrap().is_empty(),
        "nothing recorded"
    );
});

both_databases!(every_rejection_reason_is_reported_masked, |db: TestDb| async move {
    let world = World::new(db).await;
    let good = id(1);
    let mut bad_checksum = id(2);
    bad_checksum.replace_range(17.., if bad_checksum.ends_with('0') { "1" } else { "0" });
    let text = csv(
        &[
            &["姓名", "身份证号", "手机号", "从业类型", "所在地", "工作单位", "统一社会信用代码"],
            &["甲", "", "", "货车司机", "", "", ""],
            &["乙", "3401041990", "", "货车司机", "", "", ""],
            &["丙", &bad_checksum, "", "货车司机", "", "", ""],
            &["丁", "3.40104E+17", "", "货车司机", "", "", ""],
            &["张三3", &good, "", "货车司机", "", "", ""],
            &["戊", &id(3), "1380013", "货车司机", "", "", ""],
            &["己", &id(4), "", "飞行员", "", "", ""],
            &["庚", &id(5), "", "", "", "", ""],
            &["辛", &id(6), "", "货车司机", "999999", "", ""],
            &["壬", &id(7), "", "货车司机", "火星基地", "", ""],
            &["癸", &id(8), "", "货车司机", "安徽省", "", ""],
            &["子", &id(9), "", "货车司机", "朝阳区", "", ""],
            &["丑", &id(10), "", "货车司机", "", "某公司", "12345"],
        ],
        ",",
    );
    let (summary, report) = import_ok(&world, "交通运输局", text.into_bytes()).await;
    assert_eq!((summary.counts.rows, summary.counts.rejected, summary.counts.imported), (13, 13, 0));
    let report = report.text();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines[0], "row,column,value,code,reason_zh,reason_en");
    let codes: Vec<(String, String)> = lines[1..]
        .iter()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[0].to_owned(), cells[3].to_owned())
        })
        .collect();
    for (row, code) in [
        ("2", "id_number.missing"),
        ("3", "id_number.length"),
        ("4", "id_number.checksum"),
        ("5", "id_number.scientific"),
        ("6", "name.format"),
        ("7", "mobile.format"),
        ("8", "occupation.unknown"),
        ("9", "occupation.missing"),
        ("10", "region.unknown"),
        ("11", "region.not_found"),
        ("12", "region.too_vague"),
        ("13", "region.ambiguous"),
        ("14", "employer.credit_code.format"),
    ] {
        assert!(codes.contains(&(row.to_owned(), code.to_owned())), "row {row} {code} missing: {report}");
    }
    assert!(!report.contains(&bad_checksum), "ID numbers are masked in the report");
    assert!(
        report.contains("身份证号校验位不正确") && report.contains("check character"),
        "zh and en reasons"
    );
});

both_databases!(duplicates_and_re_imports_add_nothing_and_updates_are_reported, |db: TestDb| async move {
    let world = World::new(db).await;
    let (a, b) = (id(1), id(2));
    let first = csv(
        &[
            &["姓名", "身份证号", "手机号", "从业类型", "工作单位"],
            &["张三", &a, "13800138000", "货车司机", "顺丰"],
            &["李四", &b, "", "快递员", ""],
            &["张三", &a, "13800138009", "货车司机", ""],
        ],
        ",",
    );
    let (summary, report) = import_ok(&world, "交通运输局", first.clone().into_bytes()).await;
    let c = summary.counts;
    assert_eq!((c.rows, c.imported, c.duplicates_in_file, c.already_on_roster), (3, 2, 1, 0));
    assert!(report.text().contains("4,身份证号,3401**********"), "{}", report.text());
    assert!(report.text().contains("duplicate.in_file,与第2行身份证号重复"), "{}", report.text());

    // The same file again changes nothing.
    let (again, report) = import_ok(&world, "交通运输局", first.into_bytes()).await;
    let c = again.counts;
    assert_eq!((c.rows, c.imported, c.duplicates_in_file, c.already_on_roster, c.updated), (3, 0, 1, 2, 0));
    assert!(!report.text().contains("updated."));
    let cover = world.app.store().roster_coverage(&world.root.path).await.unwrap();
    assert_eq!(cover.entries, 2);

    // A later list of the same source with a new mobile and employer updates them, and
    // says which; another source lists the same people anew.
    let later = csv(
        &[&["身份证号", "手机号", "从业类型", "工作单位"], &[&a, "13900139000", "货车司机", "京东"]],
        ",",
    );
    let (updated, report) = import_ok(&world, "交通运输局", later.clone().into_bytes()).await;
    assert_eq!((updated.counts.already_on_roster, updated.counts.updated), (1, 1));
    assert!(report.text().contains("2,手机号,139****9000,updated.mobile"), "{}", report.text());
    assert!(report.text().contains("2,工作单位,京东,updated.employer"), "{}", report.text());
    let (other, _) = import_ok(&world, "美团", later.into_bytes()).await;
    assert_eq!(other.counts.imported, 1);
    let imports = world.app.store().roster_imports(&world.root.path, 10).await.unwrap();
    assert_eq!(imports.len(), 4);
    assert_eq!(imports[3].counts, summary.counts, "the counts are recorded with the import");
    assert_eq!(world.audit("roster.import").await.len(), 4);
});

both_databases!(xlsx_numbers_as_ids_are_reported_not_guessed, |db: TestDb| async move {
    let world = World::new(db).await;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in ["姓名", "身份证号码", "手机", "职业"].iter().enumerate() {
        sheet.write_string(0, u16::try_from(col).unwrap(), *header).unwrap();
    }
    sheet.write_string(1, 0, "张三").unwrap();
    sheet.write_string(1, 1, id(1)).unwrap();
    sheet.write_number(1, 2, 13_800_138_000.0).unwrap();
    sheet.write_string(1, 3, "货车司机").unwrap();
    sheet.write_string(2, 0, "李四").unwrap();
    // What Excel keeps of an 18-digit ID typed into a number cell: 15 significant digits.
    sheet.write_number(2, 1, 340_104_199_001_010_000.0).unwrap();
    sheet.write_string(2, 3, "货车司机").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let (summary, report) = import_ok(&world, "xlsx", bytes).await;
    assert_eq!((summary.counts.imported, summary.counts.rejected), (1, 1), "{}", report.text());
    assert!(report.text().contains("3,身份证号,3.40***E+17,id_number.scientific"), "{}", report.text());
});

both_databases!(imports_are_scoped_and_need_more_than_a_viewer, |db: TestDb| async move {
    let world = World::new(db).await;
    let text = || csv(&[&["身份证号", "从业类型"], &[&id(1), "快递员"]], ",").into_bytes();
    let viewer = Actor::Officer(Box::new(world.officer("v", &world.hefei, Role::Viewer).await));
    let (result, _) = import_as(&world, &viewer, &world.hefei, "x", text(), None).await;
    assert!(matches!(result, Err(RosterError::Forbidden)), "{result:?}");
    let reviewer = Actor::Officer(Box::new(world.officer("r", &world.hefei, Role::Reviewer).await));
    let (result, _) = import_as(&world, &reviewer, &world.wuhu, "x", text(), None).await;
    assert!(matches!(result, Err(RosterError::NotFound)), "{result:?}");
    let (result, _) = import_as(&world, &reviewer, &world.hefei, " ", text(), None).await;
    assert!(matches!(result, Err(RosterError::InvalidSource)), "{result:?}");
    let (result, _) = import_as(&world, &reviewer, &world.hefei, "交通运输局", text(), None).await;
    assert_eq!(result.unwrap().counts.imported, 1);
    // The default occupation fills a file without the column.
    let bare = csv(&[&["身份证号"], &[&id(2)]], ",").into_bytes();
    let (result, _) = import_as(&world, &reviewer, &world.hefei, "b", bare.clone(), None).await;
    assert_eq!(result.unwrap().counts.rejected, 1);
    let (result, _) =
        import_as(&world, &reviewer, &world.hefei, "c", bare, Some(Occupation::TruckDriver)).await;
    assert_eq!(result.unwrap().counts.imported, 1);
    let records = world.audit("roster.import").await;
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].actor_name, "r");
    assert!(records[0].subject.as_deref().unwrap().starts_with("交通运输局: 1 rows, 1 imported"));
});

both_databases!(an_import_whose_server_stopped_is_marked_interrupted, |db: TestDb| async move {
    use huiji_app::roster::jobs::{self, INTERRUPTED, STALE_AFTER};
    use huiji_store::{NewRosterImport, RosterImportStatus};
    let world = World::new(db).await;
    // A finished import, through the use case: the sweep never touches it.
    let first = id(1);
    let rows: &[&[&str]] = &[&["身份证号", "从业类型"], &[first.as_str(), "货车司机"]];
    import_ok(&world, "交通运输局", csv(rows, ",").into_bytes()).await;
    let store = world.app.store();
    let new = NewRosterImport {
        org: world.hefei.id,
        source: "美团".to_owned(),
        file_name: "b.csv".to_owned(),
        actor: "operator".to_owned(),
    };
    // Two imports left running: one by a server that died, one by a live one that beats.
    let dead = store.start_roster_import(&new, world.app.now()).await.unwrap();
    let alive = store.start_roster_import(&new, world.app.now()).await.unwrap();
    let stale = i64::try_from(STALE_AFTER.as_millis()).unwrap();
    world.clock.0.fetch_add(stale / 2, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(jobs::sweep(&world.app).await.unwrap(), 0, "within the window both may be alive");
    world.clock.0.fetch_add(stale / 2 + 1_000, std::sync::atomic::Ordering::SeqCst);
    store.touch_roster_import(alive, world.app.now()).await.unwrap();
    assert_eq!(jobs::sweep(&world.app).await.unwrap(), 1);
    let record = store.roster_import(dead).await.unwrap().unwrap();
    assert_eq!(
        (record.status, record.message.as_deref()),
        (RosterImportStatus::Interrupted, Some(INTERRUPTED))
    );
    assert_eq!(record.finished_at, Some(world.app.now()));
    assert_eq!(store.roster_import(alive).await.unwrap().unwrap().status, RosterImportStatus::Running);
    assert_eq!(jobs::sweep(&world.app).await.unwrap(), 0, "marked once");
    let imports = store.roster_imports(&world.root.path, 10).await.unwrap();
    assert!(imports.iter().any(|i| i.status == RosterImportStatus::Done), "the finished one stays done");
});

/// Makes the database refuse to store the roster entry of `bidx` (a test's stand-in for
/// a disk or a connection failing part way through an import).
async fn refuse_entry(url: &str, bidx: &str) {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE roster_refused (bidx TEXT PRIMARY KEY); \
             CREATE TRIGGER roster_refused BEFORE INSERT ON roster_entries \
             WHEN NEW.id_number_bidx IN (SELECT bidx FROM roster_refused) \
             BEGIN SELECT RAISE(ABORT, 'roster entry refused by the test'); END;",
        )
        .execute(&mut c)
        .await
        .unwrap();
        sqlx::query("INSERT INTO roster_refused VALUES ($1)").bind(bidx).execute(&mut c).await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE roster_refused (bidx TEXT PRIMARY KEY); \
             CREATE FUNCTION roster_refused() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.id_number_bidx IN (SELECT bidx FROM roster_refused) THEN \
             RAISE EXCEPTION 'roster entry refused by the test'; END IF; RETURN NEW; END $$; \
             CREATE TRIGGER roster_refused BEFORE INSERT ON roster_entries \
             FOR EACH ROW EXECUTE FUNCTION roster_refused();",
        )
        .execute(&mut c)
        .await
        .unwrap();
        sqlx::query("INSERT INTO roster_refused VALUES ($1)").bind(bidx).execute(&mut c).await.unwrap();
    }
}

both_databases!(a_database_error_mid_import_fails_it_without_half_counting, |db: TestDb| async move {
    use huiji_store::RosterImportStatus;
    use huiji_vault::Field;
    let url = db.url.clone();
    let world = World::new(db).await;
    // 13,000 people born on 24 days of 1990; the database refuses the one whose ID blind
    // index comes last — rows are written in blind-index order, so every transaction
    // before the refused one's is written, and the import fails there.
    let ids: Vec<String> = (0..13_000u32)
        .map(|n| {
            let (month, day, seq) = (n / 1_998 + 1, n % 1_998 / 999 + 1, n % 999 + 1);
            let first17 = format!("3401041990{month:02}{day:02}{seq:03}");
            let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
            format!("{first17}{}", huiji_core::id_number::check_char(&bytes).unwrap())
        })
        .collect();
    let refused =
        ids.iter().map(|id| world.app.keys().blind_index(Field::IdNumber, id).to_hex()).max().unwrap();
    refuse_entry(&url, &refused).await;
    let mut lines = vec![vec!["身份证号".to_owned(), "从业类型".to_owned()]];
    lines.extend(ids.iter().map(|id| vec![id.clone(), "货车司机".to_owned()]));
    let text = lines.iter().map(|l| l.join(",")).collect::<Vec<_>>().join("\r\n");

    let (result, _) =
        import_as(&world, &Actor::Operator, &world.root, "交通运输局", text.into_bytes(), None).await;
    let error = result.expect_err("the import fails with the database");
    assert!(error.to_string().contains("refused by the test"), "a clear failure: {error}");
    let store = world.app.store();
    let record = store.roster_imports(&world.root.path, 1).await.unwrap().remove(0);
    assert_eq!(record.status, RosterImportStatus::Failed);
    let c = record.counts;
    assert_eq!((c.rows, c.rejected, c.duplicates_in_file, c.already_on_roster), (13_000, 0, 0, 0), "{c:?}");
    assert!(c.imported > 0 && c.imported < 13_000, "written up to the refused transaction: {c:?}");
    assert_eq!((c.not_members, c.members, c.pending), (c.imported, 0, 0), "{c:?}");
    let cover = store.roster_coverage(&world.root.path).await.unwrap();
    assert_eq!(cover.entries, c.imported, "the refused transaction left nothing behind");
    assert!(store.roster_matches(&refused).await.unwrap().is_empty(), "the refused person is not listed");
    assert_eq!(world.audit("roster.import").await.len(), 1, "the failed import is audited");
});

both_databases!(a_cancelled_import_is_recorded_so_and_agrees_with_the_roster, |db: TestDb| async move {
    use huiji_app::roster::import::{self, CancelFlag, ImportRequest};
    use huiji_store::RosterImportStatus;
    use huiji_tabular::{Limits, Table};
    let world = World::new(db).await;
    let text = csv(&[&["身份证号", "从业类型"], &[&id(1), "货车司机"], &[&id(2), "快递员"]], ",");
    let table =
        Table::from_reader(std::io::Cursor::new(text.clone().into_bytes()), None, Limits::default()).unwrap();
    let request = ImportRequest {
        org: Some(world.root.id),
        source: "交通运输局".to_owned(),
        file_name: "roster.csv".to_owned(),
        report_name: "roster.report.csv".to_owned(),
        default_occupation: None,
    };
    let cancel = CancelFlag::default();
    let report = Box::new(crate::roster_support::Sink::default());
    let started =
        import::begin(&world.app, &Actor::Operator, &request, table, report, cancel.clone()).await.unwrap();
    // The officer's button, pressed before the first rows reach the writer.
    cancel.cancel();
    let summary = started.finish().await.unwrap();
    assert_eq!(summary.status, RosterImportStatus::Cancelled);
    let store = world.app.store();
    let record = store.roster_import(summary.import_id).await.unwrap().unwrap();
    assert_eq!((record.status, record.counts), (RosterImportStatus::Cancelled, summary.counts));
    let cover = store.roster_coverage(&world.root.path).await.unwrap();
    assert_eq!(cover.entries, record.counts.imported, "the record agrees with the roster");
    assert_eq!(world.audit("roster.import").await.len(), 1, "the cancelled import is audited");
    // Importing the same file again completes it, adding each person once.
    let (again, _) = import_ok(&world, "交通运输局", text.into_bytes()).await;
    assert_eq!(again.counts.imported + again.counts.already_on_roster, 2);
    assert_eq!(store.roster_coverage(&world.root.path).await.unwrap().entries, 2);
});

both_databases!(
    batches_sealed_side_by_side_are_written_and_reported_in_file_order,
    |db: TestDb| async move {
        let world = World::new(db).await;
        // 25,000 people born on 26 days of January 1990: three batches (10,000, 10,000 and
        // 5,000 rows to write), dealt to the sealers in turn.
        let ids: Vec<String> = (0..25_000u32)
            .map(|n| {
                let first17 = format!("3401041990{:02}{:02}{:03}", 1, n / 999 + 1, n % 999 + 1);
                let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
                format!("{first17}{}", huiji_core::id_number::check_char(&bytes).unwrap())
            })
            .collect();
        let mut lines = vec![vec!["身份证号".to_owned(), "从业类型".to_owned()]];
        for (n, id) in ids.iter().enumerate() {
            lines.push(vec![id.clone(), "货车司机".to_owned()]);
            // A repeat of an early row late in each batch, and a refused row in each.
            if n % 10_000 == 9_000 || n == 24_000 {
                lines.push(vec![ids[n / 10_000].clone(), "货车司机".to_owned()]);
                lines.push(vec!["3401041990".to_owned(), "货车司机".to_owned()]);
            }
        }
        let text = lines.iter().map(|l| l.join(",")).collect::<Vec<_>>().join("\r\n").into_bytes();
        let (summary, report) = import_ok(&world, "交通运输局", text.clone()).await;
        let c = summary.counts;
        assert_eq!(
            (c.rows, c.imported, c.duplicates_in_file, c.rejected, c.not_members),
            (25_006, 25_000, 3, 3, 25_000)
        );
        // Each kind of line in the report comes in file order, batch after batch.
        let report = report.text();
        let rows_of = |code: &str| -> Vec<u64> {
            report
                .lines()
                .filter(|l| l.contains(code))
                .map(|l| l.split(',').next().unwrap().parse().unwrap())
                .collect()
        };
        assert_eq!(rows_of("duplicate.in_file"), [9_003, 19_005, 24_007], "{report}");
        assert_eq!(rows_of("id_number.length"), [9_004, 19_006, 24_008], "{report}");
        // What was written opens again (sealed with the keys in force), and the same file
        // again changes nothing.
        let people =
            huiji_app::roster::coverage::non_members(&world.app, &Actor::Operator, None, 0).await.unwrap();
        assert!(!people.is_empty() && people.iter().all(|p| p.id_number.starts_with("3401")));
        let (again, _) = import_ok(&world, "交通运输局", text).await;
        let c = again.counts;
        assert_eq!((c.imported, c.already_on_roster, c.updated), (0, 25_000, 0));
        assert_eq!(world.app.store().roster_coverage(&world.root.path).await.unwrap().entries, 25_000);
    }
);
