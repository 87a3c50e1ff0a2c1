//! XLSX workbooks written by rust_xlsxwriter: cell kinds, numbers-as-IDs damage, dates,
//! sheets, sparse rows, inline strings, the shared-strings limit.

use std::io::Cursor;

use huiji_core::CivilDate;
use huiji_tabular::{Cell, Error, Format, Limits, Table};
use rust_xlsxwriter::{ExcelDateTime, Format as XlsxFormat, Workbook};

use crate::support::{Col, SPECS, Scratch};

/// A roster as a transport department might send it: a title, the header on row 2, one
/// ID typed as text and one that Excel turned into a number, a date, a gap.
fn roster_workbook(book: &mut Workbook) {
    let sheet = book.add_worksheet();
    sheet.set_name("名单").unwrap();
    sheet.write_string(0, 0, "2021年货车司机名单").unwrap();
    for (col, header) in ["姓名", "身份证号", "手机号", "入职日期"].iter().enumerate() {
        sheet.write_string(1, col as u16, *header).unwrap();
    }
    sheet.write_string(2, 0, "张三").unwrap();
    sheet.write_string(2, 1, "34010419900101123X").unwrap();
    sheet.write_number(2, 2, 13_812_345_678.0).unwrap();
    let date = XlsxFormat::new().set_num_format("yyyy-mm-dd");
    sheet.write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(2021, 3, 15).unwrap(), &date).unwrap();
    sheet.write_string(3, 0, "李四").unwrap();
    sheet.write_number(3, 1, 340_104_199_202_021_234.0).unwrap();
    // Row 5 (index 4) left empty; row 6 has only a name and a boolean.
    sheet.write_string(5, 0, "王五").unwrap();
    sheet.write_boolean(5, 4, true).unwrap();
}

#[test]
fn cells_keep_their_kind_and_rows_their_sheet_numbers() {
    let scratch = Scratch::new();
    let path = scratch.path("roster.xlsx");
    let mut book = Workbook::new();
    roster_workbook(&mut book);
    book.save(&path).unwrap();

    let mut table = Table::open(&path, None).unwrap();
    assert_eq!(table.format(), Format::Xlsx { sheet: "名单".into() });
    let rows: Vec<_> = table.rows().unwrap().map(Result::unwrap).collect();
    let numbers: Vec<u64> = rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, vec![1, 2, 3, 4, 6]);
    let zhang = &rows[2].cells;
    assert_eq!(zhang[1], Cell::Text("34010419900101123X".into()));
    assert_eq!(zhang[2], Cell::Number(13_812_345_678.0));
    assert_eq!(zhang[3], Cell::Date(CivilDate::new(2021, 3, 15).unwrap()));
    // The damaged ID is a number, shown as Excel shows it, never turned back into digits.
    let li = &rows[3].cells;
    assert!(matches!(li[1], Cell::Number(_)));
    assert_eq!(li[1].to_string(), "3.40104E+17");
    let wang = &rows[4].cells;
    assert_eq!(wang.len(), 5);
    assert_eq!(wang[1], Cell::Empty);
    assert_eq!(wang[4], Cell::Bool(true));
    assert_eq!(table.progress().bytes_read(), table.progress().total_bytes());
}

#[test]
fn records_hand_out_the_numeric_id_as_a_number() {
    let mut book = Workbook::new();
    roster_workbook(&mut book);
    let bytes = book.save_to_buffer().unwrap();
    let mut table = Table::from_reader(Cursor::new(bytes), None, Limits::default()).unwrap();
    let records: Vec<_> = table.records(&SPECS).unwrap().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3);
    assert_eq!(records[1].number, 4);
    assert!(matches!(records[1].get(Col::IdNumber), Cell::Number(n) if *n > 3.4e17));
    assert_eq!(records[2].get(Col::IdNumber), &Cell::Empty);
}

#[test]
fn a_named_sheet_is_read_and_an_unknown_one_refused() {
    let mut book = Workbook::new();
    book.add_worksheet().set_name("说明").unwrap().write_string(0, 0, "请勿修改表头").unwrap();
    let second = book.add_worksheet().set_name("名单").unwrap();
    second.write_string(0, 0, "姓名").unwrap();
    second.write_string(1, 0, "张三").unwrap();
    let scratch = Scratch::new();
    let path = scratch.path("two.xlsx");
    book.save(&path).unwrap();

    let mut first = Table::open(&path, None).unwrap();
    assert_eq!(first.format(), Format::Xlsx { sheet: "说明".into() });
    assert_eq!(first.rows().unwrap().count(), 1);
    let mut named = Table::open(&path, Some("名单")).unwrap();
    let rows: Vec<_> = named.rows().unwrap().map(Result::unwrap).collect();
    assert_eq!(rows[1].cells, vec![Cell::Text("张三".into())]);
    match Table::open(&path, Some("Sheet1")) {
        Err(Error::SheetNotFound { name, available }) => {
            assert_eq!(name, "Sheet1");
            assert_eq!(available, vec!["说明".to_owned(), "名单".to_owned()]);
        }
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn inline_strings_from_streaming_writers_are_read() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory().unwrap();
    sheet.write_string(0, 0, "姓名").unwrap();
    sheet.write_string(0, 1, "身份证号").unwrap();
    for row in 1..=2000u32 {
        sheet.write_string(row, 0, format!("工人{row}")).unwrap();
        sheet.write_string(row, 1, "34010419900101123X").unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let mut table = Table::from_reader(Cursor::new(bytes), None, Limits::default()).unwrap();
    let records: Vec<_> = table.records(&SPECS).unwrap().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2000);
    assert_eq!(records[1999].get(Col::Name).as_text(), Some("工人2000"));
    assert_eq!(records[1999].number, 2001);
}

#[test]
fn a_shared_strings_table_over_the_limit_is_refused() {
    let mut book = Workbook::new();
    roster_workbook(&mut book);
    let bytes = book.save_to_buffer().unwrap();
    let tight = Limits { max_shared_strings_bytes: 64 };
    match Table::from_reader(Cursor::new(bytes.clone()), None, tight) {
        Err(Error::SharedStringsTooLarge { bytes, limit: 64 }) => assert!(bytes > 64),
        other => panic!("{:?}", other.err()),
    }
    assert!(Table::from_reader(Cursor::new(bytes), None, Limits::default()).is_ok());
}

#[test]
fn a_damaged_workbook_is_a_clear_error() {
    let mut book = Workbook::new();
    roster_workbook(&mut book);
    let mut bytes = book.save_to_buffer().unwrap();
    bytes.truncate(bytes.len() / 2);
    let error = Table::from_reader(Cursor::new(bytes), None, Limits::default()).err().unwrap();
    assert!(matches!(error, Error::Xlsx(_)), "{error:?}");
    assert!(error.message_zh().contains("XLSX"));
}
