#!/usr/bin/env bash
# What metrics cost: `process` (release build, the two bench rules, one scan
# worker) over the same generated file without metrics and with
# --metrics-listen 127.0.0.1:0 scraped every second, as Prometheus would.
#
# The two runs of a round run at the same time, side by side, so whatever
# else the machine is doing slows both alike; the figure is the median over
# the rounds of each pair's CPU-time and wall-time ratio. (Timing them one
# after the other on a shared 2-core machine gave run-to-run spreads of
# +-20%, far above the effect measured.) The README quotes the result;
# the budget is < 3%.
# Environment: BENCH_EVENTS (default 2000000), BENCH_ROUNDS (default 9).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${BENCH_EVENTS:-2000000}
rounds=${BENCH_ROUNDS:-9}
swift build -c release --product secstream >/dev/null
bin=$root/.build/release/secstream
data=$root/bench-data
mkdir -p "$data"
events=$data/events-$n.ndjson
[ -s "$events" ] || "$bin" generate --events "$n" --seed 1 -o "$events"
rules=(--no-default-rules --rules bench/rules --lateness 0 --threads 1)

# start NAME [ARGS...]: one timed run in the background; its pid in $started
start() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$data/metrics-$name.time" \
    "$bin" process "${rules[@]}" --input "$events" --alerts /dev/null "$@" 2>"$data/metrics-$name.err" &
  started=$!
}
cat "$events" > /dev/null  # warm the page cache
rm -f "$data/metrics-ratios"
for round in $(seq "$rounds"); do
  start without; a=$started
  start with --metrics-listen 127.0.0.1:0; b=$started
  url=""
  while kill -0 "$b" 2>/dev/null; do
    [ -z "$url" ] && url=$(grep -o 'http://[^ ]*/metrics' "$data/metrics-with.err" 2>/dev/null || true)
    [ -n "$url" ] && { curl -s -o /dev/null -H 'Accept: application/openmetrics-text;version=1.0.0' "$url" || true; }
    sleep 1
  done
  wait "$a" "$b"
  read -r wo uo so < "$data/metrics-without.time"
  read -r wi ui si < "$data/metrics-with.time"
  awk -v wo="$wo" -v wi="$wi" -v co="$(awk -v u="$uo" -v s="$so" 'BEGIN { print u + s }')" \
      -v ci="$(awk -v u="$ui" -v s="$si" 'BEGIN { print u + s }')" -v r="$round" 'BEGIN {
    printf "  round %2d: without %5.2f s wall %5.2f CPU-s | with %5.2f s wall %5.2f CPU-s | CPU %+5.1f%%\n", r, wo, co, wi, ci, (ci / co - 1) * 100
    printf "%f %f\n", ci / co, wi / wo >> "'"$data/metrics-ratios"'"
  }'
done
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
cpu=$(cut -d' ' -f1 "$data/metrics-ratios" | median)
wall=$(cut -d' ' -f2 "$data/metrics-ratios" | median)
awk -v n="$n" -v r="$rounds" -v c="$cpu" -v w="$wall" 'BEGIN {
  printf "process, %d events, 1 scan worker, %d rounds side by side: metrics overhead (median of the pairs) %+.1f%% CPU, %+.1f%% wall\n", n, r, (c - 1) * 100, (w - 1) * 100
}'
