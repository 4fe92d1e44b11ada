"""Synthetic Windows events (evtx JSON) for Sigma rules, deterministic by seed.

For each rule, the rule gets the Channel (and EventID) that pySigma's Windows pipelines (sysmon +
windows logsources) require for its logsource, and its parsed condition (pySigma's parser)
tree is solved at random:

- positives: a random satisfying branch of the condition (an `or` picks one side, a `not`
  leaves its fields absent or noise); the values honour the modifiers through pySigma's
  parsed values: contains/startswith/endswith become text around the literal, `|all` puts
  every literal in one value, windash/base64offset are expansions one of which is picked,
  case is changed at random for case-insensitive literals, `|re` gets an exemplar of the
  expression (sre_parse), `|cidr` an address inside the network;
- near-misses: one conjunct of a positive falsified (a literal mutated by one character or
  the field dropped, or a negated filter satisfied, or the wrong Channel/EventID);
- background noise: a realistic Channel/EventID mix with ordinary values and fragments of
  the rules' literals inside random text.

Events are written the way evtx_dump writes them: {"Event":{"System":{..},"EventData":{..}}}
(or "UserData":{"<element>":{..}} for the channels that log there: AppLocker, PrintService,
TerminalServices LocalSessionManager, WMI-Activity) with the event time in
Event.System.TimeCreated.#attributes.SystemTime.

    python sigma_windows_events.py --rules DIR_OR_FILE... --seed 7 --per-rule 3 --noise 2000 -o events.ndjson
"""
import argparse
import datetime
import glob
import ipaddress
import json
import os
import random
import re
import sys
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants
    import sre_parse

import yaml

# pySigma parses with yaml.safe_load_all; libyaml's loader gives the same data 5x faster.
if getattr(yaml, "__with_libyaml__", False):
    yaml.safe_load_all = lambda stream: yaml.load_all(stream, Loader=yaml.CSafeLoader)

from sigma.collection import SigmaCollection
from sigma.conditions import ConditionAND, ConditionFieldEqualsValueExpression, ConditionNOT, ConditionOR, ConditionValueExpression
from sigma.pipelines.sysmon import sysmon_pipeline
from sigma.pipelines.windows import windows_logsource_pipeline
from sigma.rule import SigmaRule
from sigma.types import (SigmaBool, SigmaCasedString, SigmaCIDRExpression, SigmaCompareExpression, SigmaExists,
                         SigmaExpansion, SigmaFieldReference, SigmaNull, SigmaNumber, SigmaRegularExpression,
                         SigmaString, SpecialChars)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sigma_windows_pipeline import SYSTEM_FIELDS, USER_DATA_SERVICES, logsource_table  # noqa: E402

SYSMON = "Microsoft-Windows-Sysmon/Operational"


def reference_pipeline():
    """pySigma's Windows routing, as Zircolite applies it: sysmon first, then the logsources."""
    return sysmon_pipeline() + windows_logsource_pipeline()


