//! Delimited text: encodings, delimiters, quoting, row numbers, streaming, limits.

use std::io::Cursor;

use encoding_rs::{GB18030, GBK};
use huiji_tabular::{Error, Format, Limits, Table, TextEncoding};

use crate::support::{Scratch, rows_of};

const ROSTER: &str = "姓名,身份证号,手机号\n张三,34010419900101123X,13812345678\n李四,340104199202021234,\n";

fn open(scratch: &Scratch, name: &str, bytes: &[u8]) -> Table {
    Table::open(scratch.write(name, bytes), None).unwrap()
}

fn expected_roster() -> Vec<(u64, Vec<String>)> {
    vec![
        (1, vec!["姓名".into(), "身份证号".into(), "手机号".into()]),
        (2, vec!["张三".into(), "34010419900101123X".into(), "13812345678".into()]),
        (3, vec!["李四".into(), "340104199202021234".into(), String::new()]),
    ]
}

#[test]
fn utf8_without_and_with_bom() {
    let scratch = Scratch::new();
    let mut plain = open(&scratch, "plain.csv", ROSTER.as_bytes());
    assert_eq!(plain.format(), Format::Csv { encoding: TextEncoding::Utf8, delimiter: b',' });
    assert_eq!(rows_of(&mut plain), expected_roster());

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(ROSTER.as_bytes());
    let mut with_bom = open(&scratch, "bom.csv", &bom);
    assert_eq!(with_bom.format(), Format::Csv { encoding: TextEncoding::Utf8Bom, delimiter: b',' });
    // The BOM is not part of the first header.
    assert_eq!(rows_of(&mut with_bom), expected_roster());
}

#[test]
fn gbk_as_chinese_excel_and_wps_save_it() {
    let scratch = Scratch::new();
    let (gbk, _, unmappable) = GBK.encode(ROSTER);
    assert!(!unmappable);
    assert_ne!(&gbk[..], ROSTER.as_bytes());
    let mut table = open(&scratch, "gbk.csv", &gbk);
    assert_eq!(table.format(), Format::Csv { encoding: TextEncoding::Gb18030, delimiter: b',' });
    assert_eq!(rows_of(&mut table), expected_roster());
}

#[test]
fn gb18030_with_rare_characters_outside_gbk() {
    // 𠮷 (U+20BB7) and 䶮 (U+4DAE) are not in GBK; GB18030 encodes them in four bytes.
    let text = "姓名,身份证号\n𠮷野家,34010419900101123X\n刘䶮,340104199202021234\n";
    let (bytes, _, unmappable) = GB18030.encode(text);
    assert!(!unmappable);
    let (_, _, gbk_fails) = GBK.encode("𠮷䶮");
    assert!(gbk_fails, "the characters must be outside GBK for this test to mean anything");
    let scratch = Scratch::new();
    let mut table = open(&scratch, "gb18030.csv", &bytes);
    assert_eq!(table.format(), Format::Csv { encoding: TextEncoding::Gb18030, delimiter: b',' });
    let rows = rows_of(&mut table);
    assert_eq!(rows[1].1[0], "𠮷野家");
    assert_eq!(rows[2].1[0], "刘䶮");
}

#[test]
fn utf16_unicode_text_from_excel() {
    let text = "姓名\t身份证号\r\n张三\t34010419900101123X\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let scratch = Scratch::new();
    let mut table = open(&scratch, "unicode.txt", &bytes);
    assert_eq!(table.format(), Format::Csv { encoding: TextEncoding::Utf16Le, delimiter: b'\t' });
    let rows = rows_of(&mut table);
    assert_eq!(rows[1], (2, vec!["张三".to_owned(), "34010419900101123X".to_owned()]));
}

#[test]
fn semicolon_and_tab_delimiters_are_sniffed() {
    let scratch = Scratch::new();
    for (delimiter, name) in [(";", "semi.csv"), ("\t", "tab.tsv")] {
        let text = ROSTER.replace(',', delimiter);
        let mut table = open(&scratch, name, text.as_bytes());
        assert_eq!(
            table.format(),
            Format::Csv { encoding: TextEncoding::Utf8, delimiter: delimiter.as_bytes()[0] },
            "{name}"
        );
        assert_eq!(rows_of(&mut table), expected_roster(), "{name}");
    }
}

#[test]
fn quoted_fields_crlf_and_row_numbers_as_excel_shows_them() {
    let text = "姓名,地址,备注\r\n\
                张三,\"合肥市蜀山区\r\n长江西路100号\",\"他说\"\"好\"\"\"\r\n\
                \r\n\
                李四,\"a,b\",\r\n\
                王五,x,\"last\"";
    let scratch = Scratch::new();
    let mut table = open(&scratch, "quoted.csv", text.as_bytes());
    let rows = rows_of(&mut table);
    let numbers: Vec<u64> = rows.iter().map(|(n, _)| *n).collect();
    // The quoted line break stays in row 2; the blank line is row 3, as Excel shows it.
    assert_eq!(numbers, vec![1, 2, 4, 5]);
    assert_eq!(rows[1].1, vec!["张三", "合肥市蜀山区\r\n长江西路100号", "他说\"好\""]);
    assert_eq!(rows[2].1, vec!["李四", "a,b", ""]);
    assert_eq!(rows[3].1, vec!["王五", "x", "last"]);
}

