import TestSupport
import XCTest
@testable import SecStreamCore

/// The compact state of a cardinality flood: a sliding window's first event
/// kept in its state (no entry) until a second one comes, and the timer
/// queue's in-order run merged with its heap.
final class EngineFloodStateTests: XCTestCase {
    // MARK: One-event windows

    /// A window opened by one event and joined by another within the timespan
    /// fires with both (the first one moved out of the state into an entry):
    /// its start, first seen and samples are the first event's.
    func testASecondEventJoinsTheInlineFirstOne() {
        let b = RuleBuilder()
        let d = b.detection("failed-login")
        b.correlation("pair", .eventCount, [.detection(d)], groupBy: ["source.ip"], spanMs: 60_000,
                      condition: Threshold(gte: 2))
        let h = EngineHarness(b, options: EngineOptions(latenessMs: 0))
        h.feed([
            TestEvent(at(0), [0], ["source.ip": "a"]),
            TestEvent(at(1), [0], ["source.ip": "b"]),
            TestEvent(at(2), [0], ["source.ip": "c"]),
            TestEvent(at(30), [0], ["source.ip": "a"]),
            // b's one event expired: (61 s - 60 s, 61 s] holds only this one.
            TestEvent(at(61), [0], ["source.ip": "b"]),
        ])
        XCTAssertEqual(h.engine.counters.openGroups, 2, "c and b's second window; a fired and was freed")
        h.finish()
        XCTAssertEqual(h.alerts.count, 1)
        let a = h.alerts[0]
        XCTAssertEqual(a.group, [Alert.GroupValue(field: "source.ip", value: "a")])
        XCTAssertEqual(a.value, 2)
        XCTAssertEqual(a.windowStart, at(0))
        XCTAssertEqual(a.firstSeen, at(0))
        XCTAssertEqual(a.lastSeen, at(30))
        XCTAssertEqual(a.samples, [AlertSample.file(name: "test.ndjson", line: 1), .file(name: "test.ndjson", line: 4)])
        XCTAssertEqual(h.engine.counters.openGroups, 0)
    }

    /// A window whose one event fires at once (gte 1) reports that event.
    func testAnInlineEventThatFiresAtOnceIsItsOwnSample() {
        let b = RuleBuilder()
        let d = b.detection("failed-login")
        b.correlation("any", .eventCount, [.detection(d)], groupBy: ["source.ip"], spanMs: 60_000)
        let h = EngineHarness(b)
        h.feed([TestEvent(at(0), [0], ["source.ip": "a"]), TestEvent(at(5), [0], ["source.ip": "b"])])
        h.finish()
        XCTAssertEqual(h.alerts.map(\.windowStart), [at(0), at(5)])
        XCTAssertEqual(h.alerts.map(\.samples), [[.file(name: "test.ndjson", line: 1)], [.file(name: "test.ndjson", line: 2)]])
    }

    /// value_count keeps the first value's id inline (where the distinct count
    /// goes): a repeat of it is not a new value, a different one is, and a
    /// one-event window that expires gives its value back.
    func testValueCountWithAnInlineFirstValue() {
        let b = RuleBuilder()
        let d = b.detection("failed-login")
        b.correlation("spray", .valueCount, [.detection(d)], groupBy: ["source.ip"], spanMs: 60_000,
                      condition: Threshold(gte: 2), valueField: "user.name")
        let h = EngineHarness(b, options: EngineOptions(latenessMs: 0))
        h.feed([
            TestEvent(at(0), [0], ["source.ip": "x", "user.name": "alice"]),
            TestEvent(at(1), [0], ["source.ip": "y", "user.name": "alice"]),
            TestEvent(at(2), [0], ["source.ip": "y", "user.name": "alice"]),
            TestEvent(at(10), [0], ["source.ip": "x", "user.name": "bob"]),
            TestEvent(at(100), [0], ["source.ip": "z", "user.name": "carol"]),
        ])
        h.finish()
        XCTAssertEqual(h.alerts.count, 1)
        XCTAssertEqual(h.alerts.first?.group.first?.value, "x")
        XCTAssertEqual(h.alerts.first?.value, 2)
        XCTAssertEqual(h.alerts.first?.windowStart, at(0))
        XCTAssertEqual(h.engine.counters.openGroups, 0)
    }

