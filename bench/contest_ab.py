#!/usr/bin/env python3
"""C, two builds against one database, in alternating rounds (issue 18): the answer load of
`bench/run contest` (64 phones, bench/contest.lua) served by OLD and by NEW in turn, each
beside its /healthz ceiling, so that the machine's load falls on both alike.

    python3 bench/contest_ab.py OLD_BINARY NEW_BINARY [--only sqlite|postgres] [--seconds 20] [--rounds 2]
                                [--pace-ms MS]

With --pace-ms, each phone pauses that long before each request (bench/contest_paced.lua):
the servers are compared at a steady rate instead of at saturation.

The database (Anhui's 412,000 members from `huiji gen`, the 200-question bank) is made by
NEW; each run gets its own contest and 40,000 member passes. A benchmark, not a test.
"""
import argparse, os, statistics, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
from common import Database, ensure_wrk, load_note, log, run, workdir, wrk
from harness import LABEL, contest_bank, contest_wrk, keys_in


def one_run(binary, db, keys, wd, seconds, n, pace_ms=0):
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
    until = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 + 30 * 86400))
    contest = run(binary, "contest", "create", "--org", "1", "--name", f"对比{n}", "--from", today, "--until", until,
                  "--questions-per-attempt", "20", "--minutes", "60", "--attempts-per-day", "10",
                  "--database-url", db.url).strip()
    passes = os.path.join(wd, f"passes{n}.txt")
    run(binary, "bench-contest", "--contest", contest, "--passes", "40000", "--out", passes,
        "--database-url", db.url, "--key-file", keys)
    common.BIN = binary
    server = common.Server(db.url, keys)
    try:
        load = load_note()
        health = wrk(server.base + "/healthz", seconds)
        answers = contest_wrk(server.base, seconds, passes, contest, pace_ms=pace_ms)
    finally:
        server.stop()
    return {"rate": answers["summary"]["answers"] / seconds, "p50": answers["p50"], "p99": answers["p99"],
            "health": health["rate"], "load": load}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pace-ms", type=int, default=0)
    args = parser.parse_args()
    old, new = os.path.abspath(args.old), os.path.abspath(args.new)
    ensure_wrk()
    wd = workdir()
    for backend in [args.only] if args.only else ["sqlite", "postgres"]:
        common.BIN = new
        keys = keys_in(wd)
        db = Database(backend, wd, "contest_ab")
        try:
            log(f"{backend}: 412,000 members (huiji gen anhui-2021) ...")
            run(new, "gen", "--scenario", "anhui-2021", "--database-url", db.url, "--key-file", keys)
            bank = os.path.join(wd, "bank.csv")
            contest_bank(bank)
            run(new, "contest", "questions", "import", bank, "--database-url", db.url)
            runs = {"old": [], "new": []}
            n = 0
            for round_ in range(args.rounds):
                order = ("old", "new") if round_ % 2 == 0 else ("new", "old")
                for which in order:
                    n += 1
                    log(f"{backend}: round {round_ + 1}, {which} ...")
                    runs[which].append(one_run(old if which == "old" else new, db, keys, wd, args.seconds, n,
                                                   args.pace_ms))
        finally:
            db.drop()
        paced = f", each phone pausing {args.pace_ms} ms before each request" if args.pace_ms else ""
        print(f"\n### C, OLD vs NEW, {LABEL[backend]} ({args.seconds} s a run, {args.rounds} rounds, alternating{paced})\n")
        print("| build | run | answers/s | p50 ms | p99 ms | /healthz req/s | load before |\n|---|---|---|---|---|---|---|")
        for which in ("old", "new"):
            for i, r in enumerate(runs[which]):
                print(f"| {which} | {i + 1} | {r['rate']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['health']:,.0f} | "
                      f"{r['load']} |")
        mean = {w: statistics.mean(r["rate"] for r in runs[w]) for w in runs}
        p99 = {w: statistics.mean(r["p99"] for r in runs[w]) for w in runs}
        print(f"\nNEW ÷ OLD: answers/s × {mean['new'] / mean['old']:.2f}, p99 × {p99['new'] / p99['old']:.2f} "
              f"(means over the rounds).")


if __name__ == "__main__":
    main()
