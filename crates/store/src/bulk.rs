//! Bulk loading of memberships (`huiji gen`): millions of rows in minutes instead of
//! hours. SQLite takes batched multi-row INSERTs in large transactions; PostgreSQL takes
//! COPY. Both load without the secondary indexes and build them once at the end (a sort
//! instead of millions of random index insertions), and both leave the held-member
//! counts right: SQLite's count triggers stay on (they touch one small row per insert);
//! PostgreSQL's is switched off during COPY and the counts are recomputed once.
//!
//! A bulk load is for an empty memberships table and is not atomic: if it fails half
//! way, start again from a fresh database.

use sqlx::{AssertSqlSafe, QueryBuilder, Sqlite};

use crate::db::{Pools, SqlStore};
use crate::members::held_statuses;
use crate::{Result, Sealed, StoreError};

/// One membership to load, sealed and numbered by the caller (through the vault and
/// `MemberNumber`, as the join service does). Each gets its `joined` event too.
#[derive(Clone, Debug)]
pub struct BulkMember {
    /// The row id, chosen by the caller (ids follow on from [`BulkLoad::first_id`]).
    pub id: i64,
    /// Its member number (made from the id).
    pub member_number: String,
    /// `active`, `retained`, `withdrawn` ...
    pub status: &'static str,
    /// Home union.
    pub home_org_id: i64,
    /// The home union's path.
    pub home_path: String,
    /// Whether it sits in a turnover pool.
    pub in_pool: bool,
    /// 姓名
    pub name: String,
    /// The ID number, sealed.
    pub id_number: Sealed,
    /// The mobile, sealed.
    pub mobile: Sealed,
    /// `male` or `female`.
    pub sex: &'static str,
    /// Occupation code.
    pub occupation: &'static str,
    /// County-level work region.
    pub region_code: String,
    /// Joined (ms).
    pub joined_at: i64,
    /// When a member no longer held (withdrawn, expelled, deceased) left: the load writes
    /// that leaving as an event too, so the statistics' flows account for every member.
    pub left_at: Option<i64>,
}

/// Who the `joined` events of loaded members name as actor.
const ACTOR: &str = "bulk-load";

/// SQLite's limit is 32,766 bound values per statement: 13 per row, so 1,000 rows a
/// statement stays well below it and keeps one cached statement for full batches.
const SQLITE_ROWS_PER_STATEMENT: usize = 1000;

const COUNT_MEMBERSHIPS: &str = "SELECT COUNT(*) FROM memberships";

const SQLITE_INDEXES: &str = "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
    AND tbl_name IN ('memberships', 'membership_events') AND sql IS NOT NULL ORDER BY name";

/// Indexes that back a constraint (the primary keys, the member number's UNIQUE) stay.
const PG_INDEXES: &str = "SELECT indexname::text, indexdef FROM pg_indexes \
    WHERE schemaname = current_schema() AND tablename IN ('memberships', 'membership_events') \
    AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = indexname) ORDER BY indexname";

const MEMBER_COLUMNS: &str = "id, member_number, status, home_org_id, home_path, in_pool, name, \
    id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, joined_at";

const PG_COPY_MEMBERS: &str = "COPY memberships (id, member_number, status, home_org_id, home_path, in_pool, \
    name, id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, joined_at) \
    FROM STDIN";

const PG_COPY_EVENTS: &str =
    "COPY membership_events (membership_id, kind, from_org_id, to_org_id, actor, reason, at) FROM STDIN";

const PG_DISABLE_COUNT: &str = "ALTER TABLE memberships DISABLE TRIGGER memberships_count";
const PG_ENABLE_COUNT: &str = "ALTER TABLE memberships ENABLE TRIGGER memberships_count";
const PG_DISABLE_OCCUPATION_COUNT: &str =
    "ALTER TABLE memberships DISABLE TRIGGER memberships_occupation_count";
const PG_ENABLE_OCCUPATION_COUNT: &str =
    "ALTER TABLE memberships ENABLE TRIGGER memberships_occupation_count";
