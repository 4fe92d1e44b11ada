"""The Windows logsource table of pySigma's own pipelines, and pipelines/windows-evtx.yml made from it.

pySigma routes a Windows rule by adding Channel/EventID conditions:
`sigma.pipelines.sysmon.sysmon_pipeline` maps the generic categories (process_creation,
registry_set, ...) to a Sysmon EventID and changes the logsource to service sysmon, and
`sigma.pipelines.windows.windows_logsource_pipeline` maps the PowerShell categories to an
EventID and every service (security, system, sysmon, powershell, ...) to its Channel. Applied
together (sysmon first, as Zircolite does), a category rule ends up with both a Channel and an
EventID condition, a service rule with a Channel condition. `logsource_table()` reads that
table off the installed packages' data; `pipeline_yaml()` writes it as one add_condition per
logsource plus the evtx-JSON field mapping.

It also writes pipelines/windows-audit.yml: pySigma's `windows_audit_pipeline`
(sigma.pipelines.windows), which routes the generic categories process_creation and
registry_* to Windows Security auditing (4688, 4657) instead of Sysmon, item by item.

    python tests/interop/sigma_windows_pipeline.py --write   # regenerate both files
    python tests/interop/sigma_windows_pipeline.py --check   # exit 1 if a file is stale or pySigma rejects it
"""
import os
import sys

import yaml
from sigma.pipelines.common import windows_logsource_mapping
from sigma.pipelines.sysmon.sysmon import sysmon_generic_logsource_eventid_mapping
from sigma.pipelines.windows.windows import windows_generic_category_channel_mapping

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PIPELINE_FILE = os.path.join(ROOT, "pipelines", "windows-evtx.yml")
AUDIT_FILE = os.path.join(ROOT, "pipelines", "windows-audit.yml")
TIME_FIELD = "Event.System.TimeCreated.#attributes.SystemTime"

# Sigma (Zircolite/Hayabusa) names of the System fields -> where evtx_dump, python-evtx and
# Hayabusa put them. A list is a set of candidates: the first one present in the event is used.
SYSTEM_FIELDS = {
    "Channel": "Event.System.Channel",
    "EventID": ["Event.System.EventID.#text", "Event.System.EventID"],
    "Provider_Name": "Event.System.Provider.#attributes.Name",
    "Provider_Guid": "Event.System.Provider.#attributes.Guid",
    "Provider_EventSourceName": "Event.System.Provider.#attributes.EventSourceName",
    "Computer": "Event.System.Computer",
    "Level": "Event.System.Level",
    "Keywords": "Event.System.Keywords",
    "Task": "Event.System.Task",
    "Opcode": "Event.System.Opcode",
    "Version": "Event.System.Version",
    "EventRecordID": "Event.System.EventRecordID",
    "TimeCreated_SystemTime": TIME_FIELD,
    "Security_UserID": "Event.System.Security.#attributes.UserID",
    "Execution_ProcessID": "Event.System.Execution.#attributes.ProcessID",
    "Execution_ThreadID": "Event.System.Execution.#attributes.ThreadID",
    "Correlation_ActivityID": "Event.System.Correlation.#attributes.ActivityID",
    "Correlation_RelatedActivityID": "Event.System.Correlation.#attributes.RelatedActivityID",
}

# The channels whose events carry their fields in UserData under one element named after
# the event (`<UserData><EventXML><Address>..`, `<UserData><Operation_ClientFailure>..`,
# `<UserData><RuleAndFileData>..`, `<UserData><LoadPluginFailed>..`): their rules read
# Event.UserData.*.<field>, where `*` is any one key (secstream's field paths). Every other
# rule reads Event.EventData.<field>.
USER_DATA_SERVICES = [
    "applocker",
    "printservice-admin",
    "printservice-operational",
    "terminalservices-localsessionmanager",
    "wmi",
]


def _list(v):
    return list(v) if isinstance(v, (list, tuple)) else [v]