def rule_files(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += glob.glob(os.path.join(p, "**", "*.yml"), recursive=True)
        else:
            files.append(p)
    return sorted(files)


def load_rules(files):
    """[(file, SigmaRule)] for every detection rule pySigma parses (correlations are skipped)."""
    out = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        try:
            coll = SigmaCollection.from_yaml(text)
        except Exception:
            continue
        for r in coll.rules:
            if isinstance(r, SigmaRule):
                out.append((f, r))
    return out


def routing(rule):
    """(channels, event ids or None) pySigma's Windows pipelines require of the rule's
    events (the table sigma_windows_pipeline.logsource_table reads off them), or None."""
    ls = rule.logsource
    if ls.product != "windows":
        return None
    for kind, name, channels, ids in logsource_table():
        if (kind == "category" and ls.category == name) or (kind == "service" and ls.service == name):
            return channels, ids
    return None


# ---------------------------------------------------------------- values

FILLER = ["", " ", "  ", "x", "ab", "123", " /c ", " -", "\\", "C:\\Users\\Public\\", "%TEMP%\\", "data.bin",
          " --flag ", ".", "Zz9", "\"", "'", "_", "é", "\t"]


FRAGMENT_RATE = 0.35  # how often a noise value carries (a mutation of) a rule's literal
KEEP_CASE = set()    # literals whose case the generator keeps (base64-encoded values of the rule at hand)
CIDR_FIELDS = set()  # fields some rule tests with |cidr: they hold addresses (or "-"), never other text


def random_address(rng):
    """An address as Windows logs write them: private, loopback, public, IPv6, or '-'."""
    return rng.choice([
        lambda: "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)),
        lambda: "192.168.%d.%d" % (rng.randrange(256), rng.randrange(1, 255)),
        lambda: "172.%d.%d.%d" % (rng.randrange(10, 40), rng.randrange(256), rng.randrange(1, 255)),
        lambda: "127.0.0.1", lambda: "::1", lambda: "-",
        lambda: "%d.%d.%d.%d" % (rng.randrange(1, 224), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)),
        lambda: "fe80::%x:%x" % (rng.randrange(65536), rng.randrange(65536)),
        lambda: "2001:db8::%x" % rng.randrange(65536),
    ])()


def filler(rng):
    return "".join(rng.choice(FILLER) for _ in range(rng.randint(0, 3)))


def recase(text, rng, mode):
    if mode == 0:
        return text
    if mode == 1:
        return "".join(c.upper() if c.isascii() else c for c in text)
    if mode == 2:
        return "".join(c.lower() if c.isascii() else c for c in text)
    return "".join((c.upper() if rng.random() < 0.5 else c.lower()) if c.isascii() else c for c in text)


def render_string(s, rng, case_mode):
    """A concrete string the SigmaString matches; wildcards become random text."""
    # Base64 in logs is what the encoder wrote: its case is not changed (secstream compares
    # base64/base64offset values case-sensitively, pySigma's SQL case-insensitively: a
    # known difference, see the report of sigma_differential.py).
    cased = isinstance(s, SigmaCasedString) or "".join(p for p in s.s if isinstance(p, str)) in KEEP_CASE
    out = []
    for part in s.s:
        if part == SpecialChars.WILDCARD_MULTI:
            out.append(filler(rng))
        elif part == SpecialChars.WILDCARD_SINGLE:
            out.append(rng.choice("aZ9_-"))
        elif isinstance(part, str):
            out.append(part if cased else recase(part, rng, case_mode))
        else:  # a placeholder: its name as text
            out.append("%" + getattr(part, "name", "x") + "%")
    return "".join(out)


def string_shape(s):
    """(anchored at start, anchored at end) of a SigmaString."""
    parts = s.s
    if not parts:
        return True, True
    return parts[0] != SpecialChars.WILDCARD_MULTI, parts[-1] != SpecialChars.WILDCARD_MULTI


def regex_exemplar(pattern, rng, depth=0):
    """A string re.search finds the pattern in (best effort; None if unsure)."""
    try:
        tree = sre_parse.parse(pattern)
    except Exception:
        return None

    def gen(items, d):
        out = []
        for op, av in items:
            if op == sre_constants.LITERAL:
                out.append(chr(av))
            elif op == sre_constants.NOT_LITERAL:
                out.append("a" if chr(av) != "a" else "b")
            elif op == sre_constants.ANY:
                out.append("x")
            elif op == sre_constants.IN:
                out.append(gen_in(av))
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                lo, hi, sub = av
                hi = lo + 2 if hi == sre_constants.MAXREPEAT else hi
                n = rng.randint(lo, max(lo, min(hi, lo + 2)))
                for _ in range(n):
                    out.append(gen(sub, d + 1))
            elif op == sre_constants.SUBPATTERN:
                out.append(gen(av[-1], d + 1))
            elif op == sre_constants.BRANCH:
                out.append(gen(rng.choice(av[1]), d + 1))
            elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                pass
            elif op == sre_constants.GROUPREF:
                raise ValueError("backreference")
            else:
                raise ValueError(op)
        return "".join(out)

    def gen_in(av):
        choices = []
        negate = False
        for op, a in av:
            if op == sre_constants.NEGATE:
                negate = True
            elif op == sre_constants.LITERAL:
                choices.append(chr(a))
            elif op == sre_constants.RANGE:
                choices.append(chr(rng.randint(a[0], a[1])))
            elif op == sre_constants.CATEGORY:
                choices.append({sre_constants.CATEGORY_DIGIT: "7", sre_constants.CATEGORY_SPACE: " ",
                                sre_constants.CATEGORY_WORD: "w"}.get(a, "q"))
        if negate:
            for c in "qQ7 _":
                if c not in choices:
                    return c
        return rng.choice(choices) if choices else "a"

    try:
        text = gen(list(tree), 0)
    except Exception:
        return None
    try:
        return text if re.search(pattern, text) else None
    except Exception:
        return None


