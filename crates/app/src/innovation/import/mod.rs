//! The first load of a subtree's registry from an XLSX workbook, one sheet per kind:
//! 劳模 (model workers), 工作室 (studios), 项目 (key projects), 师带徒 (mentorships),
//! 活动 (activities), read in that order so later sheets can name what earlier ones
//! added. Unions, model workers and studios are named as the sheets write them and
//! looked up within the subtree; a row that cannot be read, names something unknown or
//! ambiguous, or repeats a record is reported with its row number, and the rest load.
//! The operator's command does this as the system: one audit record says what loaded.

mod cells;
mod sheets;

use std::path::Path;

use huiji_core::audit::AuditAction;
use huiji_core::innovation::{ModelWorkerId, StudioId};
use huiji_core::{OrgId, OrgPath, Timestamp};
use huiji_store::{OrgFilter, RegistryConflict, RegistryPage, Store};
use huiji_tabular::{Format, HeaderSpec, Record, Table};

use super::{InnovationError, Result};
use crate::audit::record_system;

/// One row that did not load, and why (in Chinese, for the operator).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// The row's number as the spreadsheet shows it.
    pub row: u64,
    /// What was wrong.
    pub problem: String,
}

/// What became of one sheet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SheetReport {
    /// The sheet's name as the workbook has it; `None` when the workbook has no such
    /// sheet (skipped).
    pub sheet: Option<String>,
    /// Records added.
    pub created: u32,
    /// Rows refused.
    pub rejected: Vec<RowProblem>,
}

/// What an import did, sheet by sheet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// 劳模
    pub model_workers: SheetReport,
    /// 工作室
    pub studios: SheetReport,
    /// 项目
    pub projects: SheetReport,
    /// 师带徒
    pub mentorships: SheetReport,
    /// 活动
    pub activities: SheetReport,
}

impl ImportReport {
    /// The sheets in reading order with their Chinese names.
    pub fn sheets(&self) -> [(&'static str, &SheetReport); 5] {
        [
            ("劳模", &self.model_workers),
            ("工作室", &self.studios),
            ("项目", &self.projects),
            ("师带徒", &self.mentorships),
            ("活动", &self.activities),
        ]
    }
}

/// The first of `names` the workbook has, read into records; `None` without one.
fn read_sheet<C: Copy + Eq>(
    path: &Path,
    names: &[&str],
    specs: &[HeaderSpec<'_, C>],
) -> Result<Option<(String, Vec<Record<C>>)>> {
    for name in names {
        let mut table = match Table::open(path, Some(name)) {
            Ok(table) => table,
            Err(huiji_tabular::Error::SheetNotFound { .. }) => continue,
            Err(error) => return Err(InnovationError::File(error.to_string())),
        };
        if !matches!(table.format(), Format::Xlsx { .. }) {
            return Err(InnovationError::File(
                "the registry is an XLSX workbook with one sheet per kind".to_owned(),
            ));
        }
        let records = table
            .records(specs)
            .and_then(Iterator::collect::<std::result::Result<Vec<_>, _>>)
            .map_err(|e| InnovationError::File(e.to_string()))?;
        return Ok(Some(((*name).to_owned(), records)));
    }
    Ok(None)
}

/// What rows name, looked up within the subtree.
struct Names {
    orgs: Vec<(String, OrgId)>,
    workers: Vec<(String, OrgId, ModelWorkerId)>,
    studios: Vec<(String, OrgId, StudioId)>,
}

/// The one match, or why there is none.
fn only<T: Copy>(found: Vec<T>, what: &str, name: &str) -> std::result::Result<T, String> {
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("{what}“{name}”不在该组织的登记中")),
        _ => Err(format!("{what}“{name}”不唯一")),
    }
}

impl Names {
    async fn load(store: &dyn Store, within: &OrgPath) -> Result<Names> {
        let filter = OrgFilter { within: Some(within.clone()), ..OrgFilter::default() };
        let orgs = store.orgs(&filter).await?.into_iter().map(|o| (o.name, o.id)).collect();
        let mut names = Names { orgs, workers: Vec::new(), studios: Vec::new() };
        names.reload(store, within).await?;
        Ok(names)
    }