def logsource_table():
    """[(kind, name, channels, eventids or None)] in pySigma's order: Sysmon categories, the
    PowerShell categories of the windows pipeline, then the services."""
    sysmon_channel = _list(windows_logsource_mapping["sysmon"])
    table = []
    for category, ids in sysmon_generic_logsource_eventid_mapping.items():
        table.append(("category", category, sysmon_channel, _list(ids)))
    for category, info in windows_generic_category_channel_mapping.items():
        table.append(("category", category, _list(windows_logsource_mapping[info["service"]]), _list(info["EventID"])))
    for service, channels in windows_logsource_mapping.items():
        table.append(("service", service, _list(channels), None))
    return table


def pipeline_document():
    items = []
    for kind, name, channels, ids in logsource_table():
        conditions = {"Channel": channels if len(channels) > 1 else channels[0]}
        if ids is not None:
            conditions["EventID"] = ids if len(ids) > 1 else ids[0]
        items.append({
            "id": f"windows_{kind}_{name}".replace("-", "_"),
            "type": "add_condition",
            "conditions": conditions,
            "rule_conditions": [{"type": "logsource", "product": "windows", kind: name}],
        })
    # pySigma evaluates field_name_conditions on the field name as the earlier items left it,
    # so the EventData prefix comes first (guarded by the Sigma names of the System fields)
    # and the System mapping after it.
    system = list(SYSTEM_FIELDS)
    user_data_services = [{"type": "logsource", "product": "windows", "service": s} for s in USER_DATA_SERVICES]
    items.append({
        "id": "evtx_user_data",
        "type": "field_name_prefix",
        "prefix": "Event.UserData.*.",
        "rule_conditions": user_data_services,
        "rule_cond_op": "or",
        "field_name_conditions": [{"type": "exclude_fields", "fields": system}],
    })
    items.append({
        "id": "evtx_event_data",
        "type": "field_name_prefix",
        "prefix": "Event.EventData.",
        "rule_conditions": user_data_services,
        "rule_cond_op": "or",
        "rule_cond_not": True,
        "field_name_conditions": [{"type": "exclude_fields", "fields": system}],
    })
    items.append({"id": "evtx_system_fields", "type": "field_name_mapping", "mapping": SYSTEM_FIELDS})
    return {
        "name": "windows-evtx",
        "priority": 10,
        # The event time field is pipeline state (pySigma's set_state), which secstream reads
        # and pySigma loads as it is.
        "transformations": [{"type": "set_state", "key": "time_field", "val": TIME_FIELD}] + items,
    }


HEADER = """\
# Windows event logs as evtx JSON, the way evtx_dump (Rust evtx crate), python-evtx and
# Hayabusa write them: {"Event":{"System":{"Channel":..,"EventID":4688 | {"#attributes":
# {"Qualifiers":16384},"#text":7036},"Provider":{"#attributes":{"Name":..}},..},
# "EventData":{..}}}. A pySigma processing pipeline: ProcessingPipeline.from_yaml loads it
# as it is (the event time field is `set_state` pipeline state).
#
# Routing: the logsource -> Channel/EventID table of pySigma's sysmon pipeline
# (sigma.pipelines.sysmon) and windows_logsource_pipeline (sigma.pipelines.windows), Sysmon
# categories and Security/System/... services both: a rule runs only on events of its Channel
# (and EventID for a category). Fields: the System fields by their Zircolite/Hayabusa names
# (EventID reads #text when the ID carries Qualifiers); every other field from EventData, or
# for the channels that log into UserData (AppLocker, PrintService, TerminalServices
# LocalSessionManager, WMI-Activity) from the one element under UserData
# (Event.UserData.*.<field>: `*` is any one key).
#
# Generated by tests/interop/sigma_windows_pipeline.py --write from the installed pySigma
# packages (pins in scripts/venv.sh); the Sigma differential test checks it is up to date.
"""


def pipeline_yaml():
    return HEADER + yaml.safe_dump(pipeline_document(), sort_keys=False, width=200, allow_unicode=True)


def load_with_pysigma(text):
    """pySigma's ProcessingPipeline.from_yaml of the file, as it is."""
    from sigma.processing.pipeline import ProcessingPipeline
    return ProcessingPipeline.from_yaml(text)


