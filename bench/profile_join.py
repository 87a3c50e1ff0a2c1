#!/usr/bin/env python3
"""Where a join's time goes: `huiji serve` on a fresh seeded database under the join
load of `bench/run join` (64 connections, bench/join.lua), profiled with `perf record`
(cpu-clock, call graphs) for the middle of the run. Prints joins/s and writes the
profile; read it with `perf report -i OUT --no-children --sort dso,sym`.

    python3 bench/profile_join.py [--bin target/release/huiji] [--backend sqlite|postgres]
                                  [--seconds 15] [--out perf.data] [--no-perf]
"""
import argparse, os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
from common import Database, Server, api_key, log, run, workdir, write_bodies, wrk, load_note


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=common.BIN)
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--out", default="perf.data")
    parser.add_argument("--no-perf", action="store_true")
    args = parser.parse_args()
    common.BIN = os.path.abspath(args.bin)
    wd = workdir()
    keys = os.path.join(wd, "bench.keys")
    run(common.BIN, "keys", "init", "--out", keys)
    bodies = os.path.join(wd, "bodies.jsonl")
    write_bodies(bodies, 9000 * args.seconds, seed=1)
    db = Database(args.backend, wd, "prof")
    try:
        run(common.BIN, "seed", "anhui", "--database-url", db.url)
        key = api_key(db.url, keys)
        server = Server(db.url, keys)
        try:
            perf = None
            if not args.no_perf:
                perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-o", args.out,
                                         "-p", str(server.proc.pid), "--", "sleep", str(max(1, args.seconds - 4))],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            note = load_note()
            joins = wrk(server.base, args.seconds, script_args=[bodies, key, "2"])
            if perf is not None:
                perf.wait()
        finally:
            server.stop()
        created = joins["joins"]["created"]
        print(f"{args.backend}: {created / args.seconds:,.0f} joins/s, p50 {joins['p50']:.1f} ms, "
              f"p99 {joins['p99']:.1f} ms; other {joins['joins']['other']}; {note}")
    finally:
        db.drop()


if __name__ == "__main__":
    main()
