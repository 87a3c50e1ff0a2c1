//! Roster files made in memory and imported through the use case, the report kept.

use std::io::{Cursor, Write};
use std::sync::{Arc, Mutex};

use huiji_app::actor::Actor;
use huiji_app::roster::RosterError;
use huiji_app::roster::import::{self, CancelFlag, ImportRequest, ImportSummary};
use huiji_core::id_number::check_char;
use huiji_core::{Occupation, Org};
use huiji_tabular::{Limits, Table};

use crate::support::World;

/// A valid ID number of someone born 1990-01-01 in 蜀山区, told apart by `n`.
pub fn id(n: u32) -> String {
    let first17 = format!("34010419900101{n:03}");
    let bytes: [u8; 17] = first17.as_bytes().try_into().unwrap();
    format!("{first17}{}", check_char(&bytes).unwrap())
}

/// A report written to memory.
#[derive(Clone, Default)]
pub struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Sink {
    /// The report's text (the BOM dropped).
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap().trim_start_matches('\u{feff}').to_owned()
    }
}

/// CSV text from rows of cells joined with `sep`.
pub fn csv(rows: &[&[&str]], sep: &str) -> String {
    rows.iter().map(|r| r.join(sep)).collect::<Vec<_>>().join("\r\n")
}

/// Imports `bytes` for `org` from `source` as `actor`; the summary and the report.
pub async fn import_as(
    world: &World,
    actor: &Actor,
    org: &Org,
    source: &str,
    bytes: Vec<u8>,
    occupation: Option<Occupation>,
) -> (Result<ImportSummary, RosterError>, Sink) {
    let table = Table::from_reader(Cursor::new(bytes), None, Limits::default());
    let sink = Sink::default();
    let table = match table {
        Ok(table) => table,
        Err(e) => return (Err(e.into()), sink),
    };
    let request = ImportRequest {
        org: Some(org.id),
        source: source.to_owned(),
        file_name: "roster.csv".to_owned(),
        report_name: "roster.report.csv".to_owned(),
        default_occupation: occupation,
    };
    let result =
        import::import(&world.app, actor, &request, table, Box::new(sink.clone()), CancelFlag::default())
            .await;
    (result, sink)
}

/// Imports as the operator for the root; the summary must be `Ok`.
pub async fn import_ok(world: &World, source: &str, bytes: Vec<u8>) -> (ImportSummary, Sink) {
    let (result, sink) = import_as(world, &Actor::Operator, &world.root, source, bytes, None).await;
    (result.unwrap(), sink)
}

/// Begins importing `bytes` as the operator for the root from `source`, written every
/// `generation` accepted rows read; the import to finish and its report.
pub async fn begin_in_generations(
    world: &World,
    source: &str,
    bytes: Vec<u8>,
    generation: u64,
    cancel: CancelFlag,
) -> (import::Started, Sink) {
    let table = Table::from_reader(Cursor::new(bytes), None, Limits::default()).unwrap();
    let request = ImportRequest {
        org: Some(world.root.id),
        source: source.to_owned(),
        file_name: "roster.csv".to_owned(),
        report_name: "roster.report.csv".to_owned(),
        default_occupation: None,
    };
    let sink = Sink::default();
    let started =
        import::begin(&world.app, &Actor::Operator, &request, table, Box::new(sink.clone()), cancel)
            .await
            .unwrap();
    (started.in_generations_of(generation), sink)
}
