#!/usr/bin/env bash
# What masking and client-side encryption cost (issue 11; the budget is < 15%
# each): release build, the two bench rules, one scan worker, over the same
# generated file:
#   1. `process` unmasked vs `process --mask` with a policy that HMACs
#      user.name, Crypto-PANs source.ip and destination.ip and pattern-masks
#      message (only alerts are written, so only they are masked);
#   2. the same with `--archive DIR`: every event masked before it is archived;
#   3. the same over the events with a `message` each (bench/add-messages.py:
#      a syslog-like line naming the user and addresses), so the policy's
#      `message: patterns` has free text to mask (the generator writes none);
#   4. `process --archive DIR` vs `process --archive DIR --encrypt KEYRING`.
# The two runs of a pair run one after the other, in alternating order from
# round to round (so a drift in the machine's speed weighs on both alike),
# each alone on the machine: a side-by-side pair shared the two cores and its
# wall times said nothing about throughput. The figure is the median over the
# rounds of each pair's CPU-time and wall-time ratio (the wall time is the
# throughput: with one scan worker, the worker's own work sets it).
# Environment: BENCH_EVENTS (default 1000000), BENCH_ROUNDS (default 5),
# SCRATCH (SwiftPM's build directory, default .build).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${BENCH_EVENTS:-1000000}
rounds=${BENCH_ROUNDS:-7}
scratch=${SCRATCH:-.build}
swift build -c release --product secstream --scratch-path "$scratch" >/dev/null
bin=$root/$scratch/release/secstream
data=$root/bench-data
mkdir -p "$data"
events=$data/events-$n.ndjson
[ -s "$events" ] || "$bin" generate --events "$n" --seed 1 -o "$events"
messages=$data/events-$n-messages.ndjson
[ -s "$messages" ] || python3 bench/add-messages.py < "$events" > "$messages"
rules=(--no-default-rules --rules bench/rules --lateness 0 --threads 1)

bash "$root/scripts/bench-mask-files.sh" "$data"

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
cat "$events" "$messages" > /dev/null  # warm the page cache

# run ARGS TIMEFILE ARCHIVE: one process run, timed (over $input).
input=$events
run() {
  rm -rf "$3"
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S" -o "$2" "$bin" process "${rules[@]}" --input "$input" --alerts /dev/null ${1//ARCHIVE/$3} 2>/dev/null
}

# pair LABEL "BASE ARGS" "WITH ARGS": alternating rounds; prints the medians.
pair() {
  local label=$1 base=$2 with=$3
  rm -f "$data/mask-ratios"
  for round in $(seq "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then
      run "$base" "$data/mask-a.time" "$data/mask-archive-a"
      run "$with" "$data/mask-b.time" "$data/mask-archive-b"
    else
      run "$with" "$data/mask-b.time" "$data/mask-archive-b"
      run "$base" "$data/mask-a.time" "$data/mask-archive-a"
    fi
    read -r wa ua sa < "$data/mask-a.time"
    read -r wb ub sb < "$data/mask-b.time"
    awk -v wa="$wa" -v wb="$wb" -v ca="$(awk -v u="$ua" -v s="$sa" 'BEGIN { print u + s }')" \
        -v cb="$(awk -v u="$ub" -v s="$sb" 'BEGIN { print u + s }')" -v r="$round" -v l="$label" 'BEGIN {
      printf "  %s round %d: without %5.2f s wall %5.2f CPU-s | with %5.2f s wall %5.2f CPU-s | CPU %+5.1f%% wall %+5.1f%%\n", l, r, wa, ca, wb, cb, (cb / ca - 1) * 100, (wb / wa - 1) * 100
      printf "%f %f\n", cb / ca, wb / wa >> "'"$data/mask-ratios"'"
    }'
  done
  cpu=$(cut -d' ' -f1 "$data/mask-ratios" | median)
  wall=$(cut -d' ' -f2 "$data/mask-ratios" | median)
  awk -v n="$n" -v r="$rounds" -v c="$cpu" -v w="$wall" -v l="$label" 'BEGIN {
    printf "%s, %d events, 1 scan worker, %d alternating rounds: %+.1f%% CPU, %+.1f%% wall (median of the pairs)\n", l, n, r, (c - 1) * 100, (w - 1) * 100
  }'
}

# Masking applies to what is written: without an archive only alerts are masked.
pair "process --mask (hmac user.name, cryptopan source/destination.ip, patterns message)" "" "--mask $data/mask-policy.yaml"
pair "process --archive --mask (the same policy, every event masked)" "--archive ARCHIVE" "--archive ARCHIVE --mask $data/mask-policy.yaml"
input=$messages
pair "process --archive --mask, events with a message (patterns on every event's free text)" "--archive ARCHIVE" "--archive ARCHIVE --mask $data/mask-policy.yaml"
input=$events
pair "process --archive --encrypt" "--archive ARCHIVE" "--archive ARCHIVE --encrypt $data/bench.keyring"
rm -rf "$data/mask-archive-a" "$data/mask-archive-b"