def random_ip(net, rng):
    n = ipaddress.ip_network(net, strict=False)
    return str(n.network_address + rng.randrange(min(n.num_addresses, 1 << 30)))


def concrete(value, rng, case_mode):
    """One concrete event value for a single positive constraint; None = field absent."""
    if isinstance(value, SigmaString):
        return render_string(value, rng, case_mode)
    if isinstance(value, SigmaNumber):
        return value.number if rng.random() < 0.7 else str(value.number)
    if isinstance(value, SigmaBool):
        return "true" if value.boolean else "false"
    if isinstance(value, SigmaNull):
        return None
    if isinstance(value, SigmaExists):
        return ("exists-" + filler(rng)) if value.exists else None
    if isinstance(value, SigmaRegularExpression):
        ex = regex_exemplar(value.regexp, rng)
        return ex if ex is not None else filler(rng) + "re"
    if isinstance(value, SigmaCIDRExpression):
        return random_ip(value.cidr if hasattr(value, "cidr") else str(value.network), rng)
    if isinstance(value, SigmaCompareExpression):
        n = value.number.number
        op = value.op.name
        return {"LT": n - 1, "LTE": n, "GT": n + 1, "GTE": n}.get(op, n)
    return filler(rng) + "v"


def combine(values, rng, case_mode):
    """One value satisfying several positive constraints on the same field (|all, and-ed
    selections): the literal strings are laid out as prefix + middles + suffix."""
    strings = [v for v in values if isinstance(v, SigmaString)]
    others = [v for v in values if not isinstance(v, SigmaString)]
    if others and not strings:
        return concrete(rng.choice(others), rng, case_mode)
    if len(strings) == 1 and not others:
        return concrete(strings[0], rng, case_mode)
    full = [s for s in strings if string_shape(s) == (True, True)]
    if full:
        return concrete(full[0], rng, case_mode)
    prefix = [s for s in strings if string_shape(s) == (True, False)]
    suffix = [s for s in strings if string_shape(s) == (False, True)]
    middle = [s for s in strings if string_shape(s) == (False, False)]
    rng.shuffle(middle)
    glue = lambda: rng.choice(["", " ", "x", "\\"])  # noqa: E731
    text = (render_string(prefix[0], rng, case_mode) if prefix else filler(rng))
    for m in middle:
        text += glue() + render_string(m, rng, case_mode)
    text += glue() + (render_string(suffix[0], rng, case_mode) if suffix else filler(rng))
    return text


# ---------------------------------------------------------------- solving conditions

def leaves(node):
    if isinstance(node, (ConditionAND, ConditionOR, ConditionNOT)):
        for a in node.args:
            yield from leaves(a)
    elif isinstance(node, ConditionFieldEqualsValueExpression):
        yield node


