"""bench/run stats: the statistics pages at scale (issue 17's ≤ 100 ms p95).

`huiji gen --scenario national` makes the members (it rebuilds the rollups after its bulk
load); it makes no applications, so this adds a month of decided ones (a share of the
members again as rejected applications — each with a time to decision — so the review
figures have a realistic month to sum without changing any membership) and rebuilds the
rollups once more. Then, over HTTP with a signed-in admin, each page is timed `repeat`
times beside the ceiling of a `/healthz` request in the same run:

    /console/stats (province, county), ?on= a date five years back, the XLSX export,
    /console/screen and its 30-second data request.
"""
import datetime, subprocess, time

import console_bench
from common import BIN, Server, load_note, log, run

DAY_MS = 86_400_000
# Applications received in the last 30 days, per member: a join rate of ~12 % a year.
MONTHLY_SHARE = 100


def add_recent_applications(db, now_ms):
    """A month of decided applications (rejected, so no membership changes), copied from a
    hundredth of the members: received over the last 30 days, decided 5 minutes to 3 days
    later, one in five instantly (as `decided_by = 'instant'`)."""
    consent = db.sql("SELECT version FROM consent_versions ORDER BY version LIMIT 1")
    if not consent:
        db.sql("INSERT INTO consent_versions (version, text_zh, text_en, created_at) VALUES ('bench', '-', '-', 0)")
        consent = [["bench"]]
    version = consent[0][0]
    # id % 30 days spreads them over the month; (id * 7919) % 3 days is the time taken.
    db.sql(
        "INSERT INTO applications (status, channel, receiving_org_id, name, id_number_ct, id_number_bidx, "
        "mobile_ct, mobile_bidx, sex, occupation, region_code, consent_version, consent_at, mobile_verified, "
        "created_at, decided_at, decided_by, decision_reason, reviewer_org_id, reviewer_path) "
        f"SELECT 'rejected', 'qr', m.home_org_id, m.name, m.id_number_ct, m.id_number_bidx, m.mobile_ct, "
        f"m.mobile_bidx, m.sex, m.occupation, m.region_code, '{version}', {now_ms} - (m.id % 30) * {DAY_MS}, "
        f"TRUE, {now_ms} - (m.id % 30) * {DAY_MS} - 3600000, "
        f"{now_ms} - (m.id % 30) * {DAY_MS} - 3600000 + 300000 + (m.id * 7919) % {3 * DAY_MS}, "
        "CASE WHEN m.id % 5 = 0 THEN 'instant' ELSE 'user:bench' END, 'bench', m.home_org_id, m.home_path "
        f"FROM memberships m WHERE m.id % {MONTHLY_SHARE} = 7")
    return int(db.sql("SELECT COUNT(*) FROM applications")[0][0])


def bench(backend, members, repeat, wd, gen, keys_in):
    """Generates, loads a month of applications, rebuilds, times the pages; the results."""
    db, generated = gen(backend, "national", members, wd)
    results = {"gen": generated, "pages": []}
    try:
        now_ms = int(time.time() * 1000)
        results["applications"] = add_recent_applications(db, now_ms)
        started = time.time()
        run(BIN, "stats", "rebuild", "--database-url", db.url)
        results["rebuild_s"] = time.time() - started
        for username, code in (("province", None), ("county", "340122")):
            org = "1" if code is None else next(line.split("\t")[0] for line in run(
                BIN, "org", "list", "--database-url", db.url, "--region", code, "--kind", "federation").splitlines())
            subprocess.run([BIN, "user", "add", "--database-url", db.url, "--username", username, "--org", org,
                            "--role", "admin", "--password-stdin"], input=console_bench.PASSWORD + "\n",
                           check=True, text=True, capture_output=True)
        five_years = (datetime.date.today() - datetime.timedelta(days=5 * 365)).isoformat()
        server = Server(db.url, keys_in(wd))
        try:
            results["load"] = load_note()
            base = server.base
            openers = {u: console_bench.login(base, u) for u in ("province", "county")}
            cases = [
                ("/console/stats, province", "province", "/console/stats"),
                ("/console/stats, county (肥东县)", "county", "/console/stats"),
                (f"/console/stats?on={five_years}, province", "province", f"/console/stats?on={five_years}"),
                ("/console/stats/export.xlsx, province", "province", "/console/stats/export.xlsx?org=1"),
                ("/console/screen, province", "province", "/console/screen"),
                ("/console/screen/data (every 30 s), province", "province", "/console/screen/data"),
            ]
            for name, user, path in cases:
                p50, p95, _ = console_bench.timed(openers[user], base + path, repeat)
                results["pages"].append((name, p50, p95))
                log(f"   {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
            results["health"] = console_bench.timed(openers["province"], base + "/healthz", repeat)[:2]
            results["rss_mb"] = server.peak_rss_mb()
        finally:
            server.stop()
        verify = subprocess.run([BIN, "stats", "verify", "--database-url", db.url], capture_output=True, text=True)
        results["verify"] = "agree" if verify.returncode == 0 else f"exit {verify.returncode}"
    finally:
        db.drop()
    return results


def report(backend_label, r):
    members = r["gen"]["members"]
    print(f"\n### T — statistics pages at {members:,} members, {backend_label}\n")
    hp50, hp95 = r["health"]
    print(f"{r['applications']:,} applications in the last 30 days (added, decided); `huiji stats rebuild` "
          f"{r['rebuild_s']:.0f} s; `huiji stats verify`: {r['verify']}. Ceiling: `/healthz` over the same "
          f"connection, p50 {hp50:.1f} ms, p95 {hp95:.1f} ms; {r['load']} before the pages; "
          f"server peak RSS {r['rss_mb']:.0f} MB.\n")
    print("| page | p50 ms | p95 ms | p95 ÷ target (100 ms) |\n|---|---|---|---|")
    for name, p50, p95 in r["pages"]:
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {p95 / 100:.0%} |")
