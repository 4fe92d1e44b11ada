#!/usr/bin/env bash
# Sigma benchmark (called by `make bench`; one run, release build, figures next to a
# reference): the whole SigmaHQ Windows pack (read in place from
# ../shared/testdata/sigmahq/rules/windows) over N Windows events in evtx JSON from
# tests/interop/sigma_windows_events.py (mostly background noise with a workstation's
# Channel/EventID mix, 5% of its values carrying a rule's literal or a near copy; one
# positive and one near miss per rule), through
#   secstream process --pipeline windows-evtx (1 and 2 scan workers), and
#   pySigma's SQLite backend the way Zircolite runs it: events flattened into one table
#   (columns = field names), each rule's SQL run; timed: flatten + load, and the SQL.
# Conversion of the rules by pySigma is not timed (cached in .build/sigma-cache).
# Also checks that both found the same matches per rule (rules both evaluate).
# Environment: BENCH_SIGMA_EVENTS (default 200000), BENCH_SIGMA_RULES (rules directory),
# BENCH_SIGMA_FRAGMENTS (default 0.05: share of noise values with a rule literal).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${BENCH_SIGMA_EVENTS:-200000}
rules=${BENCH_SIGMA_RULES:-$(cd "$root/.." && pwd)/shared/testdata/sigmahq/rules/windows}
py=$root/.venv/bin/python
[ -x "$py" ] || bash scripts/venv.sh
bin=$root/.build/release/secstream
[ -x "$bin" ] || swift build -c release --product secstream 2>&1 | tail -1
data=$root/bench-data/sigma
mkdir -p "$data"
frag=${BENCH_SIGMA_FRAGMENTS:-0.05}
# The generator's own hash is in the name: events from an older generator are not reused.
gen=$(cat tests/interop/sigma_windows_events.py tests/interop/sigma_windows_pipeline.py | md5sum | cut -c1-8)
events=$data/windows-$n-$frag-$gen.ndjson
nrules=$(find "$rules" -name '*.yml' | wc -l)

if [ ! -s "$events" ]; then
  echo "+ $py tests/interop/sigma_windows_events.py --rules $rules --seed 1 --per-rule 1 --near-per-rule 1 --fragment-rate $frag --total $n -o $events" >&2
  "$py" tests/interop/sigma_windows_events.py --rules "$rules" --seed 1 --per-rule 1 --near-per-rule 1 --fragment-rate "$frag" --total "$n" -o "$events.tmp"
  mv "$events.tmp" "$events"
fi
bytes=$(stat -c %s "$events")
echo "== sigma: $nrules SigmaHQ Windows rules over $n evtx-JSON events ($(awk -v b="$bytes" 'BEGIN{printf "%.0f", b/1e6}') MB)"

# Wall-clock rate, and events per CPU-second (user+sys over all threads: the honest figure
# on a shared machine).
report() { # LABEL WALL_SECONDS CPU_SECONDS
  awk -v n="$n" -v b="$bytes" -v s="$2" -v c="$3" -v l="$1" \
    'BEGIN { printf "%-46s %7.2f s %9.0f events/s %6.1f MB/s | %7.2f CPU-s %9.0f events/CPU-s\n", l, s, n / s, b / s / 1e6, c, n / c }'
}
timed() { # NAME CMD...: wall seconds, peak RSS, user and sys seconds into $data/NAME.time
  echo "+ $*" >&2
  /usr/bin/time -f "%e %M %U %S" -o "$data/$1.time" "${@:2}"
}
cpu() { read -r _ _ u s < "$data/$1.time"; awk -v u="$u" -v s="$s" 'BEGIN { print u + s }'; }

# Loading and compiling the pack alone (an empty input): with an empty rule cache
# (the first run of a pack: Hyperscan compiles every database), then with it filled
# (every later run of the same pack: cron, CI, replays).
: > "$data/empty.ndjson"
cache=$data/rule-cache
rm -rf "$cache"
timed loadcold "$bin" process --rule-cache "$cache" --no-default-rules --rules "$rules" --pipeline windows-evtx --lateness 0 \
  --input "$data/empty.ndjson" --alerts /dev/null 2> "$data/load.err"
timed load "$bin" process --rule-cache "$cache" --no-default-rules --rules "$rules" --pipeline windows-evtx --lateness 0 \
  --input "$data/empty.ndjson" --alerts /dev/null 2> "$data/load.err"
run() { # NAME WORKERS CACHE-FLAGS...
  timed "$1" "$bin" process "${@:3}" --no-default-rules --rules "$rules" --pipeline windows-evtx \
    --lateness 0 --threads "$2" \
    --input "$events" --alerts "$data/$1.ndjson" 2> "$data/$1.err" || { cat "$data/$1.err" >&2; exit 1; }
}
run sscold 1 --no-rule-cache
run ss1 1 --rule-cache "$cache"
run ss2 2 --rule-cache "$cache"
tail -1 "$data/ss1.err"
cmp -s "$data/sscold.ndjson" "$data/ss1.ndjson" || { echo "bench-sigma: alerts differ with and without the rule cache" >&2; exit 1; }

