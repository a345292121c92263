#!/usr/bin/env bash
# Benchmark (not a test): `greenline air import` of a year of hourly data for 1,500 stations
# (8,760 × 1,500 = 13,140,000 rows, fixed seed, written by bench/air_data.py) into a fresh
# SQLite database, RUNS times (default 3); prints each wall time and the median. Target: < 60 s.
#
#   bench/air_import.sh [RUNS] [STATIONS]
#
# Needs about 0.6 GiB for the CSV and 0.5 GiB per database (one at a time).
#
# Seen on the shared 2-core development machine (load ≈ 3), release build, 2026-11-28:
# runs of 51.4, 45.8 and 37.7 s — median 45.8 s, peak memory ≈ 530 MiB, database 470 MiB.
set -euo pipefail
runs="${1:-3}"
stations="${2:-1500}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p greenline
greenline="$target/release/greenline"
work="$(mktemp -d "${TMPDIR:-/tmp}/greenline-air-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
python3 "$root/bench/air_data.py" "$work" "$stations"
echo "$(($(wc -l < "$work/hourly.csv") - 1)) rows of $stations stations"
times=()
for run in $(seq "$runs"); do
  rm -f "$work"/bench.db*
  start=$(date +%s.%N)
  "$greenline" --database "sqlite://$work/bench.db" air import "$work/hourly.csv" \
    --stations "$work/stations.csv"
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc)
  times+=("$t")
  echo "run $run: $t s"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median of %d runs: %.1f s\n", NR, a[int((NR+1)/2)]}'
