#!/usr/bin/env python3
"""Crash durability: under the join load (wrk, 64 connections, unique identities), kill
-9 the server at a random moment, start it again, and check that every application
answered 201 is in the database and consistent: approved, with the membership and member
number the answer gave, the name of the request it came from, an active membership, and
the same through the API (GET /api/v1/applications/{id}). Once on SQLite, once on
PostgreSQL. Prints "acknowledged N, lost 0" per database; exits 1 on any loss.

    python3 bench/crash.py [--only sqlite|postgres] [--seconds 12] [--seed S]
"""
import argparse, glob, json, os, random, shutil, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BIN, LUA, Database, Server, api_key, build_release, ensure_wrk, log, run, workdir, write_bodies


def crash_once(backend, seconds, rnd, wd):
    keys = os.path.join(wd, "crash.keys")
    if not os.path.exists(keys):
        run(BIN, "keys", "init", "--out", keys)
    bodies = os.path.join(wd, "bodies.jsonl")
    if not os.path.exists(bodies):
        write_bodies(bodies, 9000 * seconds, seed=2)
    names = {}
    with open(bodies, encoding="utf-8") as f:
        for line in f:
            body = json.loads(line)
            names[body["external_ref"]] = body["name"]
    db = Database(backend, wd, "crash")
    acks = os.path.join(wd, f"acks-{backend}")
    try:
        run(BIN, "seed", "anhui", "--database-url", db.url)
        key = api_key(db.url, keys)
        server = Server(db.url, keys)
        load = subprocess.Popen(["wrk", "-t2", "-c64", f"-d{seconds}s", "--timeout", "5s", "-s", LUA, server.base,
                                 "--", bodies, key, "2", acks], stdout=subprocess.PIPE, text=True)
        delay = rnd.uniform(2, seconds - 3)
        time.sleep(delay)
        server.proc.kill()  # SIGKILL: no shutdown, no flush, nothing
        server.proc.wait()
        log(f"{backend}: killed the server {delay:.1f} s into the load")
        load.communicate()
        server.start()
        acked = []
        for path in glob.glob(acks + ".*"):
            with open(path) as f:
                acked += [line.rstrip("\n").split("\t") for line in f if line.strip()]
        lost = []
        ids = [a for a, _ in acked]
        rows = {}
        for start in range(0, len(ids), 500):
            chunk = ",".join(i for i in ids[start:start + 500] if i.isdigit())
            for row in db.sql("SELECT a.id, a.status, a.name, a.external_ref, m.member_number, m.status "
                              "FROM applications a LEFT JOIN memberships m ON m.id = a.membership_id "
                              f"WHERE a.id IN ({chunk})"):
                rows[row[0]] = row
        for application_id, number in acked:
            row = rows.get(application_id)
            if (row is None or row[1] != "approved" or row[4] != number or row[5] != "active"
                    or names.get(row[3]) != row[2]):
                lost.append((application_id, number, row))
        # The API answers for them too (a sample: every 50th, and the last ones acknowledged).
        sample = acked[::50] + acked[-20:]
        for application_id, number in sample:
            request = urllib.request.Request(f"{server.base}/api/v1/applications/{application_id}",
                                             headers={"Authorization": f"Bearer {key}"})
            with urllib.request.urlopen(request) as response:
                view = json.load(response)
            if view.get("status") != "approved" or view.get("member_number") != number:
                lost.append((application_id, number, view))
        server.stop()
        members = int(db.sql("SELECT COUNT(*) FROM memberships")[0][0])
        counted = int(db.sql("SELECT COALESCE(SUM(held), 0) FROM org_member_counts")[0][0])
        if counted != members:
            lost.append(("member counts", members, counted))
        print(f"{backend}: acknowledged {len(acked)}, lost {len(lost)} "
              f"(killed at {delay:.1f} s; {members} members after restart, counts {counted})")
        for item in lost[:10]:
            print(f"   {item}")
        return len(acked) > 0 and not lost
    finally:
        db.drop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    build_release()
    ensure_wrk()
    rnd = random.Random(args.seed)
    wd = workdir()
    try:
        ok = [crash_once(b, args.seconds, rnd, wd) for b in ([args.only] if args.only else ["sqlite", "postgres"])]
    finally:
        shutil.rmtree(wd, ignore_errors=True)
    sys.exit(0 if all(ok) else 1)


if __name__ == "__main__":
    main()
