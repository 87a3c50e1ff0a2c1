#!/usr/bin/env python3
"""The benchmark harness (entry point: bench/run). Each figure is measured beside its
ceiling in the same run, on SQLite and on PostgreSQL, and printed as Markdown for
BENCHMARKS.md.

    bench/run join  [--seconds 20] [--only sqlite|postgres]   J (joins/s, p50/p99; HTTP, storage, raw-database ceilings), M
    bench/run gen   [--members N] [--scenario S]              huiji gen: time and database size
    bench/run scale [--members 10000000] [--repeat 30]        Q (member list/search) and S (subtree count)
    bench/run build                                           B (clean release build, binary size)
    bench/run contest [--seconds 20] [--attempts 500000]      C (answers/s, p99; leaderboards at 500,000 attempts)
    bench/run stations [--stations 200000] [--repeat 2000]    N (nearest search over 200,000 stations, p95)
    bench/run roster [--rows 1000000] [--members 412000]      R (a GBK roster import; parse-only ceiling; peak RSS)
    bench/run campaign [--rows 610000]                        K (queueing a campaign of ~500,000 recipients; peak RSS)
    bench/run campaign-joins [--rows 60000] [--rate 200]      J while the sender drains a campaign, and without
    bench/run stats [--members 1000000] [--repeat 30]         T (/console/stats, ?on=, export, /console/screen, p50/p95)
    bench/run stats+scale [--members 10000000]                T, then Q and S, on one generated database
    bench/run scale --database-url URL --key-file FILE        Q and S on a database generated before (kept:
                                                              generate once while the machine is busy, time
                                                              builds against it when it is quiet)
    bench/run multi [--seconds 20]                            J2 (two instances on one PostgreSQL vs one)
    bench/run all                                             all of the above

A benchmark, not a test. It installs its load tool (Debian's wrk) if missing.
"""
import argparse, os, re, shutil, sqlite3, statistics, subprocess, sys, time, urllib.parse, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (BIN, ROOT, Database, Server, api_key, build_release, ensure_wrk, load_note, log, run,
                    workdir, write_bodies, wrk)
import console_bench
import raw_ceiling
import stats_bench
# Two instances, one PostgreSQL (issue 14).
import multi_bench

TARGETS = {"sqlite": 5000, "postgres": 2000}
LABEL = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def keys_in(wd):
    path = os.path.join(wd, "bench.keys")
    if not os.path.exists(path):
        run(BIN, "keys", "init", "--out", path)
    return path


def bench_join(backend, seconds, wd):
    keys = keys_in(wd)
    bodies = os.path.join(wd, "bodies.jsonl")
    if not os.path.exists(bodies):
        log("writing request bodies ...")
        write_bodies(bodies, 9000 * seconds, seed=1)
    db = Database(backend, wd, "join")
    try:
        run(BIN, "seed", "anhui", "--database-url", db.url)
        key = api_key(db.url, keys)
        server = Server(db.url, keys)
        try:
            log(f"{backend}: HTTP ceiling (/healthz) ...")
            health = wrk(server.base + "/healthz", seconds)
            log(f"{backend}: joins through the API ...")
            load = load_note()
            joins = wrk(server.base, seconds, script_args=[bodies, key, "2"])
            rss = server.peak_rss_mb()
            batches = batch_sizes(server.base)
        finally:
            server.stop()
        counted = int(db.sql("SELECT COUNT(*) FROM memberships")[0][0])
        # The welcome SMS sent while the joins ran: a build that sends them inside the window
        # does more work in it than one that leaves them for later.
        welcomed = int(db.sql("SELECT COUNT(*) FROM notices WHERE delivery = 'sent'")[0][0])
    finally:
        db.drop()
    store_db = Database(backend, wd, "store")
    try:
        log(f"{backend}: storage ceiling (huiji bench-store) ...")
        out = run(BIN, "bench-store", "--joins", str(max(20_000, int(joins["joins"]["created"] * 1.2))),
                  "--concurrency", "64", "--database-url", store_db.url, "--key-file", keys)
        store = __import__("json").loads(out.strip().splitlines()[-1])
    finally:
        store_db.drop()
    log(f"{backend}: raw database ceiling (four INSERTs a transaction, bench/raw_ceiling.py) ...")
    raw = raw_ceiling.ceiling(backend, seconds, wd)
    created = joins["joins"]["created"]
    return {"backend": backend, "joins_per_s": created / seconds, "p50": joins["p50"], "p99": joins["p99"],
            "created": created, "other": joins["joins"]["other"], "sample": joins["joins"]["sample"],
            "exhausted": joins["joins"]["exhausted"], "members": counted, "welcomed": welcomed,
            "health_rate": health["rate"], "health_p50": health["p50"], "health_p99": health["p99"],
            "store_rate": store["per_second"], "store_p50": store["p50_ms"], "store_p99": store["p99_ms"],
            "raw_rate": raw["rate"], "raw_p50": raw["p50"], "raw_p99": raw["p99"],
            "rss_mb": rss, "seconds": seconds, "load": load, "batches": batches}


