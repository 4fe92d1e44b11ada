import XCTest
@testable import SecStreamCore

/// Processing pipelines in pySigma's format applied to rules: logsource
/// routing, field name transformations, failures, placeholders; and rule packs
/// that skip what cannot run instead of failing the whole load.
final class PipelineTests: XCTestCase {
    private let windowsLike = """
    name: test-windows
    priority: 10
    vars:
      admins: [alice, bob]
    secstream:
      time_field: Event.System.TimeCreated
    transformations:
      - id: proc
        type: add_condition
        conditions:
          Channel: Microsoft-Windows-Sysmon/Operational
          EventID: 1
        rule_conditions:
          - type: logsource
            product: windows
            category: process_creation
      - id: security
        type: add_condition
        conditions:
          Channel: Security
        rule_conditions:
          - type: logsource
            product: windows
            service: security
      - id: system_fields
        type: field_name_mapping
        mapping:
          Channel: Event.System.Channel
          EventID: [Event.System.EventID.#text, Event.System.EventID]
      - id: event_data
        type: field_name_prefix
        prefix: Event.EventData.
        field_name_conditions:
          - type: exclude_fields
            fields: [Event.System.Channel, Event.System.EventID.#text, Event.System.EventID]
      - id: no_hashes
        type: drop_detection_item
        field_name_conditions:
          - type: include_fields
            fields: [Event.EventData.Hashes]
      - type: rule_failure
        message: macOS is not handled here
        rule_conditions:
          - type: logsource
            product: macos
    """

    private func pipeline(_ text: String) throws -> ProcessingPipeline {
        try PipelineParser.parse(text, source: "test-pipeline.yml", defaultName: "test")
    }

    private func load(_ rules: [(String, String)], pipelines: [ProcessingPipeline], strict: Bool = false,
                      placeholders: [String: [String]] = [:], selection: RuleSelection = RuleSelection()) throws -> RuleSet {
        try RuleLoader(pipelines: pipelines, placeholders: placeholders, selection: selection, strict: strict)
            .load(sources: rules.map { RuleSource(name: $0.0, text: $0.1) })
    }

    /// Which rules (by id) an event runs into, through routes as the workers do.
    private func matching(_ set: RuleSet, _ json: String) -> [String] {
        let event = JSONTestEvent(json, schema: set.schema)
        let matchers = DetectionMatcherSet(set.detections)
        var ids: [String] = []
        withExtendedLifetime(event) { matchers.forEachMatch(event.view) { ids.append(set.detections[$0].meta.id) } }
        return ids
    }

    private func rule(_ id: String, _ logsource: String, _ detection: String, extra: String = "") -> (String, String) {
        ("\(id).yml", "title: \(id)\nid: \(id)\n\(extra)logsource:\n\(logsource)\ndetection:\n\(detection)\n")
    }

    private let sysmonProc = ##"{"Event":{"System":{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1},"EventData":{"Image":"C:\\Windows\\System32\\whoami.exe","User":"alice","ParentImage":"C:\\Windows\\System32\\whoami.exe"}}}"##
    private let sysmonQualified = ##"{"Event":{"System":{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":{"#attributes":{"Qualifiers":16384},"#text":1}},"EventData":{"Image":"C:\\tools\\calc.exe"}}}"##
    private let sysmonImageLoad = ##"{"Event":{"System":{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":7},"EventData":{"Image":"C:\\Windows\\System32\\whoami.exe"}}}"##
    private let security = ##"{"Event":{"System":{"Channel":"Security","EventID":4624},"EventData":{"TargetUserName":"bob"}}}"##

