#!/usr/bin/env bash
# Cardinality flood benchmark (called by `make bench`; one run, release build):
# N events (default 2,000,000), each a failed login of a distinct user name,
# inside one hour, under a sliding event_count rule grouped by user.name — an
# attacker spraying random names. Reports events/s, events per CPU-second, peak
# RSS and bytes per live window, unbounded (--max-state 0) and bounded
# (--max-state BENCH_STATE_CAP, default 128MiB, about half of what the 2,000,000
# windows are estimated to take, so that the bound drops some; windows dropped are counted).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${BENCH_STATE_EVENTS:-2000000}
cap=${BENCH_STATE_CAP:-128MiB}
bin=$root/.build/release/secstream
[ -x "$bin" ] || swift build -c release --product secstream 2>&1 | tail -1
data=$root/bench-data/state
mkdir -p "$data"
events=$data/flood-$n.ndjson
rule=$data/flood-rule.yml
cat > "$rule" <<'YAML'
title: Failed login
id: 6a0d8c3e-5f1b-4c1e-9a52-0f3f1a2b3c4d
logsource: {category: authentication}
detection:
  sel: {event.outcome: failure}
  condition: sel
---
title: Many failed logins for one user
id: 7b1e9d4f-6a2c-4d2f-8b63-1a4a2b3c4d5e
correlation:
  type: event_count
  rules: [6a0d8c3e-5f1b-4c1e-9a52-0f3f1a2b3c4d]
  group-by: [user.name]
  timespan: 1h
  condition: {gte: 5}
YAML
if [ ! -s "$events" ]; then
  awk -v n="$n" 'BEGIN {
    base = 1763596800  # 2025-11-20T00:00:00Z; events 1.7 ms apart: all inside one hour for n <= 2,000,000
    for (i = 0; i < n; i++) {
      ms = int(i * 1.7); s = base + int(ms / 1000)
      printf "{\"@timestamp\":\"%s.%03dZ\",\"event\":{\"category\":\"authentication\",\"outcome\":\"failure\"},\"user\":{\"name\":\"spray-%d\"}}\n",
        strftime("%Y-%m-%dT%H:%M:%S", s, 1), ms % 1000, i
    }
  }' > "$events.tmp"
  mv "$events.tmp" "$events"
fi
echo "== state: $n events, each a distinct user.name inside one hour (sliding event_count by user.name)"
for c in 0 "$cap"; do
  /usr/bin/time -f "%e %M %U %S" -o "$data/run.time" "$bin" process --no-default-rules --rules "$rule" --threads 1 \
    --input "$events" --alerts /dev/null --max-state "$c" 2> "$data/run.err"
  read -r secs rss usr sys < "$data/run.time"
  dropped=$(grep -o '[0-9]* windows dropped' "$data/run.err" | cut -d' ' -f1 || true)
  awk -v n="$n" -v s="$secs" -v r="$rss" -v u="$usr" -v y="$sys" -v c="$c" -v d="${dropped:-0}" 'BEGIN {
    live = n - d
    printf "--max-state %-7s %6.2f s %9.0f events/s %9.0f events/CPU-s | peak %5.0f MiB, %6.0f bytes of peak RSS per open window (%d dropped)\n",
      c, s, n / s, n / (u + y), r / 1024, r * 1024 / (live > 0 ? live : 1), d }'
done
