//! Finding the header row and matching spellings, in CSV and XLSX alike.

use std::io::Cursor;

use huiji_tabular::{Cell, Error, Limits, Table};

use crate::support::{Col, SPECS, Scratch};

fn csv(text: &str) -> Table {
    Table::from_reader(Cursor::new(text.as_bytes().to_vec()), None, Limits::default()).unwrap()
}

#[test]
fn spellings_title_rows_and_width_are_matched() {
    let mut table = csv("2021年合肥市货车司机名单,,\n\
         ,,\n\
         \u{3000}公民身份号码（必填）,ＩＤ,姓名 *,联系电话\n\
         34010419900101123X,1,张三,13812345678\n\
         ,,,\n\
         340104199202021234,2,李四,\n");
    let mut records = table.records(&SPECS).unwrap();
    assert_eq!(records.header().row(), 3);
    assert_eq!(records.header().index(Col::IdNumber), Some(0));
    assert_eq!(records.header().index(Col::Name), Some(2));
    assert_eq!(records.header().index(Col::Mobile), Some(3));
    assert_eq!(records.header().unused(), vec!["ＩＤ"]);
    let first = records.next().unwrap().unwrap();
    assert_eq!(first.number, 4);
    assert_eq!(first.get(Col::Name), &Cell::Text("张三".into()));
    // The blank row 5 is skipped, not handed out.
    let second = records.next().unwrap().unwrap();
    assert_eq!(second.number, 6);
    assert_eq!(second.get(Col::Mobile), &Cell::Empty);
    assert!(records.next().is_none());
}

#[test]
fn a_file_without_a_required_column_is_refused_naming_what_it_saw() {
    let mut table = csv("姓名,证件,电话\n张三,34010419900101123X,13812345678\n");
    let Err(error) = table.records(&SPECS) else { panic!("accepted a file without an ID column") };
    match &error {
        Error::MissingColumns { missing, seen, row } => {
            assert_eq!(missing, &vec!["身份证号 (id_number)".to_owned()]);
            assert_eq!(seen, &vec!["姓名".to_owned(), "证件".to_owned(), "电话".to_owned()]);
            assert_eq!(*row, Some(1));
        }
        other => panic!("{other:?}"),
    }
    let en = error.to_string();
    assert!(en.contains("身份证号 (id_number)") && en.contains("姓名, 证件, 电话"), "{en}");
    let zh = error.message_zh();
    assert!(zh.contains("缺少必需的列") && zh.contains("姓名、证件、电话"), "{zh}");
}

#[test]
fn no_header_at_all_lists_every_required_column() {
    let mut table = csv("a,b\n1,2\n");
    match table.records(&SPECS) {
        Err(Error::MissingColumns { missing, seen, row: Some(1) }) => {
            assert_eq!(missing.len(), 2);
            assert_eq!(seen, vec!["a".to_owned(), "b".to_owned()]);
        }
        other => panic!("{:?}", other.err()),
    }
    let mut empty = csv("");
    assert!(matches!(empty.records(&SPECS), Err(Error::MissingColumns { row: None, .. })));
}

#[test]
fn the_header_search_stops_after_ten_non_empty_rows() {
    let mut text = "title\n".repeat(10);
    text.push_str("姓名,身份证号\n");
    assert!(matches!(csv(&text).records(&SPECS), Err(Error::MissingColumns { .. })));
    let mut text = "title\n".repeat(9);
    text.push_str("姓名,身份证号\n");
    assert_eq!(csv(&text).records(&SPECS).unwrap().header().row(), 10);
}

#[test]
fn xlsx_headers_match_the_same_way() {
    let scratch = Scratch::new();
    let path = scratch.path("headers.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(1, 0, "证件号码").unwrap();
    sheet.write_string(1, 1, "姓名").unwrap();
    sheet.write_string(2, 0, "34010419900101123X").unwrap();
    sheet.write_string(2, 1, "张三").unwrap();
    book.save(&path).unwrap();
    let mut table = Table::open(&path, None).unwrap();
    let mut records = table.records(&SPECS).unwrap();
    assert_eq!(records.header().row(), 2);
    let record = records.next().unwrap().unwrap();
    assert_eq!(record.number, 3);
    assert_eq!(record.get(Col::IdNumber).as_text(), Some("34010419900101123X"));
}
