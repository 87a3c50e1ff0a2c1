//! Finding the header row and matching its headers to the caller's logical columns.
//!
//! Files come with headers in many spellings (身份证号, 身份证号码, 证件号码, ...), with
//! stray spaces, full-width letters from a Chinese IME, a star marking a required column
//! or a note in parentheses. A header matches a spelling when both are equal after
//! [`normalise_header`]; failing that, when they are equal with parenthesised notes
//! removed (手机号（选填） matches 手机号).

use huiji_core::width::half_width;

use crate::error::Error;
use crate::{Cell, Row, Rows};

/// How many non-empty rows are searched for the header row (title rows such as
/// "2021年货车司机名单" often come first).
pub const HEADER_SEARCH_ROWS: usize = 10;

/// One logical column the caller wants, and the header spellings that name it.
#[derive(Clone, Copy, Debug)]
pub struct HeaderSpec<'a, C> {
    /// The caller's key for the column.
    pub column: C,
    /// A stable name for messages, e.g. `id_number`.
    pub name: &'a str,
    /// The spellings that name it; the first is used in messages.
    pub spellings: &'a [&'a str],
    /// Whether a file without this column is refused.
    pub required: bool,
}

impl<C> HeaderSpec<'_, C> {
    fn label(&self) -> String {
        match self.spellings.first() {
            Some(first) => format!("{first} ({})", self.name),
            None => self.name.to_owned(),
        }
    }
}

