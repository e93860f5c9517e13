#!/usr/bin/env bash
# Runs the fuzz targets one after the other for longer than CTest does, at the lowest CPU
# priority, and prints per target: executions, wall seconds, coverage (libFuzzer's "cov:",
# edges) and the crash files written (crash, leak, timeout, oom; libFuzzer's slow-unit files are
# only noted in the log).
# Usage: tests/fuzz/run-long.sh BUILD_DIR [SECONDS_PER_TARGET (default 600)] [TARGET...]
#   BUILD_DIR is a build configured with -DFLEETSIM_FUZZ=ON (README "Fuzzing"); TARGET names
#   like smp_packet (default: all). New corpus inputs go to BUILD_DIR/tests/fuzz/corpus/TARGET,
#   crash inputs to BUILD_DIR/tests/fuzz/artifacts/, logs to BUILD_DIR/tests/fuzz/logs/.
# A crash stops that target (libFuzzer's way) and the script goes on with the next one; it
# exits 1 when any target crashed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:?usage: run-long.sh BUILD_DIR [SECONDS_PER_TARGET] [TARGET...]}"
seconds="${2:-600}"
shift $(($# < 2 ? $# : 2))
out="$build/tests/fuzz"
[ -d "$out" ] || { echo "run-long.sh: $out not found (configure with -DFLEETSIM_FUZZ=ON and build fleetsim_fuzzers)" >&2; exit 2; }
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(sed -n 's/^fleetsim_fuzz_target(\([a-z_]*\) .*/\1/p' "$here/CMakeLists.txt"))
fi
mkdir -p "$out/logs" "$out/artifacts"
failed=0
printf '%-20s %12s %8s %8s %s\n' target executions wall_s cov crashes
for t in "${targets[@]}"; do
  dict=$(sed -n "s/^fleetsim_fuzz_target($t \([a-z]*\) .*/\1/p" "$here/CMakeLists.txt")
  mkdir -p "$out/corpus/$t"
  log="$out/logs/$t.log"
  start=$(date +%s)
  nice -n 19 "$out/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="$here/dict/$dict.dict" -artifact_prefix="$out/artifacts/$t-" "$out/corpus/$t" "$here/corpus/$t" >"$log" 2>&1
  rc=$?
  wall=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  crashes=$(grep -oE "artifacts/$t-(crash|leak|timeout|oom)-[0-9a-f]+" "$log" | sed 's|.*/||' | tr '\n' ' ')
  [ $rc -eq 0 ] || failed=1
  printf '%-20s %12s %8s %8s %s\n' "$t" "${execs:-?}" "$wall" "${cov:-?}" "${crashes:-none}"
done
exit $failed
