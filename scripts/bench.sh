#!/usr/bin/env bash
# make bench: release build of secstream next to DuckDB on the same data.
#   process: 5,000,000 generated events (one NDJSON file, then the same split
#   into gzip files) with a brute-force and a port-scan rule (bench/rules), and
#   DuckDB computing the same alerts in SQL (bench/duckdb-alerts.sql) with 1
#   and 2 threads; checks both found the same alerts.
#   sigma: the SigmaHQ Windows pack over evtx JSON next to pySigma's SQLite backend
#   (scripts/bench-sigma.sh).
#   mask: what --mask and --encrypt cost process, each run next to the same run
#   without (scripts/bench-mask.sh, 1,000,000 events; issue 11's budget).
# Environment: BENCH_EVENTS (default 5000000), BENCH_SKIP_ARCHIVE=1, BENCH_SKIP_KAFKA=1,
# BENCH_SKIP_SIGMA=1, BENCH_SKIP_MASK=1, BENCH_SIGMA_EVENTS (default 200000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=$root/.build/release/secstream
duck=$root/.venv/bin/duckdb
py=$root/.venv/bin/python
n=${BENCH_EVENTS:-5000000}
data=$root/bench-data
mkdir -p "$data"
events=$data/events-$n.ndjson

if [ ! -s "$events" ]; then
  echo "generating $n events -> $events" >&2
  "$bin" generate --events "$n" --seed 1 -o "$events"
fi
if [ ! -s "$data/parts-$n/part-03.ndjson.gz" ]; then
  rm -rf "$data/parts-$n"; mkdir -p "$data/parts-$n"
  (cd "$data/parts-$n" && split -n l/4 -d --additional-suffix=.ndjson "$events" part- && gzip -1 part-0*.ndjson)