    /// temporal_ordered keeps the first input's index inline: the order of
    /// the inline event and the next one decides.
    func testTemporalOrderedReadsTheInlineInput() {
        func rules() -> RuleBuilder {
            let b = RuleBuilder()
            let fail = b.detection("failed-login")
            let ok = b.detection("successful-login")
            b.correlation("fail-then-success", .temporalOrdered, [.detection(fail), .detection(ok)],
                          groupBy: ["user.name"], spanMs: 60_000)
            return b
        }
        let right = EngineHarness(rules())
        right.feed([TestEvent(at(0), [0], ["user.name": "u"]), TestEvent(at(5), [1], ["user.name": "u"])])
        right.finish()
        XCTAssertEqual(right.alerts.map(\.windowStart), [at(0)])
        let wrong = EngineHarness(rules())
        wrong.feed([TestEvent(at(0), [1], ["user.name": "u"]), TestEvent(at(5), [0], ["user.name": "u"])])
        wrong.finish()
        XCTAssertEqual(wrong.alerts.count, 0)
    }

    /// A chained firing enters a sliding window at the firing time with an
    /// older origin (the events behind it): it is not kept inline (the state
    /// keeps no origin apart from the time), so a restart still replays from
    /// the oldest event behind the open window.
    func testAChainedFiringKeepsItsOlderOriginInTheSlidingWindow() {
        let b = RuleBuilder()
        let fail = b.detection("failed-login")
        let hourly = b.correlation("hourly", .eventCount, [.detection(fail)], groupBy: ["user.name"], spanMs: 60_000,
                                   window: .tumbling, condition: Threshold(lte: 3), emits: false)
        b.correlation("repeat", .eventCount, [.correlation(hourly)], groupBy: ["user.name"], spanMs: 600_000,
                      condition: Threshold(gte: 2))
        let h = EngineHarness(b, options: EngineOptions(latenessMs: 0))
        // The bucket [0, 60 s) fires when it closes (lte is judged on the whole
        // bucket), at 60 s; its origin is 10 s.
        h.feed([TestEvent(at(10), [0], ["user.name": "u"]), TestEvent(at(70), [], [:])])
        XCTAssertEqual(h.engine.counters.openGroups, 1, "the sliding window holds the chained firing")
        XCTAssertEqual(h.engine.oldestRetainedEventTime, at(10))
        // A second bucket's firing joins it: two firings, the alert.
        h.feed([TestEvent(at(80), [0], ["user.name": "u"]), TestEvent(at(130), [], [:])])
        h.finish()
        XCTAssertEqual(h.alerts.count, 1)
        XCTAssertEqual(h.alerts.first?.windowStart, at(60))
        XCTAssertEqual(h.alerts.first?.detectedAt, at(120))
    }

    /// Under `--max-state`, a spray's one-event windows (kept inline) go
    /// before the windows that gathered more events, which still fire.
    func testEvictionDropsOneEventWindowsFirst() {
        let b = RuleBuilder()
        let d = b.detection("failed-login")
        b.correlation("brute-force", .eventCount, [.detection(d)], groupBy: ["user.name"], spanMs: 3_600_000,
                      condition: Threshold(gte: 3))
        let h = EngineHarness(b, options: EngineOptions(latenessMs: 0, maxStateBytes: 200_000))
        var events: [TestEvent] = []
        for v in 0..<50 { events.append(TestEvent(at(0.001 * Double(v)), [0], ["user.name": .s("victim-\(v)")])) }
        for v in 0..<50 { events.append(TestEvent(at(1 + 0.001 * Double(v)), [0], ["user.name": .s("victim-\(v)")])) }
        for i in 0..<12_000 { events.append(TestEvent(at(2 + 0.01 * Double(i)), [0], ["user.name": .s("spray-\(i)")])) }
        for v in 0..<50 { events.append(TestEvent(at(200 + 0.001 * Double(v)), [0], ["user.name": .s("victim-\(v)")])) }
        h.feed(events, chunk: 256)
        let evicted = h.engine.counters.evictedWindows
        XCTAssertGreaterThan(evicted, 5_000, "most one-event windows were dropped")
        XCTAssertEqual(h.engine.evictionsByRule.map(\.rule), ["Title of brute-force"])
        XCTAssertEqual(h.engine.evictionsByRule.first?.windows, evicted)
        h.finish()
        XCTAssertEqual(Set(h.alerts.map { $0.group[0].value }), Set((0..<50).map { "victim-\($0)" }),
                       "every two-event window outlived the spray")
    }