def solve(node, want, pos, neg, rng, near=False):
    """Collect constraints making `node` evaluate to `want`. pos/neg: field -> [values].
    With near, a falsified `and` keeps all but one conjunct true (a near miss)."""
    if isinstance(node, ConditionNOT):
        return solve(node.args[0], not want, pos, neg, rng, near)
    if isinstance(node, ConditionAND):
        if want:
            for a in node.args:
                solve(a, True, pos, neg, rng, near)
        else:
            k = rng.randrange(len(node.args))
            for i, a in enumerate(node.args):
                if i == k:
                    solve(a, False, pos, neg, rng, near)
                elif near:
                    solve(a, True, pos, neg, rng, near)
        return
    if isinstance(node, ConditionOR):
        if want:
            solve(rng.choice(node.args), True, pos, neg, rng, near)
        else:
            for a in node.args:
                solve(a, False, pos, neg, rng, near)
        return
    if isinstance(node, ConditionFieldEqualsValueExpression):
        value = node.value
        if isinstance(value, SigmaExpansion):
            value = rng.choice(value.values) if want else value.values[0]
        (pos if want else neg).setdefault(node.field, []).append(value)
        return
    # value-only (keyword) expressions: nothing to bind


def mutate(text, rng):
    """The value with one literal character changed (or cut)."""
    if not isinstance(text, str) or not text:
        return "mutated"
    i = rng.randrange(len(text))
    c = text[i]
    r = rng.choice("qjQJ#0")
    if r.lower() == c.lower():
        r = "k"
    return text[:i] + r + text[i + 1:] if rng.random() < 0.8 else text[:i]


def materialize(pos, neg, rng, noise_fields):
    case_mode = rng.choice([0, 0, 1, 2, 3])
    flat = {}
    refs = []
    for field, values in pos.items():
        if field is None:
            continue
        fr = [v for v in values if isinstance(v, SigmaFieldReference)]
        if fr:
            refs.append((field, fr[0].field))
            continue
        v = combine(values, rng, case_mode)
        if field == "EventID" and isinstance(v, str) and v.isdigit():
            v = int(v)  # evtx writes event IDs as numbers
        if v is not None or (any(isinstance(x, SigmaNull) for x in values) and rng.random() < 0.5):
            flat[field] = v  # (a null test: absent, or JSON null)
    for field, values in neg.items():
        if field is None or field in flat or field in pos:
            continue
        r = rng.random()
        if r < 0.4:
            continue  # absent: the negated test is false
        elif r < 0.45:
            flat[field] = None  # JSON null (evtx_dump writes empty values so)
        elif r < 0.5:
            flat[field] = ""
        elif r < 0.8:
            flat[field] = noise_value(field, rng, noise_fields)
        elif field in CIDR_FIELDS or isinstance(values[0], SigmaCIDRExpression):
            flat[field] = random_address(rng)
        else:  # a value close to the excluded one
            v = values[0]
            if isinstance(v, (SigmaString, SigmaNumber)):
                flat[field] = mutate(str(concrete(v, rng, case_mode)), rng)
    for field, other in refs:
        if other in flat:
            flat[field] = flat[other]
        else:
            flat[field] = flat[other] = "ref-" + filler(rng)
    return flat


# ---------------------------------------------------------------- noise

