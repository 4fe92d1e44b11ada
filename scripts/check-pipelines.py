#!/usr/bin/env python3
"""Checks the built-in processing pipelines (pipelines/*.yml) with pySigma.

Each file must load, as it is, with pySigma's ProcessingPipeline (the event
time field and unit are pipeline state, `set_state` items, which pySigma
knows), and must apply to every rule given (files or directories) without error,
with at most one of its add_condition items applying to any rule (the
pipelines route each logsource by exactly one condition).

Usage: check-pipelines.py PIPELINE.yml... [--rules PATH...]
Prints one line per pipeline: `NAME: N items, R of M rules recognised`.
"""
import os
import sys

import yaml
from sigma.exceptions import SigmaError
from sigma.processing.pipeline import ProcessingPipeline
from sigma.processing.transformations import AddConditionTransformation
from sigma.rule import SigmaRule


def load(path):
    with open(path, encoding="utf-8") as f:
        return ProcessingPipeline.from_yaml(f.read())


def rule_files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                for f in sorted(files):
                    if f.endswith((".yml", ".yaml")):
                        yield os.path.join(root, f)
        else:
            yield p


def main(argv):
    if "--rules" in argv:
        i = argv.index("--rules")
        pipelines, rules = argv[:i], list(rule_files(argv[i + 1:]))
    else:
        pipelines, rules = argv, []
    if not pipelines:
        raise SystemExit(__doc__)
    failed = False
    for path in pipelines:
        pipeline = load(path)  # fails loudly on anything pySigma rejects
        recognised = total = 0
        for r in rules:
            with open(r, encoding="utf-8") as f:
                text = f.read()
            doc = yaml.safe_load(text)
            if not isinstance(doc, dict) or "detection" not in doc:
                continue  # correlation rules have no logsource
            try:
                rule = SigmaRule.from_yaml(text)
            except SigmaError:
                continue  # not a rule pySigma reads: not this check's business
            pipeline.apply(rule)  # as a backend does, one pipeline for the whole collection
            routes = [i.identifier for i in pipeline.items
                      if isinstance(i.transformation, AddConditionTransformation) and rule.was_processed_by(i.identifier)]
            total += 1
            if len(routes) > 1:
                print(f"{path}: {r}: more than one route: {routes}", file=sys.stderr)
                failed = True
            recognised += bool(routes)
        print(f"{pipeline.name}: {len(pipeline.items)} items, {recognised} of {total} rules recognised")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
