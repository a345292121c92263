#!/usr/bin/env bash
# How long `greenline serve` takes, on a database of simulated cases, until each view (the
# statistics, the same-source index, the full-text index) is ready and holds its cases, and the
# process's peak memory (VmHWM) at those moments; then the same again after a restart, with the
# full-text index kept on disk beside the database.
#
#   bench/startup.sh [YEARS] (default 8: about 4.8 million cases, a 5 GB SQLite file)
#
# The cases end in the current month (`--start` is YEARS before it); the database keeps one
# national office so that the import accepts them. Needs python3 and curl.
set -euo pipefail
years="${1:-8}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p greenline
work="$(mktemp -d "${TMPDIR:-/tmp}/greenline-startup.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# One binary throughout: a rebuild while the script runs must not change what restarts.
cp "$root/target/release/greenline" "$work/greenline"
greenline="$work/greenline"
db="sqlite://$work/greenline.db"
start=$(date -d "$(date +%Y-%m-01) -$((years * 12 - 1)) months" +%Y-%m)
"$greenline" --database "$db" unit add --name 生态环境部 --region 000000 > /dev/null
/usr/bin/time -f "simulate and import: %e s, peak %M KiB" \
  "$greenline" --database "$db" simulate --years "$years" --start "$start" --to-database 2>&1 |
  grep -E "written|simulate and import"

# Starts the server, polls /api/v1/health every 0.2 s and prints when each view is ready.
serve() {
  local port=8091 began now health line pid
  began=$(date +%s.%N)
  "$greenline" --database "$db" serve --listen 127.0.0.1:$port > "$work/serve.log" 2>&1 &
  pid=$!
  local -A seen=()
  local ready=0
  while [ $ready -lt 3 ] && kill -0 $pid 2> /dev/null; do
    health=$(curl -s http://127.0.0.1:$port/api/v1/health || true)
    now=$(date +%s.%N)
    for view in statistics "same-source index" "search index"; do
      [ -n "${seen[$view]:-}" ] && continue
      line=$(python3 -c '
import json, sys
try:
    views = json.loads(sys.argv[1])["views"]
except Exception:
    sys.exit()
for v in views:
    if v["name"] == sys.argv[2] and v["ready"]:
        print(v["cases"])
' "$health" "$view")
      if [ -n "$line" ]; then
        seen[$view]=1
        ready=$((ready + 1))
        printf '  %s ready after %.1f s holding %s cases; peak %d MiB\n' "$view" \
          "$(echo "$now - $began" | bc)" "$line" \
          $(($(awk '/VmHWM/ {print $2}' /proc/$pid/status) / 1024))
      fi
    done
    sleep 0.2
  done
  kill -INT $pid
  wait $pid || true
}
echo "first start (the full-text index is built):"
serve
echo "restart (the full-text index is on disk):"
serve
