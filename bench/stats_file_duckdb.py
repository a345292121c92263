"""DuckDB's side of `bench/stats_file_vs_duckdb.sh`: one query over a Parquet file of case
records, as a whole process (start, import duckdb, read the file, group, write the rows).

    python3 bench/stats_file_duckdb.py query NAME FILE OUT [THREADS]
    python3 bench/stats_file_duckdb.py normalize GREENLINE_CSV OUT

`query` writes the rows as tab-separated key codes and count;
`normalize` turns `greenline stats` CSV (`code,name,…,count`) into the same form, so the two
files can be compared byte for byte. Days and months are China time (Asia/Shanghai), as the
engine counts them; a case counts under every type it carries; a province is the first two
digits of the region code, and a county the region itself (a case filed at city level counts
under the city's own code, as the engine's county rows do).
"""

import csv
import sys

QUERIES = {
    "province_month": (
        "SELECT substr(region, 1, 2) || '0000' AS province, "
        "strftime(received_at, '%Y-%m') AS month, count(*) AS n "
        "FROM read_parquet($file) GROUP BY ALL ORDER BY ALL"
    ),
    "type_province_month": (
        "SELECT type, substr(region, 1, 2) || '0000' AS province, "
        "strftime(received_at, '%Y-%m') AS month, count(*) AS n "
        "FROM (SELECT unnest(list_distinct(string_split(types, ';'))) AS type, region, "
        "received_at FROM read_parquet($file)) GROUP BY ALL ORDER BY ALL"
    ),
    "county_month": (
        "SELECT region AS county, strftime(received_at, '%Y-%m') AS month, count(*) AS n "
        "FROM read_parquet($file) GROUP BY ALL ORDER BY ALL"
    ),
    "noise_phone_province_month": (
        "SELECT substr(region, 1, 2) || '0000' AS province, "
        "strftime(received_at, '%Y-%m') AS month, count(*) AS n "
        "FROM read_parquet($file) WHERE primary_type = 'noise' "
        "AND channel IN ('phone', 'wechat') "
        "AND received_at >= TIMESTAMPTZ '2025-07-01 00:00:00+08' GROUP BY ALL ORDER BY ALL"
    ),
}


def query(name, path, out, threads):
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute(f"SET threads TO {threads}")
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    rows = con.execute(QUERIES[name], {"file": path}).fetchall()
    with open(out, "w", encoding="utf-8") as f:
        for row in rows:
            f.write("\t".join(str(v) for v in row))
            f.write("\n")


def normalize(path, out):
    with open(path, encoding="utf-8", newline="") as f, open(out, "w", encoding="utf-8") as o:
        reader = csv.reader(f)
        header = next(reader)
        keys = [i for i, h in enumerate(header[:-1]) if not h.endswith("_name")]
        for row in reader:
            o.write("\t".join([row[i] for i in keys] + [row[len(header) - 1]]))
            o.write("\n")


def main():
    if sys.argv[1] == "query":
        threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
        query(sys.argv[2], sys.argv[3], sys.argv[4], threads)
    elif sys.argv[1] == "normalize":
        normalize(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown mode {sys.argv[1]!r}")


if __name__ == "__main__":
    main()
