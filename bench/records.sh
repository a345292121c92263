#!/usr/bin/env bash
# Simulate, import and export a fixed-seed set of cases with the release build, printing the
# wall time and peak memory of each step. Usage: bench/records.sh [CASES] (default 1,000,000).
set -euo pipefail
cases="${1:-1000000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p greenline
greenline="$root/target/release/greenline"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
[ -x /usr/bin/time ] || apt-get install -y -qq time > /dev/null
measure() { /usr/bin/time -f "$1: %e s, peak %M KiB" "${@:2}"; }
"$greenline" --database sqlite://bench.db unit add --name 生态环境部 --region 000000 > /dev/null
measure simulate "$greenline" simulate --cases "$cases" --seed 42 --out cases.jsonl 2>&1 | grep -v '^simulating'
measure "import --dry-run" "$greenline" --database sqlite://bench.db import --dry-run cases.jsonl
measure import "$greenline" --database sqlite://bench.db import cases.jsonl
measure export "$greenline" --database sqlite://bench.db export --out exported.jsonl
ls -l cases.jsonl exported.jsonl bench.db | awk '{print $5, $9}'
