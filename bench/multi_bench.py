"""bench/run multi: two `huiji serve` processes on one PostgreSQL (issue 14), joins through
the platform API spread over both — each instance gets half the connections and half the
people, as a round-robin balancer would send them — against one instance on its own, in
the same run, with the `/healthz` ceiling of one instance beside them."""
import json, os, re, subprocess

from common import BIN, LUA, Database, Server, api_key, load_note, log, run, write_bodies, wrk


def start_wrk(url, seconds, connections, bodies, key, prefix):
    """One wrk process with one thread (the join script's thread count is 1). Each process
    needs its own `Idempotency-Key` prefix: with the script's default, two processes sent
    the same keys with different people, and half the pair's requests were refused as
    `idempotency_mismatch` (the first J2 run, 2026-12-03)."""
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
            "-s", LUA, url, "--", bodies, key, "1", "", prefix]
    return subprocess.Popen(args, text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def parse_wrk(out):
    def percentile(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    joins = json.loads(re.search(r"^JOINS (.*)$", out, re.M).group(1))
    return {"created": joins["created"], "other": joins["other"], "p50": percentile(50), "p99": percentile(99)}


def split(bodies, parts):
    """Every `parts`-th line into its own file, so no person is sent to both instances."""
    paths = [f"{bodies}.{i}" for i in range(parts)]
    outs = [open(p, "w") for p in paths]
    with open(bodies) as f:
        for i, line in enumerate(f):
            outs[i % parts].write(line)
    for out in outs:
        out.close()
    return paths


def joins_through(servers, seconds, bodies, key):
    """Runs wrk against each server at once (64 connections in all); the joins per second
    of all of them and each one's p50/p99."""
    per = 64 // len(servers)
    files = split(bodies, len(servers))
    procs = [start_wrk(s.base, seconds, per, f, key, f"multi{i}-")
             for i, (s, f) in enumerate(zip(servers, files))]
    results = [parse_wrk(p.communicate()[0]) for p in procs]
    created = sum(r["created"] for r in results)
    return {"joins_per_s": created / seconds, "created": created, "other": sum(r["other"] for r in results),
            "p50": [r["p50"] for r in results], "p99": [r["p99"] for r in results]}


def bench(seconds, wd, keys_in):
    keys = keys_in(wd)
    bodies = os.path.join(wd, "multi-bodies.jsonl")
    if not os.path.exists(bodies):
        log("writing request bodies ...")
        write_bodies(bodies, 4000 * seconds, seed=3)
    results = {"seconds": seconds}
    for label, count in (("one", 1), ("two", 2)):
        db = Database("postgres", wd, f"multi_{label}")
        try:
            run(BIN, "seed", "anhui", "--database-url", db.url)
            key = api_key(db.url, keys)
            servers = [Server(db.url, keys) for _ in range(count)]
            try:
                if label == "one":
                    log("postgres: HTTP ceiling of one instance (/healthz) ...")
                    results["health"] = wrk(servers[0].base + "/healthz", seconds)
                log(f"postgres: joins through {count} instance(s) ...")
                results[f"load_{label}"] = load_note()
                results[label] = joins_through(servers, seconds, bodies, key)
            finally:
                for server in servers:
                    server.stop()
            results[label]["members"] = int(db.sql("SELECT COUNT(*) FROM memberships")[0][0])
        finally:
            db.drop()
    return results


def report(r):
    one, two = r["one"], r["two"]
    print("\n### J2 — joins through two instances on one PostgreSQL (64 connections in all)\n")
    print("| instances | joins/s | p50 ms (each) | p99 ms (each) | members after | other answers |")
    print("|---|---|---|---|---|---|")
    for label, x in (("one", one), ("two, half the connections each", two)):
        p50 = " / ".join(f"{v:.1f}" for v in x["p50"])
        p99 = " / ".join(f"{v:.1f}" for v in x["p99"])
        print(f"| {label} | {x['joins_per_s']:,.0f} | {p50} | {p99} | {x['members']:,} | {x['other']} |")
    h = r["health"]
    print(f"\nPair ÷ one: {two['joins_per_s'] / one['joins_per_s']:.2f}. Ceiling: one instance's `/healthz` "
          f"{h['rate']:,.0f} req/s (p99 {h['p99']:.1f} ms). {r['seconds']} s each; {r['load_one']} before one, "
          f"{r['load_two']} before the pair.")
