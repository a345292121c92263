"""Reads Greenline's Parquet output with DuckDB, a reader someone else wrote, and checks it
against the same cases written as JSON Lines: the same rows, counts by type, and times."""
import json
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import duckdb

greenline = sys.argv[1]
with tempfile.TemporaryDirectory() as work:
    jsonl, parquet = Path(work, "c.jsonl"), Path(work, "c.parquet")
    for out in (jsonl, parquet):
        subprocess.run([greenline, "simulate", "--cases", "5000", "--seed", "77", "--out", str(out)],
                       check=True, capture_output=True)
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    rows = duckdb.sql(f"select external_id, primary_type, received_at, reporter_phone, types "
                      f"from '{parquet}' order by external_id").fetchall()
    assert len(rows) == len(records) == 5000, (len(rows), len(records))
    by_type = dict(duckdb.sql(f"select primary_type, count(*) from '{parquet}' group by 1").fetchall())
    assert by_type == dict(Counter(r["primary_type"] for r in records)), by_type
    for row, record in zip(rows, sorted(records, key=lambda r: r["external_id"])):
        received = datetime.fromisoformat(record["received_at"].replace("Z", "+00:00"))
        assert row[0] == record["external_id"] and row[2] == received.astimezone(timezone.utc), row
        assert row[3] == record["reporter_phone"] and row[4] == record["types"], row
    print(f"parquet: {len(rows)} rows read by duckdb {duckdb.__version__} match the JSON Lines")
