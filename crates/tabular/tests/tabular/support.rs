//! Shared helpers: a scratch directory, file writers, and a roster-like column table.

use std::path::PathBuf;

use huiji_tabular::{Cell, HeaderSpec, Row, Table};

/// A scratch directory removed when dropped.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch { dir: tempfile::tempdir().unwrap() }
    }

    /// Writes `bytes` to a file named `name` and returns its path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// The text of every row (numbers shown as Excel shows them), with row numbers.
pub fn rows_of(table: &mut Table) -> Vec<(u64, Vec<String>)> {
    table
        .rows()
        .unwrap()
        .map(|row| row.unwrap())
        .map(|Row { number, cells }| (number, texts(&cells)))
        .collect()
}

pub fn texts(cells: &[Cell]) -> Vec<String> {
    cells.iter().map(ToString::to_string).collect()
}

/// Logical columns of a roster-like file, as an import would declare them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    Name,
    IdNumber,
    Mobile,
}

pub const SPECS: [HeaderSpec<'static, Col>; 3] = [
    HeaderSpec { column: Col::Name, name: "name", spellings: &["姓名"], required: true },
    HeaderSpec {
        column: Col::IdNumber,
        name: "id_number",
        spellings: &["身份证号", "身份证号码", "证件号码", "公民身份号码"],
        required: true,
    },
    HeaderSpec {
        column: Col::Mobile,
        name: "mobile",
        spellings: &["手机", "手机号", "联系电话"],
        required: false,
    },
];
