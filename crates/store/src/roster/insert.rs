//! The INSERT of an import batch's entries, set-wise: the people the source does not list
//! yet go in with where they stand (read from memberships and applications by index as
//! each row goes in); the others are left alone by `ON CONFLICT DO NOTHING`.

use huiji_core::roster::RosterState;
use sqlx::QueryBuilder;

use super::write::state_of;
use super::{NewRosterEntry, state};
use crate::Result;
use crate::tx::Tx;

/// SQLite's limit on bound values in one statement (`SQLITE_MAX_VARIABLE_NUMBER`).
pub(super) const SQLITE_BIND_LIMIT: usize = 32_766;

/// Values an INSERT binds once on SQLite (the time twice, the import).
const INSERT_CONSTANTS: usize = 3;

/// Values an INSERT binds per row on SQLite (name, ID, its index, mobile, its index,
/// occupation, region, employer, credit code).
const INSERT_PER_ROW: usize = 9;

/// Rows per multi-row INSERT on SQLite: as many as its bind limit lets through, so a
/// batch of ten thousand is four statements rather than twenty.
const SQLITE_INSERT_ROWS: usize = (SQLITE_BIND_LIMIT - INSERT_CONSTANTS) / INSERT_PER_ROW;

/// SQLite's INSERT takes the source, union and path from the import's row (`i`, the outer
/// loop of one row), so the statement can be made before the batch's transaction begins.
const INSERT_INTO: &str = "INSERT INTO roster_entries (source, import_id, last_import_id, org_id, org_path, name, \
    id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, occupation, region_code, employer_name, \
    employer_credit_code, state, created_at, last_seen_at) SELECT i.source, i.id, i.id, i.org_id, i.org_path, \
    v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9, ";

/// PostgreSQL: the whole batch as nine arrays, one statement whatever its size, where
/// each new person's state is looked up by index as the row goes in.
const INSERT_UNNEST: &str = concat!(
    "INSERT INTO roster_entries (source, import_id, last_import_id, org_id, org_path, name, id_number_ct, \
     id_number_bidx, mobile_ct, mobile_bidx, occupation, region_code, employer_name, employer_credit_code, state, \
     created_at, last_seen_at) SELECT $1, $2, $2, $3, $4, u.name, u.id_ct, u.bidx, u.mobile_ct, u.mobile_bidx, \
     u.occupation, u.region, u.employer, u.credit, ",
    state_of!("u.bidx"),
    ", $5, $5 FROM UNNEST($6::text[], $7::bytea[], $8::text[], $9::bytea[], $10::text[], $11::text[], $12::text[], \
     $13::text[], $14::text[]) AS u (name, id_ct, bidx, mobile_ct, mobile_bidx, occupation, region, employer, credit) \
     ON CONFLICT (id_number_bidx, source) DO NOTHING RETURNING id_number_bidx, state"
);

/// SQLite: no RETURNING. Its returned rows come back one by one through the connection's
/// worker thread (a message and a wake-up each, the largest cost of a batch after SQLite's
/// own); the rows added are read back afterwards, only as many as needed.
const INSERT_CONFLICT: &str = " ON CONFLICT (id_number_bidx, source) DO NOTHING";

/// The largest entry id before the batch: SQLite numbers a new row after the largest id,
/// and the batch's transaction is the database's only writer, so the rows it adds are the
/// ones after this.
const LAST_ENTRY: &str = "SELECT COALESCE(MAX(id), 0) FROM roster_entries";

/// The people added since `$1`, by state: one row per state with their ID blind indexes
/// joined by spaces, not a row per person — each row a statement returns comes back
/// through the connection's worker thread on its own (a message and a wake-up each).
const ADDED_SINCE: &str = "SELECT state, group_concat(id_number_bidx, ' ') FROM roster_entries WHERE id > $1 \
    GROUP BY state";

