//! Reads a roster file the way an import does — decode, split, match headers, parse every
//! row with `huiji_core::roster` — and prints the counts and the time: the parse-only
//! ceiling of a roster import (no storage).
//!
//! `cargo run --release -p huiji-tabular --example read_roster -- FILE [SHEET]`

use std::time::Instant;

use huiji_core::roster::{self, RawValue, RosterColumn, RosterContext, RosterRow};
use huiji_core::{CivilDate, address::RegionNames};
use huiji_tabular::{Cell, HeaderSpec, Table};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: read_roster FILE [SHEET]")?;
    let sheet = args.next();
    let started = Instant::now();
    let specs: Vec<HeaderSpec<'_, RosterColumn>> = RosterColumn::ALL
        .iter()
        .map(|&c| HeaderSpec { column: c, name: c.code(), spellings: c.spellings(), required: c.required() })
        .collect();
    let ctx = RosterContext {
        today: CivilDate::new(2026, 12, 1).ok_or("date")?,
        places: RegionNames::national(),
        scope: "34".parse().ok(),
        default_occupation: None,
    };
    let mut table = Table::open(&path, sheet.as_deref())?;
    let format = table.format();
    let (mut accepted, mut rejected) = (0u64, 0u64);
    for record in table.records(&specs)? {
        let record = record?;
        let mut row = RosterRow::default();
        for column in RosterColumn::ALL {
            row.set(
                column,
                match record.get(column) {
                    Cell::Empty => RawValue::Empty,
                    Cell::Number(n) => RawValue::Number(*n),
                    Cell::Text(text) => RawValue::Text(text),
                    _ => RawValue::Text("?"),
                },
            );
        }
        match roster::parse_row(&row, &ctx) {
            Ok(_) => accepted += 1,
            Err(_) => rejected += 1,
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let rows = accepted + rejected;
    println!(
        "{format:?}: {rows} rows ({accepted} accepted, {rejected} rejected) in {seconds:.2} s, {:.0} rows/s",
        rows as f64 / seconds
    );
    Ok(())
}
