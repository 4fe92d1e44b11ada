"""The pySigma reference for Windows rules, Zircolite's way.

Rules are converted by pySigma's SQLite backend with pySigma's Windows routing (sysmon
pipeline + windows_logsource pipeline); events (evtx JSON) are flattened into one SQLite table
`logs` whose columns are the Sigma field names (System fields as Channel, EventID,
Provider_Name, ...; EventData keys bare), INTEGER when every value is an integer, else
TEXT COLLATE NOCASE (as Zircolite builds it); each rule's SQL is run and its matching rowids
(= 1-based line numbers) collected. REGEXP is Python's re.search, as in Zircolite.

Conversions are cached (keyed by rule text and package versions) in $SIGMA_CACHE or
<root>/.build/sigma-cache, since converting the whole Windows pack takes pySigma ~30 s.
"""
import hashlib
import json
import os
import re
import sqlite3
import sys
import time
from importlib import metadata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigma_windows_events as gen  # noqa: E402  (also switches pySigma's YAML to libyaml)
from sigma_windows_pipeline import ROOT, logsource_table  # noqa: E402

from sigma.backends.sqlite import sqliteBackend  # noqa: E402
from sigma.collection import SigmaCollection  # noqa: E402
from sigma.rule import SigmaRule  # noqa: E402

VERSIONS = ",".join(f"{p}=={metadata.version(p)}" for p in
                    ("pySigma", "pySigma-backend-sqlite", "pysigma-pipeline-windows", "pysigma-pipeline-sysmon"))


def _cache_dir():
    d = os.environ.get("SIGMA_CACHE") or os.path.join(ROOT, ".build", "sigma-cache")
    os.makedirs(d, exist_ok=True)
    return d


def convert_file(path):
    """[{id, title, file, sql} | {file, error}] for the rules in one file."""
    with open(path, "rb") as fh:
        text = fh.read()
    key = hashlib.sha256(b"v2\0" + VERSIONS.encode() + b"\0" + text).hexdigest()
    cached = os.path.join(_cache_dir(), key + ".json")
    if os.path.exists(cached):
        with open(cached) as fh:
            out = json.load(fh)
        for o in out:
            o["file"] = path
        return out
    out = []
    try:
        coll = SigmaCollection.from_yaml(text.decode("utf-8"))
        for rule in coll.rules:
            if not isinstance(rule, SigmaRule):
                out.append({"error": "correlation rule (not part of the differential)"})
                continue
            backend = sqliteBackend(processing_pipeline=gen.reference_pipeline())
            try:
                queries = backend.convert_rule(rule)
                ls = rule.logsource
                out.append({"id": str(rule.id), "title": rule.title, "sql": list(queries),
                            "logsource": [ls.product, ls.category, ls.service]})
            except Exception as e:
                out.append({"id": str(rule.id), "error": f"{type(e).__name__}: {e}"})
    except Exception as e:
        out.append({"error": f"{type(e).__name__}: {e}"})
    with open(cached + ".tmp", "w") as fh:
        json.dump(out, fh)
    os.replace(cached + ".tmp", cached)
    for o in out:
        o["file"] = path
    return out


def convert(files, jobs=2):
    if jobs > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            parts = pool.map(convert_file, files, chunksize=16)
    else:
        parts = [convert_file(f) for f in files]
    return [o for part in parts for o in part]


def _regexp(pattern, value):
    if value is None:
        return 0
    try:
        return 1 if re.search(pattern, str(value)) else 0
    except re.error:
        return 0


