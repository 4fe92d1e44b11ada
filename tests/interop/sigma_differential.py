"""Differential test: secstream's Windows Sigma detection against pySigma (Zircolite's method).

1. The rules (default: every SigmaHQ Windows rule, read in place) are converted by pySigma's
   SQLite backend with pySigma's Windows routing (sigma_reference.py).
2. Events are synthesized for them (sigma_windows_events.py): positives, near misses and
   background noise, as evtx JSON.
3. pySigma: the events flattened into one SQLite table, each rule's SQL run -> matching lines.
4. secstream: `process --no-default-rules --rules <the same files> --pipeline windows-evtx
   --lateness 0` -> per rule id, the lines in its alerts' samples.
5. Per rule the two sets of lines must be identical; the first differences are printed with
   rule file, line and the event.

Left out, each with its reason in the summary: rules pySigma does not convert (keyword rules:
its SQLite backend has no full-text search), rules whose logsource pySigma's Windows pipelines
do not route (pySigma would run them against every event; secstream skips them -- the test
checks they give no alert), and rules secstream skips as unsupported (its stderr names them).

    python sigma_differential.py --secstream .build/debug/secstream [--pipeline FILE] [--rules DIR]...
Exit 0 when identical, 1 on a difference, 2 on a setup error. Last stdout line: a JSON summary.
"""
import argparse
import collections
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigma_reference as ref  # noqa: E402
import sigma_windows_events as gen  # noqa: E402
from sigma_windows_pipeline import ROOT  # noqa: E402

DEFAULT_RULES = os.path.join(ROOT, "..", "shared", "testdata", "sigmahq", "rules", "windows")


