#!/usr/bin/env bash
# A mixed load on `greenline serve` over loopback, on the demo's national data (a year of
# simulated cases, about 609,000, and the demo's offices and accounts): per endpoint the
# throughput and p50/p99 at a stated concurrency; an overload far beyond the node's
# `max_requests_in_flight` with the public limit in force (shares of 503 and 429, Retry-After,
# recovery); then every acknowledged intake read back. The driver is
# crates/greenline-web/benches/load.rs; its module doc lists the mix and every setting.
#
#   bench/load.sh
#   LOAD_CONCURRENCY=64 LOAD_REQUESTS=10000 bench/load.sh     (see load.rs for the rest)
#
# The demo's database is prepared once (`greenline demo` until its seeding is done and its
# views hold every case) and kept in TARGET/load-demo; each run works on a fresh copy, so runs
# start from the same data. Everything talks to 127.0.0.1 only. Needs curl and python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build --release --quiet -p greenline
cargo bench --quiet -p greenline-web --bench load --no-run 2> /dev/null
greenline="$target/release/greenline"

work="$(mktemp -d "${TMPDIR:-/tmp}/greenline-load.XXXXXX")"
pid=""
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; then
    kill -INT "$pid"
    wait "$pid" || true
  fi
  pid=""
}
trap 'stop; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

# Waits until the node answers and every view is ready with no event left to apply.
wait_caught_up() {
  local health
  for _ in $(seq 1 600); do
    health=$(curl -s --max-time 35 "$base/api/v1/health?wait=true" || true)
    if python3 -c '
import json, sys
views = json.loads(sys.argv[1])["views"]
sys.exit(0 if all(v["ready"] and v["lag_events"] == 0 for v in views) else 1)
' "$health" 2> /dev/null; then
      return 0
    fi
    kill -0 "$pid" 2> /dev/null || { echo "the server stopped; its log:" >&2; tail -n 20 "$work/serve.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "the views did not catch up" >&2
  exit 1
}

prepared="$target/load-demo"
if [ ! -f "$prepared/demo.db" ]; then
  echo "preparing the demo's database once in $prepared (about two minutes)"
  rm -rf "$prepared.tmp" && mkdir -p "$prepared.tmp"
  "$greenline" --database "sqlite://$prepared.tmp/demo.db" demo --listen "127.0.0.1:$port" \
    > "$prepared.tmp/demo.log" 2>&1 &
  pid=$!
  until grep -q "^demo: done" "$prepared.tmp/demo.log"; do
    kill -0 "$pid" 2> /dev/null || { tail -n 20 "$prepared.tmp/demo.log" >&2; exit 1; }
    sleep 1
  done
  wait_caught_up
  stop
  grep "^demo: done" "$prepared.tmp/demo.log"
  rm -rf "$prepared" && mv "$prepared.tmp" "$prepared"
fi
cp "$prepared/demo.db" "$work/demo.db"
cp -r "$prepared/demo.db.search" "$work/demo.db.search"

# Starts `greenline serve` on loopback with the given settings (VAR=value …) and waits for it.
serve() {
  env "$@" GREENLINE_WEB__TRUSTED_PROXIES=127.0.0.1 \
    "$greenline" --database "sqlite://$work/demo.db" serve --listen "127.0.0.1:$port" \
    >> "$work/serve.log" 2>&1 &
  pid=$!
  until curl -s -o /dev/null --fail "$base/readyz"; do
    kill -0 "$pid" 2> /dev/null || { tail -n 20 "$work/serve.log" >&2; exit 1; }
    sleep 0.2
  done
  wait_caught_up
}

driver() {
  LOAD_URL="$base" LOAD_DIR="$work" \
    cargo bench --quiet -p greenline-web --bench load -- "$1"
}

echo "== $(date -u +%FT%TZ), $(nproc) cores, release build, SQLite (WAL, synchronous=FULL)"
echo "== 1. the mix: default settings (max_requests_in_flight 256, 30 public requests a minute per client)"
serve
driver mix
stop

in_flight="${LOAD_MAX_IN_FLIGHT:-32}"
echo "== 2. overload: max_requests_in_flight $in_flight, 30 public requests a minute per client"
serve GREENLINE_WEB__MAX_REQUESTS_IN_FLIGHT="$in_flight" GREENLINE_WEB__PUBLIC_REQUESTS_PER_MINUTE=30
status=0
driver overload || status=$?

echo "== 3. integrity: every acknowledged intake read back as national staff"
driver verify || status=$?
stop
exit "$status"
