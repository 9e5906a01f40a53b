"""make bench-sql's reference: the analyst queries benchsql prints, run
by DuckDB over the same Parquet files (the table's Hive partitions, dt
and hr read as strings as hetl shows them), twice: over the whole table
(a glob of every partition, as an analyst would point DuckDB at it),
and over only the files of the days the query reads (as if DuckDB had
hetl's partition pruning). Each query runs once untimed, then N times;
one tab-separated line per query: name, p50 ms, p95 ms, first run ms,
rows, digest of the rows rendered as benchsql renders them, then p50
ms, p95 ms and digest over the days' files."""
import datetime
import decimal
import hashlib
import json
import math
import sys
import time

import duckdb

wh, n = sys.argv[1], int(sys.argv[2])
queries = json.load(sys.stdin)
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute("SET default_null_order = 'nulls_first'")  # MySQL's order: NULL before every value


def view(globs):
    con.execute(f"""CREATE OR REPLACE VIEW agg_events_hourly AS SELECT * FROM read_parquet({globs!r},
      hive_partitioning = true, hive_types = {{'dt': VARCHAR, 'hr': VARCHAR}})""")



def number(f):
    if f == math.trunc(f) and abs(f) < 1e15:
        return str(int(f))
    return f"{f:.9g}"


def render(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return number(v)
    if isinstance(v, decimal.Decimal):
        return str(int(v)) if v == v.to_integral_value() else number(float(v))
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(datetime.timezone.utc)
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return str(v)


def result(sql):
    return ["|".join(render(v) for v in row) for row in con.execute(sql).fetchall()]


def digest(rows):
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:12]


def percentile(xs, p):
    s = sorted(xs)
    return s[math.ceil(p * len(s)) - 1]


def timed(sql):
    t = time.perf_counter()
    first = result(sql)
    first_ms = (time.perf_counter() - t) * 1000
    times = []
    for _ in range(n):
        t = time.perf_counter()
        result(sql)
        times.append((time.perf_counter() - t) * 1000)
    return first, first_ms, times


for q in queries:
    sql = q["sql"].replace("`", '"')  # MySQL quotes identifiers with backticks, DuckDB with double quotes
    view([f"{wh}/agg_events_hourly/dt=*/hr=*/*.parquet"])
    first, first_ms, times = timed(sql)
    day, last = datetime.date.fromisoformat(q["from"]), datetime.date.fromisoformat(q["to"])
    days = []
    while day <= last:
        days.append(f"{wh}/agg_events_hourly/dt={day}/hr=*/*.parquet")
        day += datetime.timedelta(days=1)
    view(days)
    pfirst, _, ptimes = timed(sql)
    print(f"{q['name']}\t{percentile(times, 0.5):.1f}\t{percentile(times, 0.95):.1f}\t{first_ms:.1f}\t{len(first)}\t{digest(first)}"
          f"\t{percentile(ptimes, 0.5):.1f}\t{percentile(ptimes, 0.95):.1f}\t{digest(pfirst)}")