/// [`ADDED_SINCE`] for the members and applicants only, when every row of the batch was
/// added (the rest are `not_member`): a fifth of a fresh roster, not all of it.
const ADDED_SINCE_STANDING: &str = "SELECT state, group_concat(id_number_bidx, ' ') FROM roster_entries \
    WHERE id > $1 AND state <> 'not_member' GROUP BY state";

/// `items` cut for SQLite statements of at most `full` rows each: full chunks, then the
/// rest in power-of-two sizes. The connection caches each statement text it prepares, and
/// a statement of thousands of rows is a program of hundreds of kilobytes compiled
/// afresh for each new size: with one text per batch size, batches of varying sizes
/// compiled every statement anew and filled the cache with hundreds of megabytes.
/// This way each statement has at most one text per power of two.
pub(super) fn sqlite_chunks<T>(items: &[T], full: usize) -> Vec<&[T]> {
    let mut chunks = Vec::new();
    let mut rest = items;
    while !rest.is_empty() {
        let size = if rest.len() >= full { full } else { 1 << rest.len().ilog2() };
        let (chunk, after) = rest.split_at(size);
        chunks.push(chunk);
        rest = after;
    }
    chunks
}

/// What every row of a batch shares.
pub(super) struct Batch<'a> {
    pub(super) source: &'a str,
    pub(super) import_id: i64,
    pub(super) org_id: i64,
    pub(super) org_path: &'a str,
    pub(super) at: huiji_core::Timestamp,
}

/// The entries in blind-index order, as positions in the batch.
pub(super) struct Sorted<'a> {
    entries: &'a [NewRosterEntry],
    order: Vec<usize>,
}

