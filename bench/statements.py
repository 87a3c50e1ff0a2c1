#!/usr/bin/env python3
"""Statements and transactions of one join through the platform API, from PostgreSQL's
statement log (log_statement = all on a fresh database): a few joins warm the caches,
then one more POST (in the same work region, within the 2 s the caches keep) is counted — every statement the server ran for it, grouped by
transaction (BEGIN … COMMIT), with the background jobs' statements of the same moment
left out by their connection when they are recognisable (webhook and notice delivery).

    python3 bench/statements.py [--bin target/release/huiji] [--joins 3]
"""
import argparse, json, os, re, shutil, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
from common import Database, Server, api_key, log, run, workdir, write_bodies

PG_LOG = "/var/log/postgresql/postgresql-15-main.log"


def post(server, key, body, idem):
    request = urllib.request.Request(f"{server.base}/api/v1/applications", data=body.encode(), method="POST",
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                                              "Idempotency-Key": idem})
    with urllib.request.urlopen(request) as response:
        return response.status, response.read().decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=common.BIN)
    parser.add_argument("--joins", type=int, default=3)
    args = parser.parse_args()
    common.BIN = args.bin
    wd = workdir()
    db = Database("postgres", wd, "statements")
    try:
        keys = os.path.join(wd, "k.keys")
        run(args.bin, "keys", "init", "--out", keys)
        run(args.bin, "seed", "anhui", "--database-url", db.url)
        key = api_key(db.url, keys)
        bodies = os.path.join(wd, "bodies.jsonl")
        write_bodies(bodies, args.joins + 1, seed=7)
        lines = open(bodies, encoding="utf-8").read().splitlines()
        # The warming joins work where the counted one does, so its city's unions are cached.
        region = json.loads(lines[-1])["region_code"]
        lines = [json.dumps(dict(json.loads(line), region_code=region), ensure_ascii=False) for line in lines]
        run("psql", db.url, "-qc", f"ALTER DATABASE {db.name} SET log_statement = 'all'")
        server = Server(db.url, keys)
        for i, body in enumerate(lines[:-1]):
            post(server, key, body, f"warm-{i}")
        time.sleep(0.5)
        start = os.path.getsize(PG_LOG)
        status, answer = post(server, key, lines[-1], "counted")
        time.sleep(0.3)
        with open(PG_LOG, encoding="utf-8", errors="replace") as f:
            f.seek(start)
            text = f.read()
        server.stop()
        pattern = re.compile(r"\[(\d+)\] \S+@" + re.escape(db.name) + r" LOG:  (?:statement|execute [^:]*): (.*)")
        by_connection = {}
        for line in text.splitlines():
            m = pattern.search(line)
            if m:
                by_connection.setdefault(m.group(1), []).append(m.group(2).strip())
        total, commits = 0, 0
        print(f"one POST: {status} {answer[:120]}")
        for pid, statements in by_connection.items():
            print(f"connection {pid}:")
            for s in statements:
                print("   ", s[:150])
            total += sum(1 for s in statements if s.upper() not in ("BEGIN", "COMMIT", "ROLLBACK"))
            commits += sum(1 for s in statements if s.upper() == "COMMIT")
        print(json.dumps({"statements": total, "commits": commits}))
    finally:
        db.drop()
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
