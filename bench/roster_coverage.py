#!/usr/bin/env python3
"""The roster coverage figures at a 1,000,000-person roster, SQLite, in SQL alone (issue 17):
the GROUP BY over `roster_entries` the coverage panel used before migration 0080 beside the
sum over `roster_counts` it reads now, on the same synthetic table (the columns the two
read; 120 importing unions, four occupations, three states), and a check that both give
the same rows. A benchmark, not a test.

    python3 bench/roster_coverage.py [--entries 1000000] [--repeat 3]
"""
import argparse, os, random, sqlite3, tempfile, time

OLD = {
    "by occupation": "SELECT occupation, COUNT(*), SUM(CASE WHEN state = 'member' THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END) FROM roster_entries "
                     "WHERE org_path >= '/1/' AND org_path < '/10' GROUP BY occupation",
    "by union": "SELECT org_id, COUNT(*), SUM(CASE WHEN state = 'member' THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END) FROM roster_entries "
                "WHERE org_path >= '/1/' AND org_path < '/10' GROUP BY org_id",
}
NEW = {
    "by occupation": "SELECT occupation, SUM(entries), SUM(CASE WHEN state = 'member' THEN entries ELSE 0 END), "
                     "SUM(CASE WHEN state = 'pending' THEN entries ELSE 0 END) FROM roster_counts "
                     "WHERE org_path >= '/1/' AND org_path < '/10' GROUP BY occupation HAVING SUM(entries) > 0",
    "by union": "SELECT org_id, SUM(entries), SUM(CASE WHEN state = 'member' THEN entries ELSE 0 END), "
                "SUM(CASE WHEN state = 'pending' THEN entries ELSE 0 END) FROM roster_counts "
                "WHERE org_path >= '/1/' AND org_path < '/10' GROUP BY org_id HAVING SUM(entries) > 0",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = os.path.join(tempfile.mkdtemp(prefix="huiji-bench-"), "roster.db")
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE roster_entries (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL, org_path TEXT NOT NULL, "
               "id_number_ct BLOB NOT NULL, id_number_bidx TEXT NOT NULL, occupation TEXT NOT NULL, state TEXT NOT NULL)")
    rng = random.Random(1)
    occupations = ["truck_driver", "courier", "delivery_rider", "ride_hailing_driver"]
    unions = [(i, f"/1/{2 + i % 16}/{100 + i}/") for i in range(120)]
    rows = []
    for i in range(args.entries):
        org, org_path = unions[rng.randrange(len(unions))]
        rows.append((i + 1, org, org_path, os.urandom(40), f"{rng.getrandbits(128):032x}", rng.choice(occupations),
                     rng.choice(["member", "not_member", "not_member", "pending"])))
    db.executemany("INSERT INTO roster_entries VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    # The index migration 0050 gives the entries.
    db.execute("CREATE INDEX roster_entries_org_path_idx ON roster_entries (org_path, state, occupation)")
    # Migration 0080: the table and its backfill.
    db.execute("CREATE TABLE roster_counts (org_id INTEGER NOT NULL, org_path TEXT NOT NULL, occupation TEXT NOT NULL, "
               "state TEXT NOT NULL, entries INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (org_id, org_path, occupation, state))")
    db.execute("CREATE INDEX roster_counts_org_path_idx ON roster_counts (org_path)")
    db.execute("INSERT INTO roster_counts SELECT org_id, org_path, occupation, state, COUNT(*) FROM roster_entries "
               "GROUP BY org_id, org_path, occupation, state")
    db.commit()
    load = os.getloadavg()[0]
    print(f"\n{args.entries:,} roster entries, {db.execute('SELECT COUNT(*) FROM roster_counts').fetchone()[0]:,} "
          f"counter rows; load average {load:.1f} on {os.cpu_count()} cores\n")
    print("| figure | before (GROUP BY over the entries) ms | after (sum over roster_counts) ms | same rows |")
    print("|---|---|---|---|")
    for name in OLD:
        timings, results = {}, {}
        for which, sql in (("old", OLD[name]), ("new", NEW[name])):
            samples = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                results[which] = sorted(db.execute(sql).fetchall())
                samples.append((time.perf_counter() - started) * 1000)
            timings[which] = sorted(samples)[len(samples) // 2]
        print(f"| {name} | {timings['old']:,.1f} | {timings['new']:.2f} | {results['old'] == results['new']} |")
    db.close()
    os.remove(path)


if __name__ == "__main__":
    main()
