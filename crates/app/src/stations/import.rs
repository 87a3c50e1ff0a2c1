//! Importing stations from a CSV or XLSX file (UTF-8 or GBK; the headers 名称, 类型, 地址,
//! 区县/行政区划代码, 经度, 纬度, 电话, 开放时间, 服务项目): every row parsed by core, every
//! refused row reported with all its problems, names a union already has reported as
//! duplicates, the rest written in batches.
//!
//! Each station is owned by the federation of its county (区县总工会), or of its city
//! or province when the tree has none for the county — or by one union the caller names.

use std::collections::HashMap;

use huiji_core::audit::AuditAction;
use huiji_core::org::OrgKindCode;
use huiji_core::stations::{StationCells, StationDraft, StationId, parse_station};
use huiji_core::{OrgId, OrgPath, RegionCode, RegionTable};
use huiji_store::{Imported, OrgFilter};
use huiji_tabular::{HeaderSpec, Table};

use super::StationError;
use crate::App;
use crate::actor::Actor;

/// Rows written per transaction: a large file neither holds the writer for long nor
/// builds one huge transaction.
const BATCH: usize = 1_000;

/// A column of the station file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Name,
    Kind,
    Address,
    County,
    Lng,
    Lat,
    Phone,
    Hours,
    Amenities,
}

/// The headers the import understands, in the spellings station lists come with.
const SPECS: [HeaderSpec<'static, Col>; 9] = [
    HeaderSpec {
        column: Col::Name,
        name: "name",
        spellings: &["名称", "站点名称", "驿站名称", "服务站名称"],
        required: true,
    },
    HeaderSpec { column: Col::Kind, name: "kind", spellings: &["类型", "站点类型"], required: true },
    HeaderSpec {
        column: Col::Address, name: "address", spellings: &["地址", "详细地址"], required: true
    },
    HeaderSpec {
        column: Col::County,
        name: "county",
        spellings: &["区县/行政区划代码", "区县", "行政区划代码", "区县代码", "所在区县"],
        required: true,
    },
    HeaderSpec { column: Col::Lng, name: "lng", spellings: &["经度", "坐标"], required: true },
    HeaderSpec { column: Col::Lat, name: "lat", spellings: &["纬度"], required: false },
    HeaderSpec { column: Col::Phone, name: "phone", spellings: &["电话", "联系电话"], required: false },
    HeaderSpec {
        column: Col::Hours,
        name: "hours",
        spellings: &["开放时间", "服务时间", "营业时间"],
        required: true,
    },
    HeaderSpec {
        column: Col::Amenities,
        name: "amenities",
        spellings: &["服务项目", "服务内容"],
        required: false,
    },
];

/// A row that was not added, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Its row number as the spreadsheet shows it.
    pub row: u64,
    /// Every problem, as stable codes (`county.unknown`, `location.outside_china`,
    /// `owner.none`, `owner.forbidden` …).
    pub problems: Vec<&'static str>,
}

/// A row naming a station its union already has (or an earlier row of the file did).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// Its row number.
    pub row: u64,
    /// The station it repeats.
    pub of: StationId,
}

/// What an import did: nothing is dropped without a line here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows read (blank rows skipped).
    pub rows: u64,
    /// Stations added.
    pub added: u64,
    /// Rows repeating a station.
    pub duplicates: Vec<Duplicate>,
    /// Rows refused.
    pub rejected: Vec<Rejected>,
    /// Added rows whose 服务项目 had items naming no known amenity (kept out, listed).
    pub unrecognised: Vec<(u64, Vec<String>)>,
    /// Headers the import did not use (reported, not an error).
    pub unused_headers: Vec<String>,
}

/// One data row, parsed.
struct Row {
    number: u64,
    parsed: Result<StationDraft, Vec<&'static str>>,
}

/// Reads and parses every row (blocking: run it off the async workers).
fn read_rows(
    mut table: Table,
    regions: &RegionTable,
) -> Result<(Vec<Row>, Vec<String>), huiji_tabular::Error> {
    let mut records = table.records(&SPECS)?;
    let unused = records.header().unused().into_iter().map(str::to_owned).collect();
    let mut rows = Vec::new();
    for record in &mut records {
        let record = record?;
        let text = |col| record.get(col).to_string();
        let [name, kind, address, county, lng, lat, phone, hours, amenities] = [
            Col::Name,
            Col::Kind,
            Col::Address,
            Col::County,
            Col::Lng,
            Col::Lat,
            Col::Phone,
            Col::Hours,
            Col::Amenities,
        ]
        .map(text);
        let cells = StationCells {
            name: &name,
            kind: &kind,
            address: &address,
            county: &county,
            lng: &lng,
            lat: &lat,
            phone: &phone,
            hours: &hours,
            amenities: &amenities,
        };
        let parsed = parse_station(&cells, regions).map_err(|errors| errors.iter().map(|e| e.code).collect());
        rows.push(Row { number: record.number, parsed });
    }
    Ok((rows, unused))
}

/// Finds each county's owning union once: the federation whose region is the county,
/// else its city's, else its province's.
struct Owners {
    found: HashMap<RegionCode, Option<(OrgId, OrgPath)>>,
}