/// Folds a header for matching: full-width ASCII forms (letters, digits, parentheses, ...)
/// and the ideographic space to ASCII, ASCII letters to lower case, and whitespace,
/// zero-width characters, `*` and `:` removed.
pub fn normalise_header(text: &str) -> String {
    text.chars()
        .map(half_width)
        .filter(|&c| !c.is_whitespace() && !matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '*' | ':'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The header with parenthesised notes removed: `手机号(选填)` → `手机号`.
fn without_notes(normalised: &str) -> String {
    let mut out = String::with_capacity(normalised.len());
    let mut depth = 0usize;
    for c in normalised.chars() {
        match c {
            '(' | '[' | '【' => depth += 1,
            ')' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Where each logical column is in the file, found in the header row.
#[derive(Clone, Debug, PartialEq)]
pub struct HeaderMap<C> {
    row: u64,
    headers: Vec<String>,
    columns: Vec<(C, usize)>,
}

impl<C: Copy + Eq> HeaderMap<C> {
    /// Matches one row's cells against `specs`; the leftmost header wins when two name
    /// the same column.
    pub fn match_row(row: &Row, specs: &[HeaderSpec<'_, C>]) -> HeaderMap<C> {
        let headers: Vec<String> = row.cells.iter().map(|c| c.to_string().trim().to_owned()).collect();
        let normalised: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
        let mut columns = Vec::new();
        for spec in specs {
            let spellings: Vec<String> = spec.spellings.iter().map(|s| normalise_header(s)).collect();
            let exact = normalised.iter().position(|h| !h.is_empty() && spellings.contains(h));
            let noted = || {
                normalised.iter().position(|h| {
                    let bare = without_notes(h);
                    !bare.is_empty() && spellings.contains(&bare)
                })
            };
            if let Some(index) = exact.or_else(noted) {
                columns.push((spec.column, index));
            }
        }
        HeaderMap { row: row.number, headers, columns }
    }

    /// The header row's number.
    pub fn row(&self) -> u64 {
        self.row
    }

    /// The headers as written (trimmed), left to right.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The index of `column` in each row, if the file has it.
    pub fn index(&self, column: C) -> Option<usize> {
        self.columns.iter().find(|(c, _)| *c == column).map(|&(_, i)| i)
    }

    /// Whether the file has `column`.
    pub fn has(&self, column: C) -> bool {
        self.index(column).is_some()
    }

    /// Headers that matched no column (reported to the operator, not an error).
    pub fn unused(&self) -> Vec<&str> {
        self.headers
            .iter()
            .enumerate()
            .filter(|(i, h)| !h.is_empty() && !self.columns.iter().any(|(_, c)| c == i))
            .map(|(_, h)| h.as_str())
            .collect()
    }

    fn missing(&self, specs: &[HeaderSpec<'_, C>]) -> Vec<String> {
        specs.iter().filter(|s| s.required && !self.has(s.column)).map(HeaderSpec::label).collect()
    }

    /// Takes one data row apart into the logical columns.
    pub fn record(&self, row: Row) -> Record<C> {
        let mut cells: Vec<Option<Cell>> = row.cells.into_iter().map(Some).collect();
        let fields = self
            .columns
            .iter()
            .map(|&(column, index)| {
                (column, cells.get_mut(index).and_then(Option::take).unwrap_or(Cell::Empty))
            })
            .collect();
        Record { number: row.number, fields }
    }
}

/// One data row, by logical column.
#[derive(Clone, Debug, PartialEq)]
pub struct Record<C> {
    /// The row's number in the file (see [`Row::number`]).
    pub number: u64,
    fields: Vec<(C, Cell)>,
}

impl<C: Copy + Eq> Record<C> {
    /// The cell of `column`; [`Cell::Empty`] when the file has no such column.
    pub fn get(&self, column: C) -> &Cell {
        const EMPTY: &Cell = &Cell::Empty;
        self.fields.iter().find(|(c, _)| *c == column).map_or(EMPTY, |(_, cell)| cell)
    }
}

/// Reads rows until the header row: the first of the first [`HEADER_SEARCH_ROWS`]
/// non-empty rows that names every required column (and at least one column).
pub(crate) fn find_header<C: Copy + Eq>(
    rows: &mut Rows<'_>,
    specs: &[HeaderSpec<'_, C>],
) -> Result<HeaderMap<C>, Error> {
    let mut closest: Option<(usize, HeaderMap<C>)> = None;
    let mut searched = 0;
    for row in rows.by_ref() {
        let row = row?;
        if row.is_blank() {
            continue;
        }
        let map = HeaderMap::match_row(&row, specs);
        if !map.columns.is_empty() && map.missing(specs).is_empty() {
            return Ok(map);
        }
        if closest.as_ref().is_none_or(|(matched, _)| map.columns.len() > *matched) {
            closest = Some((map.columns.len(), map));
        }
        searched += 1;
        if searched == HEADER_SEARCH_ROWS {
            break;
        }
    }
    let labels = || specs.iter().filter(|s| s.required).map(HeaderSpec::label).collect();
    Err(match closest {
        Some((_, map)) => Error::MissingColumns {
            missing: if map.columns.is_empty() { labels() } else { map.missing(specs) },
            seen: map.headers.into_iter().filter(|h| !h.is_empty()).collect(),
            row: Some(map.row),
        },
        None => Error::MissingColumns { missing: labels(), seen: Vec::new(), row: None },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Col {
        Name,
        Id,
        Mobile,
    }

    const SPECS: [HeaderSpec<'static, Col>; 3] = [
        HeaderSpec { column: Col::Name, name: "name", spellings: &["姓名"], required: false },
        HeaderSpec {
            column: Col::Id,
            name: "id_number",
            spellings: &["身份证号", "证件号码"],
            required: true,
        },
        HeaderSpec {
            column: Col::Mobile,
            name: "mobile",
            spellings: &["手机号", "联系电话"],
            required: false,
        },
    ];

    fn row(number: u64, cells: &[&str]) -> Row {
        Row { number, cells: cells.iter().map(|c| Cell::Text((*c).to_owned())).collect() }
    }

    #[test]
    fn normalisation_folds_width_space_case_and_marks() {
        assert_eq!(normalise_header("　身份证号 "), "身份证号");
        assert_eq!(normalise_header("ＩＤ　Ｎｕｍｂｅｒ"), "idnumber");
        assert_eq!(normalise_header("*姓名："), "姓名");
        assert_eq!(normalise_header("手机号（选填）"), "手机号(选填)");
        assert_eq!(normalise_header("身份证\n号码"), "身份证号码");
        assert_eq!(normalise_header("\u{FEFF}姓名"), "姓名");
        assert_eq!(without_notes("手机号(选填)"), "手机号");
        assert_eq!(without_notes("【必填】姓名"), "姓名");
    }

    #[test]
    fn headers_match_spellings_leftmost_first() {
        let map = HeaderMap::match_row(
            &row(1, &["序号", " 姓名", "证件号码", "联系电话", "手机号（选填）"]),
            &SPECS,
        );
        assert_eq!(map.index(Col::Name), Some(1));
        assert_eq!(map.index(Col::Id), Some(2));
        assert_eq!(map.index(Col::Mobile), Some(3));
        assert_eq!(map.unused(), vec!["序号", "手机号（选填）"]);
        let record = map.record(row(2, &["1", "张三", "340104", "138"]));
        assert_eq!(record.get(Col::Id), &Cell::Text("340104".into()));
        assert_eq!(record.number, 2);
        let short = map.record(row(3, &["2", "李四"]));
        assert_eq!(short.get(Col::Mobile), &Cell::Empty);
    }

    #[test]
    fn a_parenthesised_note_does_not_hide_a_header() {
        let map = HeaderMap::match_row(&row(1, &["姓名*", "身份证号(18位)"]), &SPECS);
        assert_eq!(map.index(Col::Id), Some(1));
        assert_eq!(map.index(Col::Name), Some(0));
    }
}
