//! Real-name rosters in the database: imports (who brought which source for which union,
//! and the counts of what became of its rows) and entries, one per person and source,
//! sealed and blind-indexed like members. Each entry carries where its person stands
//! (member, pending, not member): computed when it is written, and kept current by the
//! join and review transactions through [`refresh_in`]. The rules — what a valid row
//! is, which imports count for which union — are `huiji_core::roster`'s.

mod counts;
mod insert;
mod read;
mod write;

pub(crate) use write::{refresh_application, state_of};

pub(crate) use counts::{REBUILD as REBUILD_ROSTER_COUNTS, verify as verify_roster_counts};

use async_trait::async_trait;
use huiji_core::roster::RosterState;
use huiji_core::{Occupation, OrgId, OrgPath, RegionCode, Timestamp};

use crate::db::SqlStore;
use crate::joining::Sealed;
use crate::tx::Tx;
use crate::{Result, StoreError};

/// How an import ended (or that it is still running).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RosterImportStatus {
    /// Rows are still being read and written.
    Running,
    /// Every row was read.
    Done,
    /// Stopped by an officer; the entries written so far stay.
    Cancelled,
    /// Stopped by an error (the file became unreadable part way).
    Failed,
    /// Its process stopped beating (died or restarted) while it ran; the entries
    /// written so far stay.
    Interrupted,
}

impl RosterImportStatus {
    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        [Self::Running, Self::Done, Self::Cancelled, Self::Failed, Self::Interrupted]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// What became of an import's rows; every data row is counted exactly once among
/// `imported`, `duplicates_in_file`, `already_on_roster` and `rejected`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RosterCounts {
    /// Data rows read (blank rows skipped).
    pub rows: u64,
    /// New entries.
    pub imported: u64,
    /// Rows repeating an ID number of an earlier row of the same file.
    pub duplicates_in_file: u64,
    /// Rows of people already on the roster from the same source.
    pub already_on_roster: u64,
    /// Of those, entries whose mobile or employer this import changed.
    pub updated: u64,
    /// Rows refused.
    pub rejected: u64,
    /// Accepted rows (new or already on the roster) of members.
    pub members: u64,
    /// Accepted rows of people with an open application.
    pub pending: u64,
    /// Accepted rows of people to reach.
    pub not_members: u64,
}

/// A new import, before its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRosterImport {
    /// The union whose officers own it.
    pub org: OrgId,
    /// Where the list came from (交通运输局, 美团 …): entries are unique per source.
    pub source: String,
    /// The file's name, as uploaded.
    pub file_name: String,
    /// Who ran it (`operator`, `user:NAME`).
    pub actor: String,
}

/// A stored import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterImportRecord {
    /// Its id.
    pub id: i64,
    /// The owning union.
    pub org: OrgId,
    /// The owning union's path.
    pub org_path: OrgPath,
    /// The source.
    pub source: String,
    /// The file's name.
    pub file_name: String,
    /// Who ran it.
    pub actor: String,
    /// Where it stands.
    pub status: RosterImportStatus,
    /// What became of its rows (so far, while running).
    pub counts: RosterCounts,
    /// Where its error report is.
    pub report: Option<String>,
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended.
    pub finished_at: Option<Timestamp>,
    /// Why it ended as it did, when that needs saying (an interruption).
    pub message: Option<String>,
}

/// One accepted row, sealed, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRosterEntry {
    /// 姓名, when the file has it.
    pub name: Option<String>,
    /// The ID number, sealed.
    pub id_number: Sealed,
    /// The mobile, sealed, when given.
    pub mobile: Option<Sealed>,
    /// 从业类型
    pub occupation: Occupation,
    /// Work region, when given.
    pub region: Option<RegionCode>,
    /// Employer name, when given.
    pub employer_name: Option<String>,
    /// Employer credit code, when given.
    pub employer_credit_code: Option<String>,
}

/// What became of one entry offered by an import.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryOutcome {
    /// Added, with where the person stands.
    New(RosterState),
    /// The source already lists the person: nothing added; `mobile` and `employer` say
    /// which of its fields this row changed.
    Existing {
        /// Where the person stands.
        state: RosterState,
        /// The mobile was replaced.
        mobile: bool,
        /// The employer was replaced.
        employer: bool,
    },
}

/// A roster listing a person (for `roster_only` and the application page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterMatch {
    /// The source.
    pub source: String,
    /// The union that imported it.
    pub org_path: OrgPath,
    /// When the entry was first imported.
    pub imported_at: Timestamp,
}

/// One group of a subtree's roster: entries and how many are members or pending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageRow<K> {
    /// What the group is (an occupation, a union).
    pub key: K,
    /// Entries.
    pub entries: u64,
    /// Of them, members.
    pub members: u64,
    /// Of them, with an open application.
    pub pending: u64,
}

/// A subtree's roster coverage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RosterCoverage {
    /// Every entry imported by a union of the subtree.
    pub entries: u64,
    /// Of them, members.
    pub members: u64,
    /// Of them, with an open application.
    pub pending: u64,
    /// By occupation, most entries first.
    pub by_occupation: Vec<CoverageRow<Occupation>>,
    /// By importing union, most entries first.
    pub by_org: Vec<CoverageRow<OrgId>>,
}

/// A non-member entry for the outreach list (the mobile sealed: the app masks or, for an
/// audited export, opens it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterPerson {
    /// The entry's id.
    pub id: i64,
    /// The source.
    pub source: String,
    /// 姓名, when known.
    pub name: Option<String>,
    /// The ID number's ciphertext.
    pub id_number_ct: Vec<u8>,
    /// The mobile's ciphertext, when known.
    pub mobile_ct: Option<Vec<u8>>,
    /// The mobile's blind index, when known (the same vault key as every mobile's).
    pub mobile_bidx: Option<String>,
    /// 从业类型
    pub occupation: Occupation,
    /// Work region, when known.
    pub region: Option<RegionCode>,
    /// Employer, when known.
    pub employer_name: Option<String>,
}

