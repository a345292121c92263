"""The four queries of issue 4 in DuckDB, in memory, over the facts the engine benchmark writes.

    GREENLINE_BENCH_CASES=1000000 GREENLINE_BENCH_CSV=/tmp/facts.csv \
        cargo bench -p greenline-stats --bench engine
    python3 bench/stats_duckdb.py /tmp/facts.csv

Needs `pip install duckdb` (a virtual environment will do). Each query runs seven times; the
median is printed with the row count and the sum of counts, to compare with the engine's lines.
Types are multi-label (`air;noise`): a case counts under every type it carries, as in the engine.
"""

import statistics
import sys
import time

import duckdb

RUNS = 7


def timed(con, sql):
    times = []
    rows = None
    for _ in range(RUNS):
        started = time.perf_counter()
        rows = con.execute(sql).fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times), rows


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/facts.csv"
    threads = sys.argv[2] if len(sys.argv) > 2 else "2"
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads TO {int(threads)}")
    started = time.perf_counter()
    con.execute(
        "CREATE TABLE facts AS SELECT * FROM read_csv(?, header = true, "
        "columns = {'id': 'BIGINT', 'types': 'VARCHAR', 'province': 'VARCHAR', "
        "'city': 'VARCHAR', 'channel': 'VARCHAR', 'month': 'VARCHAR'})",
        [path],
    )
    loaded = time.perf_counter() - started
    (cases,) = con.execute("SELECT count(*) FROM facts").fetchone()
    (month,) = con.execute(
        "SELECT month FROM (SELECT DISTINCT month FROM facts) ORDER BY month DESC LIMIT 1 OFFSET 1"
    ).fetchone()
    print(f"duckdb {duckdb.__version__}: {cases} cases loaded in {loaded:.1f} s, {threads} threads")
    # Multi-label types are exploded inside each query, from the same table.
    exploded = (
        "(SELECT province, city, channel, month, unnest(string_split(types, ';')) AS type "
        "FROM facts)"
    )
    queries = [
        (
            "count by type x province x month",
            f"SELECT type, province, month, count(*) AS n FROM {exploded} "
            "GROUP BY ALL ORDER BY ALL",
        ),
        (
            "count by city x type x channel x month",
            f"SELECT city, type, channel, month, count(*) AS n FROM {exploded} "
            "GROUP BY ALL ORDER BY ALL",
        ),
        (
            "one month's type shares",
            f"SELECT type, count(*) AS n, count(*) / (SELECT count(*) FROM facts "
            f"WHERE month = '{month}') AS share FROM {exploded} WHERE month = '{month}' "
            f"GROUP BY ALL ORDER BY ALL",
        ),
        (
            "national monthly series",
            "SELECT month, count(*) AS n FROM facts GROUP BY ALL ORDER BY ALL",
        ),
    ]
    print(f"queries (median of {RUNS} runs; one month = {month}):")
    for name, sql in queries:
        seconds, rows = timed(con, sql)
        total = sum(r[-1] if name != "one month's type shares" else r[1] for r in rows)
        print(f"  {name:<40} {seconds * 1000:>9.2f} ms  {len(rows)} rows, counts sum to {total}")


if __name__ == "__main__":
    main()