    /// Reads the model workers and studios again (after a sheet added some).
    async fn reload(&mut self, store: &dyn Store, within: &OrgPath) -> Result<()> {
        let workers = store.model_workers(within, RegistryPage::ALL).await?;
        self.workers = workers.into_iter().map(|w| (w.worker.name, w.worker.org, w.id)).collect();
        let studios = store.studios(within, RegistryPage::ALL).await?;
        self.studios = studios.into_iter().map(|s| (s.studio.name, s.studio.org, s.id)).collect();
        Ok(())
    }

    /// A union by its name or id.
    fn org(&self, name: &str) -> std::result::Result<OrgId, String> {
        let found = self.orgs.iter().filter(|(n, id)| n == name || id.to_string() == name).map(|(_, id)| *id);
        only(found.collect(), "工会", name)
    }

    /// A model worker by name; of `union` when the name is shared.
    fn worker(&self, name: &str, union: Option<OrgId>) -> std::result::Result<ModelWorkerId, String> {
        let named: Vec<_> = self.workers.iter().filter(|(n, _, _)| n == name).collect();
        let local: Vec<_> =
            named.iter().filter(|(_, org, _)| Some(*org) == union).map(|(_, _, id)| *id).collect();
        if local.len() == 1 {
            return Ok(local[0]);
        }
        only(named.iter().map(|(_, _, id)| *id).collect(), "劳模", name)
    }

    /// A studio by name.
    fn studio(&self, name: &str) -> std::result::Result<StudioId, String> {
        only(
            self.studios.iter().filter(|(n, _, _)| n == name).map(|(_, _, id)| *id).collect(),
            "工作室",
            name,
        )
    }
}

/// Why a write was refused, for the report.
fn refused(conflict: RegistryConflict) -> String {
    match conflict {
        RegistryConflict::Duplicate => "已登记（重复）".to_owned(),
        RegistryConflict::Missing => "引用的记录不存在".to_owned(),
        RegistryConflict::InUse => "记录正被引用".to_owned(),
        RegistryConflict::Invalid => "数值超出范围".to_owned(),
    }
}

/// The code of a field a check refused, in Chinese.
fn invalid(error: &InnovationError) -> String {
    match error {
        InnovationError::Invalid(field) => format!("{}无效", sheets::field_zh(field)),
        other => other.to_string(),
    }
}

/// Loads a workbook into the registry of `org`'s subtree, as the system at `at` (the
/// operator's command: no officer acts).
///
/// # Errors
///
/// `NotFound` for no such union, `File` when the workbook cannot be read (a row that
/// cannot is reported, not an error), the store's.
pub async fn import_registry(
    store: &dyn Store,
    at: Timestamp,
    org: OrgId,
    path: &Path,
) -> Result<ImportReport> {
    let org = store.org(org).await?.ok_or(InnovationError::NotFound)?;
    let mut names = Names::load(store, &org.path).await?;
    let mut report = ImportReport::default();
    sheets::model_workers(store, at, path, &names, &mut report.model_workers).await?;
    names.reload(store, &org.path).await?;
    sheets::studios(store, at, path, &names, &mut report.studios).await?;
    names.reload(store, &org.path).await?;
    sheets::projects(store, at, path, &names, &mut report.projects).await?;
    sheets::mentorships(store, at, path, &names, &mut report.mentorships).await?;
    sheets::activities(store, at, path, &names, &mut report.activities).await?;
    let counts: Vec<String> = report
        .sheets()
        .iter()
        .map(|(name, sheet)| format!("{name} {}+{}", sheet.created, sheet.rejected.len()))
        .collect();
    record_system(
        store,
        at,
        "innovation-import",
        AuditAction::InnovationImport.code(),
        format!("org:{}", org.id),
        Some(format!("added+refused: {}", counts.join(", "))),
    )
    .await?;
    Ok(report)
}
