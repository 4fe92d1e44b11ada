import TestSupport
import XCTest
@testable import SecStreamCore

/// Watermark, lateness, reorder buffer, multiple inputs and idle inputs.
final class EngineWatermarkTests: XCTestCase {
    private func bruteForce(gte: Double = 3) -> RuleBuilder {
        let b = RuleBuilder()
        let d = b.detection("failed-login")
        b.correlation("brute-force", .eventCount, [.detection(d)], groupBy: ["source.ip"], spanMs: 60_000,
                      condition: Threshold(gte: gte))
        return b
    }

    private func hit(_ s: Double, _ ip: String = "10.0.0.1", input: Int = 0) -> TestEvent {
        TestEvent(at(s), [0], ["source.ip": .s(ip)], input: input)
    }

    func testLateEventsAreRejectedCountedAndTakeNoPart() {
        let h = EngineHarness(bruteForce(), options: EngineOptions(latenessMs: 30_000))
        h.feed([hit(100), hit(101), TestEvent(at(200), [], [:]), hit(169.999), hit(170), hit(171)])
        h.finish()
        // Watermark after the 200 s event is 170 s: 169.999 is late, 170 is not.
        XCTAssertEqual(h.admitted, [true, true, true, false, true, true])
        XCTAssertEqual(h.engine.counters.lateEvents, 1)
        XCTAssertEqual(h.engine.counters.eventsAdmitted, 5)
        XCTAssertEqual(h.engine.counters.matches, 4)
        // 100, 101 expired by 170: only 170 and 171 remain, one short of 3.
        XCTAssertEqual(h.alerts.count, 0)
    }

    func testOutOfOrderArrivalWithinLatenessGivesByteIdenticalAlerts() {
        let b = RuleBuilder()
        let d = b.detection("failed-login")
        b.correlation("sliding", .eventCount, [.detection(d)], groupBy: ["source.ip"], spanMs: 10_000, condition: Threshold(gte: 3))
        b.correlation("tumbling", .eventCount, [.detection(d)], groupBy: ["source.ip"], spanMs: 10_000, window: .tumbling,
                      condition: Threshold(lt: 3))
        var sorted: [TestEvent] = []
        for k in 0..<60 {
            let ip = ["a", "b", "c"][k % 3]
            sorted.append(TestEvent(at(Double(k) * 1.7), [0], ["source.ip": .s(ip)], line: Int64(k + 1)))
        }
        var shuffled = sorted
        var rng = SplitMix(seed: 7)
        for i in 0..<shuffled.count { // jitter of at most a few positions = a few seconds < lateness
            let j = min(shuffled.count - 1, i + Int(rng.next() % 4))
            shuffled.swapAt(i, j)
        }
        XCTAssertNotEqual(shuffled.map(\.time), sorted.map(\.time))
        let a = EngineHarness(b, options: EngineOptions(latenessMs: 30_000))
        a.feed(sorted)
        a.finish()
        let c = EngineHarness(b, options: EngineOptions(latenessMs: 30_000))
        c.feed(shuffled, chunk: 5)
        c.finish()
        XCTAssertEqual(c.engine.counters.lateEvents, 0)
        XCTAssertGreaterThan(a.alerts.count, 3)
        XCTAssertEqual(a.sink.ndjson, c.sink.ndjson)
    }

    func testAlertsWaitForTheWatermarkToPassTheEvent() {
        let h = EngineHarness(bruteForce(), options: EngineOptions(latenessMs: 30_000))
        h.feed([hit(0), hit(1), hit(2), TestEvent(at(32), [], [:])])
        XCTAssertEqual(h.engine.watermark, at(2))
        XCTAssertEqual(h.alerts.count, 0, "an event exactly at the watermark may still have company: held")
        XCTAssertEqual(h.engine.counters.pendingMatches, 1)
        h.feed([TestEvent(at(32.001), [], [:])])
        XCTAssertEqual(h.alerts.map(\.detectedAt), [at(2)])
        XCTAssertEqual(h.engine.counters.pendingMatches, 0)
        h.finish()
    }