def batch_sizes(base):
    """The write batches seen so far, from `/metrics`: (batches, jobs, {largest size: batches}, kept),
    kept being the batches begun on SQLite's write connection as the writer kept it."""
    import re, urllib.request
    text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    buckets, previous = {}, 0
    for bound, cumulative in re.findall(r'huiji_store_write_batch_size_bucket\{le="(\d+)"\} (\d+)', text):
        buckets[int(bound)] = int(cumulative) - previous
        previous = int(cumulative)
    jobs = re.search(r"huiji_store_write_batch_size_sum (\d+)", text)
    kept = re.search(r"huiji_store_write_batches_kept_total (\d+)", text)
    return previous, int(jobs.group(1)) if jobs else 0, buckets, int(kept.group(1)) if kept else 0


def report_join(results):
    print("\n### J — joins through the platform API (64 connections)\n")
    print("| database | joins/s | p50 ms | p99 ms | HTTP ceiling (/healthz) req/s | joins ÷ HTTP | "
          "storage ceiling joins/s (p50/p99 ms) | joins ÷ storage | raw database ceiling tx/s (p50/p99 ms) | "
          "joins ÷ raw | target |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {LABEL[r['backend']]} | {r['joins_per_s']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
              f"{r['health_rate']:,.0f} (p99 {r['health_p99']:.1f} ms) | {r['joins_per_s'] / r['health_rate']:.1%} | "
              f"{r['store_rate']:,.0f} ({r['store_p50']:.1f}/{r['store_p99']:.1f}) | "
              f"{r['joins_per_s'] / r['store_rate']:.0%} | "
              f"{r['raw_rate']:,.0f} ({r['raw_p50']:.2f}/{r['raw_p99']:.1f}) | {r['joins_per_s'] / r['raw_rate']:.0%} | "
              f"≥ {TARGETS[r['backend']]:,}/s, p99 ≤ 50 ms |")
    for r in results:
        note = f"; {r['other']} other answers, e.g. `{r['sample'][:120]}`" if r["other"] else ""
        print(f"\n{LABEL[r['backend']]}: {r['created']:,} applications answered 201 in {r['seconds']} s, "
              f"{r['members']:,} members in the database afterwards, {r['welcomed']:,} welcome SMS sent by "
              f"then{note}; {r['load']} before the run.")
        batches, jobs, buckets, kept = r["batches"]
        if batches:
            sizes = ", ".join(f"≤ {size}: {n:,}" for size, n in buckets.items() if n)
            kept = f"; {kept:,} begun on the write connection kept from the batch before" if kept else ""
            print(f"{LABEL[r['backend']]}: {jobs:,} writes in {batches:,} batches (mean {jobs / batches:.1f}; "
                  f"batches by size {sizes}{kept}).")
    print("\n### M — server memory under J\n")
    print("| database | peak RSS (VmHWM) | target | ratio |\n|---|---|---|---|")
    for r in results:
        print(f"| {LABEL[r['backend']]} | {r['rss_mb']:.0f} MB | ≤ 150 MB | {r['rss_mb'] / 150:.0%} of the budget |")


def bench_gen(backend, scenario, members, wd):
    keys = keys_in(wd)
    db = Database(backend, wd, f"gen_{scenario.replace('-', '_')}")
    args = [BIN, "gen", "--scenario", scenario, "--database-url", db.url, "--key-file", keys]
    if members:
        args += ["--members", str(members)]
    load = load_note()
    started = time.time()
    out = run(*args)
    elapsed = time.time() - started
    count = int(db.sql("SELECT COUNT(*) FROM memberships")[0][0])
    return db, {"backend": backend, "scenario": scenario, "members": count, "seconds": elapsed,
                "size_mb": db.size_mb(), "out": out.strip().splitlines()[-1], "load": load}


class Generated(Database):
    """A database `huiji gen --scenario national` made before (`--database-url`): never
    dropped here."""

    def __init__(self, backend, url):
        self.backend, self.url, self.kept = backend, url, True
        if backend == "sqlite":
            self.path = url.removeprefix("sqlite:")
        else:
            self.name = url.rsplit("/", 1)[1]


def generated_at(url):
    """A `gen` function for `bench_scale` that hands back the database at `url`."""
    backend = "sqlite" if url.startswith("sqlite:") else "postgres"

    def gen(_backend, scenario, _members, _wd):
        db = Generated(backend, url)
        members = int(db.sql("SELECT COUNT(*) FROM memberships")[0][0])
        return db, {"backend": backend, "scenario": scenario, "members": members, "seconds": None,
                    "size_mb": db.size_mb(), "out": "generated before", "load": load_note()}
    return gen


class SharedGen:
    """`bench_gen` once: later calls get the same database, which the benches' own `drop`
    leaves alone until `drop` here."""

    def __init__(self):
        self.made = None

    def gen(self, backend, scenario, members, wd):
        if self.made is None:
            db, generated = bench_gen(backend, scenario, members, wd)
            db.kept = True
            self.made = (db, generated)
        return self.made

    def drop(self):
        if self.made is not None:
            self.made[0].kept = False
            self.made[0].drop()


