#!/usr/bin/env python3
"""Copies NDJSON events from stdin to stdout with a `message` field added to
each: a syslog-like line that names the event's user and addresses (and now
and then an e-mail address), as real logs' free text does. bench-mask.sh
uses it so that `message: patterns` has text to mask; the generator's events
carry no message. Deterministic (fixed seed)."""
import json
import random
import sys

TEMPLATES = [
    "Accepted password for {u} from {ip} port {p} ssh2",
    "Failed password for invalid user {u} from {ip} port {p} ssh2",
    "GET /api/v1/items?id={p} HTTP/1.1 200 from {ip} user={u}",
    "connection from {ip}:{p} to {dst} closed after {p} bytes",
    "mail delivered to {u}@example.com from relay {ip}",
    "session opened for user {u} by (uid=0)",
]


def field(event, dotted):
    if dotted in event:
        return event[dotted]
    value = event
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def main():
    rng = random.Random(7)
    out = sys.stdout
    for line in sys.stdin:
        event = json.loads(line)
        ip = field(event, "source.ip") or "10.0.0.1"
        dst = field(event, "destination.ip") or "10.0.0.2"
        user = field(event, "user.name") or "svc"
        event["message"] = rng.choice(TEMPLATES).format(u=user, ip=ip, dst=dst, p=rng.randint(1, 65535))
        out.write(json.dumps(event, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
