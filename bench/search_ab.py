"""Q, A/B: the officer member list and search pages of two builds on the same data.

    python3 bench/search_ab.py OLD_BIN NEW_BIN [--members 10000000] [--repeat 30] [--rounds 3]

A regression check that does not depend on how fast the machine is today: OLD_BIN
generates one national SQLite database, the file is copied, each build serves its own copy
(NEW_BIN migrates its copy forward at start), and the same pages are timed against both,
alternating OLD and NEW round by round so a change of load hits both alike. Prints p50/p95
per page and build, and NEW ÷ OLD.
"""
import argparse
import http.cookiejar
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import console_bench  # noqa: E402
from common import load_note, log, run  # noqa: E402

CASES = [
    ("list, 安徽省 scope", "province", "/console/members"),
    ("list, 广东省 scope", "guangdong", "/console/members"),
    ("list, 肥东县 scope", "county", "/console/members"),
    ("name prefix 王, 安徽省", "province", "/console/members?name=" + urllib.parse.quote("王")),
    ("name prefix 王伟, 安徽省", "province", "/console/members?name=" + urllib.parse.quote("王伟")),
    ("occupation courier + status retained, 安徽省", "province", "/console/members?occupation=courier&status=retained"),
]


class Served:
    """One build serving one database file on a free port."""

    def __init__(self, binary, url, keys):
        self.port = 19000 + random.randrange(1000)
        env = dict(os.environ, HUIJI_LOG="warn")
        self.proc = subprocess.Popen([binary, "serve", "--database-url", url, "--key-file", keys,
                                      "--listen", f"127.0.0.1:{self.port}"], env=env, stdout=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    sys.exit(f"{binary} exited at start")
                time.sleep(0.1)
        sys.exit(f"{binary} did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--members", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", help="keep the generated database here and reuse it when it is there "
                        "(generate while the machine is busy, time when it is quiet)")
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args()
    wd = args.workdir or tempfile.mkdtemp(prefix="huiji-ab-")
    os.makedirs(wd, exist_ok=True)
    keys = os.path.join(wd, "bench.keys")
    old_db = os.path.join(wd, "old.db")
    ready = os.path.join(wd, "generated")
    try:
        if not os.path.exists(ready):
            generate(args, keys, old_db)
            open(ready, "w").close()
        if args.generate_only:
            return
        compare(args, wd, keys, old_db)
    finally:
        if not args.workdir:
            shutil.rmtree(wd, ignore_errors=True)


def generate(args, keys, old_db):
    """The national database, made by the old build, with the three officers."""
    for leftover in (old_db, old_db + "-wal", old_db + "-shm", keys):
        if os.path.exists(leftover):
            os.remove(leftover)
    run(args.old, "keys", "init", "--out", keys)
    log(f"generating {args.members:,} members with {args.old}")
    started = time.time()
    run(args.old, "gen", "--scenario", "national", "--members", str(args.members),
        "--database-url", f"sqlite:{old_db}", "--key-file", keys)
    log(f"   {time.time() - started:.0f} s")
    for username, region in (("province", None), ("county", "340122"), ("guangdong", "44")):
        org = "1" if region is None else run(
            args.old, "org", "list", "--database-url", f"sqlite:{old_db}", "--region", region,
            "--kind", "federation").splitlines()[0].split("\t")[0]
        subprocess.run([args.old, "user", "add", "--database-url", f"sqlite:{old_db}", "--username", username,
                        "--org", org, "--role", "reviewer", "--password-stdin"],
                       input=console_bench.PASSWORD + "\n", check=True, text=True, capture_output=True)
    run("sqlite3", old_db, "PRAGMA wal_checkpoint(TRUNCATE);")


def compare(args, wd, keys, old_db):
    """Both builds over copies of the same file, alternating."""
    new_db = os.path.join(wd, "new.db")
    shutil.copyfile(old_db, new_db)
    builds = {"old": (args.old, old_db), "new": (args.new, new_db)}
    samples = {(name, b): [] for name, _, _ in CASES for b in builds}
    note = load_note()
    for round_ in range(args.rounds):
        for build in (("old", "new") if round_ % 2 == 0 else ("new", "old")):
            binary, path = builds[build]
            server = Served(binary, f"sqlite:{path}", keys)
            try:
                openers = {u: login(server.base, u) for u in ("province", "county", "guangdong")}
                for name, user, page in CASES:
                    console_bench.timed(openers[user], server.base + page, 3)  # warm the cache
                    samples[(name, build)] += timed_samples(openers[user], server.base + page, args.repeat)
            finally:
                server.stop()
            log(f"   round {round_ + 1}: {build} done")
    print(f"\n### Q, A/B at {args.members:,} members, SQLite ({note} before the pages)\n")
    print(f"old: `{args.old}`; new: `{args.new}`; {args.rounds} alternating rounds of {args.repeat}.\n")
    print("| page | old p50 | old p95 | new p50 | new p95 | new ÷ old (p95) |\n|---|---|---|---|---|---|")
    for name, _, _ in CASES:
        o, n = sorted(samples[(name, "old")]), sorted(samples[(name, "new")])
        o50, o95, n50, n95 = pct(o, 50), pct(o, 95), pct(n, 50), pct(n, 95)
        print(f"| {name} | {o50:.1f} | {o95:.1f} | {n50:.1f} | {n95:.1f} | {n95 / o95:.2f} |")


def login(base, username):
    """A console session; builds from before the login form's CSRF token post without one."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), console_bench.NoRedirect)
    with opener.open(base + "/console/login") as response:
        found = re.search(rb'name="csrf" value="([0-9a-f]+)"', response.read())
    fields = {"username": username, "password": console_bench.PASSWORD}
    if found:
        fields["csrf"] = found.group(1).decode()
    try:
        opener.open(base + "/console/login", urllib.parse.urlencode(fields).encode())
    except urllib.error.HTTPError as e:
        if e.code != 303:
            raise
    return opener


def timed_samples(opener, url, repeat):
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        with opener.open(url) as response:
            response.read()
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(sorted_samples, p):
    return sorted_samples[max(0, int(len(sorted_samples) * p / 100) - 1)]


if __name__ == "__main__":
    main()
