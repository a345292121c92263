"""Recomputes what an analyst asks of `greenline stats` with DuckDB, an engine someone else
wrote, over the same Parquet file: counts with IN and NOT filters, nearest-rank percentiles and
means of acceptance and handling days, shares, and the type dimension (a case counts in every
type it carries). Every row must match: the same groups, the same counts, days equal to 1e-9."""
import csv
import io
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

greenline = sys.argv[1]
CHINA_MONTH = "strftime(make_timestamp(epoch_us(received_at) + 28800000000), '%Y-%m')"
CITY = "substr(region, 1, 4) || '00'"


def days(column, start):
    """Whole seconds from `start` to `column`, as the engine keeps them."""
    return f"floor(epoch({column}) - epoch({start}))"


def rank(expr, p):
    """The nearest-rank percentile: the ceil(p·n/100)-th smallest value (lists count from 1)."""
    return (f"list_sort(list({expr}) filter (where {expr} is not null))"
            f"[greatest(cast(ceil({p} * count({expr}) / 100.0) as integer), 1)] / 86400.0")


def ours(parquet, group_by, measures, filters):
    args = [greenline, "stats", "--input", str(parquet), "--group-by", group_by,
            "--measure", measures, "--format", "csv"]
    for f in filters:
        args += ["--filter", f]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def same(label, mine, theirs, keys, values):
    assert len(mine) == len(theirs), f"{label}: {len(mine)} rows, DuckDB {len(theirs)}"
    theirs = {tuple(str(row[k]) for k in keys): row for row in theirs}
    for row in mine:
        key = tuple(row[k] for k in keys)
        other = theirs.get(key)
        assert other is not None, f"{label}: group {key} not in DuckDB's answer"
        for v in values:
            a, b = row[v], other[v]
            if b is None:
                assert a == "", f"{label} {key} {v}: {a!r}, DuckDB none"
            elif isinstance(b, (int,)) or v == "count":
                assert int(a) == int(b), f"{label} {key} {v}: {a}, DuckDB {b}"
            else:
                assert abs(float(a) - float(b)) <= 1e-9, f"{label} {key} {v}: {a}, DuckDB {b}"
    print(f"stats: {label}: {len(mine)} groups match DuckDB {duckdb.__version__}")


with tempfile.TemporaryDirectory() as work:
    parquet = Path(work, "cases.parquet")
    subprocess.run([greenline, "simulate", "--cases", "30000", "--scale", "province=440000", "--seed", "1707", "--out", str(parquet)],
                   check=True, capture_output=True)
    db = duckdb.connect()
    db.execute(f"create view cases as select * from '{parquet}'")

    def rows(sql):
        cursor = db.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r)) for r in cursor.fetchall()]

    # IN on one dimension, NOT on another; percentiles and means of both durations.
    accept = days("accepted_at", "received_at")
    handle = days("concluded_at", "accepted_at")
    mine = ours(parquet, "city,month",
                "count,acceptance_days_p50,acceptance_days_p90,handling_days_p90,acceptance_days_mean,handling_days_mean",
                ["primary_type=noise,air", "not_channel=phone"])
    theirs = rows(f"""
        select {CITY} as city, {CHINA_MONTH} as month, count(*) as count,
               {rank(accept, 50)} as acceptance_days_p50,
               {rank(accept, 90)} as acceptance_days_p90,
               {rank(f"case when concluded_at is not null then {handle} end", 90)} as handling_days_p90,
               avg({accept}) / 86400.0 as acceptance_days_mean,
               avg(case when concluded_at is not null then {handle} end) / 86400.0 as handling_days_mean
        from cases
        where primary_type in ('noise', 'air') and channel <> 'phone'
        group by all""")
    same("city × month, IN and NOT, percentiles and means", mine, theirs,
         ["city", "month"],
         ["count", "acceptance_days_p50", "acceptance_days_p90", "handling_days_p90",
          "acceptance_days_mean", "handling_days_mean"])

    # A case counts in every type it carries; NOT on the kind, a region's subtree.
    mine = ours(parquet, "type,channel", "count,share(type)",
                ["not_kind=petition", "region=440300"])
    theirs = rows(f"""
        with t as (
            select unnest(string_split(types, ';')) as type, channel, external_id
            from cases where kind <> 'petition' and region like '4403%')
        select type, channel, count(*) as count,
               count(*) / sum(count(*)) over (partition by type) as "share(type)"
        from t group by type, channel""")
    same("type × channel, NOT kind, a city's subtree, shares within type", mine, theirs,
         ["type", "channel"], ["count", "share(type)"])

    # Acceptance rate and median per stage of a city, IN on the stage.
    mine = ours(parquet, "county", "count,acceptance_rate,acceptance_days_p50",
                ["stage=accepted,concluded,replied,published,rejected"])
    theirs = rows(f"""
        select region as county, count(*) as count,
               count(accepted_at) / nullif(count(accepted_at) + count(rejected_at), 0) as acceptance_rate,
               {rank(accept, 50)} as acceptance_days_p50
        from cases where stage in ('accepted', 'concluded', 'replied', 'published', 'rejected')
        group by all""")
    same("county, IN on the stage, acceptance rate and median", mine, theirs, ["county"],
         ["count", "acceptance_rate", "acceptance_days_p50"])
