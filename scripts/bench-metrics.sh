#!/usr/bin/env bash
# What metrics cost: `process` over the same generated file (release build),
# without metrics and with --metrics-listen 127.0.0.1:0 (a live /metrics
# endpoint, scraped every second during the run), alternating runs so both
# see the same machine load. Prints the median wall and CPU time of each and
# the overhead; the README quotes it (budget: < 3%). On a shared machine the
# spread between runs is larger than the effect: the best-of-N CPU time
# (the run the other load disturbed least) is the figure to compare.
# Environment: BENCH_EVENTS (default 2000000), BENCH_ROUNDS (default 5).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${BENCH_EVENTS:-2000000}
rounds=${BENCH_ROUNDS:-5}
swift build -c release --product secstream >/dev/null
bin=$root/.build/release/secstream
data=$root/bench-data
mkdir -p "$data"
events=$data/events-$n.ndjson
[ -s "$events" ] || "$bin" generate --events "$n" --seed 1 -o "$events"
rules=(--no-default-rules --rules bench/rules --lateness 0)

# one NAME [ARGS...]: appends "wall cpu" seconds of one run to $data/metrics-NAME.times
one() {
  local name=$1; shift
  local err=$data/metrics-$name.err
  /usr/bin/time -f "%e %U %S" -o "$data/metrics-$name.time" \
    "$bin" process "${rules[@]}" --input "$events" --alerts /dev/null "$@" 2>"$err" &
  local pid=$!
  if [ "$name" = with ]; then
    # Scrape like Prometheus would, once a second, while the run lasts.
    local url=""
    while kill -0 "$pid" 2>/dev/null; do
      [ -z "$url" ] && url=$(grep -o 'http://[^ ]*/metrics' "$err" 2>/dev/null || true)
      [ -n "$url" ] && curl -s -o /dev/null -H 'Accept: application/openmetrics-text;version=1.0.0' "$url" || true
      sleep 1
    done
  fi
  wait "$pid"
  awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$data/metrics-$name.time" >> "$data/metrics-$name.times"
}
rm -f "$data"/metrics-without.times "$data"/metrics-with.times
one without  # warm the page cache
rm -f "$data"/metrics-without.times
for _ in $(seq "$rounds"); do
  one without
  one with --metrics-listen 127.0.0.1:0
done
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
best() { sort -n | head -1; }
col() { cut -d' ' -f"$1" "$data/metrics-$2.times"; }
wo=$(col 1 without | median); wi=$(col 1 with | median); co=$(col 2 without | median); ci=$(col 2 with | median)
bwo=$(col 1 without | best); bwi=$(col 1 with | best); bco=$(col 2 without | best); bci=$(col 2 with | best)
awk -v n="$n" -v r="$rounds" -v wo="$wo" -v wi="$wi" -v co="$co" -v ci="$ci" \
    -v bwo="$bwo" -v bwi="$bwi" -v bco="$bco" -v bci="$bci" 'BEGIN {
  printf "process, %d events, %d runs each (alternating)    median wall / CPU      best wall / CPU\n", n, r
  printf "  without metrics:                          %6.2f s / %6.2f s    %6.2f s / %6.2f s\n", wo, co, bwo, bco
  printf "  with --metrics-listen (scraped every 1s): %6.2f s / %6.2f s    %6.2f s / %6.2f s\n", wi, ci, bwi, bci
  printf "  overhead: median %+.1f%% wall, %+.1f%% CPU; best %+.1f%% wall, %+.1f%% CPU\n", \
    (wi / wo - 1) * 100, (ci / co - 1) * 100, (bwi / bwo - 1) * 100, (bci / bco - 1) * 100
}'
