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
}
