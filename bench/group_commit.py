#!/usr/bin/env python3
"""Group commit, before and after, back to back (issue 14 item 2): the same load against
servers started with HUIJI_GROUP_COMMIT_WRITERS=0 (no group commit: one transaction per
write, as before), 1 (one writer task) or N (N writer tasks, PostgreSQL only), each
followed by the batch sizes the server's /metrics reports.

    python3 bench/group_commit.py contest --writers 0,1,4 [--seconds 20] [--only postgres]
    python3 bench/group_commit.py join    --writers 0,1,4 [--seconds 15] [--only sqlite] [--no-build]

contest: one database per backend with Anhui's 412,000 members (huiji gen) and the
200-question bank; each setting gets its own contest and passes, and bench/contest.lua's
64 phones (as `bench/run contest`, without the 500,000-attempt leaderboard load).
join: a fresh seeded database per setting and bench/join.lua's 64 connections (as
`bench/run join`, without the storage ceiling). Every run also takes the /healthz ceiling
right before, and the load average.
"""
import argparse, json, os, re, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Database, Server, api_key, build_release, ensure_wrk, load_note, log, run, workdir, \
    write_bodies, wrk, BIN
from harness import LABEL, contest_bank, contest_wrk, keys_in


def batch_sizes(base):
    """The writer's batch-size histogram from /metrics: {bound: batches}, batches, jobs."""
    text = urllib.request.urlopen(base + "/metrics").read().decode()
    buckets, previous = {}, 0
    for bound, count in re.findall(r'^huiji_store_write_batch_size_bucket\{le="(\d+)"\} (\d+)$', text, re.M):
        buckets[int(bound)] = int(count) - previous
        previous = int(count)
    count = re.search(r"^huiji_store_write_batch_size_count (\d+)$", text, re.M)
    total = re.search(r"^huiji_store_write_batch_size_sum (\d+)$", text, re.M)
    return {"buckets": buckets, "batches": int(count.group(1)) if count else 0,
            "jobs": int(total.group(1)) if total else 0}


class Writers:
    """Starts `huiji serve` with a number of group-commit writers for the duration."""

    def __init__(self, writers):
        self.writers = writers

    def __enter__(self):
        self.saved = os.environ.get("HUIJI_GROUP_COMMIT_WRITERS")
        os.environ["HUIJI_GROUP_COMMIT_WRITERS"] = str(self.writers)

    def __exit__(self, *exc):
        if self.saved is None:
            os.environ.pop("HUIJI_GROUP_COMMIT_WRITERS", None)
        else:
            os.environ["HUIJI_GROUP_COMMIT_WRITERS"] = self.saved


def contest(backend, settings, seconds, wd):
    keys = keys_in(wd)
    db = Database(backend, wd, "gc_contest")
    results = []
    try:
        log(f"{backend}: 412,000 members (huiji gen anhui-2021) ...")
        run(BIN, "gen", "--scenario", "anhui-2021", "--database-url", db.url, "--key-file", keys)
        bank = os.path.join(wd, "bank.csv")
        contest_bank(bank)
        run(BIN, "contest", "questions", "import", bank, "--database-url", db.url)
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
        until = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 + 30 * 86400))
        for writers in settings:
            if backend == "sqlite" and writers > 1:
                continue
            contest_id = run(BIN, "contest", "create", "--org", "1", "--name", f"组提交{writers}", "--from", today,
                             "--until", until, "--questions-per-attempt", "20", "--minutes", "60",
                             "--attempts-per-day", "10", "--database-url", db.url).strip()
            passes = os.path.join(wd, f"passes{writers}.txt")
            run(BIN, "bench-contest", "--contest", contest_id, "--passes", "40000", "--out", passes,
                "--database-url", db.url, "--key-file", keys)
            with Writers(writers):
                server = Server(db.url, keys)
            try:
                load = load_note()
                health = wrk(server.base + "/healthz", seconds)
                log(f"{backend}, writers={writers}: answers ...")
                answers = contest_wrk(server.base, seconds, passes, contest_id)
                sizes = batch_sizes(server.base)
            finally:
                server.stop()
            results.append({"writers": writers, "answers": answers, "health": health, "sizes": sizes, "load": load})
    finally:
        db.drop()
    return results


def join(backend, settings, seconds, wd):
    keys = keys_in(wd)
    bodies = os.path.join(wd, "bodies.jsonl")
    if not os.path.exists(bodies):
        write_bodies(bodies, 9000 * seconds, seed=1)
    results = []
    for writers in settings:
        if backend == "sqlite" and writers > 1:
            continue
        db = Database(backend, wd, f"gc_join{writers}")
        try:
            run(BIN, "seed", "anhui", "--database-url", db.url)
            key = api_key(db.url, keys)
            with Writers(writers):
                server = Server(db.url, keys)
            try:
                load = load_note()
                health = wrk(server.base + "/healthz", seconds)
                log(f"{backend}, writers={writers}: joins ...")
                joins = wrk(server.base, seconds, script_args=[bodies, key, "2"])
                sizes = batch_sizes(server.base)
            finally:
                server.stop()
        finally:
            db.drop()
        results.append({"writers": writers, "joins": joins, "health": health, "sizes": sizes, "load": load})
    return results


def sizes_text(sizes):
    if not sizes["batches"]:
        return "—"
    mean = sizes["jobs"] / sizes["batches"]
    spread = ", ".join(f"≤{bound}: {n:,}" for bound, n in sizes["buckets"].items() if n)
    return f"{sizes['batches']:,} batches, mean {mean:.1f} jobs ({spread})"


def report(what, backend, results, seconds):
    print(f"\n{LABEL[backend]} ({what}, {seconds} s each, back to back)\n")
    print("| writers | per s | p50 ms | p99 ms | /healthz req/s | batch sizes | load before |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        if what == "contest":
            s, a = r["answers"]["summary"], r["answers"]
            rate, p50, p99 = s["answers"] / seconds, a["p50"], a["p99"]
        else:
            j = r["joins"]
            rate, p50, p99 = j["joins"]["created"] / seconds, j["p50"], j["p99"]
        label = "0 (off: a transaction per write)" if r["writers"] == 0 else str(r["writers"])
        print(f"| {label} | {rate:,.0f} | {p50:.1f} | {p99:.1f} | {r['health']['rate']:,.0f} | "
              f"{sizes_text(r['sizes'])} | {r['load']} |")
    if what == "join":
        for r in results:
            j = r["joins"]["joins"]
            if j["other"]:
                print(f"\nwriters={r['writers']}: {j['other']} other answers, e.g. `{j['sample'][:120]}`")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["contest", "join"])
    parser.add_argument("--writers", default="0,1,4")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--no-build", action="store_true",
                        help="run target/release/huiji as it is (a binary built or copied beforehand, for A/B)")
    args = parser.parse_args()
    settings = [int(w) for w in args.writers.split(",")]
    if not args.no_build:
        build_release()
    ensure_wrk()
    wd = workdir()
    for backend in [args.only] if args.only else ["sqlite", "postgres"]:
        if args.what == "contest":
            results = contest(backend, settings, args.seconds, wd)
        else:
            results = join(backend, settings, args.seconds, wd)
        report(args.what, backend, results, args.seconds)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
