import XCTest
@testable import SecStreamCore

/// Sigma's default sliding window: at each matching event e of a group, the
/// group's matching events in (t_e - timespan, t_e]; a firing spends them.
final class WindowSlidingTests: XCTestCase {
    private func bruteForce(_ condition: Threshold = Threshold(gte: 5), spanMs: Int64 = 60_000) -> RuleBuilder {
        let b = RuleBuilder()
        let d = b.detection("failed-login")
        b.correlation("brute-force", .eventCount, [.detection(d)], groupBy: ["source.ip"], spanMs: spanMs, condition: condition)
        return b
    }

    private func failures(_ seconds: [Double], ip: String = "10.0.0.1") -> [TestEvent] {
        seconds.map { TestEvent(at($0), [0], ["source.ip": .s(ip)]) }
    }

    func testExactlyAtThresholdFiresOnceWithWindowOfTheEventsThatTookPart() {
        let h = EngineHarness(bruteForce())
        h.feed(failures([0, 10, 20, 30, 40]))
        h.finish()
        XCTAssertEqual(h.alerts.count, 1)
        let a = h.alerts[0]
        XCTAssertEqual(a.value, 5)
        XCTAssertEqual(a.windowStart, at(0))
        XCTAssertEqual(a.windowEnd, at(40))
        XCTAssertEqual(a.detectedAt, at(40))
        XCTAssertEqual(a.firstSeen, at(0))
        XCTAssertEqual(a.lastSeen, at(40))
        XCTAssertEqual(a.group, [Alert.GroupValue(field: "source.ip", value: "10.0.0.1")])
        XCTAssertEqual(a.samples, (1...5).map { AlertSample.file(name: "test.ndjson", line: Int64($0)) })
    }

    func testOneBelowThresholdDoesNotFire() {
        let h = EngineHarness(bruteForce())
        h.feed(failures([0, 10, 20, 30]))
        h.finish()
        XCTAssertEqual(h.alerts.count, 0)
    }

    func testEventExactlyOneTimespanBeforeIsOutsideTheWindow() {
        // (t - 60s, t]: at t = 60 the event at 0 no longer counts.
        let out = EngineHarness(bruteForce(Threshold(gte: 3)))
        out.feed(failures([0, 30, 60]))
        out.finish()
        XCTAssertEqual(out.alerts.count, 0)

        let inside = EngineHarness(bruteForce(Threshold(gte: 3)))
        inside.feed(failures([0.001, 30, 60]))
        inside.finish()
        XCTAssertEqual(inside.alerts.map(\.windowStart), [at(0.001)])
    }

    func testFiringResetsStateOneAlertPerBurstAndAnotherPerFurtherFullCondition() {
        let nine = EngineHarness(bruteForce())
        nine.feed(failures((0..<9).map { Double($0) }))
        nine.finish()
        XCTAssertEqual(nine.alerts.map(\.detectedAt), [at(4)])

        let ten = EngineHarness(bruteForce())
        ten.feed(failures((0..<10).map { Double($0) }))
        ten.finish()
        XCTAssertEqual(ten.alerts.map(\.detectedAt), [at(4), at(9)])
        XCTAssertEqual(ten.alerts.map(\.windowStart), [at(0), at(5)])
        XCTAssertNotEqual(ten.alerts[0].id, ten.alerts[1].id)
    }

    func testGroupsAreIndependentAndEventsWithoutTheGroupFieldTakeNoPart() {
        let h = EngineHarness(bruteForce(Threshold(gte: 3)))
        var events = failures([0, 1], ip: "10.0.0.1") + failures([2, 3], ip: "10.0.0.2")
        events.append(TestEvent(at(4), [0], [:])) // no source.ip: no group, no part
        events.append(TestEvent(at(5), [0], ["user.name": "x"]))
        h.feed(events)
        h.finish()
        XCTAssertEqual(h.alerts.count, 0)
        XCTAssertEqual(h.engine.counters.matches, 4)
    }

    func testValueCountCountsDistinctValuesInTheWindowOnly() {
        let b = RuleBuilder()
        let d = b.detection("failed-login")
        b.correlation("spray", .valueCount, [.detection(d)], groupBy: ["source.ip"], spanMs: 60_000,
                      condition: Threshold(gte: 3), valueField: "user.name")
        let h = EngineHarness(b)
        h.feed([
            TestEvent(at(0), [0], ["source.ip": "1.1.1.1", "user.name": "alice"]),
            TestEvent(at(1), [0], ["source.ip": "1.1.1.1", "user.name": "alice"]),
            TestEvent(at(2), [0], ["source.ip": "1.1.1.1", "user.name": "bob"]),
            TestEvent(at(3), [0], ["source.ip": "1.1.1.1", "user.name": "bob"]),
            // alice expires; at 62 s the window (2 s, 62 s] holds bob, carol, dave.
            TestEvent(at(61.5), [0], ["source.ip": "1.1.1.1", "user.name": "carol"]),
            TestEvent(at(62), [0], ["source.ip": "1.1.1.1", "user.name": "dave"]),
        ])
        h.finish()
        XCTAssertEqual(h.alerts.count, 1)
        XCTAssertEqual(h.alerts.first?.value, 3)
        XCTAssertEqual(h.alerts.first?.windowStart, at(3)) // (2 s, 62 s]
        XCTAssertEqual(h.alerts.first?.detectedAt, at(62))
    }

