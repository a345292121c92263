#!/usr/bin/env bash
# Server time of the work queue (待办) and the dashboard (数据分析) on the demo's national year,
# as each role sees them: medians of nine requests each, timed by the client on loopback.
#
#   bench/desk.sh [DEMO_DB] [BINARY]
#
# DEMO_DB is a database `greenline demo` filled (default ./greenline-demo.db); it is copied, so
# the original is left as it was. BINARY defaults to target/release/greenline (built if
# missing). Not run by CI: it needs the demo year (about 600,000 cases).
set -euo pipefail
cd "$(dirname "$0")/.."
demo=${1:-greenline-demo.db}
bin=${2:-target/release/greenline}
[ -f "$demo" ] || { echo "no demo database at $demo: run 'cargo run --release -- demo' first" >&2; exit 1; }
[ -x "$bin" ] || cargo build --release --locked -p greenline
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
sqlite3 "$demo" ".backup $work/bench.db"
port=18089
"$bin" serve --database "sqlite://$work/bench.db" --listen "127.0.0.1:$port" >"$work/log" 2>&1 &
server=$!
# Ready once every view holds every case (the search index is the last).
until curl -sf "http://127.0.0.1:$port/api/v1/health?wait=true" >/dev/null; do sleep 2; done

token() {
  curl -s -X POST -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"greenline-demo\"}" \
    "http://127.0.0.1:$port/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
median() {
  local t=$1 path=$2
  for _ in 1 2 3 4 5 6 7 8 9; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "authorization: Bearer $t" "http://127.0.0.1:$port$path"
  done | sort -n | awk '{a[NR]=$1} END {printf "%.1f ms", a[5]*1000}'
}
for user in national guangdong nanshan; do
  t=$(token "$user")
  for tab in to_accept in_progress due_soon overdue to_review to_call_back; do
    printf '%-10s queue %-13s %s\n' "$user" "$tab" "$(median "$t" "/api/v1/queue?tab=$tab")"
  done
done
t=$(token national)
printf '%-10s queue %-13s %s\n' national 'q=工地' "$(median "$t" '/api/v1/queue?tab=in_progress&q=%E5%B7%A5%E5%9C%B0')"
t=$(token analyst)
for q in '' '?period=2026-11' '?region=440000'; do
  printf '%-10s dashboard %-9s %s\n' analyst "${q:-year}" "$(median "$t" "/api/v1/dashboard$q")"
done
