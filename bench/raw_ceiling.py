"""The raw database ceiling of J (issue 14): join-shaped transactions of four INSERTs — an
application, a membership, its event, an Idempotency-Key's answer, each row the size of the
real one and keyed by random blind indexes as the real ones are — with no application
server, no checks and no rollups, on the same machine in the same run as the joins.

SQLite: one connection from Python's sqlite3 (WAL, synchronous=NORMAL, as the store opens
it), one transaction after another: SQLite has one writer, so this is what the database
itself can commit. PostgreSQL: pgbench with 64 clients (as J's 64 connections), each a
transaction after another, prepared statements, the server's own fsync per commit.

What a join does beyond this (the checks, the rollups, the roster, the welcome and the
webhook, HTTP, JSON, encryption) is what the figure puts in proportion: the issue asks for
J at "at least half of the raw ceiling measured in the same run".
"""
import os, secrets, sqlite3, subprocess, time

from common import PG_ADMIN, run

SCHEMA = [
    "CREATE TABLE applications (id BIGINT PRIMARY KEY, name TEXT NOT NULL, id_ct BYTEA NOT NULL, "
    "id_bidx TEXT NOT NULL, mobile_ct BYTEA NOT NULL, mobile_bidx TEXT NOT NULL, occupation TEXT NOT NULL, "
    "region TEXT NOT NULL, status TEXT NOT NULL, at BIGINT NOT NULL)",
    "CREATE INDEX applications_id_bidx ON applications (id_bidx)",
    "CREATE INDEX applications_mobile_bidx ON applications (mobile_bidx)",
    "CREATE TABLE memberships (id BIGINT PRIMARY KEY, member_number TEXT NOT NULL UNIQUE, "
    "application_id BIGINT NOT NULL, name TEXT NOT NULL, id_ct BYTEA NOT NULL, id_bidx TEXT NOT NULL UNIQUE, "
    "mobile_ct BYTEA NOT NULL, mobile_bidx TEXT NOT NULL, home_org BIGINT NOT NULL, at BIGINT NOT NULL)",
    "CREATE INDEX memberships_mobile_bidx ON memberships (mobile_bidx)",
    "CREATE TABLE events (id BIGINT PRIMARY KEY, membership_id BIGINT NOT NULL, kind TEXT NOT NULL, "
    "to_org BIGINT NOT NULL, reason TEXT NOT NULL, at BIGINT NOT NULL)",
    "CREATE TABLE idempotency_keys (platform_id BIGINT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, "
    "at BIGINT NOT NULL, PRIMARY KEY (platform_id, key))",
]

# A join's answer as stored under its key (about the size of the API's 201 body).
BODY = '{"application_id":%d,"status":"approved","membership_id":%d,"member_number":"340104202612%08d"}'


def percentile(sorted_ms, p):
    return sorted_ms[min(len(sorted_ms) - 1, int(len(sorted_ms) * p))] if sorted_ms else 0.0


