#!/usr/bin/env bash
# The analytics engine against DuckDB in one run, on the same data: builds the engine benchmark
# in release, simulates CASES national cases once (fixed seed), times the engine's four queries of
# issue 4 (median of 7), writes the facts as CSV, loads that into an in-memory DuckDB table
# (2 threads) and times the same four queries there, then prints one table: engine ms, DuckDB
# ms, their ratio, and whether the two gave identical rows (every key and count compared, after
# sorting both the same way).
#
#   bench/stats_vs_duckdb.sh [CASES]          # default 10000000; mostly simulating: 15 minutes
#                                             # on the 2-core machine shared with other builds
#
# DuckDB comes from PyPI; a virtual environment will do:
#   python3 -m venv /work/venv-duckdb && /work/venv-duckdb/bin/pip install duckdb
#   DUCKDB_PYTHON=/work/venv-duckdb/bin/python bench/stats_vs_duckdb.sh
# Files go to $GREENLINE_BENCH_DIR (default /tmp/greenline-stats-vs-duckdb), about 0.5 GB at 10M;
# cargo builds into $CARGO_TARGET_DIR as usual.
set -euo pipefail

cases="${1:-10000000}"
dir="${GREENLINE_BENCH_DIR:-/tmp/greenline-stats-vs-duckdb}"
python="${DUCKDB_PYTHON:-python3}"
root="$(cd "$(dirname "$0")/.." && pwd)"

if ! "$python" -c 'import duckdb' 2>/dev/null; then
    echo "no duckdb for $python: python3 -m venv /work/venv-duckdb &&" \
        "/work/venv-duckdb/bin/pip install duckdb, then DUCKDB_PYTHON=/work/venv-duckdb/bin/python $0" >&2
    exit 1
fi

mkdir -p "$dir"
rm -f "$dir"/engine*.tsv "$dir"/duckdb*.tsv "$dir"/facts.csv "$dir"/month.txt
echo "load before: $(uptime)"
cd "$root"
cargo bench -p greenline-stats --bench engine --no-run
GREENLINE_BENCH_CASES="$cases" GREENLINE_BENCH_OUT="$dir" \
    cargo bench -p greenline-stats --bench engine | tee "$dir/engine.log"
echo "load between: $(uptime)"
"$python" bench/stats_duckdb.py "$dir" 2 | tee "$dir/duckdb.log"
echo "load after: $(uptime)"

same() {
    local a b
    a="$(LC_ALL=C sort "$dir/engine-q$1.tsv" | sha256sum | cut -c1-64)"
    b="$(LC_ALL=C sort "$dir/duckdb-q$1.tsv" | sha256sum | cut -c1-64)"
    if [ "$a" = "$b" ]; then echo yes; else echo no; fi
}

echo
echo "$cases cases, median of 7 runs each; DuckDB $("$python" -c 'import duckdb; print(duckdb.__version__)'), 2 threads"
printf '%-40s %10s %10s %7s %9s %9s %10s\n' query "engine ms" "DuckDB ms" ratio rows "sum" identical
for q in 1 2 3 4; do
    IFS=$'\t' read -r _ name e_ms e_rows e_sum < <(grep "^q$q	" "$dir/engine.tsv")
    IFS=$'\t' read -r _ _ d_ms d_rows d_sum < <(grep "^q$q	" "$dir/duckdb.tsv")
    ratio="$(awk -v e="$e_ms" -v d="$d_ms" 'BEGIN { printf "%.3f", e / d }')"
    identical="$(same "$q")"
    if [ "$e_rows" != "$d_rows" ] || [ "$e_sum" != "$d_sum" ]; then identical=no; fi
    printf '%-40s %10.2f %10.2f %7s %9s %9s %10s\n' \
        "$name" "$e_ms" "$d_ms" "$ratio" "$e_rows" "$e_sum" "$identical"
done