BENIGN = {
    "Image": ["C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\explorer.exe", "C:\\Program Files\\Mozilla Firefox\\firefox.exe",
              "C:\\Windows\\System32\\conhost.exe", "C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe",
              "C:\\Windows\\System32\\RuntimeBroker.exe", "C:\\Windows\\System32\\taskhostw.exe"],
    "CommandLine": ["C:\\Windows\\system32\\svchost.exe -k netsvcs -p", "\"C:\\Windows\\explorer.exe\"", "conhost.exe 0xffffffff -ForceV1",
                    "C:\\Windows\\system32\\taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}", "notepad.exe C:\\Users\\alice\\notes.txt"],
    "ParentImage": ["C:\\Windows\\System32\\services.exe", "C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\svchost.exe"],
    "User": ["NT AUTHORITY\\SYSTEM", "CORP\\alice", "CORP\\bob", "NT AUTHORITY\\LOCAL SERVICE"],
    "TargetFilename": ["C:\\Users\\alice\\AppData\\Local\\Temp\\tmp1234.tmp", "C:\\Windows\\Prefetch\\SVCHOST.EXE-1234.pf"],
    "TargetObject": ["HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\OneDrive", "HKU\\S-1-5-21-1\\Software\\Classes\\.txt"],
    "Details": ["DWORD (0x00000001)", "C:\\Program Files\\App\\app.exe"],
    "ImageLoaded": ["C:\\Windows\\System32\\ntdll.dll", "C:\\Windows\\System32\\kernel32.dll", "C:\\Windows\\System32\\amsi.dll"],
    "DestinationIp": ["10.0.0.5", "192.168.1.20", "8.8.8.8", "52.96.0.1"],
    "DestinationPort": [443, 80, 53, 445],
    "QueryName": ["www.microsoft.com", "login.live.com", "wpad.corp.local"],
    "ScriptBlockText": ["Get-ChildItem C:\\", "Import-Module ActiveDirectory", "Write-Host hello"],
    "TargetUserName": ["alice", "bob", "SYSTEM", "Administrator"],
    "SubjectUserName": ["alice", "DC01$", "SYSTEM"],
    "IpAddress": ["10.0.0.7", "-", "::1"],
    "LogonType": [2, 3, 5, 10],
    "ServiceName": ["Windows Update", "Print Spooler", "BITS"],
    "ImagePath": ["C:\\Windows\\system32\\svchost.exe -k netsvcs", "\"C:\\Program Files\\App\\svc.exe\""],
    "GrantedAccess": ["0x1000", "0x1410", "0x1fffff"],
    "TargetImage": ["C:\\Windows\\system32\\lsass.exe", "C:\\Windows\\explorer.exe"],
    "PipeName": ["\\lsarpc", "\\srvsvc", "\\MsFteWds"],
}

# Background Channel/EventID mix (weights roughly a workstation with Sysmon + auditing).
NOISE_MIX = [
    (SYSMON, 1, 14, ["Image", "CommandLine", "ParentImage", "User", "OriginalFileName", "ParentCommandLine", "CurrentDirectory"]),
    (SYSMON, 3, 10, ["Image", "DestinationIp", "DestinationPort", "DestinationHostname", "Initiated", "SourceIp"]),
    (SYSMON, 7, 12, ["Image", "ImageLoaded", "Signed", "Signature"]),
    (SYSMON, 10, 5, ["SourceImage", "TargetImage", "GrantedAccess", "CallTrace"]),
    (SYSMON, 11, 8, ["Image", "TargetFilename"]),
    (SYSMON, 13, 8, ["Image", "TargetObject", "Details", "EventType"]),
    (SYSMON, 12, 2, ["Image", "TargetObject", "EventType"]),
    (SYSMON, 22, 6, ["Image", "QueryName", "QueryResults"]),
    (SYSMON, 5, 3, ["Image"]),
    (SYSMON, 17, 1, ["Image", "PipeName"]),
    (SYSMON, 23, 1, ["Image", "TargetFilename"]),
    ("Security", 4624, 8, ["TargetUserName", "LogonType", "IpAddress", "WorkstationName", "AuthenticationPackageName"]),
    ("Security", 4625, 2, ["TargetUserName", "LogonType", "IpAddress", "Status", "SubStatus"]),
    ("Security", 4688, 4, ["NewProcessName", "CommandLine", "ParentProcessName", "SubjectUserName"]),
    ("Security", 4672, 2, ["SubjectUserName", "PrivilegeList"]),
    ("Security", 4663, 2, ["ObjectName", "ProcessName", "AccessMask"]),
    ("Security", 5145, 1, ["ShareName", "RelativeTargetName", "IpAddress"]),
    ("System", 7036, 3, ["param1", "param2"]),
    ("System", 7045, 1, ["ServiceName", "ImagePath", "ServiceType", "StartType", "AccountName"]),
    ("Microsoft-Windows-PowerShell/Operational", 4104, 4, ["ScriptBlockText", "Path"]),
    ("Microsoft-Windows-PowerShell/Operational", 4103, 1, ["Payload", "ContextInfo"]),
    ("Windows PowerShell", 400, 1, ["HostApplication", "EngineVersion"]),
    ("Application", 1000, 1, ["Data"]),
    ("Microsoft-Windows-Windows Defender/Operational", 1116, 1, ["Threat Name", "Path"]),
]