def cidr_tests(path):
    """[(field, [networks])] of a rule file's |cidr detection items."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for doc in yaml.safe_load_all(fh):
            for name, sel in ((doc or {}).get("detection") or {}).items():
                for item in (sel if isinstance(sel, list) else [sel]):
                    if isinstance(item, dict):
                        for key, value in item.items():
                            parts = str(key).split("|")
                            if "cidr" in parts[1:]:
                                out.append((parts[0], [str(v) for v in (value if isinstance(value, list) else [value])]))
    return out


def inexact_cidr(path, event):
    """Why pySigma's answer for this event is not Sigma's, if it is its |cidr expansion: the
    SQLite backend turns a network into string prefixes ('10.0.0.0/8' -> '10.%'), exact only
    for valid addresses and IPv6 prefixes on a 16-bit boundary ('2603:1036::/36' becomes
    '2603:1036:%', a /32). None when every |cidr test of the rule gives the same answer both ways."""
    from sigma.types import SigmaCIDRExpression
    row = gen.flatten(event)
    for field, networks in cidr_tests(path):
        value = row.get(field)
        if value is None:
            continue
        text = str(value)
        try:
            address = ipaddress.ip_address(text)
            exact = any(address in ipaddress.ip_network(n, strict=False) for n in networks)
        except ValueError:
            exact = False
        prefixes = [p.rstrip("*").lower() for n in networks for p in SigmaCIDRExpression(n).expand()]
        approx = any(text.lower().startswith(p) for p in prefixes)
        if exact != approx:
            return (f"{field}={text}: {'in' if exact else 'not in'} the networks, but pySigma's string prefixes "
                    f"{'miss' if exact else 'match'} it")
    return None


def secstream_matches(binary, pipeline, files, events, work, extra=()):
    alerts = os.path.join(work, "alerts.ndjson")
    cmd = [binary, "process", "--no-default-rules", "--pipeline", pipeline, "--input", events,
           "--lateness", "0", "--alerts", alerts, *extra]  # (the event time field: the pipeline's)
    for f in files:
        cmd += ["--rules", f]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"secstream exited {p.returncode}:\n{p.stderr[-4000:]}")
    matches = collections.defaultdict(set)
    with open(alerts) as fh:
        for line in fh:
            a = json.loads(line)
            rid = a["rule"]["id"]
            for s in a.get("samples", []):
                matches[rid].add(int(s["line"]))
    # Rules skipped as unsupported: one stderr line each naming file:line and why.
    skipped = {}
    known = set(files)
    for line in p.stderr.splitlines():  # "secstream: skipped rule FILE:LINE: why"
        m = re.search(r"(\S+\.ya?ml):(\d+): (.*)$", line)
        if m and m.group(1) in known and m.group(1) not in skipped:
            skipped[m.group(1)] = m.group(3)
    return matches, skipped, p.stderr, seconds, cmd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--secstream", required=True)
    ap.add_argument("--pipeline", default="windows-evtx", help="built-in name or file")
    ap.add_argument("--rules", action="append")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SIGMA_DIFF_SEED", "7")))
    ap.add_argument("--per-rule", type=int, default=3)
    ap.add_argument("--near-per-rule", type=int, default=3)
    ap.add_argument("--noise", type=int, default=3000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--show", type=int, default=15, help="differences printed in full")
    ap.add_argument("--work", help="keep the events, alerts and reference here")
    a = ap.parse_args()

    rule_dirs = a.rules or [os.path.normpath(DEFAULT_RULES)]
    files = gen.rule_files(rule_dirs)
    if not files:
        print(f"no rules under {rule_dirs}", file=sys.stderr)
        return 2
    work = a.work or tempfile.mkdtemp(prefix="sigma-diff-")
    os.makedirs(work, exist_ok=True)
    t0 = time.perf_counter()

    # pySigma: conversion (cached) and the routing check of each rule
    entries = ref.convert(files, jobs=a.jobs)
    excluded = {}  # file -> reason
    compared = []
    for e in entries:
        if "sql" not in e:
            excluded[e["file"]] = "pySigma does not convert it: " + e["error"].splitlines()[0][:160]
        elif not ref.routed(e["logsource"]):
            product, category, service = e["logsource"]
            excluded[e["file"]] = (f"logsource {product}/{category or '-'}/{service or '-'} is not routed by "
                                   "pySigma's Windows pipelines (it would run on every event; secstream skips it)")
        else:
            compared.append(e)
    t1 = time.perf_counter()

    # events for the compared rules
    events = os.path.join(work, "events.ndjson")
    with open(events, "w", encoding="utf-8") as fh:
        # (also for the rules left out: an unrouted rule's positives must give secstream no alert)
        origins = gen.write_events(files, fh, a.seed, per_rule=a.per_rule,
                                   near_per_rule=a.near_per_rule, noise=a.noise, jobs=a.jobs)
    t2 = time.perf_counter()

    reference, timing = ref.run(compared, events, jobs=a.jobs)
    t3 = time.perf_counter()

    pipeline = a.pipeline
    ours, skipped, stderr, ss_seconds, cmd = secstream_matches(a.secstream, pipeline, files, events, work)
    t4 = time.perf_counter()

    by_file = {e["file"]: e for e in entries}
    diffs = []
    over_unrouted = []
    for path, why in sorted(excluded.items()):
        e = by_file[path]
        if "logsource" in why and e.get("id") in ours:
            over_unrouted.append((path, sorted(ours[e["id"]])[:5]))
    n_compared = n_with_matches = 0
    for e in compared:
        if e["file"] in skipped:
            excluded[e["file"]] = "secstream skips it: " + skipped[e["file"]][:200]
            continue
        n_compared += 1
        want = set(reference.get(e["id"], []))
        got = ours.get(e["id"], set())
        if want:
            n_with_matches += 1
        if want != got:
            diffs.append((e, sorted(got - want), sorted(want - got)))

    # Differences that pySigma's inexact |cidr expansion explains line by line are reported,
    # not failed: secstream tests the address against the network, as Sigma specifies.
    with open(events, encoding="utf-8") as fh:
        event_lines = fh.read().splitlines()
    known = []
    for d in list(diffs):
        e, extra, missing = d
        why = [inexact_cidr(e["file"], json.loads(event_lines[ln - 1])) for ln in extra + missing]
        if all(why):
            diffs.remove(d)
            known.append((e, extra + missing, why[0]))

    print(f"command: {' '.join(cmd[:12])} ... ({len(files)} --rules)")
    print(f"rules: {len(files)} files; {n_compared} compared ({n_with_matches} with matches in the events); "
          f"{len(excluded)} left out")
    reasons = collections.Counter(v.split(":")[0] if not v.startswith("logsource") else
                                  "logsource not routed by pySigma's Windows pipelines" for v in excluded.values())
    for r, n in reasons.most_common():
        print(f"  left out, {n}: {r}")
    for path, why in sorted(excluded.items()):
        print(f"    {os.path.relpath(path, rule_dirs[0]) if path.startswith(rule_dirs[0]) else path}: {why}")
    kinds = collections.Counter(o[1] if o else "noise" for o in origins)
    print(f"events: {len(event_lines)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); "
          f"reference matches: {sum(len(v) for v in reference.values())}; secstream matches: "
          f"{sum(len(v) for k, v in ours.items())}")
    print(f"seconds: pySigma convert {t1 - t0:.1f}, generate {t2 - t1:.1f}, SQLite load {timing['load_seconds']:.1f} "
          f"+ SQL {timing['sql_seconds']:.1f}, secstream {ss_seconds:.1f}")
    for path, lines in over_unrouted:
        print(f"OVER-MATCH: {path} has an unrouted logsource but secstream alerted on lines {lines}")
    for e, lines, why in known:
        print(f"KNOWN (pySigma's |cidr expansion is inexact): {os.path.basename(e['file'])} lines {lines[:5]}: {why}")
    if diffs:
        print(f"{len(diffs)} rules differ: {sum(1 for _, x, _ in diffs if x)} with secstream-only lines (over-matching), "
              f"{sum(1 for _, _, m in diffs if m)} with pySigma-only lines (under-matching)")
    for e, extra, missing in diffs[:a.show]:
        print(f"DIFFERENT: {e['file']} ({e['id']} {e['title']!r}): secstream-only lines {extra[:5]}"
              f"{'...' if len(extra) > 5 else ''}, pySigma-only lines {missing[:5]}{'...' if len(missing) > 5 else ''}")
        print(f"  SQL: {e['sql'][0][:600]}")
        for ln in (extra[:1] + missing[:1]):
            print(f"  line {ln}: {event_lines[ln - 1][:1200]}")
    if len(diffs) > a.show:
        print(f"... {len(diffs) - a.show} more rules differ: "
              + ", ".join(os.path.basename(e['file']) for e, _, _ in diffs[a.show:a.show + 40]))
    summary = {"files": len(files), "compared": n_compared, "with_matches": n_with_matches,
               "left_out": len(excluded), "different": len(diffs), "known_cidr": len(known), "over_matching_unrouted": len(over_unrouted),
               "events": len(event_lines), "work": work}
    print(json.dumps(summary))
    return 1 if diffs or over_unrouted else 0


if __name__ == "__main__":
    sys.exit(main())