    func testLatenessZeroEvaluatesInArrivalOrderWithoutDelayAndNothingIsLate() {
        let h = EngineHarness(bruteForce(), options: EngineOptions(latenessMs: 0))
        h.feed([hit(10), hit(11), hit(1)]) // 1 s arrives after 11 s
        XCTAssertEqual(h.admitted, [true, true, true])
        XCTAssertEqual(h.alerts.count, 1, "fires on arrival, before finish")
        XCTAssertEqual(h.alerts.first?.detectedAt, at(1))
        XCTAssertEqual(h.alerts.first?.windowStart, at(10), "the window is the events in arrival order")
    }

    func testSlowInputHoldsTheWatermarkUntilIdle() throws {
        let h = EngineHarness(bruteForce(), options: EngineOptions(latenessMs: 5_000, idleTimeoutMs: 10_000))
        try h.engine.advance(wallClock: 1_000)
        h.engine.registerInput(1) // assigned, no data yet
        h.feed([hit(0), hit(1), hit(2), TestEvent(at(100), [], [:])])
        XCTAssertEqual(h.engine.watermark, Int64.min, "input 1 has delivered nothing yet")
        XCTAssertEqual(h.alerts.count, 0)
        try h.engine.advance(wallClock: 6_000)
        h.feed([TestEvent(at(100), [], [:])]) // input 0 still delivering at 6 s
        try h.engine.advance(wallClock: 10_999)
        XCTAssertEqual(h.engine.watermark, Int64.min, "input 1 silent for 9.999 s: not idle yet")
        try h.engine.advance(wallClock: 11_000)
        XCTAssertEqual(h.engine.watermark, at(95), "input 1 idle: input 0 alone sets it")
        XCTAssertEqual(h.alerts.count, 1)
    }

    func testMinimumOverActiveInputsAndIdleInputStopsHoldingBack() throws {
        let h = EngineHarness(bruteForce(), options: EngineOptions(latenessMs: 5_000, idleTimeoutMs: 10_000))
        try h.engine.advance(wallClock: 0)
        h.feed([hit(0, input: 0), hit(1, input: 0), hit(2, input: 0), TestEvent(at(50), [], [:], input: 1)])
        h.feed([TestEvent(at(100), [], [:], input: 0)])
        XCTAssertEqual(h.engine.watermark, at(45), "min(100, 50) - 5")
        XCTAssertEqual(h.alerts.count, 1)
        // Input 1 on time relative to the min watermark even though input 0 is far ahead.
        h.feed([TestEvent(at(46), [], [:], input: 1)])
        XCTAssertEqual(h.admitted.last, true)
        try h.engine.advance(wallClock: 5_000)
        h.feed([TestEvent(at(101), [], [:], input: 0)])
        XCTAssertEqual(h.engine.watermark, at(45))
        try h.engine.advance(wallClock: 10_000) // input 1 silent for 10 s; input 0 active at 5 s
        XCTAssertEqual(h.engine.watermark, at(96))
        h.feed([TestEvent(at(90), [], [:], input: 1)])
        XCTAssertEqual(h.admitted.last, false, "behind the watermark once it moved on")
    }

    func testAnInputBehindHoldsTheWatermarkUntilItCatchesUpAndItsLateEventsCountAsProgress() {
        let h = EngineHarness(bruteForce(), options: EngineOptions(latenessMs: 5_000))
        h.feed([TestEvent(at(100), [], [:], input: 0)])
        XCTAssertEqual(h.engine.watermark, at(95))
        h.feed([TestEvent(at(10), [], [:], input: 1)]) // a new partition, far behind: late
        XCTAssertEqual(h.admitted.last, false)
        h.feed([TestEvent(at(200), [], [:], input: 0)])
        XCTAssertEqual(h.engine.watermark, at(95), "input 1 (at 10 s) holds it back; it never goes back")
        h.feed([TestEvent(at(120), [], [:], input: 1)])
        XCTAssertEqual(h.admitted.last, true)
        XCTAssertEqual(h.engine.watermark, at(115), "min(200, 120) - 5")
    }