PROVIDERS = {SYSMON: "Microsoft-Windows-Sysmon", "Security": "Microsoft-Windows-Security-Auditing",
             "System": "Service Control Manager", "Microsoft-Windows-PowerShell/Operational": "Microsoft-Windows-PowerShell",
             "Windows PowerShell": "PowerShell", "Application": "Application Error"}


def harvest(rules_conditions):
    """field -> literal fragments seen in the rules (noise carries them inside random text)."""
    frags = {}
    for cond in rules_conditions:
        for leaf in leaves(cond):
            v = leaf.value
            vals = v.values if isinstance(v, SigmaExpansion) else [v]
            for x in vals:
                if isinstance(x, SigmaString):
                    lit = "".join(p for p in x.s if isinstance(p, str))
                    if lit and leaf.field not in ("Channel", "EventID"):
                        frags.setdefault(leaf.field, []).append(lit)
    for k in frags:
        frags[k] = sorted(set(frags[k]))
    return frags


def noise_value(field, rng, fragments):
    if field in CIDR_FIELDS:
        return random_address(rng)
    r = rng.random()
    frag = fragments.get(field) if fragments else None
    if frag and r < FRAGMENT_RATE:
        f = rng.choice(frag)
        if rng.random() < 0.5:
            f = mutate(f, rng)
        return filler(rng) + f + filler(rng)
    if field in BENIGN:
        return rng.choice(BENIGN[field])
    return rng.choice(["", "-", "0x0", "%%1833", "none", "C:\\Windows\\Temp\\x.log", "12345", "Microsoft Corporation"])


def noise_event(rng, fragments):
    total = sum(w for _, _, w, _ in NOISE_MIX)
    r = rng.uniform(0, total)
    for channel, eid, w, fields in NOISE_MIX:
        r -= w
        if r <= 0:
            break
    flat = {"Channel": channel, "EventID": eid}
    for f in fields:
        if rng.random() < 0.9:
            flat[f] = noise_value(f, rng, fragments)
    return flat


# ---------------------------------------------------------------- evtx JSON

def to_evtx(flat, seconds, record, rng):
    """A flat Sigma-named event as evtx_dump JSON. `seconds` from the start of the day."""
    flat = dict(flat)
    channel = flat.pop("Channel", "Application")
    eid = flat.pop("EventID", 0)
    when = datetime.datetime(2026, 11, 20, tzinfo=datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    system = {
        "Provider": {"#attributes": {"Name": flat.pop("Provider_Name", PROVIDERS.get(channel, "Microsoft-Windows-Eventlog")),
                                     "Guid": flat.pop("Provider_Guid", "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}")}},
        "EventID": eid,
        "Version": flat.pop("Version", 5),
        "Level": flat.pop("Level", 4),
        "Task": flat.pop("Task", 1),
        "Opcode": flat.pop("Opcode", 0),
        "Keywords": flat.pop("Keywords", "0x8000000000000000"),
        "TimeCreated": {"#attributes": {"SystemTime": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}},
        "EventRecordID": record,
        "Correlation": None,
        "Execution": {"#attributes": {"ProcessID": flat.pop("Execution_ProcessID", 3160), "ThreadID": flat.pop("Execution_ThreadID", 4464)}},
        "Channel": channel,
        "Computer": flat.pop("Computer", "WKS-%02d.corp.local" % rng.randrange(40)),
        "Security": {"#attributes": {"UserID": flat.pop("Security_UserID", "S-1-5-18")}},
    }
    if isinstance(eid, int) and rng.random() < 0.25:  # classic providers: a Qualifiers attribute, the ID in #text
        system["EventID"] = {"#attributes": {"Qualifiers": 16384}, "#text": eid}
    for k in ("Provider_EventSourceName", "Correlation_ActivityID", "Correlation_RelatedActivityID", "TimeCreated_SystemTime"):
        flat.pop(k, None)
    event = {"Event": {"#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"}, "System": system}}
    if flat and channel in USER_DATA_CHANNELS:
        # These channels log into one element under UserData, named after the event.
        event["Event"]["UserData"] = {rng.choice(USER_DATA_ELEMENTS): flat}
    elif flat:
        event["Event"]["EventData"] = flat
    return event