class EventTable:
    """The flattened events in an in-memory SQLite table `logs`, rowid = line number."""

    def __init__(self, rows):
        self.db = sqlite3.connect(":memory:")
        self.db.create_function("regexp", 2, _regexp, deterministic=True)
        # SQLite identifiers are case-insensitive: `Payload` and `payload` are one column
        # (as in Zircolite); the first spelling seen names it.
        rows = [{k.lower(): (k, v) for k, v in row.items()} for row in rows]
        columns, spelling = {}, {}
        for row in rows:
            for lk, (k, v) in row.items():
                if v is None:
                    continue
                isint = isinstance(v, int) and not isinstance(v, bool)
                spelling.setdefault(lk, k)
                columns[lk] = columns.get(lk, True) and isint
        self.columns = {k.lower() for k in columns}
        q = lambda c: '"' + c.replace('"', '""') + '"'  # noqa: E731
        decl = ", ".join(f"{q(spelling[c])} {'INTEGER' if isint else 'TEXT COLLATE NOCASE'}" for c, isint in columns.items())
        self.db.execute(f"CREATE TABLE logs ({decl})" if decl else "CREATE TABLE logs (Channel TEXT COLLATE NOCASE)")
        by_shape = {}
        for i, row in enumerate(rows):
            present = tuple(lk for lk, (_, v) in row.items() if v is not None)
            by_shape.setdefault(present, []).append((i + 1, *[_sql_value(row[lk][1]) for lk in present]))
        for present, values in by_shape.items():
            cols = ", ".join(q(spelling[c]) for c in present)
            self.db.executemany(f"INSERT INTO logs (rowid{', ' if present else ''}{cols}) VALUES (?{', ?' * len(present)})", values)
        if {"channel", "eventid"} <= set(columns):
            self.db.execute(f"CREATE INDEX logs_channel_eventid ON logs ({q(spelling['channel'])}, {q(spelling['eventid'])})")
        self.db.commit()

    def match(self, sql):
        """Sorted rowids of the rows the rule's query selects."""
        assert sql.startswith("SELECT * FROM logs WHERE "), sql[:60]
        query = "SELECT rowid FROM logs WHERE " + sql[len("SELECT * FROM logs WHERE "):]
        for _ in range(50):
            try:
                return sorted(r[0] for r in self.db.execute(query))
            except sqlite3.OperationalError as e:
                m = re.match(r"no such column: (.+)$", str(e))
                if not m:
                    raise
                # A field no event carries: NULL everywhere (what Zircolite's ensure_fields does).
                col = m.group(1).strip('`"')
                self.db.execute(f'ALTER TABLE logs ADD COLUMN "{col}" TEXT COLLATE NOCASE')
                self.columns.add(col.lower())
        raise RuntimeError("too many missing columns")


def _sql_value(v):
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return v


def read_rows(path):
    with open(path, encoding="utf-8") as fh:
        return [gen.flatten(json.loads(line)) for line in fh if line.strip()]


def routed(logsource):
    """Whether pySigma's Windows pipelines give this [product, category, service] a Channel
    condition. Rules they do not route run on every event in pySigma's SQL, while secstream
    skips a rule whose logsource no pipeline recognises: such rules are not comparable."""
    product, category, service = logsource
    if product != "windows":
        return False
    return any((kind == "category" and category == name) or (kind == "service" and service == name)
               for kind, name, _, _ in logsource_table())


def _run_part(args):
    entries, events_path = args
    t0 = time.perf_counter()
    table = EventTable(read_rows(events_path))
    t1 = time.perf_counter()
    matches = {}
    for r in entries:
        lines = set()
        for sql in r["sql"]:
            lines.update(table.match(sql))
        matches[r["id"]] = sorted(lines)
    return matches, t1 - t0, time.perf_counter() - t1


def run(rule_entries, events_path, jobs=1):
    """{rule id: [line numbers]} for every converted rule, and timings (with jobs > 1, each
    process loads its own table and runs its share of the rules: times are the slowest's)."""
    entries = [r for r in rule_entries if "sql" in r]
    parts = [(entries[i::jobs], events_path) for i in range(jobs)]
    if jobs > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(_run_part, parts)
    else:
        results = [_run_part(parts[0])]
    matches = {}
    for m, _, _ in results:
        matches.update(m)
    return matches, {"load_seconds": max(r[1] for r in results), "sql_seconds": max(r[2] for r in results)}


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", action="append", required=True)
    ap.add_argument("--events", required=True)
    ap.add_argument("--jobs", type=int, default=1)
    a = ap.parse_args()
    entries = convert(gen.rule_files(a.rules))
    matches, timing = run(entries, a.events, jobs=a.jobs)
    json.dump({"matches": matches, "timing": timing}, sys.stdout)