impl<'a> Sorted<'a> {
    /// Sorts the positions of `entries` by ID blind index — the order both unique indexes
    /// are keyed by: the random keys then go into their pages in one sweep.
    pub(super) fn new(entries: &'a [NewRosterEntry]) -> Sorted<'a> {
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_unstable_by(|&a, &b| bidx(entries, a).cmp(bidx(entries, b)));
        Sorted { entries, order }
    }

    /// The positions in key order.
    pub(super) fn order(&self) -> &[usize] {
        &self.order
    }

    fn iter(&self) -> impl Iterator<Item = &'a NewRosterEntry> + '_ {
        self.order.iter().filter_map(|&i| self.entries.get(i))
    }

    /// Sets `state` at every position whose blind index is `key` (a binary search: no
    /// hashing of a million 64-character keys).
    fn mark(&self, key: &str, state: RosterState, states: &mut [Option<RosterState>]) {
        let first = self.order.partition_point(|&i| bidx(self.entries, i) < key);
        for &i in self.order.get(first..).unwrap_or_default() {
            if bidx(self.entries, i) != key {
                break;
            }
            if let Some(slot) = states.get_mut(i) {
                *slot = Some(state);
            }
        }
    }
}

/// The ID blind index of the entry at position `i` (empty past the end).
pub(super) fn bidx(entries: &[NewRosterEntry], i: usize) -> &str {
    entries.get(i).map_or("", |e| e.id_number.blind_index.as_str())
}

/// SQLite's INSERTs of a batch (at most [`SQLITE_INSERT_ROWS`] rows each, in key order),
/// made before its transaction begins: with the next part's write in flight beside this
/// one's (`app::roster::import`), the making — the largest share of the async side's
/// work for a part — overlaps the one writer's work on the part before.
pub(super) fn sqlite_inserts(
    import_id: i64,
    at: huiji_core::Timestamp,
    sorted: &Sorted<'_>,
) -> SqliteInserts {
    let entries: Vec<&NewRosterEntry> = sorted.iter().collect();
    let statements = sqlite_chunks(&entries, SQLITE_INSERT_ROWS)
        .into_iter()
        .map(|chunk| {
            let mut q = QueryBuilder::new(INSERT_INTO);
            q.push(state_of!("v.column3"))
                .push(", ")
                .push_bind(at.millis())
                .push(", ")
                .push_bind(at.millis())
                .push(" FROM roster_imports i CROSS JOIN (");
            q.push_values(chunk, |mut row, entry| {
                row.push_bind(entry.name.as_deref())
                    .push_bind(entry.id_number.ciphertext.as_slice())
                    .push_bind(entry.id_number.blind_index.as_str())
                    .push_bind(entry.mobile.as_ref().map(|m| m.ciphertext.as_slice()))
                    .push_bind(entry.mobile.as_ref().map(|m| m.blind_index.as_str()))
                    .push_bind(entry.occupation.code())
                    .push_bind(entry.region.map(|r| r.to_string()))
                    .push_bind(entry.employer_name.as_deref())
                    .push_bind(entry.employer_credit_code.as_deref());
            });
            q.push(") AS v WHERE i.id = ").push_bind(import_id).push(INSERT_CONFLICT);
            q
        })
        .collect();
    SqliteInserts(statements)
}

/// A batch's INSERTs for SQLite ([`sqlite_inserts`]).
pub(super) struct SqliteInserts(Vec<QueryBuilder<sqlx::Sqlite>>);

/// Inserts the people the source does not list yet; returns, by position, each added
/// one's state (`None`: listed already, left alone).
pub(super) async fn insert(
    tx: &mut Tx,
    batch: &Batch<'_>,
    sorted: &Sorted<'_>,
    sqlite: Option<SqliteInserts>,
) -> Result<Vec<Option<RosterState>>> {
    let mut added = vec![None; sorted.entries.len()];
    if sorted.entries.is_empty() {
        return Ok(added);
    }
    match tx {
        Tx::Postgres(t) => {
            let entries: Vec<&NewRosterEntry> = sorted.iter().collect();
            let column =
                |f: fn(&NewRosterEntry) -> Option<String>| entries.iter().map(|e| f(e)).collect::<Vec<_>>();
            let rows: Vec<(String, String)> = sqlx::query_as(INSERT_UNNEST)
                .bind(batch.source)
                .bind(batch.import_id)
                .bind(batch.org_id)
                .bind(batch.org_path)
                .bind(batch.at.millis())
                .bind(column(|e| e.name.clone()))
                .bind(entries.iter().map(|e| e.id_number.ciphertext.clone()).collect::<Vec<Vec<u8>>>())
                .bind(column(|e| Some(e.id_number.blind_index.clone())))
                .bind(
                    entries
                        .iter()
                        .map(|e| e.mobile.as_ref().map(|m| m.ciphertext.clone()))
                        .collect::<Vec<_>>(),
                )
                .bind(column(|e| e.mobile.as_ref().map(|m| m.blind_index.clone())))
                .bind(column(|e| Some(e.occupation.code().to_owned())))
                .bind(column(|e| e.region.map(|r| r.to_string())))
                .bind(column(|e| e.employer_name.clone()))
                .bind(column(|e| e.employer_credit_code.clone()))
                .fetch_all(&mut **t)
                .await?;
            for (bidx, code) in rows {
                sorted.mark(&bidx, state(&code)?, &mut added);
            }
        }
        Tx::Sqlite(t) => {
            let last: i64 = sqlx::query_scalar(LAST_ENTRY).fetch_one(&mut **t).await?;
            let mut inserted = 0;
            let statements = sqlite.unwrap_or_else(|| sqlite_inserts(batch.import_id, batch.at, sorted));
            for mut q in statements.0 {
                inserted += q.build().execute(&mut **t).await?.rows_affected();
            }
            let every = usize::try_from(inserted).is_ok_and(|n| n == sorted.entries.len());
            if every {
                added.fill(Some(RosterState::NotMember));
            }
            let query = if every { ADDED_SINCE_STANDING } else { ADDED_SINCE };
            let states: Vec<(String, String)> = sqlx::query_as(query).bind(last).fetch_all(&mut **t).await?;
            for (code, keys) in states {
                let state = state(&code)?;
                for key in keys.split(' ') {
                    sorted.mark(key, state, &mut added);
                }
            }
        }
    }
    Ok(added)
}
