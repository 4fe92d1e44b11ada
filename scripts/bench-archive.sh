#!/usr/bin/env bash
# Archive benchmarks (called by `make bench`; prints figures, asserts nothing
# but that the counts agree):
#  1. query: 5,000,000 events spanning 24 hours, 3 hours selected, count by
#     user.name where event.outcome = "failure" and source.ip in 10.0.0.0/8,
#     on a gzip and on an lz4 archive, next to DuckDB on the gzip archive with
#     SET threads=1 and 2, its schema inferred and given (`columns=`, its best
#     configuration: the anchor), events/s over the events in the selected hours.
#  2. object store: PUT then GET 1,000 x 64 KiB through secstream's store and
#     through boto3 with 8 threads, on the same local moto server.
# Release build; generated data stays in bench-data/archive (gitignored) and
# is reused by later runs. BENCH_ARCHIVE_EVENTS changes the event count.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
events=${BENCH_ARCHIVE_EVENTS:-5000000}
data=bench-data/archive
mkdir -p "$data"
python=.venv/bin/python
[ -x "$python" ] || bash scripts/venv.sh

swift build -c release --product secstream 2>&1 | tail -1
swift build -c release --product secstream-archive-bench 2>&1 | tail -1
bin=.build/release/secstream
now() { date +%s.%N; }

input="$data/events-$events.ndjson.lz4"
if [ ! -s "$input" ]; then
  echo "generating $events events over 24h -> $input"
  "$bin" generate --events "$events" --span 24h --seed 11 --start 2026-11-20T00:00:00Z -o "$input.tmp"
  mv "$input.tmp" "$input"
fi
for codec in gzip lz4; do
  archive="$data/archive-$codec-$events"
  if [ ! -d "$archive" ]; then
    echo "archiving with $codec -> $archive"
    t0=$(now)
    "$bin" process --input "$input" --archive "$archive.tmp" --archive-compression "$codec" --alerts /dev/null
    t1=$(now)
    mv "$archive.tmp" "$archive"
    echo "process --archive ($codec): $(echo "$events / ($t1 - $t0)" | bc) events/s"
  fi
done

from=2026-11-20T09:00:00Z
to=2026-11-20T12:00:00Z
where='event.outcome = "failure" and source.ip in 10.0.0.0/8'
echo
echo "== query: 3 of 24 hours, count by user.name where $where"
for codec in gzip lz4; do
  archive="$data/archive-$codec-$events"
  t0=$(now)
  /usr/bin/time -f "%U %S" -o "$data/query-$codec.time" \
    "$bin" query "$archive" --from "$from" --to "$to" --where "$where" --count-by user.name --format csv \
    > "$data/query-$codec.csv" 2> "$data/query-$codec.err"
  t1=$(now)
  scanned=$(grep -o '[0-9]* events scanned' "$data/query-$codec.err" | cut -d' ' -f1)
  printf 'secstream query (%s): %d events in %.3fs = %.0f events/s, %d groups\n' "$codec" "$scanned" \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$scanned / ($t1 - $t0)" | bc)" "$(($(wc -l < "$data/query-$codec.csv") - 1))"
  echo "$scanned" > "$data/scanned"
  echo "$t1 - $t0" | bc > "$data/seconds-$codec"
  awk '{ print $1 + $2 }' "$data/query-$codec.time" > "$data/cpu-$codec"
  printf '  %.2f CPU-s (user+sys, all threads)\n' "$(cat "$data/cpu-$codec")"
done
cmp -s "$data/query-gzip.csv" "$data/query-lz4.csv" || { echo "gzip and lz4 archives disagree" >&2; exit 1; }

# DuckDB: the generator writes ECS fields nested and flat, so each field is
# the COALESCE of both spellings. The inet extension cannot be installed
# offline; the generator's addresses are IPv4 text, so the prefix '10.' is the
# same test as 10.0.0.0/8.
# DuckDB at its best is given the columns (`columns=`: no schema inference over
# every file); the inferring call is reported too. The strongest anchor (least
# wall, least CPU) is the one the ratios at the end are taken against.
"$python" - "$data/archive-gzip-$events" "$data/query-gzip.csv" "$(cat "$data/scanned")" "$(cat "$data/seconds-gzip")" "$(cat "$data/cpu-gzip")" <<'PY'
import csv, sys, time
import duckdb
archive, secstream_csv, scanned, secstream_seconds, secstream_cpu = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
with open(secstream_csv) as f:
    rows = list(csv.reader(f))[1:]
