#!/usr/bin/env bash
# Run every fuzz target in fuzz/ for a fixed time, one after the other, and print for each its
# run length and the inputs it executed. Exits non-zero if any target found a crash (the input
# is kept under fuzz/artifacts/TARGET/; see fuzz/README.md for turning it into a test).
# Usage: bench/fuzz.sh [SECONDS_PER_TARGET] (default 60). FUZZ_TARGETS="a b" runs only those.
#
# Builds on the stable toolchain: cargo-fuzz's unstable compiler flags are allowed with
# RUSTC_BOOTSTRAP=1, and without a sanitizer (`-s none`) nothing else needs nightly. Set
# FUZZ_TOOLCHAIN=nightly to build with AddressSanitizer instead (`-s address`).
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz --locked

if [ "${FUZZ_TOOLCHAIN:-stable}" = nightly ]; then
  build=(cargo +nightly fuzz build --sanitizer address)
else
  build=(env RUSTC_BOOTSTRAP=1 cargo fuzz build --sanitizer none)
fi
# 16 code units per crate: the build of the whole application (SQLite, Arrow, axum) is several
# times faster, for a few percent fewer executions per second.
"${build[@]}" --codegen-units 16

target_dir="$(cargo metadata --manifest-path fuzz/Cargo.toml --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
bin_dir="$target_dir/$(rustc -vV | sed -n 's/^host: //p')/release"
targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"

logs="$(mktemp -d "${TMPDIR:-/tmp}/greenline-fuzz.XXXXXX")"
trap 'rm -rf "$logs"' EXIT
failed=0
summary=()
for target in $targets; do
  corpus="fuzz/corpus/$target"
  artifacts="fuzz/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  log="$logs/$target.log"
  echo "==> $target: ${seconds} s" >&2
  start=$(date +%s.%N)
  status=0
  # The working corpus grows from run to run (it is not committed); the seeds are read too.
  "$bin_dir/$target" "$corpus" "fuzz/seeds/$target" \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$artifacts/" > "$log" 2>&1 || status=$?
  end=$(date +%s.%N)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  length=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
  if [ "$status" -ne 0 ]; then
    failed=1
    verdict="CRASH (exit $status)"
    grep -E "panicked at|^==[0-9]+==|Test unit written to" "$log" | head -5 >&2 || true
  else
    verdict="ok"
  fi
  summary+=("$(printf '%-16s %6s s %12s executions  %s' "$target" "$length" "${runs:-?}" "$verdict")")
done

echo
printf '%s\n' "${summary[@]}"
open=$(find fuzz/artifacts -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
echo "open crashes (fuzz/artifacts): $open"
exit "$failed"