# The Channels of the services that log into UserData, and element names seen there.
USER_DATA_CHANNELS = {c for kind, name, channels, _ in logsource_table()
                      if kind == "service" and name in USER_DATA_SERVICES for c in channels}
USER_DATA_ELEMENTS = ["EventXML", "Operation_ClientFailure", "Operation_ESStoConsumerBinding", "RuleAndFileData",
                      "LoadPluginFailed"]


def flatten(event):
    """The Zircolite row of an evtx JSON event: System fields by their Sigma names, EventData
    (or the element under UserData) bare."""
    e = event.get("Event", {})
    row = {}
    for name, paths in SYSTEM_FIELDS.items():
        for path in (paths if isinstance(paths, list) else [paths]):
            cur = event
            for part in path.split("."):
                cur = cur.get(part) if isinstance(cur, dict) else None
                if cur is None:
                    break
            if cur is not None and not isinstance(cur, dict):
                row[name] = cur
                break
    data = e.get("EventData") or {}
    user = e.get("UserData")
    if isinstance(user, dict) and len(user) == 1 and isinstance(next(iter(user.values())), dict):
        data = next(iter(user.values()))  # the one element under UserData, its keys bare
    if isinstance(data, dict):
        for k, v in data.items():
            if k not in row:
                row[k] = v
    return row


# ---------------------------------------------------------------- driver

def _detection_items(rule):
    def walk(x):
        if hasattr(x, "detection_items"):
            for i in x.detection_items:
                yield from walk(i)
        else:
            yield x
    for d in rule.detection.detections.values():
        yield from walk(d)


def _modifier_names(item):
    return {m.__name__ for m in getattr(item, "modifiers", [])}


def _file_rules(path):
    out = []
    for f, r in load_rules([path]):
        try:
            out.append((f, r, r.detection.parsed_condition[0].parsed, routing(r)))
        except Exception:
            continue
    return out


def _rule_traits(rule):
    """(literals of base64-encoded values, fields tested with |cidr) of a rule."""
    keep, cidr = set(), set()
    for item in _detection_items(rule):
        names = _modifier_names(item)
        if names & {"SigmaBase64Modifier", "SigmaBase64OffsetModifier"}:
            for v in item.value:
                for x in (v.values if isinstance(v, SigmaExpansion) else [v]):
                    if isinstance(x, SigmaString):
                        keep.add("".join(p for p in x.s if isinstance(p, str)))
        if "SigmaCIDRModifier" in names and item.field:
            cidr.add(item.field)
    return keep, cidr


