import XCTest
@testable import SecStreamCore

/// What the engine reports for a Kafka commit and a restart.
final class EngineRestartHookTests: XCTestCase {
    func testOldestRetainedEventTimeFollowsOpenWindowsThroughChainsAndLastAlertTime() {
        let b = RuleBuilder()
        let fail = b.detection("failed-login")
        let ok = b.detection("successful-login")
        let brute = b.correlation("brute-force", .eventCount, [.detection(fail)], groupBy: ["user.name"],
                                  spanMs: 60_000, condition: Threshold(gte: 2), emits: false)
        b.correlation("then-success", .temporalOrdered, [.correlation(brute), .detection(ok)], groupBy: ["user.name"],
                      spanMs: 600_000)
        let h = EngineHarness(b, options: EngineOptions(latenessMs: 0))
        XCTAssertNil(h.engine.oldestRetainedEventTime)
        h.feed([TestEvent(at(10), [fail], ["user.name": "alice"]),
                TestEvent(at(20), [fail], ["user.name": "alice"])]) // brute-force fires, its events are spent
        // Only the chained window is open, but it derives from the event at 10 s.
        XCTAssertEqual(h.engine.oldestRetainedEventTime, at(10))
        XCTAssertNil(h.engine.lastAlertTime)
        h.feed([TestEvent(at(30), [ok], ["user.name": "alice"])])
        XCTAssertEqual(h.alerts.count, 1)
        XCTAssertEqual(h.engine.lastAlertTime, at(30))
        XCTAssertNil(h.engine.oldestRetainedEventTime, "the temporal window fired and was spent")
        h.feed([TestEvent(at(40), [fail], ["user.name": "bob"])])
        XCTAssertEqual(h.engine.oldestRetainedEventTime, at(40))
    }

    // MARK: Sliding windows whose value can rise when older events are missing

    /// One sliding `source.bytes` correlation of `kind` over 10 s, by user.
    private func slidingBytes(_ kind: CorrelationKind, _ condition: Threshold) -> RuleBuilder {
        let b = RuleBuilder()
        let bytes = b.detection("bytes")
        b.correlation("bytes", kind, [.detection(bytes)], groupBy: ["user.name"], spanMs: 10_000, condition: condition,
                      valueField: "source.bytes")
        return b
    }

    private func bytes(_ seconds: Double, _ value: Int, user: String = "alice") -> TestEvent {
        TestEvent(at(seconds), [0], ["user.name": .s(user), "source.bytes": .n(Double(value))])
    }

    /// The alerts of a new engine fed the events at or after `time` (a restart
    /// replaying from there, every event already consumed).
    private func replay(_ b: RuleBuilder, _ events: [TestEvent], from time: Int64?) -> [Alert] {
        let h = EngineHarness(b, options: EngineOptions(latenessMs: 0))
        h.feed(events.filter { $0.time >= time ?? .max })
        h.finish()
        return h.alerts
    }

    /// An average is not monotone in the events: the window at 8 s held 0 and
    /// 90 (avg 45), a replay from 8 s (the oldest event still held) would see
    /// 90 alone and fire. The resume time is the start of the group's episode.
    func testASlidingAverageResumesFromTheStartOfItsEpisode() {
        let b = slidingBytes(.valueAvg, Threshold(gt: 50))
        let events = [bytes(0, 0), bytes(8, 90), bytes(12, 0)]   // at 12 s the event at 0 s leaves the window
        let h = EngineHarness(b, options: EngineOptions(latenessMs: 0))
        h.feed(events)
        h.finish()
        XCTAssertTrue(h.alerts.isEmpty)
        XCTAssertEqual(replay(b, events, from: at(8)).count, 1, "the cut the fix avoids does misfire")

        let crashed = EngineHarness(b, options: EngineOptions(latenessMs: 0))
        crashed.feed(events)
        XCTAssertEqual(crashed.engine.oldestRetainedEventTime, at(0))
        let resume = crashed.engine.resumeEventTime()
        XCTAssertEqual(resume, at(0))
        XCTAssertTrue(replay(b, events, from: resume).isEmpty)
    }

    /// An episode that expired without firing is an ended window too: another
    /// group's open window (bob at 5 s) must not start the replay inside it.
    func testAnExpiredSlidingAverageEpisodeIsNotCutByALaterResume() {
        let b = slidingBytes(.valueAvg, Threshold(gt: 50))
        let events = [bytes(0, 0, user: "alice"), bytes(5, 0, user: "bob"), bytes(8, 90, user: "alice"),
                      bytes(14, 0, user: "bob"), bytes(19, 0, user: "alice")]  // alice's episode expired at 18 s
        let h = EngineHarness(b, options: EngineOptions(latenessMs: 0))
        h.feed(events)
        XCTAssertTrue(h.alerts.isEmpty)
        XCTAssertEqual(h.engine.oldestRetainedEventTime, at(5), "bob's episode")
        let resume = h.engine.resumeEventTime()
        XCTAssertEqual(resume, at(0), "alice's ended episode (0 s, 8 s] holds 5 s")
        XCTAssertTrue(replay(b, events, from: resume).isEmpty)
        XCTAssertEqual(replay(b, events, from: at(5)).count, 1, "from 5 s alice's window at 8 s holds 90 alone")
    }

    /// A sum of numbers >= 0 only falls when older events are missing, so its
    /// replay may start at the oldest event held; one that misses a number
    /// below 0 may rise, so the replay starts at the first such number (not
    /// earlier: the missing 10 at 0 s only lowers the sum).
    func testASlidingSumResumesNoLaterThanItsFirstNegativeNumber() {
        let b = slidingBytes(.valueSum, Threshold(gt: 50))
        let unsigned = [bytes(0, 10), bytes(8, 20), bytes(12, 0)]
        let h = EngineHarness(b, options: EngineOptions(latenessMs: 0))
        h.feed(unsigned)
        XCTAssertEqual(h.engine.resumeEventTime(), at(8))

        // Sums 10, -90, 0, then (0 s and 3 s out of the window) 40: no alert.
        let signed = [bytes(0, 10), bytes(3, -100), bytes(8, 90), bytes(14, -50)]
        let crashed = EngineHarness(b, options: EngineOptions(latenessMs: 0))
        crashed.feed(signed)
        XCTAssertTrue(crashed.alerts.isEmpty)
        let resume = crashed.engine.resumeEventTime()
        XCTAssertEqual(resume, at(3))
        XCTAssertTrue(replay(b, signed, from: resume).isEmpty)
        XCTAssertEqual(replay(b, signed, from: at(8)).count, 1, "from 8 s the window holds 90 alone")
    }
}