ours = sorted((u, int(n)) for u, n in rows)
archive_glob = f"'{archive}/**/*.ndjson.gz'"
hour_globs = "[" + ", ".join(f"'{archive}/dt=2026-11-20/hour={h:02d}/*.ndjson.gz'" for h in (9, 10, 11)) + "]"
columns = ("columns = {'user': 'STRUCT(name VARCHAR)', 'user.name': 'VARCHAR', 'event': 'STRUCT(outcome VARCHAR)', "
           "'event.outcome': 'VARCHAR', 'source': 'STRUCT(ip VARCHAR)', 'source.ip': 'VARCHAR'}, ")
def sql(files, partition_filter, explicit=False):
    return f"""
SELECT COALESCE("user".name, "user.name") AS u, count(*) AS n
FROM read_json({files}, format='newline_delimited', {columns if explicit else ""}hive_partitioning=true)
WHERE {partition_filter}
  COALESCE(event.outcome, "event.outcome") = 'failure'
  AND starts_with(COALESCE(source.ip, "source.ip"), '10.')
GROUP BY ALL"""
hive = "dt = DATE '2026-11-20' AND hour IN (9, 10, 11) AND"
variants = [
    ("whole archive, hive filter dt/hour, inferred schema", sql(archive_glob, hive)),
    ("the 3 hour directories, inferred schema", sql(hour_globs, "")),
    ("whole archive, hive filter dt/hour, columns=", sql(archive_glob, hive, explicit=True)),
    ("the 3 hour directories, columns=", sql(hour_globs, "", explicit=True)),
]
failed = False
best_wall = best_cpu = None
for label, query in variants:
    for threads in (1, 2):
        con = duckdb.connect()
        con.execute(f"SET threads={threads}")
        t0, c0 = time.perf_counter(), time.process_time()
        result = con.execute(query).fetchall()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        theirs = sorted((u or "", n) for u, n in result)
        agree = "counts agree" if theirs == ours else f"COUNTS DIFFER ({len(theirs)} vs {len(ours)} groups)"
        failed |= theirs != ours
        name = f"duckdb threads={threads}, {label}"
        if best_wall is None or seconds < best_wall[0]: best_wall = (seconds, name)
        if best_cpu is None or cpu < best_cpu[0]: best_cpu = (cpu, name)
        print(f"{name}: {scanned} events in {seconds:.3f}s = {scanned / seconds:.0f} events/s, {cpu:.2f} CPU-s; "
              f"secstream (gzip) is {seconds / secstream_seconds:.2f}x as fast; {agree}")
print(f"ratio secstream query (gzip) / strongest duckdb, wall: {best_wall[0] / secstream_seconds:.2f}x ({best_wall[1]})")
print(f"ratio secstream query (gzip) / strongest duckdb, per CPU-second: {best_cpu[0] / secstream_cpu:.2f}x ({best_cpu[1]})")
sys.exit(1 if failed else 0)
PY

echo
echo "== object store: PUT + GET 1000 x 64 KiB on moto, 8 in flight"
export MOTO_PORT=${MOTO_PORT:-$((9300 + RANDOM % 500))}
bash scripts/s3-servers.sh start moto >/dev/null
trap 'bash scripts/s3-servers.sh stop moto >/dev/null 2>&1 || true' EXIT
export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT" AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1
"$python" - <<'PY'
import os, time
from concurrent.futures import ThreadPoolExecutor
import boto3
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
for bucket in ("bench-secstream", "bench-boto3"):
    s3.create_bucket(Bucket=bucket)
body = bytes((i * 2654435761 >> 13) & 0xFF for i in range(65536))
keys = [f"bench/obj-{i:05d}" for i in range(1000)]
with ThreadPoolExecutor(8) as pool:
    t0 = time.perf_counter()
    list(pool.map(lambda k: s3.put_object(Bucket="bench-boto3", Key=k, Body=body), keys))
    put = time.perf_counter() - t0
    t0 = time.perf_counter()
    got = list(pool.map(lambda k: s3.get_object(Bucket="bench-boto3", Key=k)["Body"].read(), keys))
    get = time.perf_counter() - t0
assert all(g == body for g in got)
mib = 1000 * 65536 / 1048576
print(f"boto3 (8 threads):  PUT 1000 x 65536 B in {put:.2f}s ({1000 / put:.0f} objects/s, {mib / put:.1f} MiB/s); "
      f"GET in {get:.2f}s ({1000 / get:.0f} objects/s, {mib / get:.1f} MiB/s)")
PY
.build/release/secstream-archive-bench s3://bench-secstream/run 1000 65536 8
