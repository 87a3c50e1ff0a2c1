//! Integration tests of the tabular reader: real files written to a temporary directory
//! (CSV in every encoding operators send, XLSX written by rust_xlsxwriter), read back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod csv;
mod headers;
mod support;
mod xlsx;
