import XCTest
@testable import SecStreamCore

/// secstream's window extensions: epoch-aligned tumbling buckets and
/// gap-based sessions, with early firing for monotonic conditions only.
final class WindowTumblingSessionTests: XCTestCase {
    private func rules(_ window: WindowKind, _ condition: Threshold, kind: CorrelationKind = .eventCount,
                       spanMs: Int64 = 60_000, valueField: String? = nil) -> RuleBuilder {
        let b = RuleBuilder()
        let d = b.detection("failed-login")
        b.correlation("windowed", kind, [.detection(d)], groupBy: ["source.ip"], spanMs: spanMs, window: window,
                      condition: condition, valueField: valueField)
        return b
    }

    private func events(_ seconds: [Double], ip: String = "10.0.0.1") -> [TestEvent] {
        seconds.map { TestEvent(at($0), [0], ["source.ip": .s(ip)]) }
    }

    func testBurstAcrossATumblingBoundaryDoesNotFireButWouldInASlidingWindow() {
        let burst = events([57, 58, 59, 60, 61]) // buckets [0,60) and [60,120) hold 3 and 2
        let tumbling = EngineHarness(rules(.tumbling, Threshold(gte: 5)))
        tumbling.feed(burst)
        tumbling.finish()
        XCTAssertEqual(tumbling.alerts.count, 0)

        let sliding = EngineHarness(rules(.sliding, Threshold(gte: 5)))
        sliding.feed(burst)
        sliding.finish()
        XCTAssertEqual(sliding.alerts.count, 1)
    }

    func testMonotonicConditionFiresAsSoonAsMetAndOncePerBucket() {
        let h = EngineHarness(rules(.tumbling, Threshold(gte: 3)), options: EngineOptions(latenessMs: 1000))
        h.feed(events([60, 61, 62, 63, 64, 65, 66]))
        // Watermark 65 s: the third event (62 s) is released, the bucket [60,120) is still open.
        XCTAssertEqual(h.alerts.count, 1)
        let a = h.alerts[0]
        XCTAssertEqual([a.windowStart, a.windowEnd, a.detectedAt, a.firstSeen, a.lastSeen],
                       [at(60), at(120), at(62), at(60), at(62)])
        XCTAssertEqual(a.value, 3)
        h.finish()
        XCTAssertEqual(h.alerts.count, 1, "one alert per (rule, group, window)")
    }

    func testNonMonotonicConditionFiresWhenTheBucketClosesAndFinishClosesIt() {
        let h = EngineHarness(rules(.tumbling, Threshold(lt: 3)), options: EngineOptions(latenessMs: 1000))
        h.feed(events([0, 1], ip: "quiet") + events([2, 3, 4], ip: "busy"))
        h.feed([TestEvent(at(50), [], [:])])
        XCTAssertEqual(h.alerts.count, 0, "cannot judge lt before the bucket ends")
        h.feed(events([130], ip: "late-bucket"))
        // Watermark 129 s passed the end of [0,60): quiet fires at the end, busy does not.
        XCTAssertEqual(h.alerts.map { $0.group[0].value }, ["quiet"])
        XCTAssertEqual(h.alerts[0].detectedAt, at(60))
        XCTAssertEqual(h.alerts[0].windowEnd, at(60))
        XCTAssertEqual(h.alerts[0].value, 2)
        h.finish()
        XCTAssertEqual(h.alerts.map { $0.group[0].value }, ["quiet", "late-bucket"])
        XCTAssertEqual(h.alerts[1].windowStart, at(120))
        XCTAssertEqual(h.engine.counters.openGroups, 0)
    }

    func testEqualityAndAverageConditionsJudgeTheWholeBucket() {
        let eq = EngineHarness(rules(.tumbling, Threshold(eq: 2)))
        eq.feed(events([0, 1]) + events([61, 62, 63]))
        eq.finish()
        XCTAssertEqual(eq.alerts.map(\.windowStart), [at(0)])

        let b = rules(.tumbling, Threshold(gt: 100), kind: .valueAvg, valueField: "source.bytes")
        let avg = EngineHarness(b)
        avg.feed([TestEvent(at(0), [0], ["source.ip": "a", "source.bytes": 300]),
                  TestEvent(at(1), [0], ["source.ip": "a", "source.bytes": 0]),
                  TestEvent(at(2), [0], ["source.ip": "a", "source.bytes": 0])])
        avg.finish()
        // An early look at 300 would have fired; the bucket's average is exactly 100.
        XCTAssertEqual(avg.alerts.count, 0)
    }