const RESET_COUNTS: &str = "DELETE FROM org_member_counts";
const RECOUNT: &str = concat!(
    "INSERT INTO org_member_counts (org_id, held) SELECT home_org_id, COUNT(*) FROM memberships WHERE status IN ",
    held_statuses!(),
    " GROUP BY home_org_id"
);
const RESET_OCCUPATION_COUNTS: &str = "DELETE FROM org_occupation_counts";
const RECOUNT_OCCUPATIONS: &str = concat!(
    "INSERT INTO org_occupation_counts (org_id, occupation, held) \
     SELECT home_org_id, occupation, COUNT(*) FROM memberships WHERE status IN ",
    held_statuses!(),
    " GROUP BY home_org_id, occupation"
);
/// Explicit ids bypass the identity sequence; move it past them.
const PG_SET_SEQUENCE: &str = "SELECT setval(pg_get_serial_sequence('memberships', 'id'), \
    (SELECT COALESCE(MAX(id), 0) + 1 FROM memberships), false)";

/// A bulk load in progress: the secondary indexes are gone until [`BulkLoad::finish`].
#[derive(Debug)]
pub struct BulkLoad {
    store: SqlStore,
    /// (name, definition) of the indexes dropped at the start.
    indexes: Vec<(String, String)>,
}

impl SqlStore {
    /// Starts a bulk load into an empty memberships table.
    pub async fn begin_bulk_load(&self) -> Result<BulkLoad> {
        let indexes: Vec<(String, String)> = match &self.pools {
            Pools::Sqlite { write, .. } => {
                let wanted = write.wanted();
                let write: &sqlx::SqlitePool = &wanted;
                let count: i64 = sqlx::query_scalar(COUNT_MEMBERSHIPS).fetch_one(write).await?;
                if count > 0 {
                    return Err(StoreError::NotEmpty("memberships"));
                }
                // A large page cache keeps the tables' right edges and the org rows
                // in memory; the transactions are large, so fsyncs are rare anyway.
                sqlx::query("PRAGMA cache_size = -1000000").execute(write).await?;
                sqlx::query_as(SQLITE_INDEXES).fetch_all(write).await?
            }
            Pools::Postgres(pool) => {
                let count: i64 = sqlx::query_scalar(COUNT_MEMBERSHIPS).fetch_one(pool).await?;
                if count > 0 {
                    return Err(StoreError::NotEmpty("memberships"));
                }
                sqlx::query(PG_DISABLE_COUNT).execute(pool).await?;
                sqlx::query(PG_DISABLE_OCCUPATION_COUNT).execute(pool).await?;
                sqlx::query_as(PG_INDEXES).fetch_all(pool).await?
            }
        };
        for (name, _) in &indexes {
            let mut drop = QueryBuilder::<Sqlite>::new("DROP INDEX ");
            drop.push(quote_identifier(name));
            let sql = drop.into_string();
            match &self.pools {
                Pools::Sqlite { write, .. } => {
                    sqlx::query(AssertSqlSafe(sql)).execute(&*write.wanted()).await?;
                }
                Pools::Postgres(pool) => {
                    sqlx::query(AssertSqlSafe(sql)).execute(pool).await?;
                }
            }
        }
        Ok(BulkLoad { store: self.clone(), indexes })
    }
}

/// Double-quotes an identifier read from the catalog (quotes inside doubled), so the
/// statement names exactly that index.
fn quote_identifier(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len() + 2);
    quoted.push('"');
    quoted.push_str(&name.replace('"', "\"\""));
    quoted.push('"');
    quoted
}

impl BulkLoad {
    /// The id the first loaded membership should get (the table is empty).
    pub fn first_id(&self) -> i64 {
        1
    }