/// The roster area of the store.
#[async_trait]
pub trait RosterStore: Send + Sync {
    /// Starts an import owned by `org` (`NotFound` without the union;
    /// [`crate::Conflict::RosterSourceInvalid`] for an empty or long source).
    async fn start_roster_import(&self, new: &NewRosterImport, at: Timestamp) -> Result<i64>;
    /// Writes one batch of an import's accepted rows in one transaction: new people
    /// added with where they stand, people the source already lists left in place but
    /// for a changed mobile or employer. One outcome per entry, in order.
    async fn add_roster_entries(
        &self,
        import_id: i64,
        entries: &[NewRosterEntry],
        at: Timestamp,
    ) -> Result<Vec<EntryOutcome>>;
    /// Records an import's counts so far (progress), and its end when `status` is not
    /// running.
    async fn update_roster_import(
        &self,
        import_id: i64,
        status: RosterImportStatus,
        counts: &RosterCounts,
        report: Option<&str>,
        at: Timestamp,
    ) -> Result<()>;
    /// Stamps a running import's heartbeat: its process is alive.
    async fn touch_roster_import(&self, import_id: i64, at: Timestamp) -> Result<()>;
    /// Marks every import still running whose heartbeat is older than `stale_before`
    /// interrupted, with `message`; returns how many.
    async fn interrupt_stale_roster_imports(
        &self,
        stale_before: Timestamp,
        message: &str,
        at: Timestamp,
    ) -> Result<u64>;
    /// One import.
    async fn roster_import(&self, id: i64) -> Result<Option<RosterImportRecord>>;
    /// The imports of unions within `within`, newest first.
    async fn roster_imports(&self, within: &OrgPath, limit: u32) -> Result<Vec<RosterImportRecord>>;
    /// Every roster entry for a person (by the ID number's blind index).
    async fn roster_matches(&self, id_number_bidx: &str) -> Result<Vec<RosterMatch>>;
    /// The coverage of the roster imported within `within`.
    async fn roster_coverage(&self, within: &OrgPath) -> Result<RosterCoverage>;
    /// A page of the non-members imported within `within`, by id after `after`.
    async fn roster_non_members(&self, within: &OrgPath, after: i64, limit: u32)
    -> Result<Vec<RosterPerson>>;
    /// Deletes the entries of people who never joined (state `not_member`) last imported
    /// before `cutoff`; the imports' counts stay. Returns how many went.
    async fn purge_roster(&self, cutoff: Timestamp) -> Result<u64>;
}

/// Refreshes where the person of an application stands on every roster listing them,
/// inside the join or review transaction that changed it (one call line there).
///
/// # Errors
///
/// The database's.
pub(crate) async fn refresh_in(tx: &mut Tx, application_id: i64) -> Result<()> {
    write::refresh(tx, application_id).await
}

/// Refreshes where the person of a membership stands on every roster listing them,
/// inside the lifecycle transaction that changed its status (one call line there).
///
/// # Errors
///
/// The database's.
pub(crate) async fn membership_changed_in(tx: &mut Tx, membership_id: i64) -> Result<()> {
    write::refresh_membership(tx, membership_id).await
}

#[async_trait]
impl RosterStore for SqlStore {
    async fn start_roster_import(&self, new: &NewRosterImport, at: Timestamp) -> Result<i64> {
        write::start(self, new, at).await
    }

    async fn add_roster_entries(
        &self,
        import_id: i64,
        entries: &[NewRosterEntry],
        at: Timestamp,
    ) -> Result<Vec<EntryOutcome>> {
        write::add(self, import_id, entries, at).await
    }

    async fn update_roster_import(
        &self,
        import_id: i64,
        status: RosterImportStatus,
        counts: &RosterCounts,
        report: Option<&str>,
        at: Timestamp,
    ) -> Result<()> {
        write::update_import(self, import_id, status, counts, report, at).await
    }

    async fn touch_roster_import(&self, import_id: i64, at: Timestamp) -> Result<()> {
        write::touch(self, import_id, at).await
    }

    async fn interrupt_stale_roster_imports(
        &self,
        stale_before: Timestamp,
        message: &str,
        at: Timestamp,
    ) -> Result<u64> {
        write::interrupt_stale(self, stale_before, message, at).await
    }

    async fn roster_import(&self, id: i64) -> Result<Option<RosterImportRecord>> {
        read::import(self, id).await
    }

    async fn roster_imports(&self, within: &OrgPath, limit: u32) -> Result<Vec<RosterImportRecord>> {
        read::imports(self, within, limit).await
    }

    async fn roster_matches(&self, id_number_bidx: &str) -> Result<Vec<RosterMatch>> {
        read::matches(self, id_number_bidx).await
    }

    async fn roster_coverage(&self, within: &OrgPath) -> Result<RosterCoverage> {
        read::coverage(self, within).await
    }

    async fn roster_non_members(
        &self,
        within: &OrgPath,
        after: i64,
        limit: u32,
    ) -> Result<Vec<RosterPerson>> {
        read::non_members(self, within, after, limit).await
    }

    async fn purge_roster(&self, cutoff: Timestamp) -> Result<u64> {
        write::purge(self, cutoff).await
    }
}

/// A count from the database as the unsigned number it is.
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A stored state code read back.
fn state(code: &str) -> Result<RosterState> {
    code.parse().map_err(|_| StoreError::Corrupt(format!("roster state {code}")))
}
