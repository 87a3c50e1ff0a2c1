#!/usr/bin/env python3
"""The console header's counts of reviews waiting (issue 13 item 12): the one counted
query every console page runs, timed on SQLite and PostgreSQL over Anhui's 1,985 unions
with N pending applications spread over every union (a third of them past their
deadline), for a province, a city and a county officer.

    python3 bench/review_counts.py [--pending 200000] [--repeat 50]

Uses HUIJI_BIN (default target/release/huiji, else target/debug/huiji) to migrate and
seed; the rows go in with one SQL statement each database; the query is the store's
(`store/src/accounts/officers.rs`, WAITING) run in-process (sqlite3) or through psql."""
import argparse, os, sqlite3, statistics, subprocess, tempfile, time

from common import PG_ADMIN, load_note, log

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("HUIJI_BIN") or next(
    p for p in (os.path.join(ROOT, "target", k, "huiji") for k in ("release", "debug")) if os.path.exists(p))
NOW = 1_796_004_000_000
WAITING = ("SELECT COUNT(*), COALESCE(SUM(CASE WHEN review_deadline < {now} THEN 1 ELSE 0 END), 0) "
           "FROM applications WHERE status = 'pending_review' AND reviewer_path >= '{lo}' AND reviewer_path < '{hi}'")
# N pending applications, round-robin over the unions, deadlines spread over ±2 days.
FILL = """
WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < {n}),
o AS (SELECT id, path, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM orgs)
INSERT INTO applications (status, channel, receiving_org_id, name, id_number_ct, id_number_bidx, mobile_ct,
  mobile_bidx, sex, occupation, region_code, consent_version, consent_at, mobile_verified, review_deadline,
  created_at, reviewer_org_id, reviewer_path)
SELECT 'pending_review', 'qr', o.id, '王晓明', {blob}, 'bidx-' || seq.n, {blob}, 'm-' || seq.n, 'male',
  'truck_driver', '340104', '1', 0, TRUE, {now} + (seq.n % 3 - 1) * 86400000 - 1, {now} - 86400000, o.id, o.path
FROM seq JOIN o ON o.k = seq.n % (SELECT COUNT(*) FROM orgs)
"""
PG_FILL = FILL.replace("WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < {n})",
                       "WITH seq(n) AS (SELECT generate_series(0, {n} - 1))")


def upper(path):
    return path[:-1] + chr(ord(path[-1]) + 1)


def scopes(rows):
    """Paths of the root, 合肥市 and 肥东县 (by region code)."""
    by_region = {region: path for region, path in rows}
    return [("province", by_region["34"]), ("city 3401", by_region["3401"]), ("county 340122", by_region["340122"])]


def seed(url):
    subprocess.run([BIN, "seed", "anhui", "--database-url", url], check=True, capture_output=True)


def report(name, samples):
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"| {name} | {statistics.median(samples):.2f} | {p95:.2f} |")


def sqlite_bench(n, repeat):
    path = os.path.join(tempfile.mkdtemp(), "counts.db")
    seed(f"sqlite:{path}")
    db = sqlite3.connect(path)
    db.execute(FILL.format(n=n, now=NOW, blob="X'00'"))
    db.commit()
    db.execute("ANALYZE")
    for name, scope in scopes(db.execute(
            "SELECT region_code, path FROM orgs WHERE kind = 'federation'").fetchall()):
        sql = WAITING.format(now=NOW, lo=scope, hi=upper(scope))
        counts = db.execute(sql).fetchone()
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            db.execute(sql).fetchone()
            samples.append((time.perf_counter() - start) * 1000)
        report(f"SQLite, {name} ({counts[0]} pending, {counts[1]} overdue)", samples)


def pg_bench(n, repeat):
    name = f"huiji_counts_{os.getpid()}"
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        seed(url)
        psql = lambda sql: subprocess.run(["psql", url, "-qAtc", sql], check=True, capture_output=True, text=True).stdout
        psql(PG_FILL.format(n=n, now=NOW, blob="'\\x00'::bytea"))
        psql("VACUUM ANALYZE applications")
        rows = [line.split("|") for line in psql(
            "SELECT region_code, path FROM orgs WHERE kind = 'federation'").split()]
        for label, scope in scopes(rows):
            sql = WAITING.format(now=NOW, lo=scope, hi=upper(scope))
            counts = psql(sql).strip().split("|")
            plan = psql(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql};" * repeat)
            samples = [float(part.split(",")[0].split("}")[0].split("\n")[0])
                       for part in plan.split('"Execution Time":')[1:]]
            report(f"PostgreSQL, {label} ({counts[0]} pending, {counts[1]} overdue)", samples)
    finally:
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    log(f"{args.pending} pending applications, {args.repeat} runs each; {load_note()}")
    print("| database, scope | p50 ms | p95 ms |\n|---|---|---|")
    sqlite_bench(args.pending, args.repeat)
    pg_bench(args.pending, args.repeat)


if __name__ == "__main__":
    main()
