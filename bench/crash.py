#!/usr/bin/env python3
"""Crash durability: under the join load (wrk, 64 connections, unique identities), kill
-9 the server at a random moment, start it again, and check that every application
answered 201 is in the database and consistent: approved, with the membership and member
number the answer gave, the name of the request it came from, an active membership, and
the same through the API (GET /api/v1/applications/{id}). Then every request sent —
acknowledged or not — is sent again with its own Idempotency-Key and body, as a platform
retries: an acknowledged one must get its original 201 byte for byte (replayed), an
unacknowledged one its original 201 if it committed or a new join if it never did —
never `idempotency_in_progress`, never `already_member` for its own join — and afterwards
there is exactly one membership per request sent. Once on SQLite, once on PostgreSQL.
Prints "acknowledged N, lost 0" and the retries per database; exits 1 on any loss or
wrong retry answer.

    python3 bench/crash.py [--only sqlite|postgres] [--seconds 12] [--seed S] [--bin PATH]

(--bin runs a given binary instead of building the release one.)
"""
import argparse, glob, json, os, random, shutil, signal, subprocess, sys, time, urllib.error, urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
from common import BIN, LUA, Database, Server, api_key, build_release, ensure_wrk, log, run, workdir, write_bodies


THREADS = 2


def post_again(base, key, lines, item):
    """One sent request again, with its Idempotency-Key: (item, status, body, replayed)."""
    tid, idx = item
    body = lines[(idx - 1) * THREADS + tid]
    request = urllib.request.Request(
        f"{base}/api/v1/applications", data=body.encode(), method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                 "Idempotency-Key": f"bench-{tid}-{idx}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return item, response.status, response.read().decode(), response.headers.get("idempotent-replayed")
    except urllib.error.HTTPError as error:
        return item, error.code, error.read().decode(), error.headers.get("idempotent-replayed")


def retry_sent(backend, base, key, lines, acks, acked, db):
    """Every request wrk sent, again; the wrong answers (empty when all is well)."""
    sent = []
    for tid in range(THREADS):
        path = f"{acks}.sent.{tid}"
        if os.path.exists(path):
            with open(path) as f:
                sent += [(tid, int(line)) for line in f if line.strip()]
    first = {application_id: body for application_id, _, body in acked}
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda item: post_again(base, key, lines, item), sent))
    wrong, seen = [], set()
    original, replayed_unacked, ran_now = 0, 0, 0
    for item, status, body, replayed in results:
        if status != 201:
            wrong.append(("retry", item, status, body[:200]))
            continue
        application_id = str(json.loads(body).get("application_id"))
        if application_id in seen:
            wrong.append(("two keys, one application", item, application_id))
        seen.add(application_id)
        if application_id in first:
            if body != first[application_id] or replayed != "true":
                wrong.append(("not the original 201", item, body[:200], first[application_id][:200]))
            else:
                original += 1
        elif replayed == "true":
            replayed_unacked += 1
        else:
            ran_now += 1
    missing = set(first) - seen
    if missing:
        wrong.append(("acknowledged but never answered again", sorted(missing)[:10]))
    members = int(db.sql("SELECT COUNT(*) FROM memberships")[0][0])
    if members != len(sent):
        wrong.append(("memberships after the retries", members, "requests sent", len(sent)))
    print(f"{backend}: retried all {len(sent)} requests sent after the restart: {original} acknowledged got "
          f"their original 201, {replayed_unacked} unacknowledged but committed got theirs, {ran_now} never "
          f"committed ran now, {len(wrong)} wrong; {members} members for {len(sent)} requests")
    return wrong


def crash_once(backend, seconds, rnd, wd):
    keys = os.path.join(wd, "crash.keys")
    if not os.path.exists(keys):
        run(BIN, "keys", "init", "--out", keys)
    bodies = os.path.join(wd, "bodies.jsonl")
    if not os.path.exists(bodies):
        write_bodies(bodies, 9000 * seconds, seed=2)
    names, lines = {}, []
    with open(bodies, encoding="utf-8") as f:
        for line in f:
            lines.append(line.rstrip("\n"))
            body = json.loads(line)
            names[body["external_ref"]] = body["name"]
    db = Database(backend, wd, "crash")
    acks = os.path.join(wd, f"acks-{backend}")
    try:
        run(BIN, "seed", "anhui", "--database-url", db.url)
        key = api_key(db.url, keys)
        server = Server(db.url, keys)
        load = subprocess.Popen(["wrk", "-t2", "-c64", f"-d{seconds}s", "--timeout", "5s", "-s", LUA, server.base,
                                 "--", bodies, key, str(THREADS), acks], stdout=subprocess.PIPE, text=True)
        delay = rnd.uniform(2, seconds - 3)
        time.sleep(delay)
        server.proc.kill()  # SIGKILL: no shutdown, no flush, nothing
        server.proc.wait()
        log(f"{backend}: killed the server {delay:.1f} s into the load")
        # The load stops too: what it would send to a dead server never arrives, and the
        # retries below are of what was sent up to the kill.
        time.sleep(0.2)
        load.send_signal(signal.SIGINT)
        load.communicate()
        server.start()
        acked = []
        for path in glob.glob(acks + ".[0-9]*"):
            with open(path) as f:
                acked += [line.rstrip("\n").split("\t", 2) for line in f if line.strip()]
        lost = []
        ids = [a for a, _, _ in acked]
        rows = {}
        for start in range(0, len(ids), 500):
            chunk = ",".join(i for i in ids[start:start + 500] if i.isdigit())
            for row in db.sql("SELECT a.id, a.status, a.name, a.external_ref, m.member_number, m.status "
                              "FROM applications a LEFT JOIN memberships m ON m.id = a.membership_id "
                              f"WHERE a.id IN ({chunk})"):
                rows[row[0]] = row
        for application_id, number, _ in acked:
            row = rows.get(application_id)
            if (row is None or row[1] != "approved" or row[4] != number or row[5] != "active"
                    or names.get(row[3]) != row[2]):
                lost.append((application_id, number, row))
        # The API answers for them too (a sample: every 50th, and the last ones acknowledged).
        sample = acked[::50] + acked[-20:]
        for application_id, number, _ in sample:
            request = urllib.request.Request(f"{server.base}/api/v1/applications/{application_id}",
                                             headers={"Authorization": f"Bearer {key}"})
            with urllib.request.urlopen(request) as response:
                view = json.load(response)
            if view.get("status") != "approved" or view.get("member_number") != number:
                lost.append((application_id, number, view))
        members = int(db.sql("SELECT COUNT(*) FROM memberships")[0][0])
        counted = int(db.sql("SELECT COALESCE(SUM(held), 0) FROM org_member_counts")[0][0])
        if counted != members:
            lost.append(("member counts", members, counted))
        print(f"{backend}: acknowledged {len(acked)}, lost {len(lost)} "
              f"(killed at {delay:.1f} s; {members} members after restart, counts {counted})")
        for item in lost[:10]:
            print(f"   {item}")
        wrong = retry_sent(backend, server.base, key, lines, acks, acked, db)
        for item in wrong[:10]:
            print(f"   {item}")
        server.stop()
        return len(acked) > 0 and not lost and not wrong
    finally:
        db.drop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--bin", default=None)
    args = parser.parse_args()
    if args.bin:
        global BIN
        BIN = common.BIN = args.bin
    else:
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
