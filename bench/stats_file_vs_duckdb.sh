#!/usr/bin/env bash
# `greenline stats --input FILE.parquet` against DuckDB reading the same file, as whole
# processes, in one run: builds the command in release, simulates CASES national cases into a
# Parquet file (fixed seed; kept and reused while its size is the same), then runs four queries
# RUNS times each, alternating the two programs, and prints one table: each one's median wall
# time (process start to exit, the rows written to a file), their ratio, the rows, and whether
# the rows are identical (every key and count compared, both sorted the same way).
#
#   bench/stats_file_vs_duckdb.sh [CASES...]   # default 2000000 10000000
#
# DuckDB comes from PyPI; a virtual environment will do:
#   python3 -m venv /work/venv-duckdb && /work/venv-duckdb/bin/pip install duckdb
#   DUCKDB_PYTHON=/work/venv-duckdb/bin/python bench/stats_file_vs_duckdb.sh
# DuckDB runs with 2 threads (DUCKDB_THREADS), the cores of the development machine; greenline
# uses every core. Files go to $GREENLINE_BENCH_DIR (default /tmp/greenline-stats-file), about
# 0.45 GB a million cases. Not part of CI: it takes minutes.
set -euo pipefail

dir="${GREENLINE_BENCH_DIR:-/tmp/greenline-stats-file}"
python="${DUCKDB_PYTHON:-python3}"
threads="${DUCKDB_THREADS:-2}"
runs="${RUNS:-5}"
seed=12369
root="$(cd "$(dirname "$0")/.." && pwd)"
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then sizes=(2000000 10000000); fi

if ! "$python" -c 'import duckdb' 2>/dev/null; then
    echo "no duckdb for $python: python3 -m venv /work/venv-duckdb &&" \
        "/work/venv-duckdb/bin/pip install duckdb, then DUCKDB_PYTHON=/work/venv-duckdb/bin/python $0" >&2
    exit 1
fi

cd "$root"
cargo build --release -p greenline
target="${CARGO_TARGET_DIR:-$root/target}"
greenline="$target/release/greenline"
helper="$root/bench/stats_file_duckdb.py"
mkdir -p "$dir"

# name|greenline arguments (the DuckDB side's SQL is in stats_file_duckdb.py under the same name)
queries=(
    "province_month|--group-by province,month"
    "type_province_month|--group-by type,province,month"
    "county_month|--group-by county,month"
    "noise_phone_province_month|--group-by province,month --filter primary_type=noise --filter channel=phone,wechat --filter received_from=2025-07-01"
)

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

results=()
for cases in "${sizes[@]}"; do
    file="$dir/cases-$cases.parquet"
    if [ ! -e "$file.done" ]; then
        echo "simulating $cases cases into $file (seed $seed)"
        GREENLINE_LOG=warn "$greenline" simulate --cases "$cases" --seed "$seed" --out "$file"
        touch "$file.done"
    fi
    echo "$cases cases: $(du -h "$file" | cut -f1); load before: $(uptime)"
    for entry in "${queries[@]}"; do
        name="${entry%%|*}"
        read -r -a args <<< "${entry#*|}"
        g_times=()
        d_times=()
        for ((run = 1; run <= runs; run++)); do
            start=$(now_ms)
            GREENLINE_LOG=warn "$greenline" stats --input "$file" "${args[@]}" > "$dir/greenline-$name.csv"
            g_times+=($(($(now_ms) - start)))
            start=$(now_ms)
            "$python" "$helper" query "$name" "$file" "$dir/duckdb-$name.tsv" "$threads"
            d_times+=($(($(now_ms) - start)))
        done
        "$python" "$helper" normalize "$dir/greenline-$name.csv" "$dir/greenline-$name.tsv"
        # The engine orders types as the type list does, DuckDB by their codes: compare sorted.
        if cmp -s <(LC_ALL=C sort "$dir/greenline-$name.tsv") <(LC_ALL=C sort "$dir/duckdb-$name.tsv"); then
            same=yes
        else
            same=no
        fi
        rows=$(wc -l < "$dir/greenline-$name.tsv")
        g=$(printf '%s\n' "${g_times[@]}" | median)
        d=$(printf '%s\n' "${d_times[@]}" | median)
        ratio=$(awk -v g="$g" -v d="$d" 'BEGIN { printf "%.2f", g / d }')
        echo "  $name: greenline ${g_times[*]} ms; DuckDB ${d_times[*]} ms"
        results+=("$(printf '%-28s %10s %12s %11s %6s %8s %9s' "$name" "$cases" "$g" "$d" "$ratio" "$rows" "$same")")
    done
    echo "load after: $(uptime)"
done

# What a DuckDB process spends before it reads anything: Python starting and importing duckdb.
imports=()
for ((run = 1; run <= runs; run++)); do
    start=$(now_ms)
    "$python" -c 'import duckdb'
    imports+=($(($(now_ms) - start)))
done

echo
echo "median of $runs whole-process runs each; DuckDB $("$python" -c 'import duckdb; print(duckdb.__version__)'), $threads threads"
printf '%-28s %10s %12s %11s %6s %8s %9s\n' query cases "greenline ms" "DuckDB ms" ratio rows identical
printf '%s\n' "${results[@]}"
echo "(of DuckDB's time, Python starting and importing duckdb: median $(printf '%s\n' "${imports[@]}" | median) ms)"
