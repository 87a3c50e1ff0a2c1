"""EXPLAIN (ANALYZE, BUFFERS) of the two PostgreSQL console searches of issue 14 (王伟 in 安徽省;
courier + retained, walked in windows of 100,000 ids as the store does), on a database made by
`huiji gen --scenario national`: python3 bench/search_explain.py POSTGRES_URL LABEL"""
import re, subprocess, sys
url = sys.argv[1]
def psql(sql):
    return subprocess.run(["psql", url, "-AtX", "-c", sql], text=True, capture_output=True, check=True).stdout
path = psql("SELECT path FROM orgs WHERE name = '安徽省总工会'").strip()
upper = path + ":"
cols = "id, member_number, status, home_org_id, home_path, in_pool, name, occupation, region_code, joined_at"
newest = int(psql("SELECT MAX(id) FROM memberships").strip())
q1 = (f"SELECT {cols} FROM memberships WHERE 1 = 1 AND home_path >= '{path}' AND home_path < '{upper}' "
      f"AND name >= '王伟' AND name < E'王伟\\U0010FFFF' ORDER BY id + 0 DESC LIMIT 50")
def window(below, limit):
    return (f"SELECT {cols} FROM memberships WHERE 1 = 1 AND home_path || '' >= '{path}' AND home_path || '' < '{upper}' "
            f"AND occupation = 'courier' AND status = 'retained' AND id < {below} AND id >= {below - 100000} "
            f"ORDER BY id DESC LIMIT {limit}")
def explain(sql):
    return psql("EXPLAIN (ANALYZE, BUFFERS) " + sql)
def ms(plan):
    return float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
def rows(sql):
    return len([l for l in psql(sql).splitlines() if l])
label = sys.argv[2]
print(f"== {label}: 安徽省 {path}, newest id {newest}, members {psql('SELECT COUNT(*) FROM memberships').strip()}")
print("王伟 matches nationally:", psql("SELECT COUNT(*) FROM memberships WHERE name >= '王伟' AND name < E'王伟\\U0010FFFF'").strip(),
      "in scope:", rows(q1))
for run in range(3):
    plan = explain(q1)
print("-- 王伟 in 安徽省 (3rd run):\n" + plan)
# The walk as the store does it: windows of 100,000 ids newest first until 50 rows.
for run in range(3):
    total, found, below, first = 0.0, 0, newest + 1, None
    while found < 50 and below > 0:
        plan = explain(window(below, 50 - found))
        first = first or plan
        total += ms(plan)
        found += rows(window(below, 50 - found))
        below -= 100000
print(f"-- courier + retained walk: {found} rows, summed execution {total:.1f} ms; first window's plan:\n{first}")