def sqlite_ceiling(seconds, wd):
    """Join-shaped transactions/s, p50 and p99 ms, from one Python connection."""
    path = os.path.join(wd, "raw.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        for statement in SCHEMA:
            # A rowid alias, as the store's tables on SQLite.
            db.execute(statement.replace("BYTEA", "BLOB").replace("BIGINT PRIMARY KEY", "INTEGER PRIMARY KEY"))
        latencies, n, end = [], 0, time.monotonic() + seconds
        while time.monotonic() < end:
            n += 1
            name, id_ct, mobile_ct = "张伟", secrets.token_bytes(40), secrets.token_bytes(39)
            id_bidx, mobile_bidx, key = secrets.token_hex(32), secrets.token_hex(32), f"raw-{n}"
            at = time.time_ns() // 1_000_000
            started = time.perf_counter()
            db.execute("BEGIN")
            db.execute("INSERT INTO applications VALUES (?, ?, ?, ?, ?, ?, 'truck_driver', '340104', "
                       "'approved', ?)", (n, name, id_ct, id_bidx, mobile_ct, mobile_bidx, at))
            db.execute("INSERT INTO memberships VALUES (?, ?, ?, ?, ?, ?, ?, ?, 7, ?)",
                       (n, f"340104202612{n:08d}", n, name, id_ct, id_bidx, mobile_ct, mobile_bidx, at))
            db.execute("INSERT INTO events VALUES (?, ?, 'joined', 7, ?, ?)", (n, n, f"application {n}", at))
            db.execute("INSERT INTO idempotency_keys VALUES (1, ?, ?, ?)", (key, BODY % (n, n, n), at))
            db.execute("COMMIT")
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        db.close()
    latencies.sort()
    return {"rate": len(latencies) / seconds, "p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99)}


# pgbench's script: the same four INSERTs, ids from one sequence, keys random.
PGBENCH_SCRIPT = """\\set n random(1, 1000000000)
BEGIN;
INSERT INTO applications VALUES (nextval('ids'), '张伟', gen_random_uuid()::text::bytea, md5(random()::text) || md5(random()::text), gen_random_uuid()::text::bytea, md5(random()::text) || md5(random()::text), 'truck_driver', '340104', 'approved', :n);
INSERT INTO memberships VALUES (currval('ids'), '340104202612' || currval('ids'), currval('ids'), '张伟', gen_random_uuid()::text::bytea, md5(random()::text) || md5(random()::text), gen_random_uuid()::text::bytea, md5(random()::text) || md5(random()::text), 7, :n);
INSERT INTO events VALUES (currval('ids'), currval('ids'), 'joined', 7, 'application ' || currval('ids'), :n);
INSERT INTO idempotency_keys VALUES (1, 'raw-' || currval('ids'), '{"application_id":' || currval('ids') || ',"status":"approved","membership_id":' || currval('ids') || ',"member_number":"340104202612"}', :n);
END;
"""


def postgres_ceiling(seconds, wd):
    """Join-shaped transactions/s, p50 and p99 ms, from pgbench's 64 clients."""
    name = f"huiji_bench_raw_{os.getpid()}"
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    run("psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    run("psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}")
    try:
        run("psql", url, "-qc", "; ".join(SCHEMA + ["CREATE SEQUENCE ids"]))
        script = os.path.join(wd, "raw.sql")
        with open(script, "w", encoding="utf-8") as f:
            f.write(PGBENCH_SCRIPT)
        logs = os.path.join(wd, "rawlog")
        os.makedirs(logs, exist_ok=True)
        for old in os.listdir(logs):
            os.remove(os.path.join(logs, old))
        subprocess.run(["pgbench", "-n", "-c", "64", "-j", "2", "-M", "prepared", "-T", str(seconds), "-f", script,
                        "-l", "--log-prefix", os.path.join(logs, "tx"), url],
                       check=True, capture_output=True, text=True)
        # One line a transaction: client, number, latency (µs), script, epoch s, µs.
        latencies = []
        for log_file in os.listdir(logs):
            with open(os.path.join(logs, log_file), encoding="utf-8") as f:
                latencies.extend(int(line.split()[2]) / 1000 for line in f if line.strip())
    finally:
        run("psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    latencies.sort()
    return {"rate": len(latencies) / seconds, "p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99)}


def ceiling(backend, seconds, wd):
    """The raw ceiling of `backend` over `seconds`."""
    return sqlite_ceiling(seconds, wd) if backend == "sqlite" else postgres_ceiling(seconds, wd)


if __name__ == "__main__":
    import sys, tempfile
    with tempfile.TemporaryDirectory() as wd:
        for backend in sys.argv[1:] or ["sqlite", "postgres"]:
            r = ceiling(backend, 10, wd)
            print(f"{backend}: {r['rate']:,.0f} join-shaped transactions/s (p50 {r['p50']:.2f}, "
                  f"p99 {r['p99']:.1f} ms)")
