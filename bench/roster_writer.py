#!/usr/bin/env python3
"""Where SQLite's one writer spends an R import: busy in SQLite, or idle between two of
its statements while the import's async side hands it the next one. Wall times of R vary
by ±20 % on a shared host; this split does not depend on the host's speed as much, so
two binaries can be compared by it.

Runs `huiji roster import` once on a copy of DB (a SQLite file made as `bench/run roster`
makes it: `seed anhui`, `gen --members 412000`; FILE from `bench-roster`) with sqlx's
statement log at debug, then sums, by the kind of statement that follows, the time
between the end of one statement and the end of the next minus the next's own time
(`elapsed`): the writer's idle time before that statement. `roster batch written`
stands for the COMMIT (not logged by sqlx as a statement), so its row is the commit's
time plus the hand-off before it.

    python3 bench/roster_writer.py --bin target/release/huiji --db base.db --file roster.csv --keys keys
"""
import argparse, collections, datetime, os, re, shutil, subprocess, tempfile

LINE = re.compile(r"(\S+)Z\s+(?:DEBUG|INFO|WARN) (\S+): (.*)")
ELAPSED = re.compile(r"elapsed=([0-9.]+)(ms|µs|s)\b")
SUMMARY = re.compile(r'summary="([^"]{0,28})')
UNIT = {"ms": 1e-3, "µs": 1e-6, "s": 1.0}


def split(log_lines):
    """(span of the log in seconds, {kind: [idle seconds before, seconds in, count]})."""
    kinds = collections.defaultdict(lambda: [0.0, 0.0, 0])
    first = previous = None
    for line in log_lines:
        m = LINE.match(re.sub(r"\x1b\[[0-9;]*m", "", line))
        if not m:
            continue
        body = m.group(3)
        # The checkpointer runs on its own connection; the phases line ends the import.
        if "wal_checkpoint" in body or "roster import phases" in body:
            continue
        at = datetime.datetime.fromisoformat(m.group(1)).timestamp()
        first = first if first is not None else at
        summary = SUMMARY.search(body)
        kind = summary.group(1) if summary else body[:28]
        elapsed = ELAPSED.search(body)
        inside = float(elapsed.group(1)) * UNIT[elapsed.group(2)] if elapsed else 0.0
        if previous is not None:
            row = kinds[kind]
            row[0] += at - inside - previous
            row[1] += inside
            row[2] += 1
        previous = at
    return (previous - first if first is not None else 0.0), kinds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--db", required=True, help="the SQLite database to import into (copied first)")
    parser.add_argument("--file", required=True, help="the roster file")
    parser.add_argument("--keys", required=True, help="the key file the database was made with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as wd:
        db = os.path.join(wd, "run.db")
        shutil.copy(args.db, db)
        env = dict(os.environ, HUIJI_LOG="info,sqlx=debug,huiji_store=debug", NO_COLOR="1")
        done = subprocess.run([args.bin, "roster", "import", args.file, "--source", "bench", "--database-url",
                               f"sqlite://{db}", "--key-file", args.keys], env=env, cwd=wd,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
        if done.returncode != 0:
            raise SystemExit(f"huiji roster import failed ({done.returncode}):\n{done.stderr[-2000:]}")
        span, kinds = split(done.stderr.splitlines())
    idle = sum(row[0] for row in kinds.values())
    busy = sum(row[1] for row in kinds.values())
    print(f"log span {span:.2f} s: statements {busy:.2f} s, between them {idle:.2f} s")
    print("| before | idle s | in SQLite s | count | idle ms each |")
    print("|---|---:|---:|---:|---:|")
    for kind, (gap, inside, n) in sorted(kinds.items(), key=lambda kv: -kv[1][0])[:8]:
        print(f"| {kind} | {gap:.2f} | {inside:.2f} | {n} | {1000 * gap / max(n, 1):.1f} |")


if __name__ == "__main__":
    main()
