#!/usr/bin/env python3
"""Scores detection methods' alerts against `generate --truth` / `--decoys`.

Usage: score.py --truth T.ndjson [--decoys D.ndjson] [--from RFC3339]
                [--out FILE.md] NAME=ALERTS.ndjson ...
(several --truth/--decoys/alerts per method may be given as RUN:... see
--run below; eval.sh calls it once per held-out month with --run.)

How an alert matches a truth (or decoy) record:
  * entity: the alert's `group` and the record's `group` agree on every
    field both hold, and they share at least one field. (A new-terms alert
    {user.name, source.ip} matches {user.name, source.ip} of a
    new-source-login; a baseline alert {user.name} matches a slow brute
    force's {user.name, source.ip}; {source.ip} matches an exfiltration.)
  * time: the alert's interval [first_seen, detected_at] (window.start /
    window.end when absent) overlaps the record's [start, end + SLACK], SLACK
    = 1 hour: a window closes after the episode's last event, at most a
    window length later.
Counting, per method:
  * an attack record is found when at least one alert matches it;
    recall = found records / records;
  * an alert is a true positive when it matches an attack record; every other
    alert is a false positive: one that matches a decoy (counted separately
    as "on decoys") or one that matches nothing;
    precision = true-positive alerts / alerts (undefined, "-", with no alerts);
  * F1 = 2PR/(P+R) (0 when either is 0 or undefined).
  * per scenario: recall over that scenario's records; precision over the
    alerts that match that scenario's records or its decoys (alerts matching
    nothing count only in the method's overall row).
Only alerts detected at or after --from count (the held-out month, when a
method's input starts with the training month).
"""
import argparse
import json
import sys
from datetime import datetime, timezone

SLACK_MS = 3_600_000


def ms(text):
    """Epoch milliseconds of an RFC 3339 UTC time, with or without fractions."""
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if "." in text else "%Y-%m-%dT%H:%M:%SZ"
    return round(datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp() * 1000)


def read_ndjson(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class Record:
    def __init__(self, o):
        self.scenario = o["scenario"]
        self.group = o["group"]
        self.start = ms(o["window"]["start"])
        self.end = ms(o["window"]["end"])
        self.decoy = o.get("decoy")


class Alert:
    def __init__(self, o):
        self.group = o["group"]
        self.rule = o["rule"]["id"]
        self.start = ms(o.get("first_seen") or o["window"]["start"])
        self.end = ms(o.get("detected_at") or o["window"]["end"])


def matches(alert, record):
    shared = set(alert.group) & set(record.group)
    if not shared or any(str(alert.group[k]) != str(record.group[k]) for k in shared):
        return False
    return alert.start <= record.end + SLACK_MS and record.start <= alert.end


def score(truth, decoys, alerts):
    """Counts for one method on one run: {scenario|None: counts}."""
    rows = {}

    def row(key):
        return rows.setdefault(key, {"records": 0, "found": 0, "tp": 0, "fp": 0, "decoy_fp": 0, "alerts": 0})

    found = [False] * len(truth)
    for r in truth:
        row(r.scenario)["records"] += 1
        row(None)["records"] += 1
    row(None)
    for a in alerts:
        row(None)["alerts"] += 1
        hits = [i for i, r in enumerate(truth) if matches(a, r)]
        for i in hits:
            found[i] = True
        if hits:
            row(None)["tp"] += 1
            for s in {truth[i].scenario for i in hits}:
                row(s)["tp"] += 1
            continue
        row(None)["fp"] += 1
        on_decoys = {d.scenario for d in decoys if matches(a, d)}
        if on_decoys:
            row(None)["decoy_fp"] += 1
            for s in on_decoys:
                row(s)["fp"] += 1
                row(s)["decoy_fp"] += 1
    for i, r in enumerate(truth):
        if found[i]:
            row(r.scenario)["found"] += 1
            row(None)["found"] += 1
    return rows


def add(total, rows):
    for k, v in rows.items():
        t = total.setdefault(k, {n: 0 for n in v})
        for n in v:
            t[n] += v[n]


def metrics(c):
    recall = c["found"] / c["records"] if c["records"] else None
    judged = c["tp"] + c["fp"]
    precision = c["tp"] / judged if judged else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    return precision, recall, f1


def fmt(x):
    return "-" if x is None else f"{x:.2f}"


def table(results, scenarios):
    lines = ["| method | scenario | records | found | alerts | TP | FP (on decoys) | precision | recall | F1 |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for method, rows in results.items():
        for key in [None] + scenarios:
            c = rows.get(key, {"records": 0, "found": 0, "tp": 0, "fp": 0, "decoy_fp": 0, "alerts": 0})
            p, r, f = metrics(c)
            alerts = c["alerts"] if key is None else c["tp"] + c["fp"]
            lines.append(f"| {method} | {key or 'all'} | {c['records']} | {c['found']} | {alerts} | {c['tp']} | "
                         f"{c['fp']} ({c['decoy_fp']}) | {fmt(p)} | {fmt(r)} | {f:.2f} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", action="append", required=True, metavar="TRUTH,DECOYS,FROM",
                    help="one held-out run: its truth, decoys and first event time (RFC 3339)")
    ap.add_argument("--out", help="also write the table (Markdown) here")
    ap.add_argument("methods", nargs="+", metavar="NAME=ALERTS[,ALERTS...]",
                    help="a method's alerts, one file per --run in the same order")
    args = ap.parse_args(argv)
    runs = []
    for spec in args.run:
        t, d, start = spec.split(",")
        runs.append(([Record(o) for o in read_ndjson(t)], [Record(o) for o in read_ndjson(d)] if d else [], ms(start)))
    scenarios = sorted({r.scenario for truth, _, _ in runs for r in truth})
    results = {}
    for m in args.methods:
        name, files = m.split("=", 1)
        files = files.split(",")
        if len(files) != len(runs):
            ap.error(f"{name}: {len(files)} alert files for {len(runs)} runs")
        total = {}
        for (truth, decoys, start), path in zip(runs, files):
            alerts = [a for a in map(Alert, read_ndjson(path)) if a.end >= start]
            add(total, score(truth, decoys, alerts))
        results[name] = total
    text = table(results, scenarios)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
