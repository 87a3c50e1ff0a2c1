//! Integration tests of the tabular reader: real files written to a temporary directory
//! (CSV in every encoding operators send, XLSX written by rust_xlsxwriter), read back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "tabular/csv.rs"]
mod csv;
#[path = "tabular/headers.rs"]
mod headers;
#[path = "tabular/support.rs"]
mod support;
#[path = "tabular/xlsx.rs"]
mod xlsx;