echo "+ $py (sigma_reference: pySigma SQLite, Zircolite's flatten + load + SQL, one process)" >&2
"$py" - "$rules" "$events" "$data" <<'PY'
import json, os, sys, time
sys.path.insert(0, "tests/interop")
import sigma_reference as ref, sigma_windows_events as gen
rules, events, data = sys.argv[1:4]
entries = ref.convert(gen.rule_files([rules]), jobs=2)           # cached, not timed
t0, c0 = time.perf_counter(), time.process_time()
table = ref.EventTable(ref.read_rows(events))                    # flatten + load
t1, c1 = time.perf_counter(), time.process_time()
counts = {}
for e in entries:
    if "sql" in e:
        counts[e["id"]] = sum(len(table.match(q)) for q in e["sql"])
t2, c2 = time.perf_counter(), time.process_time()
routed = sorted(e["id"] for e in entries if "sql" in e and ref.routed(e["logsource"]))
json.dump({"load": t1 - t0, "sql": t2 - t1, "load_cpu": c1 - c0, "sql_cpu": c2 - c1, "rules": sum(1 for e in entries if "sql" in e), "counts": counts, "routed": routed},
          open(os.path.join(data, "pysigma.json"), "w"))
PY

read -r ss1 _ < "$data/ss1.time"; read -r ss2 _ < "$data/ss2.time"; read -r sscold _ < "$data/sscold.time"
read -r ssload _ < "$data/load.time"; read -r ssloadcold _ < "$data/loadcold.time"
read -r load sql loadcpu sqlcpu nconv < <("$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["load"], d["sql"], d["load_cpu"], d["sql_cpu"], d["rules"])' "$data/pysigma.json")
printf '%-46s %7.2f s | %7.2f CPU-s\n' "secstream: load the $nrules rules, empty cache" "$ssloadcold" "$(cpu loadcold)"
printf '%-46s %7.2f s | %7.2f CPU-s\n' "secstream: load the $nrules rules, rule cache" "$ssload" "$(cpu load)"
report "secstream process, 1 worker, no rule cache" "$sscold" "$(cpu sscold)"
report "secstream process, 1 worker, rule cache" "$ss1" "$(cpu ss1)"
report "secstream process, 2 workers, rule cache" "$ss2" "$(cpu ss2)"
# The events alone: the 1-worker run less the load (both with the rule cache).
report "secstream events alone (1 worker less load)" "$(awk -v a="$ss1" -v b="$ssload" 'BEGIN{print a-b}')" \
  "$(awk -v a="$(cpu ss1)" -v b="$(cpu load)" 'BEGIN{print a-b}')"
report "pySigma SQLite ($nconv rules): flatten + load" "$load" "$loadcpu"
report "pySigma SQLite: SQL" "$sql" "$sqlcpu"
report "pySigma SQLite: flatten + load + SQL" "$(awk -v a="$load" -v b="$sql" 'BEGIN{print a+b}')" "$(awk -v a="$loadcpu" -v b="$sqlcpu" 'BEGIN{print a+b}')"
awk -v a="$sscold" -v b="$load" -v c="$sql" 'BEGIN { printf "ratio secstream (1 worker, no rule cache) / pySigma SQLite, wall: %.1fx\n", (b + c) / a }'
awk -v a="$(cpu sscold)" -v b="$loadcpu" -v c="$sqlcpu" 'BEGIN { printf "ratio secstream (1 worker, no rule cache) / pySigma SQLite, per CPU-second: %.1fx\n", (b + c) / a }'
awk -v a="$ss1" -v b="$load" -v c="$sql" 'BEGIN { printf "ratio secstream (1 worker, rule cache) / pySigma SQLite, wall: %.1fx\n", (b + c) / a }'
awk -v a="$(cpu ss1)" -v b="$loadcpu" -v c="$sqlcpu" 'BEGIN { printf "ratio secstream (1 worker, rule cache) / pySigma SQLite, per CPU-second: %.1fx\n", (b + c) / a }'
# Steady state, what a long stream sees: secstream's per-event work (the run less the
# one-off load of the pack) against all of pySigma's per-event work (flatten + load +
# SQL; its one-off rule conversion is not timed either).
awk -v a="$ss1" -v l="$ssload" -v b="$load" -v c="$sql" 'BEGIN { printf "ratio secstream events alone / pySigma SQLite, wall: %.1fx\n", (b + c) / (a - l) }'
awk -v a="$(cpu ss1)" -v l="$(cpu load)" -v b="$loadcpu" -v c="$sqlcpu" 'BEGIN { printf "ratio secstream events alone / pySigma SQLite, per CPU-second: %.1fx\n", (b + c) / (a - l) }'

# Same matches per rule where both evaluate the rule (pySigma converted it, secstream ran it).
"$py" - "$data" <<'PY'
import collections, json, os, sys
data = sys.argv[1]
# (pySigma runs the rules its pipelines do not route on every event; secstream skips them)
d = json.load(open(os.path.join(data, "pysigma.json")))
ref = {r: d["counts"][r] for r in d["routed"]}
ours = collections.Counter()
for line in open(os.path.join(data, "ss1.ndjson")):
    a = json.loads(line)
    ours[a["rule"]["id"]] += max(1, len(a.get("samples", [])))
diff = [r for r in ref if ref[r] != ours.get(r, 0)]
print(f"matches of the {len(ref)} rules both run: pySigma {sum(ref.values())}, secstream {sum(ours[r] for r in ref)}; "
      f"rules with different counts: {len(diff)}"
      + (f" (e.g. {', '.join(diff[:5])}; tests/interop/sigma_differential.py shows why)" if diff else ""))
PY