#[test]
fn lone_lf_and_trailing_blank_lines() {
    let scratch = Scratch::new();
    let mut table = open(&scratch, "lf.csv", b"\n\na,b\n1,2\n\n\n");
    let rows = rows_of(&mut table);
    assert_eq!(
        rows,
        vec![(3, vec!["a".to_owned(), "b".to_owned()]), (4, vec!["1".to_owned(), "2".to_owned()])]
    );
}

#[test]
fn rows_start_over_on_each_call() {
    let scratch = Scratch::new();
    let mut table = open(&scratch, "again.csv", ROSTER.as_bytes());
    let first = rows_of(&mut table);
    assert_eq!(rows_of(&mut table), first);
}

#[test]
fn big_files_are_streamed_with_progress() {
    let mut text = String::from("姓名,身份证号,手机号\n");
    while text.len() < 8 * 1024 * 1024 {
        text.push_str("张三,34010419900101123X,13812345678\n");
    }
    let scratch = Scratch::new();
    let mut table = open(&scratch, "big.csv", text.as_bytes());
    let progress = table.progress();
    assert_eq!(progress.total_bytes(), text.len() as u64);
    let mut rows = table.rows().unwrap();
    rows.next().unwrap().unwrap();
    // After the first row only a buffer's worth has been read, not the file.
    assert!(progress.bytes_read() <= 256 * 1024, "read {} bytes for one row", progress.bytes_read());
    let mut count = 1;
    let mut halfway = None;
    for row in rows {
        row.unwrap();
        count += 1;
        if count == 100_000 {
            halfway = Some(progress.fraction());
        }
    }
    let halfway = halfway.unwrap();
    assert!(halfway > 0.3 && halfway < 0.7, "{halfway}");
    assert_eq!(count, text.lines().count());
    assert_eq!(progress.bytes_read(), progress.total_bytes());
    assert!((progress.fraction() - 1.0).abs() < f64::EPSILON);
}

#[test]
fn an_unclosed_quote_is_refused_not_swallowed() {
    let mut text = String::from("姓名,备注\n张三,ok\n李四,\"never closed\n");
    text.push_str(&"x,y\n".repeat(400_000));
    let mut table = Table::from_reader(Cursor::new(text.into_bytes()), None, Limits::default()).unwrap();
    let results: Vec<_> = table.rows().unwrap().collect();
    assert!(matches!(results.last(), Some(Err(Error::RowTooLong { row: 3, .. }))), "{:?}", results.last());
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2);
    let message = results.last().unwrap().as_ref().unwrap_err().to_string();
    assert!(message.contains("row 3"), "{message}");
}

#[test]
fn old_xls_workbooks_are_refused_by_their_magic() {
    let mut bytes = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    bytes.resize(1024, 0);
    let scratch = Scratch::new();
    let error = Table::open(scratch.write("roster.csv", &bytes), None).err().unwrap();
    assert!(matches!(error, Error::LegacyXls));
    assert!(error.message_zh().contains(".xls"));
}

#[test]
fn an_empty_file_has_no_rows() {
    let mut table = Table::from_reader(Cursor::new(Vec::new()), None, Limits::default()).unwrap();
    assert!(rows_of(&mut table).is_empty());
    assert_eq!(table.progress().fraction(), 1.0);
}

#[test]
fn a_missing_file_is_an_io_error() {
    let scratch = Scratch::new();
    assert!(matches!(Table::open(scratch.path("absent.csv"), None), Err(Error::Io(_))));
}

/// Writes rows as a spreadsheet program would: fields quoted when they need it.
fn write_csv(rows: &[Vec<String>], terminator: &str) -> String {
    let mut out = String::new();
    for row in rows {
        let fields: Vec<String> = row
            .iter()
            .map(|f| {
                if f.contains([',', '"', '\r', '\n']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.clone()
                }
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push_str(terminator);
    }
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn any_quoted_text_reads_back_in_every_encoding(
        rows in proptest::collection::vec(
            proptest::collection::vec("[a-z0-9张三李四𠮷䶮, \"\r\n]{0,8}", 2..5),
            1..20,
        ),
        crlf in proptest::bool::ANY,
        gb in proptest::bool::ANY,
    ) {
        let text = write_csv(&rows, if crlf { "\r\n" } else { "\n" });
        let bytes = if gb { GB18030.encode(&text).0.into_owned() } else { text.into_bytes() };
        let mut table = Table::from_reader(Cursor::new(bytes), None, Limits::default()).unwrap();
        let read = rows_of(&mut table);
        let expected: Vec<(u64, Vec<String>)> =
            rows.iter().enumerate().map(|(i, r)| (i as u64 + 1, r.clone())).collect();
        proptest::prop_assert_eq!(read, expected);
    }
}
