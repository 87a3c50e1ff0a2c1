#!/usr/bin/env python3
"""Welcome SMS during and after a join burst: a fresh seeded database, `huiji serve`, the
join load of `bench/run join` (bench/join.lua, 64 connections) for --seconds, then
--after seconds of quiet; the pending welcome notices are counted every 2 s throughout, so
one sees whether the notice sender keeps up under load, falls behind, or is stuck.

    python3 bench/notice_drain.py --backend postgres [--seconds 10] [--after 40] [--no-build]
"""
import argparse, os, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
from common import Database, Server, api_key, build_release, run, workdir, write_bodies, wrk

PENDING = "SELECT COUNT(*) FROM notices WHERE delivery = 'pending'"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--after", type=int, default=40)
    parser.add_argument("--no-build", action="store_true", help="use target/release/huiji as it is")
    args = parser.parse_args()
    if not args.no_build:
        build_release()
    wd = workdir()
    keys = os.path.join(wd, "k.keys")
    run(common.BIN, "keys", "init", "--out", keys)
    db = Database(args.backend, wd, "drain")
    try:
        run(common.BIN, "seed", "anhui", "--database-url", db.url)
        bodies = os.path.join(wd, "bodies.jsonl")
        write_bodies(bodies, 9000 * args.seconds, seed=3)
        key = api_key(db.url, keys)
        server = Server(db.url, keys)
        samples, done = [], threading.Event()

        def poll():
            started = time.time()
            while not done.is_set():
                samples.append((time.time() - started, int(db.sql(PENDING)[0][0])))
                done.wait(2)

        poller = threading.Thread(target=poll)
        poller.start()
        load = wrk(server.base, args.seconds, script_args=[bodies, key, "2"])
        time.sleep(args.after)
        done.set()
        poller.join()
        server.stop()
        print(f"{args.backend}: joins {load['rate']:,.0f}/s for {args.seconds} s, then {args.after} s quiet")
        print("| s | pending welcome SMS |\n|---|---|")
        for at, pending in samples:
            print(f"| {at:.1f} | {pending:,} |")
    finally:
        db.drop()


if __name__ == "__main__":
    main()