impl Owners {
    async fn of(&mut self, app: &App, county: RegionCode) -> Result<Option<(OrgId, OrgPath)>, StationError> {
        if let Some(found) = self.found.get(&county) {
            return Ok(found.clone());
        }
        let mut code = Some(county);
        let mut owner = None;
        while let (Some(at), None) = (code, &owner) {
            let filter =
                OrgFilter { region: Some(at), kind: Some(OrgKindCode::Federation), ..OrgFilter::default() };
            owner =
                app.store().orgs(&filter).await?.into_iter().find(|o| o.region == at).map(|o| (o.id, o.path));
            code = at.parent();
        }
        self.found.insert(county, owner.clone());
        Ok(owner)
    }
}

/// Imports a station file. With `owner`, every station is that union's; without, each
/// is its county's federation's (see the module). Rows whose owner the actor does not
/// administer are refused (`owner.forbidden`).
///
/// # Errors
///
/// The named owner is missing or out of scope, the actor is not its admin, the file
/// cannot be read (no header row with 名称, 类型, 地址, 区县, 经度 and 开放时间, a damaged
/// workbook), or the store's.
pub async fn import(
    app: &App,
    actor: &Actor,
    owner: Option<OrgId>,
    table: Table,
) -> Result<ImportReport, StationError> {
    let fixed = fixed_owner(app, actor, owner).await?;
    let regions = app.regions();
    let (rows, unused_headers) = tokio::task::spawn_blocking(move || read_rows(table, regions))
        .await
        .map_err(|e| StationError::Internal(format!("import task: {e}")))??;
    let mut report = ImportReport { unused_headers, ..ImportReport::default() };
    let mut parsed = Vec::with_capacity(rows.len());
    for row in rows {
        match row.parsed {
            Ok(draft) => parsed.push((row.number, draft)),
            Err(problems) => report.rejected.push(Rejected { row: row.number, problems }),
        }
    }
    report.rows = u64::try_from(parsed.len() + report.rejected.len()).unwrap_or(u64::MAX);
    add(app, actor, fixed, parsed, report).await
}

/// Adds stations already parsed (generated ones: the demo's seed, the benchmark's load),
/// numbered as rows, with the same owners, duplicates and audit record as [`import`].
///
/// # Errors
///
/// As [`import`], but for the file.
pub async fn import_drafts(
    app: &App,
    actor: &Actor,
    owner: Option<OrgId>,
    drafts: Vec<(u64, StationDraft)>,
) -> Result<ImportReport, StationError> {
    let fixed = fixed_owner(app, actor, owner).await?;
    let report =
        ImportReport { rows: u64::try_from(drafts.len()).unwrap_or(u64::MAX), ..ImportReport::default() };
    add(app, actor, fixed, drafts, report).await
}

/// The union named to own every station, checked, if one is.
async fn fixed_owner(
    app: &App,
    actor: &Actor,
    owner: Option<OrgId>,
) -> Result<Option<(OrgId, OrgPath)>, StationError> {
    let Some(id) = owner else { return Ok(None) };
    let org = app.store().org(id).await?.filter(|o| actor.sees(&o.path)).ok_or(StationError::NotFound)?;
    if !actor.administers(&org.path) {
        return Err(StationError::Forbidden);
    }
    Ok(Some((org.id, org.path)))
}

/// Finds each parsed row's owner, writes the rows in batches, completes the report and
/// audits the import.
async fn add(
    app: &App,
    actor: &Actor,
    fixed: Option<(OrgId, OrgPath)>,
    parsed: Vec<(u64, StationDraft)>,
    mut report: ImportReport,
) -> Result<ImportReport, StationError> {
    let mut owners = Owners { found: HashMap::new() };
    let mut valid: Vec<(u64, (OrgId, StationDraft))> = Vec::new();
    for (number, draft) in parsed {
        let owner = match &fixed {
            Some(owner) => Some(owner.clone()),
            None => owners.of(app, draft.county).await?,
        };
        match owner {
            None => report.rejected.push(Rejected { row: number, problems: vec!["owner.none"] }),
            Some((_, path)) if !actor.administers(&path) => {
                report.rejected.push(Rejected { row: number, problems: vec!["owner.forbidden"] });
            }
            Some((id, _)) => valid.push((number, (id, draft))),
        }
    }
    report.rejected.sort_by_key(|r| r.row);
    for batch in valid.chunks(BATCH) {
        let drafts: Vec<(OrgId, StationDraft)> = batch.iter().map(|(_, d)| d.clone()).collect();
        let outcomes = app.store().import_stations(&drafts, app.now()).await?;
        for ((row, (_, draft)), outcome) in batch.iter().zip(outcomes) {
            match outcome {
                Imported::New(_) => {
                    report.added += 1;
                    if !draft.unrecognised_amenities.is_empty() {
                        report.unrecognised.push((*row, draft.unrecognised_amenities.clone()));
                    }
                }
                Imported::Duplicate(of) => report.duplicates.push(Duplicate { row: *row, of }),
            }
        }
    }
    let scope = match actor {
        Actor::Officer(officer) => officer.scope.clone(),
        Actor::Operator => crate::audit::root_scope(app.store().as_ref()).await?,
    };
    let subject = format!(
        "added:{} duplicates:{} rejected:{} rows:{}",
        report.added,
        report.duplicates.len(),
        report.rejected.len(),
        report.rows
    );
    actor.audit(app, &scope, AuditAction::StationsImport, subject).await?;
    Ok(report)
}