def _rule_events(args):
    """The positives and near misses of the rules of one file (own RNG per rule: parallel and
    deterministic)."""
    path, seed, per_rule, near_per_rule = args
    out, frags = [], []
    for f, r, cond, route in _file_rules(path):
        frags.append(harvest([cond]))
        keep, _ = _rule_traits(r)
        KEEP_CASE.clear()
        KEEP_CASE.update(keep)
        rng = random.Random(f"{seed}:{r.id}:{os.path.basename(f)}")
        for kind, n in (("positive", per_rule), ("near-miss", near_per_rule)):
            for _ in range(n):
                pos, neg = {}, {}
                wrong_route = kind == "near-miss" and route is not None and rng.random() < 0.25
                solve(cond, kind == "positive" or wrong_route, pos, neg, rng, near=True)
                flat = materialize(pos, neg, rng, None)
                if route is not None:
                    channels, ids = route
                    flat["Channel"] = rng.choice(channels)
                    if ids is not None:
                        flat["EventID"] = rng.choice(ids)
                    if wrong_route:  # everything right but the Channel or the EventID
                        if ids is not None and rng.random() < 0.5:
                            flat["EventID"] = rng.choice([i for i in (1, 3, 4104, 4688, 7045, 11, 13) if i not in ids])
                        else:
                            flat["Channel"] = rng.choice(["Security", "System", SYSMON, "Application", "Windows PowerShell",
                                                          channels[0] + "x", channels[0].split("/")[0]])
                            if flat["Channel"] in channels:
                                flat["Channel"] = "Setup"
                out.append((flat, (str(r.id), kind)))
    merged = {}
    for fr in frags:
        for k, v in fr.items():
            merged.setdefault(k, set()).update(v)
    return out, merged


def generate(files, seed, per_rule=3, near_per_rule=3, noise=1000, total=None, jobs=2):
    """Yields (flat_event, origin) where origin is (rule id, kind) or None for noise.
    With `total`, noise fills up to `total` events spread between the rule events."""
    # Fields any rule tests with |cidr hold addresses in every event (set before the workers fork).
    CIDR_FIELDS.clear()
    for f in files:
        with open(f, encoding="utf-8") as fh:
            CIDR_FIELDS.update(re.findall(r"([A-Za-z0-9_.]+)\|cidr", fh.read()))
    work = [(f, seed, per_rule, near_per_rule) for f in files]
    if jobs > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            parts = pool.map(_rule_events, work, chunksize=16)
    else:
        parts = [_rule_events(w) for w in work]
    rule_events, fragments = [], {}
    for evs, fr in parts:
        rule_events += evs
        for k, v in fr.items():
            fragments.setdefault(k, set()).update(v)
    KEEP_CASE.clear()
    fragments = {k: sorted(v) for k, v in fragments.items()}
    rng = random.Random(seed)
    n_noise = noise if total is None else max(0, total - len(rule_events))
    if total is not None and len(rule_events) > total:
        rng.shuffle(rule_events)
        rule_events = rule_events[:total]
    # each rule event at a random position among the noise
    slots = set(rng.sample(range(n_noise + len(rule_events)), len(rule_events)))
    it = iter(rule_events)
    for i in range(n_noise + len(rule_events)):
        yield next(it) if i in slots else (noise_event(rng, fragments), None)


def write_events(files, out, seed, **kw):
    rng = random.Random(seed ^ 0x5EED)
    origins = []
    for i, (flat, origin) in enumerate(generate(files, seed, **kw)):
        ev = to_evtx(flat, i * 0.01, i + 1, rng)
        out.write(json.dumps(ev, ensure_ascii=False, separators=(",", ":")) + "\n")
        origins.append(origin)
    return origins


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", action="append", required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--per-rule", type=int, default=3)
    ap.add_argument("--near-per-rule", type=int, default=3)
    ap.add_argument("--noise", type=int, default=1000)
    ap.add_argument("--total", type=int, default=None, help="total events (noise fills up)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--fragment-rate", type=float, default=FRAGMENT_RATE,
                    help="share of noise values that carry a rule literal (or a near copy)")
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()
    globals()["FRAGMENT_RATE"] = a.fragment_rate
    files = rule_files(a.rules)
    out = sys.stdout if a.output == "-" else open(a.output, "w", encoding="utf-8")
    origins = write_events(files, out, a.seed, per_rule=a.per_rule, near_per_rule=a.near_per_rule,
                           noise=a.noise, total=a.total, jobs=a.jobs)
    out.flush()
    kinds = {}
    for o in origins:
        kinds[o[1] if o else "noise"] = kinds.get(o[1] if o else "noise", 0) + 1
    print(f"{len(origins)} events for {len(files)} rule files: {kinds}", file=sys.stderr)


if __name__ == "__main__":
    main()
