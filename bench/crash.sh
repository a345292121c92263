#!/usr/bin/env bash
# The crash harness (crates/greenline/tests/crash.rs) for many cycles on SQLite and PostgreSQL:
# intake over HTTP from several clients, `kill -9` of `greenline serve` at a random moment,
# restart, lost answers retried with their Idempotency-Key, then every acknowledged case, the
# store and the views checked. Prints per backend: cycles, acknowledged, lost, duplicated and
# view mismatches (the last three must be 0).
#
#   bench/crash.sh [CYCLES]         (default 20 per backend)
#   GREENLINE_CRASH_SEED=N bench/crash.sh 20   replays the kill moments of a run
#
# PostgreSQL: GREENLINE_TEST_POSTGRES_URL names a server, or .ci/start-postgres starts one on
# loopback (and leaves it running: .ci/stop-postgres stops it).
set -euo pipefail
cycles="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -z "${GREENLINE_TEST_POSTGRES_URL:-}" ]; then
  # shellcheck source=.ci/start-postgres
  source .ci/start-postgres > /dev/null
fi
log="$(mktemp "${TMPDIR:-/tmp}/greenline-crash.XXXXXX")"
trap 'rm -f "$log"' EXIT
status=0
GREENLINE_CRASH_CYCLES="$cycles" cargo test --quiet -p greenline --test crash -- \
  --include-ignored --nocapture --test-threads 1 > "$log" 2>&1 || status=$?
printf '%-11s %7s %13s %5s %11s %15s %23s\n' backend cycles acknowledged lost duplicated \
  "view mismatches" "answered after restart"
sed -n 's/^crash-harness //p' "$log" | while read -r line; do
  declare -A f=()
  for pair in $line; do f[${pair%%=*}]=${pair#*=}; done
  printf '%-11s %7s %13s %5s %11s %15s %23s\n' "${f[backend]}" "${f[cycles]}" \
    "${f[acknowledged]}" "${f[lost]}" "${f[duplicated]}" "${f[view_mismatches]}" \
    "${f[answered_after_restart]} (${f[committed_before_kill]} committed)"
  echo "  seed: GREENLINE_CRASH_SEED=${f[seed]}" >&2
done
if [ "$status" -ne 0 ]; then
  echo "the harness failed; its output:" >&2
  grep -vE '^ +at |^ +[0-9]+: ' "$log" | tail -n 40 >&2
fi
exit "$status"
