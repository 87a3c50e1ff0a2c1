#!/usr/bin/env python3
"""Instructions per API join, for A/B between binaries on a busy machine (instruction
counts do not depend on the load): `huiji serve` under `valgrind --tool=callgrind` on a
fresh seeded database, N joins through the platform API (each a new valid person, its
own Idempotency-Key, `--connections` at a time), then, once every welcome SMS has been
sent, the server is stopped. Run once
with `--base-joins B` (default 0: start, seed reads, stop) and once with N: (I(N) - I(B))
/ (N - B) is the cost of one join in the whole process (HTTP, JSON, rules, sealing, sqlx,
SQLite or the PostgreSQL client side; PostgreSQL's own server work is not counted). With
B = 0 that includes warming the connections a load opens (~200,000 a join at N = 300);
`--base-joins 300 --joins 1200` is the steady state. The callgrind files stay in the
work directory printed, for `callgrind_annotate`.

    python3 bench/callgrind_join.py --bin target/release/huiji [--backend sqlite] [--joins 300] [--base-joins 0]
"""
import argparse, concurrent.futures, json, os, re, signal, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
from common import Database, api_key, log, run, workdir, write_bodies


def post(base, key, body, idem):
    request = urllib.request.Request(f"{base}/api/v1/applications", data=body.encode(), method="POST",
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                                              "Idempotency-Key": idem})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status


def instructions(args, joins, wd, keys, bodies):
    db = Database(args.backend, wd, f"cg{joins}")
    out = os.path.join(wd, f"callgrind.{joins}.out")
    try:
        run(common.BIN, "seed", "anhui", "--database-url", db.url)
        key = api_key(db.url, keys)
        port = 19000 + joins % 1000
        env = dict(os.environ, HUIJI_LOG="warn", HUIJI_API_RATE_PER_SECOND="10000000")
        proc = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                                 common.BIN, "serve", "--database-url", db.url, "--key-file", keys,
                                 "--listen", f"127.0.0.1:{port}"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(1200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        with open(bodies, encoding="utf-8") as f:
            lines = [next(f).strip() for _ in range(joins)]
        with concurrent.futures.ThreadPoolExecutor(args.connections) as pool:
            statuses = list(pool.map(lambda i: post(base, key, lines[i], f"cg-{i}"), range(joins)))
        assert all(s == 201 for s in statuses), statuses
        # Each join's welcome SMS is part of its cost: stop only once none is waiting.
        for _ in range(1200):
            if int(db.sql("SELECT COUNT(*) FROM notices WHERE delivery = 'pending'")[0][0]) == 0:
                break
            time.sleep(0.5)
        else:
            raise SystemExit("welcome SMS still pending after 10 minutes")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=600)
    finally:
        db.drop()
    with open(out) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                return int(line.split()[1])
    raise SystemExit("no totals in " + out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=common.BIN)
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--joins", type=int, default=300)
    parser.add_argument("--base-joins", type=int, default=0)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    common.BIN = os.path.abspath(args.bin)
    wd = workdir()
    keys = os.path.join(wd, "bench.keys")
    run(common.BIN, "keys", "init", "--out", keys)
    bodies = os.path.join(wd, "bodies.jsonl")
    if not 0 <= args.base_joins < args.joins:
        raise SystemExit("--base-joins must be at least 0 and less than --joins")
    write_bodies(bodies, args.joins, seed=1)
    base = instructions(args, args.base_joins, wd, keys, bodies)
    loaded = instructions(args, args.joins, wd, keys, bodies)
    per = (loaded - base) / (args.joins - args.base_joins)
    print(json.dumps({"backend": args.backend, "bin": args.bin, "joins": args.joins, "base_joins": args.base_joins,
                      "base": base, "loaded": loaded, "instructions_per_join": round(per), "workdir": wd}))


if __name__ == "__main__":
    main()
