#!/usr/bin/env bash
# Runs every fuzz target (fuzz/, cargo-fuzz + libFuzzer) for a bounded time and reports, per
# target, the executions and any crash, timeout or out-of-memory. Exits non-zero on any finding.
#   scripts/fuzz.sh [--smoke] [TARGET...]
#     FUZZ_SECONDS   seconds per target (default 600; --smoke: 20)
#     FUZZ_TIMEOUT   seconds one input may take before it counts as a timeout (default 10)
#     FUZZ_RSS_MB    memory limit of the fuzzing process, MB (default 2048)
# Targets are built once (release, debug assertions and overflow checks on, no sanitizer: the code
# under test is safe Rust, and ASan would halve the executions). The stable toolchain runs
# cargo-fuzz's nightly flags through RUSTC_BOOTSTRAP. New inputs go to fuzz/work/<target>/ (not
# committed) on top of the seed corpus fuzz/corpus/<target>/; findings to fuzz/artifacts/<target>/.
# Every run is appended to fuzz/work/executions.tsv, whose totals the last column prints.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${TOOLS:-$HOME/.cache/tollgate/tools}
export PATH="$TOOLS/bin:$PATH"
export RUSTC_BOOTSTRAP=1

smoke=0
if [ "${1:-}" = "--smoke" ]; then
  smoke=1
  shift
fi
seconds=${FUZZ_SECONDS:-$([ "$smoke" = 1 ] && echo 20 || echo 600)}
timeout_s=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}

command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is missing: run scripts/install-tools.sh" >&2; exit 1; }
nice -n 19 cargo fuzz build --release --debug-assertions --sanitizer none
# The binaries are run directly: `cargo fuzz run` would rebuild whatever changed since, inside the
# time of a target.
bin="fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
mkdir -p fuzz/work
ledger=fuzz/work/executions.tsv

failed=0
printf '%-16s %12s %8s %10s %14s  %s\n' target executions seconds exec/s "total (ledger)" result
for t in "${targets[@]}"; do
  mkdir -p "fuzz/work/$t" "fuzz/artifacts/$t"
  log="fuzz/work/$t.log"
  start=$(date +%s)
  rc=0
  nice -n 19 "$bin/$t" -artifact_prefix="fuzz/artifacts/$t/" -max_total_time="$seconds" -timeout="$timeout_s" \
    -rss_limit_mb="$rss_mb" -malloc_limit_mb="$rss_mb" -dict=fuzz/dict/tollgate.dict -print_final_stats=1 \
    "fuzz/work/$t" "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  took=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -1)
  execs=${execs:-0}
  if grep -q 'ERROR: libFuzzer: timeout' "$log"; then
    result=timeout
  elif grep -q 'ERROR: libFuzzer: out-of-memory\|ERROR: libFuzzer: malloc' "$log"; then
    result=out-of-memory
  elif grep -q 'panicked at\|ERROR: libFuzzer: deadly signal\|ERROR: libFuzzer: crash' "$log"; then
    result=crash
  elif [ "$rc" != 0 ]; then
    result="error (exit $rc)"
  else
    result=ok
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$took" "$execs" "$result" >>"$ledger"
  total=$(awk -F'\t' -v t="$t" '$2 == t { s += $4 } END { print s + 0 }' "$ledger")
  printf '%-16s %12s %8s %10s %14s  %s\n' "$t" "$execs" "$took" "$(( execs / (took > 0 ? took : 1) ))" "$total" "$result"
  if [ "$result" != ok ]; then
    failed=1
    grep -m1 -A3 'panicked at\|ERROR: libFuzzer' "$log" | sed 's/^/    /' || true
    grep -o 'Test unit written to .*' "$log" | sed 's/^/    /' || true
    echo "    log: $log"
  fi
done
exit "$failed"