    func testSessionEventsExactlyGapApartShareASessionGapPlusOneSplit() {
        let gap: Int64 = 10_000
        let same = EngineHarness(rules(.session(gapMs: gap), Threshold(gte: 3)))
        same.feed(events([0, 10, 20]))
        same.finish()
        XCTAssertEqual(same.alerts.count, 1)
        XCTAssertEqual(same.alerts.first?.windowStart, at(0))
        XCTAssertEqual(same.alerts.first?.windowEnd, at(30)) // last + gap

        let split = EngineHarness(rules(.session(gapMs: gap), Threshold(gte: 3)))
        split.feed(events([0, 10.001, 20.002]))
        split.finish()
        XCTAssertEqual(split.alerts.count, 0)
    }

    func testSessionNonMonotonicFiresAtSessionEndOncePerSession() {
        let h = EngineHarness(rules(.session(gapMs: 10_000), Threshold(lte: 2)), options: EngineOptions(latenessMs: 0))
        h.feed(events([0, 5]) + events([100, 101, 102]) + events([200]))
        // Lateness 0: the first session [0, 15] closed when the 100 s event arrived.
        XCTAssertEqual(h.alerts.map(\.windowStart), [at(0)])
        XCTAssertEqual(h.alerts.first?.detectedAt, at(15.001), "known over 1 ms after its end")
        h.finish()
        XCTAssertEqual(h.alerts.map(\.windowStart), [at(0), at(200)])
        XCTAssertEqual(h.alerts.map(\.windowEnd), [at(15), at(210)])
    }

    func testLatenessZeroEventForAnAlreadyClosedBucketTakesNoPart() {
        let h = EngineHarness(rules(.tumbling, Threshold(lt: 3)), options: EngineOptions(latenessMs: 0))
        h.feed(events([10, 20, 70]))
        XCTAssertEqual(h.alerts.map(\.windowStart), [at(0)], "[0,60) closed when 70 s arrived")
        h.feed(events([30])) // arrival order: not late, but its bucket is gone
        h.finish()
        XCTAssertEqual(h.alerts.map(\.windowStart), [at(0), at(60)])
        XCTAssertEqual(h.alerts.map(\.value), [2, 1])
        XCTAssertEqual(Set(h.alerts.map(\.id)).count, 2)
    }

    func testAlertsComeOutInNonDecreasingDetectedAtOrder() {
        // A bucket [0, 10 s) and a session [4.999 s, 9.999 s] are both known over at 10 s;
        // the bucket (rule 0) is handled first, so the session must not claim 9.999 s.
        let b = RuleBuilder()
        let d = b.detection("failed-login")
        b.correlation("bucket", .eventCount, [.detection(d)], groupBy: ["source.ip"], spanMs: 10_000, window: .tumbling,
                      condition: Threshold(lt: 5))
        b.correlation("session", .eventCount, [.detection(d)], groupBy: ["source.ip"], spanMs: 10_000,
                      window: .session(gapMs: 5_000), condition: Threshold(lt: 5))
        let h = EngineHarness(b)
        h.feed(events([4.999]))
        h.finish()
        XCTAssertEqual(h.alerts.map(\.ruleID), ["bucket", "session"])
        XCTAssertEqual(h.alerts.map(\.detectedAt), [at(10), at(10)])
        XCTAssertEqual(h.alerts.map(\.windowEnd), [at(10), at(9.999)])
        XCTAssertEqual(h.engine.lastAlertTime, at(10))
    }

    func testTumblingValueCountFiresOnTheNewDistinctValue() {
        let h = EngineHarness(rules(.tumbling, Threshold(gte: 2), kind: .valueCount, valueField: "user.name"))
        h.feed([TestEvent(at(0), [0], ["source.ip": "a", "user.name": "u1"]),
                TestEvent(at(1), [0], ["source.ip": "a", "user.name": "u1"]),
                TestEvent(at(2), [0], ["source.ip": "a", "user.name": "u2"]),
                TestEvent(at(3), [0], ["source.ip": "a", "user.name": "u3"]),
                TestEvent(at(61), [0], ["source.ip": "a", "user.name": "u1"])])
        h.finish()
        XCTAssertEqual(h.alerts.map(\.detectedAt), [at(2)])
        XCTAssertEqual(h.alerts.map(\.value), [2])
        XCTAssertEqual(h.engine.counters.openGroups, 0)
    }
}