SAMPLE_RULE = """
title: sample
id: 5f0b3b4c-0000-4000-8000-000000000001
logsource: {product: windows, category: ps_module}
detection:
  selection: {Provider_Name: PowerShell, Payload|contains: Invoke-Mimikatz}
  condition: selection
"""
SAMPLE_SQL = ("SELECT * FROM logs WHERE (`Event.System.Channel` IN ('Microsoft-Windows-PowerShell/Operational', "
              "'PowerShellCore/Operational') AND (`Event.System.EventID.#text`=4103 OR `Event.System.EventID`=4103)) AND "
              "(`Event.System.Provider.#attributes.Name`='PowerShell' AND `Event.EventData.Payload` LIKE "
              "'%Invoke-Mimikatz%' ESCAPE '\\')")


def check_with_pysigma(text):
    """pySigma loads the pipeline and, applied to a sample rule, it routes and names the
    fields as secstream reads them (SQL of pySigma's SQLite backend)."""
    from sigma.backends.sqlite import sqliteBackend
    from sigma.collection import SigmaCollection
    pipeline = load_with_pysigma(text)
    sql = sqliteBackend(processing_pipeline=pipeline).convert(SigmaCollection.from_yaml(SAMPLE_RULE))[0]
    norm = lambda q: q.replace("(`Event.System.Channel`='Microsoft-Windows-PowerShell/Operational' OR "
                               "`Event.System.Channel`='PowerShellCore/Operational')",
                               "`Event.System.Channel` IN ('Microsoft-Windows-PowerShell/Operational', "
                               "'PowerShellCore/Operational')")  # noqa: E731
    if norm(sql) != SAMPLE_SQL:
        raise SystemExit(f"pySigma applies the pipeline differently than expected:\n  got  {sql}\n  want {SAMPLE_SQL}")
    return pipeline


AUDIT_HEADER = """\
# Windows Security auditing instead of Sysmon for the generic Windows categories:
# pySigma's windows_audit_pipeline (sigma.pipelines.windows), item by item. A
# process_creation rule becomes a Security 4688 rule (Image -> NewProcessName,
# ParentImage -> ParentProcessName, LogonId -> SubjectLogonId), registry_event/set/add
# Security 4657 rules (Image -> ProcessName, TargetObject -> ObjectName; EventType, NewName
# and User have no 4657 counterpart and fail the detection item).
#
# Use it in front of windows-evtx: `--pipeline windows-audit --pipeline windows-evtx`. Its
# priority (5, pySigma's is 10) puts it first whatever the order on the command line, so
# the change to service security happens before windows-evtx routes by logsource.
#
# Generated by tests/interop/sigma_windows_pipeline.py --write from the installed pySigma
# packages (pins in scripts/venv.sh); the Sigma differential test checks it is up to date.
"""
AUDIT_PRIORITY = 5


def _rule_condition(c):
    from sigma.processing.conditions import LogsourceCondition, RuleProcessingItemAppliedCondition
    if isinstance(c, LogsourceCondition):
        d = {"type": "logsource"}
        for k in ("category", "product", "service"):
            if getattr(c, k) is not None:
                d[k] = getattr(c, k)
        return d
    if isinstance(c, RuleProcessingItemAppliedCondition):
        return {"type": "processing_item_applied", "processing_item_id": c.processing_item_id}
    raise SystemExit(f"windows_audit_pipeline: no YAML form for rule condition {c!r}")


def _field_condition(c):
    from sigma.processing.conditions import IncludeFieldCondition
    if isinstance(c, IncludeFieldCondition) and c.mode == "plain":
        return {"type": "include_fields", "fields": list(c.fields)}
    raise SystemExit(f"windows_audit_pipeline: no YAML form for field condition {c!r}")


def _transformation(t):
    from sigma.processing.transformations import (AddConditionTransformation, ChangeLogsourceTransformation,
                                                  DetectionItemFailureTransformation, FieldMappingTransformation)
    if isinstance(t, AddConditionTransformation) and not t.template and not t.negated:
        return {"type": "add_condition", "conditions": dict(t.conditions)}
    if isinstance(t, ChangeLogsourceTransformation):
        return {"type": "change_logsource", **{k: getattr(t, k) for k in ("category", "product", "service")
                                                 if getattr(t, k) is not None}}
    if isinstance(t, FieldMappingTransformation):
        return {"type": "field_name_mapping", "mapping": dict(t.mapping)}
    if isinstance(t, DetectionItemFailureTransformation):
        return {"type": "detection_item_failure", "message": t.message}
    raise SystemExit(f"windows_audit_pipeline: no YAML form for transformation {t!r}")