    /// Loads one batch of memberships and their `joined` events, in one transaction
    /// (SQLite) or two COPYs (PostgreSQL).
    pub async fn insert(&mut self, members: &[BulkMember]) -> Result<()> {
        match &self.store.pools {
            Pools::Sqlite { write, .. } => {
                let mut tx = write.wanted().begin().await?;
                for chunk in members.chunks(SQLITE_ROWS_PER_STATEMENT) {
                    let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO memberships (");
                    insert.push(MEMBER_COLUMNS).push(") ");
                    insert.push_values(chunk, |mut row, m| {
                        row.push_bind(m.id)
                            .push_bind(&m.member_number)
                            .push_bind(m.status)
                            .push_bind(m.home_org_id)
                            .push_bind(&m.home_path)
                            .push_bind(m.in_pool)
                            .push_bind(&m.name)
                            .push_bind(&m.id_number.ciphertext)
                            .push_bind(&m.id_number.blind_index)
                            .push_bind(&m.mobile.ciphertext)
                            .push_bind(&m.mobile.blind_index)
                            .push_bind(m.sex)
                            .push_bind(m.occupation)
                            .push_bind(&m.region_code)
                            .push_bind(m.joined_at);
                    });
                    insert.build().persistent(true).execute(&mut *tx).await?;
                    let mut events = QueryBuilder::<Sqlite>::new(
                        "INSERT INTO membership_events (membership_id, kind, from_org_id, to_org_id, actor, reason, at) ",
                    );
                    events.push_values(events_of(chunk), |mut row, (m, kind, at)| {
                        row.push_bind(m.id)
                            .push_bind(kind)
                            .push_bind((kind != "joined").then_some(m.home_org_id))
                            .push_bind(m.home_org_id)
                            .push_bind(ACTOR)
                            .push_bind(None::<String>)
                            .push_bind(at);
                    });
                    events.build().persistent(true).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
            Pools::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let mut copy = conn.copy_in_raw(PG_COPY_MEMBERS).await?;
                copy.send(copy_members(members)).await?;
                copy.finish().await?;
                let mut copy = conn.copy_in_raw(PG_COPY_EVENTS).await?;
                copy.send(copy_events(members)).await?;
                copy.finish().await?;
            }
        }
        Ok(())
    }

    /// Builds the dropped indexes again, recounts held members (PostgreSQL), and
    /// refreshes the planner's statistics.
    pub async fn finish(self) -> Result<()> {
        match &self.store.pools {
            Pools::Sqlite { write, .. } => {
                let wanted = write.wanted();
                let write: &sqlx::SqlitePool = &wanted;
                for (_, definition) in &self.indexes {
                    sqlx::query(AssertSqlSafe(definition.clone())).execute(write).await?;
                }
                sqlx::query("ANALYZE").execute(write).await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(write).await?;
            }
            Pools::Postgres(pool) => {
                // Index builds sort in memory when they may use more of it.
                let mut conn = pool.acquire().await?;
                sqlx::query("SET maintenance_work_mem = '1GB'").execute(&mut *conn).await?;
                for (_, definition) in &self.indexes {
                    sqlx::query(AssertSqlSafe(definition.clone())).execute(&mut *conn).await?;
                }
                sqlx::query("RESET maintenance_work_mem").execute(&mut *conn).await?;
                drop(conn);
                let mut tx = pool.begin().await?;
                sqlx::query(RESET_COUNTS).execute(&mut *tx).await?;
                sqlx::query(RECOUNT).execute(&mut *tx).await?;
                sqlx::query(RESET_OCCUPATION_COUNTS).execute(&mut *tx).await?;
                sqlx::query(RECOUNT_OCCUPATIONS).execute(&mut *tx).await?;
                sqlx::query(PG_ENABLE_COUNT).execute(&mut *tx).await?;
                sqlx::query(PG_ENABLE_OCCUPATION_COUNT).execute(&mut *tx).await?;
                sqlx::query(PG_SET_SEQUENCE).execute(&mut *tx).await?;
                tx.commit().await?;
                sqlx::query("VACUUM ANALYZE memberships").execute(pool).await?;
                sqlx::query("VACUUM ANALYZE membership_events").execute(pool).await?;
                sqlx::query("VACUUM ANALYZE org_member_counts").execute(pool).await?;
                sqlx::query("VACUUM ANALYZE org_occupation_counts").execute(pool).await?;
            }
        }
        // The load bypassed the statistics' per-change upkeep: recount them once.
        self.store.rebuild_rollups().await?;
        Ok(())
    }
}

/// Appends a value to COPY text format: backslash, tab and line breaks escaped.
fn copy_text(out: &mut Vec<u8>, value: &str) {
    for byte in value.bytes() {
        match byte {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            other => out.push(other),
        }
    }
}

/// A bytea in COPY text format: `\\x` and hex digits.
fn copy_bytes(out: &mut Vec<u8>, value: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\\\x");
    for byte in value {
        out.push(HEX[usize::from(byte >> 4)]);
        out.push(HEX[usize::from(byte & 0x0f)]);
    }
}

fn copy_members(members: &[BulkMember]) -> Vec<u8> {
    let mut out = Vec::with_capacity(members.len() * 400);
    for m in members {
        out.extend_from_slice(m.id.to_string().as_bytes());
        for text in [m.member_number.as_str(), m.status] {
            out.push(b'\t');
            copy_text(&mut out, text);
        }
        out.push(b'\t');
        out.extend_from_slice(m.home_org_id.to_string().as_bytes());
        out.push(b'\t');
        copy_text(&mut out, &m.home_path);
        out.extend_from_slice(if m.in_pool { b"\tt\t" } else { b"\tf\t" });
        copy_text(&mut out, &m.name);
        for sealed in [&m.id_number, &m.mobile] {
            out.push(b'\t');
            copy_bytes(&mut out, &sealed.ciphertext);
            out.push(b'\t');
            copy_text(&mut out, &sealed.blind_index);
        }
        for text in [m.sex, m.occupation, m.region_code.as_str()] {
            out.push(b'\t');
            copy_text(&mut out, text);
        }
        out.push(b'\t');
        out.extend_from_slice(m.joined_at.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

/// Each member's events: joined, and for one no longer held its leaving (the status's
/// lifecycle action code, as `apply_lifecycle` writes it).
fn events_of(members: &[BulkMember]) -> Vec<(&BulkMember, &'static str, i64)> {
    let mut events = Vec::with_capacity(members.len());
    for m in members {
        events.push((m, "joined", m.joined_at));
        let kind = match m.status {
            "withdrawn" => Some("withdraw"),
            "expelled" => Some("expel"),
            "deceased" => Some("deceased"),
            _ => None,
        };
        if let Some(kind) = kind {
            events.push((m, kind, m.left_at.unwrap_or(m.joined_at)));
        }
    }
    events
}

fn copy_events(members: &[BulkMember]) -> Vec<u8> {
    let mut out = Vec::with_capacity(members.len() * 48);
    for (m, kind, at) in events_of(members) {
        out.extend_from_slice(m.id.to_string().as_bytes());
        out.push(b'\t');
        out.extend_from_slice(kind.as_bytes());
        out.push(b'\t');
        if kind == "joined" {
            out.extend_from_slice(b"\\N");
        } else {
            out.extend_from_slice(m.home_org_id.to_string().as_bytes());
        }
        out.push(b'\t');
        out.extend_from_slice(m.home_org_id.to_string().as_bytes());
        out.push(b'\t');
        out.extend_from_slice(ACTOR.as_bytes());
        out.extend_from_slice(b"\t\\N\t");
        out.extend_from_slice(at.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_copy_would_misread() {
        let mut out = Vec::new();
        copy_text(&mut out, "a\tb\\c\nd");
        assert_eq!(out, b"a\\tb\\\\c\\nd");
        let mut out = Vec::new();
        copy_bytes(&mut out, &[0x01, 0xab]);
        assert_eq!(out, b"\\\\x01ab");
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
    }
}
