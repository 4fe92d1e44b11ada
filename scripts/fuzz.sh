#!/usr/bin/env bash
# Runs the libFuzzer targets built by `make fuzz-build` (.build-fuzz/release/).
# Usage: FUZZ_SECONDS=60 FUZZ_RSS_MB=2048 scripts/fuzz.sh [Target ...]
# Each target first replays its minimized regressions (fixtures/fuzz/regressions/<target>/),
# then fuzzes for FUZZ_SECONDS from its seeds (fixtures/fuzz/<target>/, read only)
# and the corpus it grew in earlier runs (.build-fuzz/corpus/<target>/).
# Crashes, leaks, timeouts and OOMs are saved to .build-fuzz/crashes/<target>-*;
# the script fails if any target found one.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
rss=${FUZZ_RSS_MB:-2048}
bin=.build-fuzz/release
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(FuzzFieldScanner FuzzArchiveMask FuzzSigmaRules FuzzQuery FuzzKafkaRecordBatch FuzzKafkaResponses FuzzS3XML FuzzCodecs)
mkdir -p .build-fuzz/crashes .build-fuzz/logs
# A Swift runtime trap (overflow, bounds, precondition) must reach libFuzzer as
# a plain deadly signal: the Swift backtracer, run under ASan, reads memory
# ASan reports as an unknown-crash of its own and hides the real failure.
export SWIFT_BACKTRACE=enable=no
failed=()
for t in "${targets[@]}"; do
  [ -x "$bin/$t" ] || { echo "fuzz: $bin/$t is not built (make fuzz-build)" >&2; exit 2; }
  mkdir -p ".build-fuzz/corpus/$t"
  log=".build-fuzz/logs/$t.log"
  regressions=(fixtures/fuzz/regressions/"$t"/*)
  if [ -e "${regressions[0]}" ]; then
    if ! "$bin/$t" -rss_limit_mb="$rss" -timeout=10 "${regressions[@]}" >"$log.regressions" 2>&1; then
      echo "fuzz: $t fails on a checked-in regression input (see $log.regressions)" >&2
      failed+=("$t")
      continue
    fi
  fi
  seeds=()
  [ -d "fixtures/fuzz/$t" ] && seeds=("fixtures/fuzz/$t")
  # -max_len 64 KiB: enough for a rule file or a record batch, small enough to keep exec/s up.
  "$bin/$t" -max_total_time="$seconds" -rss_limit_mb="$rss" -malloc_limit_mb="$rss" -timeout=10 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix=".build-fuzz/crashes/$t-" \
      ".build-fuzz/corpus/$t" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  speed=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')
  cov=$(grep -E '#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[^ ]+' || true)
  if [ $rc -eq 0 ]; then
    echo "fuzz: $t clean: ${seconds}s, ${execs:-?} runs, ${speed:-?} exec/s, $cov"
  else
    echo "fuzz: $t FOUND A FAILURE (exit $rc): see $log and .build-fuzz/crashes/$t-*" >&2
    grep -E 'ERROR|Fatal error|SUMMARY|Test unit written' "$log" | head -5 >&2
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failures in ${failed[*]}" >&2
  exit 1
fi