    /// A file the merge opens later is declared with its first event time: it
    /// holds the watermark there (not where it stood, not at nothing), and
    /// its first event, at that time, moves the largest time seen.
    func testAnInputDeclaredWithItsFirstEventTimeHoldsTheWatermarkThere() {
        let h = EngineHarness(bruteForce(), options: EngineOptions(latenessMs: 5_000))
        h.engine.registerInput(1, startingAt: at(50))
        h.feed([hit(0, input: 0), hit(1, input: 0), hit(2, input: 0), TestEvent(at(100), [], [:], input: 0)])
        XCTAssertEqual(h.engine.watermark, at(45), "min(100, 50) - 5: input 1 starts at 50 s")
        XCTAssertEqual(h.alerts.count, 1, "the watermark passed input 0's burst at 0-2 s")
        h.feed([TestEvent(at(50), [], [:], input: 1), TestEvent(at(46), [], [:], input: 1)])
        XCTAssertEqual(Array(h.admitted.suffix(2)), [true, true], "within the lateness of its own first event")
        h.feed([TestEvent(at(120), [], [:], input: 1)])
        XCTAssertEqual(h.engine.watermark, at(95), "min(100, 120) - 5")

        // Lateness 0: the watermark is the largest time read, never a declared one.
        let z = EngineHarness(bruteForce(), options: EngineOptions(latenessMs: 0))
        z.engine.registerInput(1, startingAt: at(500))
        z.feed([hit(10, input: 0)])
        XCTAssertEqual(z.engine.watermark, at(10))
        z.feed([TestEvent(at(500), [], [:], input: 1)])
        XCTAssertEqual(z.engine.watermark, at(500), "the first event at its declared time still counts")
    }

    /// An input read to its end stops holding the watermark back, and what it
    /// held back is released at once (not only at the end of the run).
    func testAnEndedInputStopsHoldingTheWatermarkBack() throws {
        let h = EngineHarness(bruteForce(), options: EngineOptions(latenessMs: 5_000))
        h.feed([TestEvent(at(10), [], [:], input: 1)])
        h.feed([hit(20, input: 0), hit(21, input: 0), hit(22, input: 0), TestEvent(at(100), [], [:], input: 0)])
        XCTAssertEqual(h.engine.watermark, at(5), "input 1, at 10 s, holds it")
        XCTAssertEqual(h.alerts.count, 0)
        try h.engine.endInput(1)
        XCTAssertEqual(h.engine.watermark, at(95), "input 0 alone")
        XCTAssertEqual(h.alerts.count, 1)
        try h.engine.endInput(0)
        try h.engine.endInput(7) // never seen: nothing to do
        XCTAssertEqual(h.engine.watermark, at(95), "every input ended: the largest time seen, minus the lateness")
        h.feed([TestEvent(at(101), [], [:], input: 0)])
        XCTAssertEqual(h.engine.watermark, at(96))
    }

    /// With the future gate, an input that ends while its first events are
    /// still gathering (fewer than the quorum) has them judged then, not at
    /// the end of the run, when the other inputs have moved the watermark past them.
    func testAnEndedInputsGatheringEventsAreJudgedWhenItEnds() throws {
        let h = EngineHarness(bruteForce(), options: EngineOptions(latenessMs: 5_000, maxFutureSkewMs: 60_000, futureQuorum: 8))
        for k in 0..<8 { h.feed([TestEvent(at(Double(k)), [], [:], input: 0)]) }
        h.feed([hit(10, input: 1), hit(11, input: 1), hit(12, input: 1)])
        XCTAssertEqual(h.engine.counters.heldEvents, 3, "input 1 has not made its quorum")
        try h.engine.endInput(1)
        XCTAssertEqual(h.engine.counters.heldEvents, 0)
        for k in 0..<8 { h.feed([TestEvent(at(Double(200 + k)), [], [:], input: 0)]) }
        XCTAssertEqual(h.alerts.count, 1, "input 1's burst counted")
        h.finish()
        XCTAssertEqual(h.engine.counters.lateEvents, 0)
    }
}
