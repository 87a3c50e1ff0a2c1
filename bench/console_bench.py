#!/usr/bin/env python3
"""Officer console at scale: 1,000,000 members, member list and search latency.

Builds a release binary, seeds Anhui's union tree, bulk-loads synthetic members
straight into the database (fast; identifiers are random bytes, not encryptions:
list and search pages never decrypt), starts `huiji serve`, logs an officer in and
times each page REPEAT times, on SQLite and on PostgreSQL. Prints a Markdown table.

    python3 bench/console_bench.py [--members 1000000] [--repeat 30] [--only sqlite|postgres]

A benchmark, not a test: the figures go to BENCHMARKS.md.
"""
import argparse, http.cookiejar, os, random, re, shutil, sqlite3, statistics, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "huiji")
PG_ADMIN = os.environ.get("HUIJI_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国志文斌宇浩凯鹏飞鑫波辉林峰亮成龙海燕晨雪梅兰婷琳"
OCCUPATIONS = ["truck_driver"] * 79 + ["courier"] * 9 + ["delivery_rider"] * 8 + ["ride_hailing_driver"] * 4
PASSWORD = "bench-password-1"


def run(*args, **kw):
    return subprocess.run(args, check=True, text=True, capture_output=True, **kw).stdout


def luhn(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return str((10 - total % 10) % 10)


def rows(orgs, n, now_ms):
    rnd = random.Random(42)
    year_ms = 365 * 86400 * 1000
    for i in range(1, n + 1):
        org_id, path, region, pool = orgs[rnd.randrange(len(orgs))]
        body = f"3426{i:08d}"
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.6 else "")
        yield (body + luhn(body), "active" if rnd.random() < 0.97 else "retained", org_id, path, pool, name,
               rnd.randbytes(48), rnd.randbytes(32).hex(), rnd.randbytes(40), rnd.randbytes(32).hex(),
               "male" if rnd.random() < 0.9 else "female", rnd.choice(OCCUPATIONS), region,
               now_ms - rnd.randrange(3 * year_ms))


COLUMNS = ("member_number, status, home_org_id, home_path, in_pool, name, id_number_ct, id_number_bidx, "
           "mobile_ct, mobile_bidx, sex, occupation, region_code, joined_at")


def landing_orgs(fetch):
    # Members live in industry federations, township unions and the cities' pools.
    return [(i, p, r, bool(pool)) for (i, p, r, pool) in fetch(
        "SELECT id, path, region_code, turnover_pool FROM orgs "
        "WHERE kind IN ('industry_federation', 'township') OR turnover_pool")]


def load_sqlite(path, n):
    db = sqlite3.connect(path)
    orgs = landing_orgs(lambda q: db.execute(q).fetchall())
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    batch = []
    for row in rows(orgs, n, int(time.time() * 1000)):
        batch.append(row)
        if len(batch) == 50_000:
            db.executemany(f"INSERT INTO memberships ({COLUMNS}) VALUES ({','.join('?' * 14)})", batch)
            batch.clear()
    if batch:
        db.executemany(f"INSERT INTO memberships ({COLUMNS}) VALUES ({','.join('?' * 14)})", batch)
    db.commit()
    db.execute("ANALYZE")
    db.close()


def load_postgres(url, n):
    orgs = [tuple(line.split("|")) for line in run(
        "psql", url, "-Atc", "SELECT id, path, region_code, turnover_pool FROM orgs "
        "WHERE kind IN ('industry_federation', 'township') OR turnover_pool").splitlines()]
    orgs = [(int(i), p, r, pool == "t") for (i, p, r, pool) in orgs]
    # A bulk load: the per-row count trigger is off during COPY and the counts are
    # recomputed once afterwards, as a restore would do.
    run("psql", url, "-qc", "ALTER TABLE memberships DISABLE TRIGGER memberships_count")
    copy = subprocess.Popen(["psql", url, "-qc", f"COPY memberships ({COLUMNS}) FROM STDIN"],
                            stdin=subprocess.PIPE, text=True)
    for row in rows(orgs, n, int(time.time() * 1000)):
        fields = []
        for value in row:
            if isinstance(value, bytes):
                fields.append("\\\\x" + value.hex())
            elif isinstance(value, bool):
                fields.append("t" if value else "f")
            else:
                fields.append(str(value))
        copy.stdin.write("\t".join(fields) + "\n")
    copy.stdin.close()
    if copy.wait() != 0:
        sys.exit("COPY failed")
    run("psql", url, "-qc", "ALTER TABLE memberships ENABLE TRIGGER memberships_count")
    run("psql", url, "-qc", "DELETE FROM org_member_counts")
    run("psql", url, "-qc", "INSERT INTO org_member_counts (org_id, held) SELECT home_org_id, COUNT(*) "
        "FROM memberships WHERE status IN ('active', 'retained') GROUP BY home_org_id")
    run("psql", url, "-qc", "VACUUM ANALYZE")


def serve(url, workdir):
    keys = os.path.join(workdir, "bench.keys")
    if not os.path.exists(keys):
        run(BIN, "keys", "init", "--out", keys)
    port = 18700 + random.randrange(200)
    env = dict(os.environ, HUIJI_LOG="warn")
    proc = subprocess.Popen([BIN, "serve", "--database-url", url, "--key-file", keys,
                             "--listen", f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("server did not start")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def csrf_of(page):
    return re.search(rb'name="csrf" value="([0-9a-f]+)"', page).group(1).decode()


def login(base, username):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    # The login form carries a CSRF token (its nonce stays in the cookie jar).
    with opener.open(base + "/console/login") as response:
        csrf = csrf_of(response.read())
    data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf": csrf}).encode()
    try:
        opener.open(base + "/console/login", data)
    except urllib.error.HTTPError as e:
        if e.code != 303:
            raise
    return opener


def timed(opener, url, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        with opener.open(url) as response:
            body = response.read()
            assert response.status == 200, response.status
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], body


def bench(label, url, workdir, members, repeat, load):
    print(f"\n## {label}: seeding and loading {members:,} members ...", file=sys.stderr)
    run(BIN, "seed", "anhui", "--database-url", url)
    started = time.time()
    load(members)
    print(f"   loaded in {time.time() - started:.0f} s", file=sys.stderr)
    for username, org in (("root", "1"), ("county", None)):
        if org is None:  # 肥东县总工会
            org = next(line.split("\t")[0] for line in run(
                BIN, "org", "list", "--database-url", url, "--region", "340122", "--kind", "federation").splitlines())
        subprocess.run([BIN, "user", "add", "--database-url", url, "--username", username, "--org", org,
                        "--role", "reviewer", "--password-stdin"], input=PASSWORD + "\n", check=True,
                       text=True, capture_output=True)
    proc, base = serve(url, workdir)
    results = []
    try:
        root, county = login(base, "root"), login(base, "county")
        # Warm up caches the way a working day would.
        timed(root, base + "/console/members", 3)
        _, _, first = timed(root, base + "/console/members", 1)
        ids = re.findall(rb'/console/members/(\d+)"', first)
        before = ids[-1].decode() if ids else "500000"
        body = f"3426{members // 2:08d}"
        number = body + luhn(body)  # a member in the middle of the table
        # A full ID number is searched through the posted form only; its answer links on
        # with the blind-index key, which is what a later page (and this timing) uses.
        search = urllib.parse.urlencode({"id_number": "11010519491231002X", "csrf": csrf_of(first)}).encode()
        with root.open(base + "/console/members", search) as response:
            id_key = re.search(rb'name="id_key" value="([0-9a-f]{64})"', response.read()).group(1).decode()
        cases = [
            ("list, province scope, first page", root, "/console/members"),
            ("list, province scope, a later page (keyset)", root, f"/console/members?before={before}"),
            ("list, county scope", county, "/console/members"),
            ("search by name prefix (王)", root, "/console/members?name=" + urllib.parse.quote("王")),
            ("search by full name prefix (王伟)", root, "/console/members?name=" + urllib.parse.quote("王伟")),
            ("search by member number", root, f"/console/members?number={number}"),
            ("filter occupation + status", root, "/console/members?occupation=courier&status=retained"),
            ("search by ID number (blind index, no match)", root, f"/console/members?id_key={id_key}"),
        ]
        for name, opener, path in cases:
            p50, p95, _ = timed(opener, base + path, repeat)
            results.append((label, name, p50, p95))
            print(f"   {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms", file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait()
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    print("building release binary ...", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release", "-p", "huiji"], cwd=ROOT, check=True)
    workdir = tempfile.mkdtemp(prefix="huiji-bench-")
    results = []
    try:
        if args.only in (None, "sqlite"):
            path = os.path.join(workdir, "bench.db")
            url = f"sqlite:{path}"
            run(BIN, "migrate", "--database-url", url)
            results += bench("SQLite", url, workdir, args.members, args.repeat, lambda n: load_sqlite(path, n))
        if args.only in (None, "postgres"):
            name = f"huiji_bench_{os.getpid()}"
            run("psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}")
            url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
            try:
                run(BIN, "migrate", "--database-url", url)
                results += bench("PostgreSQL", url, workdir, args.members, args.repeat,
                                 lambda n: load_postgres(url, n))
            finally:
                run("psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n| database | page ({args.members:,} members) | p50 ms | p95 ms |\n|---|---|---|---|")
    for label, name, p50, p95 in results:
        print(f"| {label} | {name} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