    func testRulesRunOnlyOnEventsOfTheirLogsource() throws {
        let p = try pipeline(windowsLike)
        XCTAssertEqual(p.timeField, "Event.System.TimeCreated")
        let set = try load([
            rule("whoami", "  product: windows\n  category: process_creation",
                 "  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel"),
            rule("not-whoami", "  product: windows\n  category: process_creation",
                 "  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: not sel"),
            rule("logon", "  product: windows\n  service: security", "  sel:\n    TargetUserName: bob\n  condition: sel"),
            rule("anything", "  product: windows\n  service: security", "  sel:\n    TargetUserName|exists: true\n  condition: not sel"),
        ], pipelines: [p])
        XCTAssertEqual(set.detections.count, 4)
        XCTAssertEqual(matching(set, sysmonProc), ["whoami"])
        XCTAssertEqual(matching(set, sysmonQualified), ["not-whoami"], "EventID as {#text} with qualifiers")
        XCTAssertEqual(matching(set, sysmonImageLoad), [], "an image load is no process creation, even for a `not` rule")
        XCTAssertEqual(matching(set, security), ["logon"])
        XCTAssertEqual(matching(set, #"{"message":"whoami.exe"}"#), [])
        XCTAssertEqual(DetectionMatcherSet(set.detections).routeCount, 2, "rules of one logsource share a route")
    }

    func testUnrecognisedLogsourceIsSkippedAndCountedNotRunEverywhere() throws {
        let p = try pipeline(windowsLike)
        let set = try load([
            rule("rdp", "  product: zeek\n  service: rdp", "  sel:\n    a: 1\n  condition: not sel"),
            rule("whoami", "  product: windows\n  category: process_creation", "  sel:\n    Image: x\n  condition: sel"),
            ("nols.yml", "title: t\nid: nols\ndetection:\n  sel:\n    a: 1\n  condition: sel\n"),
        ], pipelines: [p])
        XCTAssertEqual(set.detections.map(\.meta.id), ["whoami", "nols"], "a rule with no logsource asks for every event")
        XCTAssertEqual(set.report.unrecognised.count, 1)
        XCTAssertEqual(set.report.unrecognised.first?.logsource, RuleLogsource(product: "zeek", service: "rdp"))
        XCTAssertTrue(set.report.summary(detections: 2, correlations: 0).contains("1 for logsources no loaded pipeline recognises (zeek/-/rdp 1)"),
                      set.report.summary(detections: 2, correlations: 0))
        XCTAssertThrowsError(try load([rule("rdp", "  product: zeek\n  service: rdp", "  sel:\n    a: 1\n  condition: sel")],
                                      pipelines: [p], strict: true)) { e in
            XCTAssertEqual("\(e)", "rdp.yml:1: no loaded pipeline recognises logsource zeek/-/rdp (--strict)")
        }
    }

    func testFieldTransformationsDropsAndFailures() throws {
        let p = try pipeline(windowsLike)
        let set = try load([
            rule("hash", "  product: windows\n  category: process_creation",
                 "  sel:\n    Image|endswith: whoami.exe\n    Hashes|contains: 'MD5=00'\n  condition: sel"),
            rule("mac", "  product: macos\n  category: process_creation", "  sel:\n    Image: x\n  condition: sel"),
        ], pipelines: [p])
        XCTAssertEqual(set.detections.map(\.meta.id), ["hash"])
        XCTAssertEqual(matching(set, sysmonProc), ["hash"], "the Hashes item was dropped")
        XCTAssertTrue(set.schema.paths.contains("Event.EventData.Image"))
        XCTAssertFalse(set.schema.paths.contains("Event.EventData.Hashes"))
        XCTAssertEqual(set.report.unsupported.map(\.description),
                       ["mac.yml:1: macOS is not handled here (processing pipeline test-pipeline.yml:41)"])
    }

    func testChangeLogsourceFeedsLaterConditions() throws {
        let p = try pipeline("""
        transformations:
          - type: change_logsource
            category: process_creation
            product: windows
            rule_conditions:
              - type: logsource
                product: windows
                category: sysmon_process
          - type: add_condition
            conditions:
              kind: proc
            rule_conditions:
              - type: logsource
                category: process_creation
        """)
        let set = try load([rule("r", "  product: windows\n  category: sysmon_process", "  sel:\n    x: 1\n  condition: sel")],
                           pipelines: [p])
        XCTAssertEqual(matching(set, #"{"kind":"proc","x":1}"#), ["r"])
        XCTAssertEqual(matching(set, #"{"kind":"file","x":1}"#), [])
    }

    /// As in pySigma, `change_logsource` replaces the whole logsource: a field it
    /// leaves out is gone, so conditions on the old category no longer hold.
    func testChangeLogsourceReplacesTheWholeLogsource() throws {
        let p = try pipeline("""
        transformations:
          - type: change_logsource
            product: windows
            service: security
            rule_conditions:
              - type: logsource
                product: windows
                category: process_creation
          - type: add_condition
            conditions:
              channel: Sysmon
            rule_conditions:
              - type: logsource
                category: process_creation
          - type: add_condition
            conditions:
              channel: Security
            rule_conditions:
              - type: logsource
                service: security
        """)
        let set = try load([rule("r", "  product: windows\n  category: process_creation", "  sel:\n    x: 1\n  condition: sel")],
                           pipelines: [p])
        XCTAssertEqual(matching(set, #"{"channel":"Security","x":1}"#), ["r"])
        XCTAssertEqual(matching(set, #"{"channel":"Sysmon","x":1}"#), [], "the category is gone after the change")
    }

    func testExpandUsesPlaceholdersAndSkipsWithoutValues() throws {
        let p = try pipeline(windowsLike)
        let rules = [rule("admins", "  product: windows\n  service: security",
                          "  sel:\n    TargetUserName|expand: '%admins%'\n  condition: sel")]
        let fromVars = try load(rules, pipelines: [p])
        XCTAssertEqual(matching(fromVars, security), ["admins"], "bob is in the pipeline's vars")
        let fromFile = try load(rules, pipelines: [p], placeholders: ["admins": ["carol"]])
        XCTAssertEqual(matching(fromFile, security), [], "--placeholders comes before a pipeline's vars")
        let missing = try load([rule("dc", "  product: windows\n  service: security",
                                     "  sel:\n    IpAddress|expand: '%dc_ips%'\n  condition: sel")], pipelines: [p])
        XCTAssertEqual(missing.detections.count, 0)
        XCTAssertEqual(missing.report.unsupported.map(\.description),
                       ["dc.yml:8: placeholder '%dc_ips%' has no values (give --placeholders FILE or a pipeline's 'vars')"])
        XCTAssertEqual(missing.report.needingPlaceholders, 1)
    }

    func testFieldrefComparesTwoFieldsOfTheEvent() throws {
        let p = try pipeline(windowsLike)
        let set = try load([rule("same", "  product: windows\n  category: process_creation",
                                 "  sel:\n    Image|fieldref: ParentImage\n  condition: sel")], pipelines: [p])
        XCTAssertEqual(matching(set, sysmonProc), ["same"])
        XCTAssertEqual(matching(set, sysmonQualified), [], "no ParentImage")
    }

    func testFilterDocumentsExcludeEventsFromNamedRules() throws {
        let p = try pipeline(windowsLike)
        let filter = ("filter.yml", """
        title: known admin
        logsource:
          product: windows
          category: process_creation
        filter:
          rules:
            - whoami
          admin:
            User: alice
          condition: not admin
        """)
        let set = try load([rule("whoami", "  product: windows\n  category: process_creation",
                                 "  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel"), filter], pipelines: [p])
        XCTAssertEqual(set.report.filters, 1)
        XCTAssertEqual(set.report.filteredRules, 1)
        XCTAssertEqual(matching(set, sysmonProc), [], "alice is filtered out")
        XCTAssertEqual(matching(set, sysmonProc.replacingOccurrences(of: "alice", with: "mallory")), ["whoami"])
    }

    func testPackSkipsUnsupportedRulesAndCorrelationsOfThem() throws {
        let set = try load([
            ("ok.yml", "title: ok\nid: ok\ndetection:\n  sel:\n    a: 1\n  condition: sel\n"),
            ("hour.yml", "title: h\nid: h\ndetection:\n  sel:\n    t|hour: 3\n  condition: sel\n"),
            ("corr.yml", "title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [h]\n  timespan: 5m\n  condition: {gte: 2}\n"),
        ], pipelines: [])
        XCTAssertEqual(set.detections.map(\.meta.id), ["ok"])
        XCTAssertEqual(set.correlations.count, 0)
        XCTAssertEqual(set.report.unsupported.map(\.description), [
            "hour.yml:5: modifier 'hour' is not supported",
            "corr.yml:5: references rule 'h', which is skipped: it is unsupported (hour.yml:5)",
        ])
        XCTAssertThrowsError(try load([("hour.yml", "title: h\nid: h\ndetection:\n  sel:\n    t|hour: 3\n  condition: sel\n")],
                                      pipelines: [], strict: true))
        // Not Sigma at all stays fatal.
        XCTAssertThrowsError(try load([("ok.yml", "title: ok\nid: ok\ndetection:\n  sel:\n    a: 1\n  condition: sel\n"),
                                       ("bad.yml", "title: [\n")], pipelines: []))
    }

    func testSelectionKeepsWhatSelectedCorrelationsRead() throws {
        let rules: [(String, String)] = [
            ("low.yml", "title: l\nid: low\nlevel: low\nstatus: test\ntags: [attack.t1059.001]\ndetection:\n  sel:\n    a: 1\n  condition: sel\n"),
            ("high.yml", "title: h\nid: high\nlevel: high\nstatus: stable\ndetection:\n  sel:\n    a: 2\n  condition: sel\n"),
            ("corr.yml", "title: c\nid: corr\nlevel: critical\ncorrelation:\n  type: event_count\n  rules: [low]\n  timespan: 5m\n  condition: {gte: 2}\n"),
        ]
        let high = try load(rules, pipelines: [], selection: RuleSelection(minLevel: "high"))
        XCTAssertEqual(high.detections.map(\.meta.id), ["low", "high"], "low feeds the critical correlation")
        XCTAssertEqual(high.detections.map(\.emitsAlerts), [false, true])
        XCTAssertEqual(high.correlations.map(\.meta.id), ["corr"])
        let tagged = try load(rules, pipelines: [], selection: RuleSelection(tags: ["attack.t1059"]))
        XCTAssertEqual(tagged.detections.map(\.meta.id), ["low"])
        XCTAssertEqual(tagged.correlations.count, 0)
        XCTAssertEqual(tagged.report.deselected, 2)
        let stable = try load(rules, pipelines: [], selection: RuleSelection(statuses: ["stable"]))
        XCTAssertEqual(stable.detections.map(\.meta.id), ["high"])
        let excluded = try load(rules, pipelines: [], selection: RuleSelection(excluded: ["corr", "high"]))
        XCTAssertEqual(excluded.detections.map(\.meta.id), ["low"])
        XCTAssertTrue(excluded.detections[0].emitsAlerts)
    }

    func testPipelineErrorsNameTheLine() {
        XCTAssertThrowsError(try pipeline("transformations:\n  - type: query_expression_placeholders\n")) { e in
            XCTAssertTrue("\(e)".hasPrefix("test-pipeline.yml:2: transformation type 'query_expression_placeholders' is not supported"), "\(e)")
        }
        XCTAssertThrowsError(try pipeline("transformations:\n  - type: add_condition\n")) { e in
            XCTAssertEqual("\(e)", "test-pipeline.yml:2: add_condition needs 'conditions'")
        }
    }

    func testSetStateNamesTheTimeFieldAndItsUnitAsPySigmaLoadsIt() throws {
        let p = try pipeline("""
        transformations:
          - type: set_state
            key: time_field
            val: ts
          - type: set_state
            key: time_unit
            val: s
          - type: set_state
            key: backend_option
            val: ignored
        """)
        XCTAssertEqual(p.timeField, "ts")
        XCTAssertEqual(p.epochUnit, .seconds)
        XCTAssertTrue(p.items.isEmpty)
        let loader = RuleLoader(pipelines: [try pipeline("priority: 50\nsecstream: {time_field: later}\n"), p])
        XCTAssertEqual(loader.timeField, "ts", "the first pipeline by priority that names a time field")
        XCTAssertEqual(loader.epochUnit, .seconds, "and its unit")
        XCTAssertEqual(RuleLoader(timeField: "@timestamp", pipelines: [p]).epochUnit, .milliseconds, "--time-field wins")
        var seconds = EventTimeParser(epochUnit: .seconds)
        let zeekTs = Array("1591367999.305988".utf8)
        XCTAssertEqual(zeekTs.withUnsafeBytes { seconds.parse($0, kind: .number) }, 1_591_367_999_305)
        XCTAssertEqual(Array("2026-11-20T10:00:00Z".utf8).withUnsafeBytes { seconds.parse($0, kind: .string) },
                       EventTime.parse("2026-11-20T10:00:00Z"), "RFC 3339 stays RFC 3339")
        XCTAssertThrowsError(try pipeline("secstream: {time_unit: hours}\n"))
    }

    func testBuiltinPipelinesParse() throws {
        XCTAssertTrue(PipelineCatalog.builtinNames.contains("ecs"))
        for name in PipelineCatalog.builtinNames {
            XCTAssertNotNil(try PipelineCatalog.builtin(name), name)
        }
    }
}