def audit_pipeline_document():
    """pySigma's windows_audit_pipeline as pipeline YAML, item by item."""
    from sigma.pipelines.windows.windows import windows_audit_pipeline
    source = windows_audit_pipeline()
    items = []
    for item in source.items:
        d = {"id": item.identifier, **_transformation(item.transformation)}
        if item.rule_conditions:
            d["rule_conditions"] = [_rule_condition(c) for c in item.rule_conditions]
            if item.rule_condition_linking is any:
                d["rule_cond_op"] = "or"
            if item.rule_condition_negation:
                d["rule_cond_not"] = True
        if item.field_name_conditions:
            d["field_name_conditions"] = [_field_condition(c) for c in item.field_name_conditions]
            if item.field_name_condition_negation:
                d["field_name_cond_not"] = True
        if item.detection_item_conditions:
            raise SystemExit(f"windows_audit_pipeline: item {item.identifier} has detection item conditions")
        items.append(d)
    return {"name": "windows-audit", "priority": AUDIT_PRIORITY, "transformations": items}


def audit_pipeline_yaml():
    return AUDIT_HEADER + yaml.safe_dump(audit_pipeline_document(), sort_keys=False, width=200, allow_unicode=True)


AUDIT_SAMPLE_RULE = """
title: sample
id: 5f0b3b4c-0000-4000-8000-000000000002
logsource: {product: windows, category: process_creation}
detection:
  selection: {Image|endswith: '\\certutil.exe', CommandLine|contains: urlcache}
  condition: selection
"""
AUDIT_SAMPLE_SQL = (r"SELECT * FROM logs WHERE `Event.System.Channel`='Security' AND ((`Event.System.EventID.#text`=4688 OR "
                    r"`Event.System.EventID`=4688) AND (`Event.EventData.NewProcessName` LIKE '%\\certutil.exe' ESCAPE '\' AND "
                    r"`Event.EventData.CommandLine` LIKE '%urlcache%' ESCAPE '\'))")


def check_audit_with_pysigma(text, evtx_text):
    """pySigma loads the file and, in front of windows-evtx, routes process_creation to
    Security 4688 with the audit field names."""
    from sigma.backends.sqlite import sqliteBackend
    from sigma.collection import SigmaCollection
    audit = load_with_pysigma(text)
    sql = sqliteBackend(processing_pipeline=audit + load_with_pysigma(evtx_text)).convert(
        SigmaCollection.from_yaml(AUDIT_SAMPLE_RULE))[0]
    if sql != AUDIT_SAMPLE_SQL:
        raise SystemExit(f"pySigma applies windows-audit differently than expected:\n  got  {sql}\n  want {AUDIT_SAMPLE_SQL}")
    return audit


def main():
    if "--write" in sys.argv:
        check_with_pysigma(pipeline_yaml())
        check_audit_with_pysigma(audit_pipeline_yaml(), pipeline_yaml())
        for path, text in ((PIPELINE_FILE, pipeline_yaml()), (AUDIT_FILE, audit_pipeline_yaml())):
            with open(path, "w") as f:
                f.write(text)
            print(path)
        return 0
    for path, text in ((PIPELINE_FILE, pipeline_yaml()), (AUDIT_FILE, audit_pipeline_yaml())):
        if not os.path.exists(path) or open(path).read() != text:
            print(f"{path} is stale: run {sys.argv[0]} --write", file=sys.stderr)
            return 1
    p = check_with_pysigma(open(PIPELINE_FILE).read())
    a = check_audit_with_pysigma(open(AUDIT_FILE).read(), open(PIPELINE_FILE).read())
    print(f"ok: windows-evtx {len(p.items)} and windows-audit {len(a.items)} processing items; "
          "pySigma routes and maps the sample rules as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
