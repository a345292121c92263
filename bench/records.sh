#!/usr/bin/env bash
# Simulate, import and export a fixed-seed set of cases with the release build, printing the
# wall time and peak memory of each step. Usage: bench/records.sh [CASES] (default 1,000,000).
# Needs free disk of about 3 KiB per case (the JSON Lines file, the database and its log).
set -euo pipefail
cases="${1:-1000000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p greenline
greenline="$root/target/release/greenline"
work="$(mktemp -d "${TMPDIR:-/tmp}/greenline-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
[ -x /usr/bin/time ] || apt-get install -y -qq time > /dev/null
measure() { /usr/bin/time -f "$1: %e s, peak %M KiB" "${@:2}"; }
sizes() { ls -l "$@" | awk '{printf "  %s: %.1f MiB\n", $9, $5 / 1048576}'; }
db="sqlite://bench.db"
"$greenline" --database "$db" unit add --name 生态环境部 --region 000000 > /dev/null
measure "simulate → Parquet" "$greenline" simulate --cases "$cases" --seed 42 --out cases.parquet
measure "simulate → JSON Lines" "$greenline" simulate --cases "$cases" --seed 42 --out cases.jsonl
sizes cases.parquet cases.jsonl
rm cases.parquet
measure "import --dry-run" "$greenline" --database "$db" import --dry-run cases.jsonl
measure "import" "$greenline" --database "$db" import cases.jsonl
sizes bench.db
rm cases.jsonl
measure "export → Parquet" "$greenline" --database "$db" export --out exported.parquet
measure "export → JSON Lines" "$greenline" --database "$db" export --out exported.jsonl
sizes exported.parquet exported.jsonl
