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

    python tests/interop/sigma_windows_pipeline.py --write   # regenerate pipelines/windows-evtx.yml
    python tests/interop/sigma_windows_pipeline.py --check   # exit 1 if the file is stale or pySigma rejects it
"""
import os
import sys

import yaml
from sigma.pipelines.common import windows_logsource_mapping
from sigma.pipelines.sysmon.sysmon import sysmon_generic_logsource_eventid_mapping
from sigma.pipelines.windows.windows import windows_generic_category_channel_mapping

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PIPELINE_FILE = os.path.join(ROOT, "pipelines", "windows-evtx.yml")
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
    items.append({
        "id": "evtx_event_data",
        "type": "field_name_prefix",
        "prefix": "Event.EventData.",
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
# (EventID reads #text when the ID carries Qualifiers), every other field from EventData.
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


def main():
    if "--write" in sys.argv:
        check_with_pysigma(pipeline_yaml())
        with open(PIPELINE_FILE, "w") as f:
            f.write(pipeline_yaml())
        print(PIPELINE_FILE)
        return 0
    text = open(PIPELINE_FILE).read()
    if text != pipeline_yaml():
        print(f"{PIPELINE_FILE} is stale: run {sys.argv[0]} --write", file=sys.stderr)
        return 1
    p = check_with_pysigma(text)
    print(f"ok: {len(p.items)} processing items; pySigma routes and maps a sample rule as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