fi
bytes=$(stat -c %s "$events")
gzbytes=$(cat "$data"/parts-$n/*.gz | wc -c)
# Warm the page cache: the first run timed (secstream's) must not pay for the
# disk alone (a cold 1.3 GB file added 2.3 s of system time to it).
cat "$events" > /dev/null

# run NAME CMD...: wall seconds and peak RSS into $data/NAME.time
run() {
  local name=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$data/$name.time" "$@"
}
# Wall-clock rate, and events per CPU-second (user+sys over all threads: the
# honest per-core figure, since secstream's reader and engine threads run
# beside its scan workers).
report() { # NAME LABEL
  read -r secs rss usr sys < "$data/$1.time"
  awk -v n="$n" -v b="$bytes" -v s="$secs" -v r="$rss" -v c="$(awk -v u="$usr" -v y="$sys" 'BEGIN{print u+y}')" -v l="$2" \
    'BEGIN { printf "%-42s %6.2f s %10.0f events/s %7.1f MB/s | %6.2f CPU-s %10.0f events/CPU-s | %5.0f MiB peak\n", l, s, n / s, b / s / 1e6, c, n / c, r / 1024 }'
}
rate() { read -r secs _ < "$data/$1.time"; awk -v n="$n" -v s="$secs" 'BEGIN { print n / s }'; }
cpurate() { read -r _ _ usr sys < "$data/$1.time"; awk -v n="$n" -v c="$(awk -v u="$usr" -v y="$sys" 'BEGIN{print u+y}')" 'BEGIN { print n / c }'; }

alerts_csv() { # secstream alerts NDJSON -> rule,src,window_start_ms CSV sorted
  "$py" -c '
import json, sys, datetime
names = {"0b3c7a10-6a2e-4d8e-9f00-000000000b02": "brute_force", "0b3c7a10-6a2e-4d8e-9f00-000000000b04": "port_scan"}
rows = []
for line in open(sys.argv[1]):
    a = json.loads(line)
    start = datetime.datetime.fromisoformat(a["window"]["start"].replace("Z", "+00:00"))
    rows.append("%s,%s,%d" % (names[a["rule"]["id"]], a["group"]["source.ip"], int(start.timestamp() * 1000)))
print("\n".join(sorted(rows)))' "$1"
}

rules=(--no-default-rules --rules bench/rules --lateness 0)
echo "== process: brute-force + port-scan over $n events ($(awk -v b="$bytes" 'BEGIN{printf "%.0f", b/1e6}') MB NDJSON; $(awk -v b="$gzbytes" 'BEGIN{printf "%.0f", b/1e6}') MB as 4 gzip files)"
run ss1 "$bin" process "${rules[@]}" --threads 1 --input "$events" --alerts "$data/ss1.ndjson"
run ss2 "$bin" process "${rules[@]}" --input "$events" --alerts "$data/ss2.ndjson"
run ssgz "$bin" process "${rules[@]}" $(for f in "$data"/parts-$n/*.gz; do printf -- "--input %s " "$f"; done) --alerts "$data/ssgz.ndjson"
run dd1 "$duck" -csv -noheader -c "SET threads=1; SET VARIABLE input='$events';" -c ".read bench/duckdb-alerts.sql" > "$data/dd1.csv"
run dd2 "$duck" -csv -noheader -c "SET threads=2; SET VARIABLE input='$events';" -c ".read bench/duckdb-alerts.sql" > "$data/dd2.csv"
run ddgz "$duck" -csv -noheader -c "SET threads=2; SET VARIABLE input='$data/parts-$n/*.ndjson.gz';" -c ".read bench/duckdb-alerts.sql" > "$data/ddgz.csv"

report ss1  "secstream process, NDJSON, 1 worker"
report ss2  "secstream process, NDJSON, 2 workers"
report ssgz "secstream process, 4 gzip files, 2 workers"
report dd1  "duckdb, NDJSON, threads=1"
report dd2  "duckdb, NDJSON, threads=2"
report ddgz "duckdb, 4 gzip files, threads=2"
awk -v a="$(rate ss1)" -v b="$(rate dd1)" 'BEGIN { printf "ratio secstream (1 scan worker) / duckdb (threads=1), wall: %.2fx\n", a / b }'
awk -v a="$(cpurate ss1)" -v b="$(cpurate dd1)" 'BEGIN { printf "ratio secstream / duckdb per CPU-second (single-thread runs): %.2fx\n", a / b }'
awk -v a="$(rate ss2)" -v b="$(rate dd2)" 'BEGIN { printf "ratio secstream / duckdb, two cores each, wall: %.2fx\n", a / b }'
awk -v a="$(rate ssgz)" -v b="$(rate ddgz)" -v c="$(cpurate ssgz)" -v d="$(cpurate ddgz)" \
  'BEGIN { printf "ratio secstream / duckdb, 4 gzip files, two cores each: %.2fx wall, %.2fx per CPU-second\n", a / b, c / d }'

sort "$data/dd1.csv" > "$data/duck-alerts.csv"
status=0
for v in ss1 ss2 ssgz; do
  alerts_csv "$data/$v.ndjson" > "$data/$v.csv"
  if cmp -s "$data/$v.csv" "$data/duck-alerts.csv"; then
    echo "same alerts: $v = duckdb ($(wc -l < "$data/duck-alerts.csv") alerts)"
  else
    echo "DIFFERENT alerts: $v vs duckdb (see $data/$v.csv, $data/duck-alerts.csv)"; status=1
  fi
done
for v in dd2 ddgz; do
  sort "$data/$v.csv" | cmp -s - "$data/duck-alerts.csv" || { echo "duckdb runs disagree: $v"; status=1; }
done

[ "${BENCH_SKIP_ARCHIVE:-0}" = 1 ] || [ ! -x scripts/bench-archive.sh ] || bash scripts/bench-archive.sh
[ "${BENCH_SKIP_KAFKA:-0}" = 1 ] || [ ! -x scripts/bench-kafka.sh ] || bash scripts/bench-kafka.sh
[ "${BENCH_SKIP_STATE:-0}" = 1 ] || bash scripts/bench-state.sh
[ "${BENCH_SKIP_SIGMA:-0}" = 1 ] || [ ! -x scripts/bench-sigma.sh ] || bash scripts/bench-sigma.sh || status=1
# (Its own event count: BENCH_EVENTS is the process bench's.)
[ "${BENCH_SKIP_MASK:-0}" = 1 ] || BENCH_EVENTS=1000000 bash scripts/bench-mask.sh || status=1
exit $status
