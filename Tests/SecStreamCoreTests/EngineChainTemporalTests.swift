import XCTest
@testable import SecStreamCore

/// temporal / temporal_ordered correlations, correlations of correlations, and
/// detection rules that alert on every match.
final class EngineChainTemporalTests: XCTestCase {
    private func temporal(_ kind: CorrelationKind, window: WindowKind = .sliding) -> RuleBuilder {
        let b = RuleBuilder()
        let fail = b.detection("failed-login")
        let ok = b.detection("successful-login")
        b.correlation("fail-then-success", kind, [.detection(fail), .detection(ok)], groupBy: ["user.name"],
                      spanMs: 60_000, window: window)
        return b
    }

    private func fail(_ s: Double, _ user: String = "alice") -> TestEvent { TestEvent(at(s), [0], ["user.name": .s(user)]) }
    private func ok(_ s: Double, _ user: String = "alice") -> TestEvent { TestEvent(at(s), [1], ["user.name": .s(user)]) }

    func testTemporalFiresWhenEveryRuleMatchedWithinTheTimespanInAnyOrder() {
        let h = EngineHarness(temporal(.temporal))
        h.feed([ok(0), fail(30), fail(100, "bob"), ok(160.001, "bob")])
        h.finish()
        // alice: both within 60 s. bob: 60.001 s apart.
        XCTAssertEqual(h.alerts.map { $0.group[0].value }, ["alice"])
        XCTAssertEqual(h.alerts[0].value, 2)
        XCTAssertEqual(h.alerts[0].windowStart, at(0))
        XCTAssertEqual(h.alerts[0].detectedAt, at(30))
    }

    func testTemporalOrderedNeedsTheListedOrder() {
        let wrongOrder = EngineHarness(temporal(.temporalOrdered))
        wrongOrder.feed([ok(0), fail(30)])
        wrongOrder.finish()
        XCTAssertEqual(wrongOrder.alerts.count, 0)

        let rightOrder = EngineHarness(temporal(.temporalOrdered))
        rightOrder.feed([ok(0), fail(10), fail(20), ok(30)])
        rightOrder.finish()
        XCTAssertEqual(rightOrder.alerts.count, 1)
        XCTAssertEqual(rightOrder.alerts.first?.detectedAt, at(30))
        // The window (and alert id) starts at the first in-order event, not at ok(0),
        // which came before any fail and takes no part in the match.
        XCTAssertEqual(rightOrder.alerts.first?.windowStart, at(10))
    }

    func testTemporalOrderedOnTumblingBuckets() {
        let h = EngineHarness(temporal(.temporalOrdered, window: .tumbling))
        h.feed([fail(50), ok(61), fail(70), ok(80), ok(90)])
        h.finish()
        // [0,60) has only the failure; [60,120) has ok, fail, ok: in order from 70 to 80.
        XCTAssertEqual(h.alerts.map(\.detectedAt), [at(80)])
        XCTAssertEqual(h.alerts.map(\.windowStart), [at(60)])
    }

    func testChainedCorrelationFeedsOnFiringsAndOnlyAlertingRulesWrite() {
        let b = RuleBuilder()
        let fail = b.detection("failed-login")
        let ok = b.detection("successful-login")
        let brute = b.correlation("brute-force", .eventCount, [.detection(fail)], groupBy: ["user.name"],
                                  spanMs: 60_000, condition: Threshold(gte: 3), emits: false)
        b.correlation("brute-force-success", .temporalOrdered, [.correlation(brute), .detection(ok)],
                      groupBy: ["user.name"], spanMs: 120_000)
        let h = EngineHarness(b)
        h.feed([TestEvent(at(0), [ok], ["user.name": "alice"]),     // success before the brute force: no
                TestEvent(at(1), [fail], ["user.name": "alice"]),
                TestEvent(at(2), [fail], ["user.name": "alice"]),
                TestEvent(at(3), [fail], ["user.name": "alice"]),    // brute-force fires at 3 s
                TestEvent(at(4), [fail], ["user.name": "bob"]),
                TestEvent(at(50), [ok], ["user.name": "alice"]),
                TestEvent(at(51), [ok], ["user.name": "bob"])])
        h.finish()
        XCTAssertEqual(h.alerts.count, 1)
        let a = h.alerts[0]
        XCTAssertEqual(a.ruleID, "brute-force-success")
        XCTAssertEqual(a.group, [Alert.GroupValue(field: "user.name", value: "alice")])
        XCTAssertEqual(a.windowStart, at(3), "the in-order match starts at the brute force firing, not at the earlier success")
        XCTAssertEqual(a.detectedAt, at(50))
        XCTAssertEqual(a.samples, [.file(name: "test.ndjson", line: 1), .file(name: "test.ndjson", line: 4),
                                   .file(name: "test.ndjson", line: 6)])
    }

    func testChainRemapsGroupValuesByIndex() {
        let b = RuleBuilder()
        let d = b.detection("conn")
        let pairs = b.correlation("pairs", .eventCount, [.detection(d)], groupBy: ["source.ip", "destination.ip"],
                                  spanMs: 60_000, condition: Threshold(gte: 2), emits: false)
        // A host sweep: one source firing "pairs" for 2 destinations. Group by source only (index 0).
        let sweep = CorrelationRule(meta: b.meta("sweep"), kind: .eventCount,
                                    inputs: [CorrelationInput(source: .correlation(pairs), groupIndexes: [0])],
                                    groupBy: ["source.ip"], timespanMs: 60_000, window: .sliding,
                                    condition: Threshold(gte: 2), valueFieldName: nil)
        let rules = RuleSet(schema: b.schema, timeField: b.schema.intern("@timestamp"), detections: b.detections,
                            correlations: b.correlations + [sweep])
        let builder = PrebuiltRules(rules)
        let h = EngineHarness(builder)
        h.feed([TestEvent(at(0), [d], ["source.ip": "s", "destination.ip": "d1"]),
                TestEvent(at(1), [d], ["source.ip": "s", "destination.ip": "d1"]),
                TestEvent(at(2), [d], ["source.ip": "s", "destination.ip": "d2"]),
                TestEvent(at(3), [d], ["source.ip": "s", "destination.ip": "d2"])])
        h.finish()
        XCTAssertEqual(h.alerts.map(\.ruleID), ["sweep"])
        XCTAssertEqual(h.alerts.first?.group, [Alert.GroupValue(field: "source.ip", value: "s")])
        XCTAssertEqual(h.alerts.first?.windowStart, at(1), "the first firing of pairs, at 1 s")
    }

    func testDetectionRuleThatEmitsGivesOneAlertPerMatchingEvent() {
        let b = RuleBuilder()
        b.detection("mimikatz", emits: true)
        let h = EngineHarness(b)
        h.feed([TestEvent(at(1), [0], ["process.name": "a"]), TestEvent(at(1), [0], ["process.name": "b"]),
                TestEvent(at(2), [], [:])])
        h.finish()
        XCTAssertEqual(h.alerts.count, 2)
        XCTAssertEqual(h.alerts.map(\.value), [1, 1])
        XCTAssertEqual(h.alerts.map(\.windowStart), [at(1), at(1)])
        XCTAssertEqual(h.alerts.map(\.windowEnd), [at(1), at(1)])
        XCTAssertEqual(h.alerts.map(\.group), [[], []])
        XCTAssertNotEqual(h.alerts[0].id, h.alerts[1].id, "two events in one millisecond are two alerts")
    }
}