    func testValueSumAndAverage() {
        let b = RuleBuilder()
        let d = b.detection("upload")
        b.correlation("exfil", .valueSum, [.detection(d)], groupBy: ["source.ip"], spanMs: 60_000,
                      condition: Threshold(gt: 1000), valueField: "source.bytes")
        b.correlation("avg", .valueAvg, [.detection(d)], groupBy: ["source.ip"], spanMs: 60_000,
                      condition: Threshold(gte: 450), valueField: "source.bytes")
        let h = EngineHarness(b)
        h.feed([
            TestEvent(at(0), [0], ["source.ip": "1.1.1.1", "source.bytes": 400]),
            TestEvent(at(1), [0], ["source.ip": "1.1.1.1", "source.bytes": .s("500")]), // quoted numbers count
            TestEvent(at(2), [0], ["source.ip": "1.1.1.1", "source.bytes": "n/a"]),     // not a number: no part
            TestEvent(at(3), [0], ["source.ip": "1.1.1.1", "source.bytes": 101]),
        ])
        h.finish()
        XCTAssertEqual(h.alerts.map(\.ruleID), ["avg", "exfil"])
        XCTAssertEqual(h.alerts[0].value, 450) // (400 + 500) / 2 at the second event
        XCTAssertEqual(h.alerts[1].value, 1001)
        XCTAssertEqual(h.alerts[1].detectedAt, at(3))
    }

    func testValuePercentileAndMedianOverTheSlidingWindow() {
        let b = RuleBuilder()
        let d = b.detection("request")
        b.correlation("p90", .valuePercentile, [.detection(d)], groupBy: ["source.ip"], spanMs: 60_000,
                      condition: Threshold(gte: 900), valueField: "http.bytes", percentile: 90)
        b.correlation("median", .valueMedian, [.detection(d)], groupBy: ["source.ip"], spanMs: 60_000,
                      condition: Threshold(gt: 250), valueField: "http.bytes")
        let h = EngineHarness(b)
        // Values 100, 200, 300, 1000: median after three is 200, after four (200+300)/2 = 250 (not > 250);
        // p90 after four: rank 0.9 * 3 = 2.7 -> 300 + 0.7 * 700 = 790; a fifth 1000 gives rank 3.6 -> 1000.
        h.feed([100, 200, 300, 1000, 1000].enumerated().map { i, v in
            TestEvent(at(Double(i)), [0], ["source.ip": "1.1.1.1", "http.bytes": .n(Double(v))])
        })
        h.finish()
        XCTAssertEqual(h.alerts.map(\.ruleID), ["p90", "median"])
        XCTAssertEqual(h.alerts[0].value, 1000)
        XCTAssertEqual(h.alerts[0].detectedAt, at(4))
        XCTAssertEqual(h.alerts[1].value, 300, "median of 100, 200, 300, 1000, 1000")
    }

    func testValuePercentileLoadsFromSigmaAndNeedsASlidingWindow() throws {
        let base = "title: b\nid: b\ndetection:\n  s:\n    a: 1\n  condition: s\n---\n"
        let set = try RuleTestSupport.load([("r.yml", base + "title: p\nid: p\ncorrelation:\n  type: value_percentile\n  rules: [b]\n  group-by: [ip]\n  timespan: 5m\n  condition:\n    field: bytes\n    percentile: 95\n    gt: 1000\n")])
        XCTAssertEqual(set.correlations.first?.kind, .valuePercentile)
        XCTAssertEqual(set.correlations.first?.percentile, 95)
        let tumbling = RuleTestSupport.loadError([("r.yml", base + "title: p\nid: p\nsecstream: {window: tumbling}\ncorrelation:\n  type: value_median\n  rules: [b]\n  timespan: 5m\n  condition:\n    field: bytes\n    gt: 1\n")])
        XCTAssertEqual(tumbling?.isUnsupported, true)
        XCTAssertEqual(RuleTestSupport.loadError([("r.yml", base + "title: p\nid: p\ncorrelation:\n  type: value_percentile\n  rules: [b]\n  timespan: 5m\n  condition:\n    field: bytes\n    gt: 1\n")])?.problem,
                       "value_percentile needs 'percentile' in its condition")
    }

    func testStateIsFreedOnceTheWindowCanNoLongerChange() {
        let h = EngineHarness(bruteForce(), options: EngineOptions(latenessMs: 1000))
        h.feed(failures([0, 1, 2], ip: "a") + failures([3], ip: "b"))
        h.feed([TestEvent(at(30), [], [:])])
        XCTAssertEqual(h.engine.counters.openGroups, 2)
        // Watermark 100 s - 1 s is past both groups' last event + 60 s.
        h.feed([TestEvent(at(100), [], [:])])
        XCTAssertEqual(h.engine.counters.openGroups, 0)
        XCTAssertEqual(h.engine.counters.pendingMatches, 0)
        XCTAssertEqual(h.alerts.count, 0)
    }
}
