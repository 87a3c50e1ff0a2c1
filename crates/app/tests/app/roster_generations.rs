//! An import written generation by generation while its file is still read counts and
//! reports exactly what one written after the whole file was read does, on both
//! databases: repeats inside the file across generations, people already listed, changed
//! mobiles, refusals; a cancel between generations leaves the record agreeing with the
//! roster.

use huiji_app::roster::import::CancelFlag;
use huiji_store::both_databases;
use huiji_store::testing::TestDb;

use crate::roster_support::{begin_in_generations, import_ok};
use crate::support::World;

/// `count` valid ID numbers of people born in January 1990.
fn ids(count: u32) -> Vec<String> {
    (0..count)
        .map(|n| {
            let first17 = format!("3401041990{:02}{:02}{:03}", 1, n / 999 + 1, n % 999 + 1);
            let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
            format!("{first17}{}", huiji_core::id_number::check_char(&bytes).unwrap())
        })
        .collect()
}

fn file(lines: &[Vec<String>]) -> Vec<u8> {
    lines.iter().map(|l| l.join(",")).collect::<Vec<_>>().join("\r\n").into_bytes()
}

/// 25,000 people (three batches of the reading side), each batch with a repeat of a row
/// of the first batch and a refused row; every hundredth person with a new mobile.
fn big_file(ids: &[String]) -> Vec<u8> {
    let mut lines = vec![vec!["身份证号".to_owned(), "手机号".to_owned(), "从业类型".to_owned()]];
    for (n, id) in ids.iter().enumerate() {
        let mobile = if n % 100 == 0 { "13900139000" } else { "" };
        lines.push(vec![id.clone(), mobile.to_owned(), "货车司机".to_owned()]);
        if n % 10_000 == 9_000 || n == 24_000 {
            lines.push(vec![ids[n / 10_000 * 7].clone(), String::new(), "货车司机".to_owned()]);
            lines.push(vec!["3401041990".to_owned(), String::new(), "货车司机".to_owned()]);
        }
    }
    file(&lines)
}

/// Lists a few hundred of `ids` (from both ends of the file) with an old mobile.
fn earlier_file(ids: &[String]) -> Vec<u8> {
    let mut lines = vec![vec!["身份证号".to_owned(), "手机号".to_owned(), "从业类型".to_owned()]];
    for id in ids.iter().take(300).chain(ids.iter().skip(20_000).take(300)) {
        lines.push(vec![id.clone(), "13800138000".to_owned(), "货车司机".to_owned()]);
    }
    file(&lines)
}

both_databases!(
    an_import_written_in_generations_counts_and_reports_as_one_written_at_once,
    |db: TestDb| async move {
        let world = World::new(db).await;
        let ids = ids(25_000);
        for source in ["甲", "乙"] {
            import_ok(&world, source, earlier_file(&ids)).await;
        }
        let (at_once, at_once_report) = import_ok(&world, "甲", big_file(&ids)).await;
        // Every batch its own generation or more: the first is written as soon as it is read.
        let (started, report) =
            begin_in_generations(&world, "乙", big_file(&ids), 1, CancelFlag::default()).await;
        let in_generations = started.finish().await.unwrap();
        let c = in_generations.counts;
        assert_eq!(
            (c.rows, c.imported, c.already_on_roster, c.updated, c.duplicates_in_file, c.rejected),
            (25_006, 24_400, 600, 6, 3, 3),
            "{c:?}"
        );
        assert_eq!(c, at_once.counts);
        assert_eq!(report.text(), at_once_report.text(), "the same report, byte for byte");
        assert_eq!(report.text().matches("updated.mobile").count(), 6);
        assert_eq!(report.text().matches("duplicate.in_file").count(), 3);
        let cover = world.app.store().roster_coverage(&world.root.path).await.unwrap();
        assert_eq!(cover.entries, 2 * 25_000);
        // Once more in generations: nothing new.
        let (started, _) = begin_in_generations(&world, "乙", big_file(&ids), 1, CancelFlag::default()).await;
        let again = started.finish().await.unwrap().counts;
        assert_eq!((again.imported, again.already_on_roster, again.updated), (0, 25_000, 0));
    }
);

both_databases!(
    a_cancel_between_generations_leaves_the_record_agreeing_with_the_roster,
    |db: TestDb| async move {
        use huiji_store::RosterImportStatus;
        let world = World::new(db).await;
        let ids = ids(25_000);
        let cancel = CancelFlag::default();
        let (started, _) = begin_in_generations(&world, "甲", big_file(&ids), 1, cancel.clone()).await;
        let progress = started.progress();
        let running = tokio::spawn(started.finish());
        // The officer's button, pressed once the first rows are written.
        while progress.written() == 0 && !running.is_finished() {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        cancel.cancel();
        let summary = running.await.unwrap().unwrap();
        let store = world.app.store();
        let record = store.roster_import(summary.import_id).await.unwrap().unwrap();
        assert_eq!((record.status, record.counts), (summary.status, summary.counts));
        let c = record.counts;
        assert!(c.imported > 0, "the first rows were written: {c:?}");
        if summary.status == RosterImportStatus::Cancelled {
            assert!(c.imported < 25_000, "{c:?}");
        }
        assert_eq!(store.roster_coverage(&world.root.path).await.unwrap().entries, c.imported, "{c:?}");
        assert_eq!(c.not_members, c.imported, "{c:?}");
        // Importing the same file again completes it.
        let (again, _) = import_ok(&world, "甲", big_file(&ids)).await;
        assert_eq!(again.counts.imported + c.imported, 25_000);
        assert_eq!(store.roster_coverage(&world.root.path).await.unwrap().entries, 25_000);
    }
);