    // MARK: Timer queue

    /// Random timers over three correlations (two of single timers, one
    /// tumbling, batched and sorted), with many ties on the close time, come
    /// out of the queue in (close time, correlation, key bytes) order, as from
    /// one heap, while pushes go both in order (the run) and out of it (the
    /// heap); a purge takes out exactly the timers it drops.
    func testTimerQueueOrderMatchesASortedModel() {
        var rng = SplitMix(seed: 7)
        let interners = (0..<3).map { _ in ByteInterner() }
        let queue = TimerQueue()
        queue.configure(interners: interners, batched: [false, true, false], sorted: [true, true, true])
        var model: [(closeAt: Int64, correlation: Int32, key: [UInt8], group: UInt32)] = []
        func precedes(_ a: (closeAt: Int64, correlation: Int32, key: [UInt8], group: UInt32),
                      _ b: (closeAt: Int64, correlation: Int32, key: [UInt8], group: UInt32)) -> Bool {
            if a.closeAt != b.closeAt { return a.closeAt < b.closeAt }
            if a.correlation != b.correlation { return a.correlation < b.correlation }
            return a.key.lexicographicallyPrecedes(b.key)
        }
        var clock: Int64 = 0
        var next = 0
        func push(_ n: Int) {
            for _ in 0..<n {
                let c = Int32(rng.below(3))
                // Keys share long prefixes and differ in length, so ties reach the key bytes.
                let key = Array("key-\(next % 7)-".utf8) + Array(repeating: UInt8(next % 3), count: Int(rng.below(4)))
                    + Array(String(next).utf8)
                next += 1
                let g = key.withUnsafeBytes { interners[Int(c)].acquire($0) }
                // Mostly in order (a flood), sometimes behind; batches share bucket ends.
                let at = c == 1 ? (clock / 100 + 1 + Int64(rng.below(2))) * 100
                    : rng.below(4) == 0 ? clock + Int64(rng.below(50)) : clock + 50 + Int64(next / 10)
                queue.push(WindowTimer(closeAt: at, correlation: c, group: g))
                model.append((at, c, key, g))
            }
        }
        func popAndCheck(_ n: Int) {
            model.sort(by: precedes)
            for _ in 0..<min(n, model.count) {
                XCTAssertEqual(queue.nextCloseAt, model[0].closeAt)
                let t = queue.pop()
                let want = model.removeFirst()
                XCTAssertEqual(t.closeAt, want.closeAt)
                XCTAssertEqual(t.correlation, want.correlation)
                XCTAssertEqual(t.group, want.group)
                clock = max(clock, t.closeAt)
            }
        }
        push(3_000)
        popAndCheck(1_000)
        push(2_000)
        // Drop every group of correlation 0 or 1 whose id is divisible by 5.
        let dropped = queue.purge { $0.correlation != 2 && $0.group % 5 == 0 }
        let dropSet = Set(dropped.map { "\($0.correlation)/\($0.group)" })
        let expected = model.filter { $0.correlation != 2 && $0.group % 5 == 0 }
        XCTAssertEqual(dropped.count, expected.count)
        XCTAssertEqual(dropSet, Set(expected.map { "\($0.correlation)/\($0.group)" }))
        model.removeAll { $0.correlation != 2 && $0.group % 5 == 0 }
        // (It also counts one heap entry per open tumbling batch.)
        XCTAssertGreaterThanOrEqual(queue.pendingCount, model.count)
        popAndCheck(1_500)
        push(1_000)
        popAndCheck(model.count + 1_000)
        XCTAssertTrue(queue.isEmpty)
        XCTAssertEqual(queue.nextCloseAt, .max)
    }
}