def report_gen(results):
    print("\n### huiji gen\n")
    print("| database | scenario | members | time | rate | database size | machine before |\n|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {LABEL[r['backend']]} | {r['scenario']} | {r['members']:,} | {r['seconds']:.0f} s | "
              f"{r['members'] / r['seconds']:,.0f}/s | {r['size_mb'] / 1024:.2f} GiB | {r['load']} |")
    for r in results:
        print(f"\n{LABEL[r['backend']]}: `{r['out']}`")


S_BY_OCCUPATION = ("SELECT occupation, COUNT(*) FROM memberships WHERE home_path >= '/1/' AND home_path < '/1/:' "
                   "AND status IN ('active', 'retained') GROUP BY occupation")
S_COUNTS = ("SELECT c.occupation, SUM(c.held) FROM org_occupation_counts c JOIN orgs o ON o.id = c.org_id "
            "WHERE o.path >= '/1/' AND o.path < '/1/:' GROUP BY c.occupation")
S_TOTAL = ("SELECT SUM(c.held) FROM org_member_counts c JOIN orgs o ON o.id = c.org_id "
           "WHERE o.path >= '/1/' AND o.path < '/1/:'")


def time_sql(db, query, repeat):
    samples = []
    for _ in range(repeat):
        if db.backend == "sqlite":
            conn = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
            started = time.perf_counter()
            conn.execute(query).fetchall()
            samples.append((time.perf_counter() - started) * 1000)
            conn.close()
        else:
            out = run("psql", db.url, "-At", "-c", "\\timing on", "-c", query)
            samples.append(float(out.strip().splitlines()[-1].split()[1]))
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def bench_scale(backend, members, repeat, wd, gen=bench_gen):
    db, generated = gen(backend, "national", members, wd)
    results = {"gen": generated, "pages": [], "counts": []}
    try:
        # Reviewers named apart from the statistics bench's admins, so that `stats+scale` can
        # time both on one generated database.
        for (username, code) in (("q_province", None), ("q_county", "340122"), ("q_guangdong", "44")):
            if code is None:
                org = "1"
            else:
                kind = "federation"
                org = next(line.split("\t")[0] for line in run(
                    BIN, "org", "list", "--database-url", db.url, "--region", code, "--kind", kind).splitlines())
            added = subprocess.run([BIN, "user", "add", "--database-url", db.url, "--username", username,
                                    "--org", org, "--role", "reviewer", "--password-stdin"],
                                   input=console_bench.PASSWORD + "\n", text=True, capture_output=True)
            # A database kept from an earlier run (--database-url) has its reviewers already.
            if added.returncode != 0 and not getattr(db, "kept", False):
                sys.exit(f"user add {username}: {added.stderr}")
        number = db.sql("SELECT member_number FROM memberships WHERE region_code LIKE '34%' "
                        "ORDER BY id DESC LIMIT 1")[0][0]
        server = Server(db.url, keys_in(wd))
        try:
            results["load"] = load_note()
            base = server.base
            openers = {u: console_bench.login(base, "q_" + u) for u in ("province", "county", "guangdong")}
            _, _, first = console_bench.timed(openers["province"], base + "/console/members", 3)
            # A full ID number is searched through the posted form only (a URL carrying one is
            # refused); its answer links on with the blind-index key, which this timing uses.
            form = urllib.parse.urlencode(
                {"id_number": "11010519491231002X", "csrf": console_bench.csrf_of(first)}).encode()
            with openers["province"].open(base + "/console/members", form) as response:
                id_key = re.search(rb'name="id_key" value="([0-9a-f]{64})"', response.read()).group(1).decode()
            q = urllib.parse.quote
            cases = [
                ("list, 安徽省 scope (4 % of members)", "province", "/console/members"),
                ("list, 广东省 scope (9 % of members)", "guangdong", "/console/members"),
                ("list, 肥东县 scope", "county", "/console/members"),
                ("search by name prefix (王), 安徽省", "province", "/console/members?name=" + q("王")),
                ("search by full name prefix (王伟), 安徽省", "province", "/console/members?name=" + q("王伟")),
                ("search by member number", "province", f"/console/members?number={number}"),
                ("filter occupation + status, 安徽省", "province", "/console/members?occupation=courier&status=retained"),
                ("search by ID number (blind index)", "province", f"/console/members?id_key={id_key}"),
            ]
            for name, user, path in cases:
                p50, p95, _ = console_bench.timed(openers[user], base + path, repeat)
                results["pages"].append((name, p50, p95))
                log(f"   {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
            # The ceiling of a page: the same HTTP stack answering /healthz.
            results["health"] = console_bench.timed(openers["province"], base + "/healthz", repeat)[:2]
        finally:
            server.stop()
        for name, query in (("安徽省 by occupation: sum of the trigger-kept counts per union and occupation "
                             "(`count_members_by_occupation`)", S_COUNTS),
                            ("安徽省 by occupation, without them: a GROUP BY over its memberships", S_BY_OCCUPATION),
                            ("安徽省 total: sum of the trigger-kept counts per union (`count_members`)", S_TOTAL)):
            p50, p95 = time_sql(db, query, repeat)
            results["counts"].append((name, p50, p95))
            log(f"   S {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    finally:
        db.drop()
    return results


def report_scale(backend, r):
    members = r["gen"]["members"]
    print(f"\n### Q — officer member list and search at {members:,} members, {LABEL[backend]}\n")
    hp50, hp95 = r["health"]
    print(f"Ceiling: `/healthz` over the same connection, p50 {hp50:.1f} ms, p95 {hp95:.1f} ms; "
          f"{r['load']} before the pages.\n")
    print("| page | p50 ms | p95 ms | p95 ÷ target (100 ms) |\n|---|---|---|---|")
    for name, p50, p95 in r["pages"]:
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {p95 / 100:.0%} |")
    print(f"\n### S — subtree counts at {members:,} members, {LABEL[backend]}\n")
    print("| count | p50 ms | p95 ms | p95 ÷ target (100 ms) |\n|---|---|---|---|")
    for name, p50, p95 in r["counts"]:
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {p95 / 100:.0%} |")


CONTEST_LUA = os.path.join(ROOT, "bench", "contest.lua")
CONTEST_PACED_LUA = os.path.join(ROOT, "bench", "contest_paced.lua")
# The steady run's pause between a phone's requests: 64 phones pausing 51 ms aim at
# ~1,250 requests/s, which — less each request's own time and the one start per 20
# answers — is a little over the target's 1,000 answers/s; the table shows what was reached.
CONTEST_PACE_MS = 51
CONTEST_CATEGORIES = ["道路交通安全", "消防安全", "职业健康", "用电安全", "应急救护"]


def contest_bank(path):
    """A question bank: 40 questions in each of five categories, single choice, key B."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("题型,题干,选项A,选项B,选项C,选项D,答案,解析,分类,难度\n")
        for c, category in enumerate(CONTEST_CATEGORIES):
            for i in range(40):
                f.write(f"单选题,{category}知识第{i + 1}题：下列做法哪一项是正确的？,随意处置,按规程操作并做好防护,"
                        f"视情况而定,无需处理,B,依照《安全生产法》及相关规程。,{category},中\n")


def contest_wrk(base, seconds, passes, contest, connections=64, pace_ms=0):
    """The answer load: one wrk thread (and connection) per phone, see bench/contest.lua;
    with `pace_ms`, each phone pauses that long before each request (bench/contest_paced.lua)."""
    script = CONTEST_PACED_LUA if pace_ms else CONTEST_LUA
    args = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
            "-s", script, base, "--", passes, str(contest), str(connections)] + ([str(pace_ms)] if pace_ms else [])
    out = subprocess.run(args, text=True, capture_output=True).stdout
    def percentile(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    summary = __import__("json").loads(re.search(r"^CONTEST (.*)$", out, re.M).group(1))
    return {"p50": percentile(50), "p99": percentile(99), "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "summary": summary, "raw": out}


def time_page(url, repeat):
    """p50, p95 and the slowest of `repeat` whole GETs after a warm-up (ms)."""
    for _ in range(3):
        urllib.request.urlopen(url).read()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        with urllib.request.urlopen(url) as response:
            response.read()
            assert response.status == 200, response.status
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)], samples[-1]


def bench_contest(backend, seconds, attempts, repeat, wd):
    keys = keys_in(wd)
    db = Database(backend, wd, "contest")
    try:
        log(f"{backend}: 412,000 members (huiji gen anhui-2021) ...")
        run(BIN, "gen", "--scenario", "anhui-2021", "--database-url", db.url, "--key-file", keys)
        bank = os.path.join(wd, "bank.csv")
        contest_bank(bank)
        run(BIN, "contest", "questions", "import", bank, "--database-url", db.url)
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
        until = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 + 30 * 86400))
        def create(name):
            return run(BIN, "contest", "create", "--org", "1", "--name", name, "--from", today, "--until", until,
                       "--questions-per-attempt", "20", "--minutes", "60", "--attempts-per-day", "10",
                       "--database-url", db.url).strip()
        load_contest, board_contest = create("答题压力测试"), create("排行榜测试")
        log(f"{backend}: {attempts:,} finished attempts for the board ...")
        loaded = __import__("json").loads(run(BIN, "bench-contest", "--contest", board_contest, "--attempts",
                                              str(attempts), "--database-url", db.url, "--key-file", keys))
        passes = os.path.join(wd, "passes.txt")
        run(BIN, "bench-contest", "--contest", load_contest, "--passes", "40000", "--out", passes,
            "--database-url", db.url, "--key-file", keys)
        counted = int(db.sql(f"SELECT COUNT(*) FROM contest_attempts WHERE contest_id = {board_contest}")[0][0])
        participants = int(db.sql(f"SELECT COUNT(*) FROM contest_best WHERE contest_id = {board_contest}")[0][0])
        hefei = db.sql("SELECT id FROM orgs WHERE join_code = '3401'")[0][0]
        feidong = db.sql("SELECT id FROM orgs WHERE join_code = '340122'")[0][0]
        server = Server(db.url, keys)
        try:
            load = load_note()
            log(f"{backend}: HTTP ceiling (/healthz) ...")
            health = wrk(server.base + "/healthz", seconds)
            log(f"{backend}: answers through the phone pages ...")
            answers = contest_wrk(server.base, seconds, passes, load_contest)
            log(f"{backend}: answers at a steady pace ({CONTEST_PACE_MS} ms between a phone's requests) ...")
            paced = contest_wrk(server.base, seconds, passes, load_contest, pace_ms=CONTEST_PACE_MS)
            rss = server.peak_rss_mb()
            log(f"{backend}: leaderboards ...")
            board = server.base + f"/contest/{board_contest}/board"
            pages = [(name, time_page(url, repeat)) for name, url in (
                ("province: 16 cities by participation, top 50 people", board),
                ("province: by average score", board + "?by=score"),
                ("合肥市: its unions, top 50 people of the city", board + f"?org={hefei}"),
                ("肥东县: its unions, top 50 people of the county", board + f"?org={feidong}"),
                ("HTTP ceiling: /healthz", server.base + "/healthz"),
            )]
        finally:
            server.stop()
        recorded = int(db.sql(f"SELECT COUNT(*) FROM contest_answers a JOIN contest_attempts t "
                              f"ON t.id = a.attempt_id WHERE t.contest_id = {load_contest}")[0][0])
    finally:
        db.drop()
    return {"backend": backend, "seconds": seconds, "answers": answers, "paced": paced, "health": health, "rss": rss,
            "recorded": recorded, "loaded": loaded, "attempts": counted, "participants": participants,
            "pages": pages, "load": load}


def report_contest(results):
    print("\n### C — 安康杯 answers through the phone pages (64 phones, one connection each)\n")
    print("| database | answers/s | p50 ms | p99 ms | attempts started / finished | HTTP ceiling req/s | target |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        a = r["answers"]
        s = a["summary"]
        print(f"| {LABEL[r['backend']]} | {s['answers'] / r['seconds']:,.0f} | {a['p50']:.1f} | {a['p99']:.1f} | "
              f"{s['starts']:,} / {s['finished']:,} | {r['health']['rate']:,.0f} | ≥ 1,000/s, p99 ≤ 100 ms |")
    for r in results:
        s = r["answers"]["summary"]
        note = f"; {s['other']} other answers, e.g. `{s['sample'][:100]}`" if s["other"] else ""
        print(f"\n{LABEL[r['backend']]}: {s['answers']:,} answers in {r['seconds']} s, {r['recorded']:,} in the "
              f"database afterwards{note}; server peak RSS {r['rss']:.0f} MB; {r['load']} before the run.")
    print(f"\n### C — answers at a steady pace (64 phones, each pausing {CONTEST_PACE_MS} ms before each request)\n")
    print("| database | answers/s | p50 ms | p99 ms | attempts started / finished | target |")
    print("|---|---|---|---|---|---|")
    for r in results:
        a = r["paced"]
        s = a["summary"]
        print(f"| {LABEL[r['backend']]} | {s['answers'] / r['seconds']:,.0f} | {a['p50']:.1f} | {a['p99']:.1f} | "
              f"{s['starts']:,} / {s['finished']:,} | ≥ 1,000/s, p99 ≤ 100 ms |")
    print("\n### C — leaderboards at 500,000 attempts (`/contest/{id}/board`, whole page)\n")
    print("| database | page | p50 ms | p95 ms | slowest ms |\n|---|---|---|---|---|")
    for r in results:
        for name, (p50, p95, top) in r["pages"]:
            print(f"| {LABEL[r['backend']]} | {name} | {p50:.1f} | {p95:.1f} | {top:.1f} |")
    for r in results:
        l = r["loaded"]
        print(f"\n{LABEL[r['backend']]}: {r['attempts']:,} finished attempts by {r['participants']:,} members "
              f"loaded in {l['load_seconds']:.0f} s, boards rebuilt from them in {l['recount_seconds']:.0f} s.")


def bench_stations(backend, stations, queries, wd):
    """N: the app's nearest search (growing boxes over the cell index) timed in-process
    over `stations` generated stations, from random positions (huiji bench-stations)."""
    db = Database(backend, wd, "stations")
    try:
        run(BIN, "seed", "anhui", "--database-url", db.url)
        log(f"{backend}: {stations:,} stations, then {queries:,} searches ...")
        result = __import__("json").loads(run(BIN, "bench-stations", "--stations", str(stations), "--queries",
                                              str(queries), "--database-url", db.url))
    finally:
        db.drop()
    return backend, result


def report_stations(results):
    print("\n### N — nearest stations (10 nearest open, from WGS-84; server time in-process)\n")
    print("| database | stations | searches | p50 ms | p95 ms | p99 ms | load s | target |\n|---|---|---|---|---|---|---|---|")
    for backend, r in results:
        print(f"| {LABEL[backend]} | {r['stations_added']:,} | {r['queries']:,} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | "
              f"{r['p99_ms']:.2f} | {r['load_seconds']:.0f} | p95 ≤ 5 ms |")


# Outreach: real-name rosters.
def bench_roster(backend, rows, members, wd):
    """R: `huiji roster import` of a generated GBK CSV (5 % invalid rows, 3 % repeats, 20 %
    people who are members among `members` generated ones), beside the parse-only ceiling
    (the same file decoded and parsed, no storage: huiji-tabular's read_roster example);
    peak RSS of the import process from the kernel's accounting (wait4)."""
    keys = keys_in(wd)
    db = Database(backend, wd, "roster")
    csv_path = os.path.join(wd, "roster.csv")
    try:
        run(BIN, "seed", "anhui", "--database-url", db.url)
        log(f"{backend}: {members:,} members (huiji gen) ...")
        run(BIN, "gen", "--scenario", "anhui-2021", "--members", str(members), "--database-url", db.url,
            "--key-file", keys)
        log(f"{backend}: writing a {rows:,}-row GBK roster ...")
        written = __import__("json").loads(run(BIN, "bench-roster", "--rows", str(rows), "--out", csv_path,
                                               "--database-url", db.url, "--key-file", keys))
        log(f"{backend}: parse-only ceiling ...")
        example = os.path.join(ROOT, "target", "release", "examples", "read_roster")
        started = time.time()
        parsed = run(example, csv_path)
        parse_seconds = time.time() - started
        log(f"{backend}: import ...")
        load = load_note()
        started = time.time()
        # stderr kept for the `roster import phases` log line (where the time went).
        errors = os.path.join(wd, "roster-import.log")
        with open(errors, "w") as err:
            child = subprocess.Popen([BIN, "roster", "import", csv_path, "--source", "bench", "--database-url", db.url,
                                      "--key-file", keys],
                                     stdout=subprocess.PIPE, stderr=err, text=True)
            out = child.stdout.read()
            _, status, usage = os.wait4(child.pid, 0)
        seconds = time.time() - started
        with open(errors, errors="replace") as err:
            phases = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in err if "roster import phases" in line]
        if status != 0:
            raise SystemExit(f"huiji roster import failed ({status})")
        result = __import__("json").loads(out)
        result.update({"backend": backend, "wall_seconds": seconds, "parse_seconds": parse_seconds,
                       "parse_out": parsed.strip(), "peak_rss_mb": usage.ru_maxrss / 1024,
                       "cpu_seconds": usage.ru_utime + usage.ru_stime, "phases": phases[-1] if phases else "",
                       "file_mb": os.path.getsize(csv_path) / 2**20, "written": written, "load": load})
    finally:
        db.drop()
        if os.path.exists(csv_path):
            os.remove(csv_path)
    return result


def report_roster(results):
    print("\n### R — roster import (GBK CSV; 5 % invalid, 3 % repeated, 20 % members)\n")
    print("| database | rows | file MB | imported | repeated | rejected | members | import s | rows/s | parse-only s | "
          "import ÷ parse | peak RSS MB | target |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        target = "≤ 10 s" if r["backend"] == "sqlite" else "≤ 20 s"
        print(f"| {LABEL[r['backend']]} | {r['rows']:,} | {r['file_mb']:.0f} | {r['imported']:,} | "
              f"{r['duplicates_in_file']:,} | {r['rejected']:,} | {r['members']:,} | {r['wall_seconds']:.1f} | "
              f"{r['rows'] / r['wall_seconds']:,.0f} | {r['parse_seconds']:.1f} | "
              f"{r['wall_seconds'] / r['parse_seconds']:.1f} | {r['peak_rss_mb']:.0f} | {target}, ≤ 300 MB |")
    for r in results:
        print(f"\n{LABEL[r['backend']]}: {r['load']}; parse-only: {r['parse_out']}; "
              f"CPU of the import (user+sys) {r['cpu_seconds']:.1f} s\n{r['phases']}")


# Outreach: campaigns.
def bench_campaign(backend, rows, wd):
    """K: `huiji campaign send` of a campaign to every roster non-member with a mobile
    (bench-roster's file with no members in the database: about 92 % valid new people,
    90 % of them with a mobile, so 610,000 rows target about 500,000), after
    `huiji roster import`; the queueing's wall time and peak RSS (wait4), then the time
    of `huiji campaign show` (the funnel over all its messages)."""
    keys = keys_in(wd)
    db = Database(backend, wd, "campaign")
    csv_path = os.path.join(wd, "campaign-roster.csv")
    try:
        run(BIN, "seed", "anhui", "--database-url", db.url)
        log(f"{backend}: writing and importing a {rows:,}-row roster ...")
        run(BIN, "bench-roster", "--rows", str(rows), "--out", csv_path, "--database-url", db.url, "--key-file", keys)
        run(BIN, "roster", "import", csv_path, "--source", "bench", "--database-url", db.url, "--key-file", keys)
        campaign = run(BIN, "campaign", "create", "--org", "1", "--name", "bench", "--text",
                       "{surname}师傅您好，诚邀您加入工会：{link}", "--database-url", db.url, "--key-file", keys).strip()
        log(f"{backend}: queueing campaign {campaign} ...")
        load = load_note()
        started = time.time()
        child = subprocess.Popen([BIN, "campaign", "send", campaign, "--database-url", db.url, "--key-file", keys],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.time() - started
        if status != 0:
            raise SystemExit(f"huiji campaign send failed ({status})")
        result = __import__("json").loads(out)
        started = time.time()
        run(BIN, "campaign", "show", campaign, "--database-url", db.url, "--key-file", keys)
        result.update({"backend": backend, "rows": rows, "send_seconds": seconds, "show_seconds": time.time() - started,
                       "peak_rss_mb": usage.ru_maxrss / 1024, "load": load,
                       # On a shared machine the wall time is mostly waiting for a core: the
                       # process's own CPU time says what queueing costs.
                       "cpu_seconds": usage.ru_utime + usage.ru_stime})
    finally:
        db.drop()
        if os.path.exists(csv_path):
            os.remove(csv_path)
    return result


def report_campaign(results):
    print("\n### K — queueing a campaign (every roster non-member with a mobile)\n")
    print("| database | roster rows | targeted | queue s | targets/s | CPU s of `huiji` (user+sys) | peak RSS MB | "
          "`campaign show` s |\n|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {LABEL[r['backend']]} | {r['rows']:,} | {r['targeted']:,} | {r['send_seconds']:.1f} | "
              f"{r['targeted'] / r['send_seconds']:,.0f} | {r['cpu_seconds']:.1f} | {r['peak_rss_mb']:.0f} | "
              f"{r['show_seconds']:.2f} |")
    for r in results:
        print(f"\n{LABEL[r['backend']]}: {r['load']}")


# Outreach: joins while a campaign is being sent.
def bench_campaign_joins(backend, rows, seconds, rate, wd):
    """J during a send: a campaign to a roster of `rows` rows is queued, then `huiji serve`
    runs with the sender at `rate` messages/s (outbox provider, quiet hours off so it
    sends now): wrk joins through the API for `seconds` before the campaign is queued
    (no send) and again while the sender drains it; messages sent in that window are
    counted from the database."""
    keys = keys_in(wd)
    db = Database(backend, wd, "campaign_joins")
    csv_path = os.path.join(wd, "campaign-joins-roster.csv")
    quiet = {"HUIJI_CAMPAIGN_QUIET_HOURS": "00:00-00:00"}
    env = dict(quiet, HUIJI_CAMPAIGN_RATE_PER_SECOND=str(rate))
    result = {"backend": backend, "rows": rows, "rate": rate, "seconds": seconds}
    try:
        run(BIN, "seed", "anhui", "--database-url", db.url)
        log(f"{backend}: writing and importing a {rows:,}-row roster ...")
        run(BIN, "bench-roster", "--rows", str(rows), "--out", csv_path, "--database-url", db.url, "--key-file", keys)
        run(BIN, "roster", "import", csv_path, "--source", "bench", "--database-url", db.url, "--key-file", keys)
        key = api_key(db.url, keys)
        for seed in (1, 2):
            path = os.path.join(wd, f"campaign-joins-{seed}.jsonl")
            if not os.path.exists(path):
                write_bodies(path, 3000 * seconds, seed=100 + seed)
        server = Server(db.url, keys, env=env)
        try:
            log(f"{backend}: joins, no campaign being sent ...")
            result["load_without"] = load_note()
            result["without"] = wrk(server.base, seconds,
                                    script_args=[os.path.join(wd, "campaign-joins-1.jsonl"), key, "2"])
            campaign = run(BIN, "campaign", "create", "--org", "1", "--name", "bench", "--text",
                           "{surname}师傅您好，诚邀您加入工会：{link}", "--database-url", db.url,
                           "--key-file", keys).strip()
            # The server's sender starts on the queued messages within a second.
            queued = __import__("json").loads(run(BIN, "campaign", "send", campaign, "--database-url", db.url, "--key-file", keys,
                                    env=dict(os.environ, **quiet)))
            result["targeted"] = queued["targeted"]
            time.sleep(2)
            sent_before = int(db.sql("SELECT COUNT(*) FROM campaign_messages WHERE sent_at IS NOT NULL")[0][0])
            log(f"{backend}: joins while the sender drains ({rate}/s) ...")
            result["load_with"] = load_note()
            started = time.time()
            # Keys of their own: the first run's keys with other bodies are 422s.
            result["with"] = wrk(server.base, seconds,
                                 script_args=[os.path.join(wd, "campaign-joins-2.jsonl"), key, "2", "", "send-"])
            elapsed = time.time() - started
            sent_after = int(db.sql("SELECT COUNT(*) FROM campaign_messages WHERE sent_at IS NOT NULL")[0][0])
            result["drained_per_s"] = (sent_after - sent_before) / elapsed
            result["rss_mb"] = server.peak_rss_mb()
        finally:
            server.stop()
    finally:
        db.drop()
        if os.path.exists(csv_path):
            os.remove(csv_path)
    return result


def report_campaign_joins(results):
    print("\n### J during a campaign send (joins through the API, 64 connections)\n")
    print("| database | targeted | sender rate /s | sent /s during the run | joins/s without | p99 ms without | "
          "joins/s while sending | p99 ms while sending |\n|---|---|---|---|---|---|---|---|")
    for r in results:
        w, s = r["without"], r["with"]
        print(f"| {LABEL[r['backend']]} | {r['targeted']:,} | {r['rate']} | {r['drained_per_s']:,.0f} | "
              f"{w['joins']['created'] / r['seconds']:,.0f} | {w['p99']:.1f} | "
              f"{s['joins']['created'] / r['seconds']:,.0f} | {s['p99']:.1f} |")
    for r in results:
        print(f"\n{LABEL[r['backend']]}: {r['seconds']} s each; without: {r['load_without']}; "
              f"while sending: {r['load_with']}")


def bench_build():
    target = os.path.join(ROOT, "target", "bench-clean")
    shutil.rmtree(target, ignore_errors=True)
    log("clean release build (a separate target directory) ...")
    started = time.time()
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "huiji"], cwd=ROOT, check=True,
                   env=dict(os.environ, CARGO_TARGET_DIR=target))
    elapsed = time.time() - started
    size = os.path.getsize(os.path.join(target, "release", "huiji")) / 2**20
    shutil.rmtree(target, ignore_errors=True)
    print("\n### B — build\n")
    print("| what | figure |\n|---|---|")
    print(f"| clean release build, `cargo build --release -p huiji`, {os.cpu_count()} cores | {elapsed / 60:.1f} min |")
    print(f"| binary size (target/release/huiji) | {size:.1f} MiB |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["join", "gen", "scale", "build", "contest", "stations", "roster", "campaign",
                                         "stats", "stats+scale", "all",
                                         # Outreach: joins while a campaign is being sent.
                                         "campaign-joins",
                                         # Two instances, one PostgreSQL (issue 14).
                                         "multi"])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--members", type=int)
    parser.add_argument("--scenario", default="anhui-2021", choices=["anhui-2021", "national"])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--attempts", type=int, default=500_000)
    parser.add_argument("--stations", type=int, default=200_000)
    # Outreach: the sender's rate for campaign-joins (messages/s).
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--database-url", help="scale: time a database generated before instead of generating one")
    parser.add_argument("--key-file", help="scale --database-url: the key file it was generated with")
    parser.add_argument("--no-build", action="store_true",
                        help="run target/release/huiji as it is (a binary built or copied beforehand)")
    args = parser.parse_args()
    backends = [args.only] if args.only else ["sqlite", "postgres"]
    if args.what in ("build", "all"):
        bench_build()
    if not args.no_build:
        build_release()
    wd = workdir()
    try:
        if args.what in ("join", "all"):
            ensure_wrk()
            report_join([bench_join(b, args.seconds, wd) for b in backends])
        if args.what in ("gen", "all"):
            results = []
            for b in backends:
                db, result = bench_gen(b, args.scenario, args.members, wd)
                db.drop()
                results.append(result)
            report_gen(results)
        if args.what in ("contest", "all"):
            ensure_wrk()
            report_contest([bench_contest(b, args.seconds, args.attempts, args.repeat, wd) for b in backends])
        if args.what in ("stations", "all"):
            report_stations([bench_stations(b, args.stations, max(args.repeat, 2000), wd) for b in backends])
        if args.what in ("roster", "all"):
            subprocess.run(["cargo", "build", "--release", "-q", "-p", "huiji-tabular", "--example", "read_roster"],
                           cwd=ROOT, check=True)
            report_roster([bench_roster(b, args.rows, args.members or 412_000, wd) for b in backends])
        # Outreach: campaigns.
        if args.what in ("campaign", "all"):
            rows = args.rows if args.rows != 1_000_000 else 610_000
            report_campaign([bench_campaign(b, rows, wd) for b in backends])
        # Outreach: joins while a campaign is being sent.
        if args.what == "campaign-joins":
            ensure_wrk()
            rows = args.rows if args.rows != 1_000_000 else 60_000
            report_campaign_joins([bench_campaign_joins(b, rows, args.seconds, args.rate, wd) for b in backends])
        if args.what in ("stats", "all"):
            for b in backends:
                r = stats_bench.bench(b, args.members or 1_000_000, args.repeat, wd, bench_gen, keys_in)
                report_gen([r["gen"]])
                stats_bench.report(LABEL[b], r)
        # T, then Q and S, on one generated database: at 10 M a generation takes a quarter of
        # an hour, and neither bench changes what the other times.
        if args.what == "stats+scale":
            for b in backends:
                shared = SharedGen()
                try:
                    r = stats_bench.bench(b, args.members or 10_000_000, args.repeat, wd, shared.gen, keys_in)
                    report_gen([r["gen"]])
                    stats_bench.report(LABEL[b], r)
                    r = bench_scale(b, args.members or 10_000_000, args.repeat, wd, shared.gen)
                    report_scale(b, r)
                finally:
                    shared.drop()
        # Two instances, one PostgreSQL (issue 14).
        if args.what in ("multi", "all"):
            ensure_wrk()
            multi_bench.report(multi_bench.bench(args.seconds, wd, keys_in))
        if args.what == "scale" and args.database_url:
            if not args.key_file:
                sys.exit("--database-url needs the --key-file the database was generated with")
            shutil.copy(args.key_file, os.path.join(wd, "bench.keys"))
            backend = "sqlite" if args.database_url.startswith("sqlite:") else "postgres"
            report_scale(backend, bench_scale(backend, None, args.repeat, wd, generated_at(args.database_url)))
        elif args.what in ("scale", "all"):
            for b in backends:
                r = bench_scale(b, args.members or 10_000_000, args.repeat, wd)
                report_gen([r["gen"]])
                report_scale(b, r)
    finally:
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
