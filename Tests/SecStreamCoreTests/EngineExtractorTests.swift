import XCTest
@testable import SecStreamCore

/// What the workers' `MatchExtractor` writes for the engine.
final class EngineExtractorTests: XCTestCase {
    /// A field-mapped Sigma field stands for several event fields: the first present one is the value.
    func testGroupFieldCandidatesFirstPresentOneIsTheValue() {
        let b = RuleBuilder()
        let d = b.detection("conn")
        let zeek = b.schema.intern("id.orig_h"), ecs = b.schema.intern("source.ip")
        let corr = CorrelationRule(meta: b.meta("scan"), kind: .eventCount,
                                   inputs: [CorrelationInput(source: .detection(d), groupFields: [FieldRef([zeek, ecs])])],
                                   groupBy: ["source.ip"], timespanMs: 60_000, window: .sliding,
                                   condition: Threshold(gte: 3), valueFieldName: nil)
        let rules = RuleSet(schema: b.schema, timeField: b.schema.intern("@timestamp"), detections: b.detections,
                            correlations: [corr])
        let h = EngineHarness(PrebuiltRules(rules))
        h.feed([TestEvent(at(0), [d], ["id.orig_h": "10.0.0.9"]),
                TestEvent(at(1), [d], ["source.ip": "10.0.0.9"]),
                TestEvent(at(2), [d], ["id.orig_h": "10.0.0.9", "source.ip": "192.168.1.1"]), // Zeek's name first
                TestEvent(at(3), [d], ["source.ip": "192.168.1.1"])])
        h.finish()
        XCTAssertEqual(h.alerts.map { $0.group[0].value }, ["10.0.0.9"])
        XCTAssertEqual(h.engine.counters.matches, 4)
    }

    func testRecordsCarryKeyValueTimeAndLocation() {
        let b = RuleBuilder()
        let d = b.detection("failed-login", emits: true)
        b.correlation("spray", .valueCount, [.detection(d)], groupBy: ["source.ip", "host.name"], spanMs: 60_000,
                      valueField: "user.name")
        let rules = b.ruleSet()
        let extractor = MatchExtractor(rules: rules)
        let batch = MatchBatch()
        let line = Array(#"{"source.ip":"10.0.0.1","host.name":"h\"1","user.name":"bob"}"#.utf8)
        var slots = [FieldSlot](repeating: .missing, count: rules.schema.count)
        func find(_ s: String) -> (Int32, Int32) {
            let needle = Array(s.utf8)
            let i = (0...(line.count - needle.count)).first { Array(line[$0..<($0 + needle.count)]) == needle }!
            return (Int32(i), Int32(i + needle.count))
        }
        let ip = find("10.0.0.1"), host = find(#"h\"1"#), user = find("bob")
        slots[rules.schema.id(of: "source.ip")!] = FieldSlot(start: ip.0, end: ip.1, kind: .string)
        slots[rules.schema.id(of: "host.name")!] = FieldSlot(start: host.0, end: host.1, kind: .escapedString)
        slots[rules.schema.id(of: "user.name")!] = FieldSlot(start: user.0, end: user.1, kind: .string)
        line.withUnsafeBytes { raw in
            slots.withUnsafeBufferPointer { view in
                batch.withAppending {
                    extractor.extract(detection: d, event: EventView(line: raw, slots: view), time: 1234,
                                      location: EventLocation(source: 7, position: 42), line: 5, into: &$0)
                }
            }
        }
        XCTAssertEqual(batch.count, 2, "the rule's own alert and the correlation input")
        let r = batch.records[1]
        XCTAssertEqual(r.line, 5)
        XCTAssertEqual(r.time, 1234)
        XCTAssertEqual(r.location, EventLocation(source: 7, position: 42))
        batch.withBytes(of: r) { key, value in
            XCTAssertEqual(GroupKey.strings(key), ["10.0.0.1", "h\"1"])
            XCTAssertEqual(Array(value), Array("bob".utf8))
        }
        batch.reset()
        XCTAssertEqual(batch.count, 0)
    }
}
