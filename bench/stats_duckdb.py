"""The four queries of issue 4 in DuckDB, held in memory, over the facts the engine benchmark writes.

    GREENLINE_BENCH_CASES=1000000 GREENLINE_BENCH_OUT=/tmp/stats-bench \
        cargo bench -p greenline-stats --bench engine
    python3 bench/stats_duckdb.py /tmp/stats-bench [THREADS]

`bench/stats_vs_duckdb.sh` does both and compares. Needs the duckdb package (`pip install
duckdb`; a virtual environment will do). The CSV is loaded once into an in-memory table, types
already split into a list (`air;noise` becomes `['air', 'noise']`), so every query reads the
table, never the file. A case counts under every type it carries, as in the engine. Each query
runs seven times; the median is written to `duckdb.tsv` (query, name, ms, rows, sum of counts)
and every row of the last run to `duckdb-q1.tsv` … `duckdb-q4.tsv`, in the engine's format (key
codes, count, and for q3 the share to nine decimals), so the two can be compared row by row.
"""

import os
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
    folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/stats-bench"
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    with open(os.path.join(folder, "month.txt"), encoding="utf-8") as f:
        month = f.read().strip()
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads TO {threads}")
    started = time.perf_counter()
    con.execute(
        "CREATE TABLE facts AS SELECT id, string_split(types, ';') AS types, province, city, "
        "channel, month FROM read_csv(?, header = true, columns = {'id': 'BIGINT', "
        "'types': 'VARCHAR', 'province': 'VARCHAR', 'city': 'VARCHAR', 'channel': 'VARCHAR', "
        "'month': 'VARCHAR'})",
        [os.path.join(folder, "facts.csv")],
    )
    loaded = time.perf_counter() - started
    (cases,) = con.execute("SELECT count(*) FROM facts").fetchone()
    print(
        f"duckdb {duckdb.__version__}: {cases} cases loaded into memory in {loaded:.1f} s, "
        f"{threads} threads"
    )
    exploded = "(SELECT province, city, channel, month, unnest(types) AS type FROM facts)"
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
            "GROUP BY ALL ORDER BY ALL",
        ),
        (
            "national monthly series",
            "SELECT month, count(*) AS n FROM facts GROUP BY ALL ORDER BY ALL",
        ),
    ]
    print(f"queries (median of {RUNS} runs; one month = {month}):")
    summary = []
    for q, (name, sql) in enumerate(queries, start=1):
        seconds, rows = timed(con, sql)
        share = name == "one month's type shares"
        total = sum(r[-2] if share else r[-1] for r in rows)
        print(f"  {name:<40} {seconds * 1000:>9.2f} ms  {len(rows)} rows, counts sum to {total}")
        summary.append(f"q{q}\t{name}\t{seconds * 1000:.3f}\t{len(rows)}\t{total}\n")
        with open(os.path.join(folder, f"duckdb-q{q}.tsv"), "w", encoding="utf-8") as out:
            for r in rows:
                if share:
                    out.write(f"{r[0]}\t{r[1]}\t{r[2]:.9f}\n")
                else:
                    out.write("\t".join(str(v) for v in r) + "\n")
    with open(os.path.join(folder, "duckdb.tsv"), "w", encoding="utf-8") as out:
        out.writelines(summary)


if __name__ == "__main__":
    main()
