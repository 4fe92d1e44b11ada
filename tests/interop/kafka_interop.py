#!/usr/bin/env python3
"""librdkafka (confluent-kafka) side of the Kafka interop tests.

  produce BOOTSTRAP TOPIC CODEC N
      librdkafka writes N records (key k<i>, value "value-<i>-" + padding,
      header i=<i>) with the given compression; prints {"delivered": N}.
  check-keyed BOOTSTRAP TOPIC MIRROR N PARTITIONS
      TOPIC holds N records written by secstream with keys key-<i>, value
      value-<i> and header i=<i>. librdkafka writes the same keys to MIRROR
      with its murmur2_random partitioner, reads both topics and prints a
      JSON summary: records read, content mismatches, partition mismatches.
"""
import json
import sys

from confluent_kafka import Consumer, Producer, TopicPartition


def produce(bootstrap, topic, codec, n):
    p = Producer({"bootstrap.servers": bootstrap, "compression.type": codec,
                  "linger.ms": 20, "batch.num.messages": 500, "enable.idempotence": False})
    delivered = [0]

    def done(err, _msg):
        if err is None:
            delivered[0] += 1

    for i in range(n):
        p.produce(topic, key=f"k{i}".encode(), value=(f"value-{i}-" + "x" * (i % 200)).encode(),
                  headers=[("i", str(i).encode())], on_delivery=done)
        if i % 1000 == 0:
            p.poll(0)
    p.flush(30)
    print(json.dumps({"delivered": delivered[0]}))


def read_all(bootstrap, topic, n, partitions):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"interop-{topic}",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    out = []
    idle = 0
    while len(out) < n and idle < 50:
        batch = c.consume(1000, 0.2)
        idle = idle + 1 if not batch else 0
        for m in batch:
            if m.error() is None:
                out.append(m)
    c.close()
    return out


def check_keyed(bootstrap, topic, mirror, n, partitions):
    p = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random", "linger.ms": 20})
    for i in range(n):
        p.produce(mirror, key=f"key-{i}".encode(), value=b"m")
    p.flush(30)
    ours = read_all(bootstrap, topic, n, partitions)
    theirs = {m.key(): m.partition() for m in read_all(bootstrap, mirror, n, partitions)}
    bad_content = 0
    bad_partition = 0
    for m in ours:
        i = int(m.key().decode().split("-")[1])
        if m.value() != f"value-{i}".encode() or (m.headers() or []) != [("i", str(i).encode())]:
            bad_content += 1
        if theirs.get(m.key()) != m.partition():
            bad_partition += 1
    print(json.dumps({"read": len(ours), "mirror": len(theirs), "content_mismatches": bad_content,
                      "partition_mismatches": bad_partition}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "produce":
        produce(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif cmd == "check-keyed":
        check_keyed(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    else:
        sys.exit(f"unknown command {cmd}")
