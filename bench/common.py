"""Shared pieces of the benchmark scripts: the binary, databases, servers, the load tool
and the bodies of join requests (unique valid identities). Python standard library only."""
import json, os, random, re, shutil, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "huiji")
LUA = os.path.join(ROOT, "bench", "join.lua")
PG_ADMIN = os.environ.get("HUIJI_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国志文斌宇浩凯鹏飞鑫波辉林峰亮成龙海燕晨雪梅兰婷琳"
OCCUPATIONS = ["truck_driver"] * 789 + ["courier"] * 102 + ["delivery_rider"] * 80 + ["ride_hailing_driver"] * 29
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECKS = "10X98765432"


def load_note():
    """The machine's load when a figure was taken: other work on a 2-core machine shows."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(*args, **kw):
    return subprocess.run(args, check=True, text=True, capture_output=True, **kw).stdout


def build_release():
    log("building the release binary ...")
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "huiji"], cwd=ROOT, check=True)


def ensure_wrk():
    """The load tool: Debian's wrk (with LuaJIT, for unique bodies per request)."""
    if shutil.which("wrk"):
        return
    log("installing wrk ...")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def anhui_counties():
    """County-level codes of Anhui that issue ID numbers (development zones do not)."""
    path = os.path.join(ROOT, "crates", "core", "data", "areas.csv")
    codes = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            code, name = line.split(",")[0], line.split(",")[1].strip('"')
            if code.startswith("34") and not (name.endswith("开发区") or name.endswith("园区")):
                codes.append(code)
    return codes


def id_number(area, birth, order):
    body = f"{area}{birth}{order:03d}"
    return body + CHECKS[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def write_bodies(path, count, seed):
    """`count` platform API request bodies, one JSON object a line, each a different
    valid person working in Anhui with a mobile of their own (a mobile answers for one
    identity: a second ID number with it would wait for review)."""
    rnd = random.Random(seed)
    counties = anhui_counties()
    seen = set()
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            while True:
                area = rnd.choice(counties)
                birth = f"{rnd.randint(1966, 2004)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
                number = id_number(area, birth, rnd.randrange(1000))
                if number not in seen:
                    seen.add(number)
                    break
            name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.6 else "")
            body = {
                "name": name, "id_number": number,
                "mobile": f"1{rnd.choice('3578')}{(i * 7_919 + seed) % 10**9:09d}",
                "occupation": rnd.choice(OCCUPATIONS), "region_code": area,
                "consent": {"version": "1", "accepted_at": "2026-11-30T10:00:00+08:00"},
                "mobile_verified": True, "external_ref": f"b{i}",
            }
            f.write(json.dumps(body, ensure_ascii=False) + "\n")


class Database:
    """A fresh database: a SQLite file in a temporary directory or a PostgreSQL database."""

    def __init__(self, backend, workdir, label):
        self.backend = backend
        if backend == "sqlite":
            self.path = os.path.join(workdir, f"{label}.db")
            self.url = f"sqlite:{self.path}"
        else:
            self.name = f"huiji_bench_{label}_{os.getpid()}"
            run("psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            run("psql", PG_ADMIN, "-qc", f"CREATE DATABASE {self.name}")
            self.url = PG_ADMIN.rsplit("/", 1)[0] + "/" + self.name

    def sql(self, query):
        """Rows of a query, as lists of strings (sqlite3 / psql command-line clients)."""
        if self.backend == "sqlite":
            out = run("sqlite3", "-separator", "\t", self.path, query)
        else:
            out = run("psql", self.url, "-AtF", "\t", "-c", query)
        return [line.split("\t") for line in out.splitlines() if line]

    def size_mb(self):
        if self.backend == "sqlite":
            return sum(os.path.getsize(self.path + s) for s in ("", "-wal") if os.path.exists(self.path + s)) / 2**20
        return int(self.sql(f"SELECT pg_database_size('{self.name}')")[0][0]) / 2**20

    def drop(self):
        if getattr(self, "kept", False):
            return
        if self.backend == "postgres":
            run("psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


class Server:
    """`huiji serve` on a free port, with the API's per-key rate limit out of the way."""

    def __init__(self, url, keys, rate=10_000_000, env=None):
        self.url, self.keys, self.rate, self.extra_env = url, keys, rate, env or {}
        self.start()

    def start(self):
        self.port = 18000 + random.randrange(2000)
        env = dict(os.environ, HUIJI_LOG="warn", HUIJI_API_RATE_PER_SECOND=str(self.rate), **self.extra_env)
        self.proc = subprocess.Popen([BIN, "serve", "--database-url", self.url, "--key-file", self.keys,
                                      "--listen", f"127.0.0.1:{self.port}"], env=env, stdout=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    sys.exit("the server exited at start")
                time.sleep(0.05)
        self.proc.kill()
        sys.exit("the server did not start")

    def peak_rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def wrk(url, seconds, connections=64, threads=2, script_args=None):
    """Runs wrk; returns requests/s, p50 and p99 (ms) and the script's JOINS summary."""
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script_args is not None:
        args += ["-s", LUA, url, "--", *script_args]
    else:
        args.append(url)
    out = subprocess.run(args, text=True, capture_output=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    def percentile(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    joins = re.search(r"^JOINS (.*)$", out, re.M)
    return {"rate": rate, "p50": percentile(50), "p99": percentile(99),
            "joins": json.loads(joins.group(1)) if joins else None, "raw": out}


def api_key(url, keys):
    return run(BIN, "api-key", "create", "--platform", "bench", "--database-url", url,
               "--key-file", keys).strip().splitlines()[-1]


def workdir():
    return tempfile.mkdtemp(prefix="huiji-bench-")
