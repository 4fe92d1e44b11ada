import TestSupport
import XCTest
@testable import SecStreamCore

/// new_terms correlations in the engine (docs/windows.md, "New terms"): what
/// is new, the warm-up, expiry at the history edge, new groups, the memory
/// bounds and determinism.
final class EngineNewTermsTests: XCTestCase {
    private static let hour: Int64 = 3_600_000
    private static let day: Int64 = 86_400_000

    /// A detection "login" (0) feeding a new_terms event_count grouped by
    /// `groupBy` with terms `fields` (built as the resolver builds it: the
    /// term fields follow the group-by in the key and in `groupBy`).
    private func rules(groupBy: [String] = ["user.name"], fields: [String] = ["source.ip"], history: Int64 = 30 * day,
                       warmup: Int64 = day, maxTerms: Int = NewTermsSpec.defaultMaxTermsPerGroup,
                       newGroups: NewTermsSpec.NewGroups = .alert) -> RuleSet {
        let b = RuleBuilder()
        let d = b.detection("login")
        let keyFields = groupBy + fields
        let input = CorrelationInput(source: .detection(d), groupFields: keyFields.map { FieldRef([b.schema.intern($0)]) })
        let spec = NewTermsSpec(fields: fields, historyMs: history, warmupMs: warmup, maxTermsPerGroup: maxTerms,
                                groupFieldCount: groupBy.count, newGroups: newGroups)
        let rule = CorrelationRule(meta: b.meta("new-source-for-user"), kind: .eventCount, inputs: [input], groupBy: keyFields,
                                   timespanMs: Self.hour, window: .sliding, condition: Threshold(gte: 1),
                                   valueFieldName: nil, newTerms: spec)
        let time = b.schema.intern("@timestamp")
        return RuleSet(schema: b.schema, timeField: time, detections: b.detections, correlations: [rule])
    }

    private func login(_ t: Int64, _ user: String, _ ip: String, line: Int64? = nil) -> TestEvent {
        TestEvent(t, [0], ["user.name": .s(user), "source.ip": .s(ip)], line: line)
    }

    /// (user, address) of each alert, in order.
    private func fired(_ h: EngineHarness) -> [[String]] { h.alerts.map { $0.group.map(\.value) } }

    // MARK: What is new

    func testANewTermFiresOnceAndARepeatedOneDoesNot() {
        let h = EngineHarness(PrebuiltRules(rules(warmup: Self.hour)))
        h.feed([
            login(at(0), "alice", "10.0.0.1"),                       // warm-up: learned
            login(at(3_600), "alice", "10.0.0.1"),                   // known
            login(at(3_700), "alice", "203.0.113.9"),                // new
            login(at(3_800), "alice", "203.0.113.9"),                // known now
            login(at(3_900), "alice", "10.0.0.1"),                   // known
        ])
        h.finish()
        XCTAssertEqual(fired(h), [["alice", "203.0.113.9"]])
        let a = h.alerts[0]
        XCTAssertEqual(a.group.map(\.field), ["user.name", "source.ip"], "the group names the new term")
        XCTAssertEqual(a.value, 1)
        XCTAssertEqual(a.windowStart, at(3_700))
        XCTAssertEqual(a.detectedAt, at(3_700))
        XCTAssertEqual(a.samples, [.file(name: "test.ndjson", line: 3)])
        XCTAssertEqual(h.engine.counters.newTermsGroups, 1)
        XCTAssertEqual(h.engine.counters.newTermsTerms, 2)
    }

    /// Two fields form one term: a new combination is new even when each
    /// value was seen before; the values are length-prefixed, so ("a", "bc")
    /// and ("ab", "c") are different terms.
    func testATupleOfTwoFieldsIsOneTerm() {
        let set = rules(fields: ["source.ip", "user_agent.original"], warmup: Self.hour)
        let h = EngineHarness(PrebuiltRules(set))
        func ev(_ t: Int64, _ ip: String, _ agent: String) -> TestEvent {
            TestEvent(t, [0], ["user.name": "alice", "source.ip": .s(ip), "user_agent.original": .s(agent)])
        }
        h.feed([
            ev(at(0), "10.0.0.1", "curl"),
            ev(at(1), "a", "bc"),
            ev(at(3_600), "10.0.0.1", "curl"),        // known
            ev(at(3_601), "10.0.0.1", "firefox"),     // new pair, known address
            ev(at(3_602), "10.0.0.2", "curl"),        // new pair, known agent
            ev(at(3_603), "ab", "c"),                 // not ("a", "bc")
            ev(at(3_604), "a", "bc"),                 // known
            TestEvent(at(3_605), [0], ["user.name": "alice", "source.ip": "10.0.0.9"]),  // no agent: no term
        ])
        h.finish()
        XCTAssertEqual(fired(h), [["alice", "10.0.0.1", "firefox"], ["alice", "10.0.0.2", "curl"], ["alice", "ab", "c"]])
        XCTAssertEqual(h.alerts.first?.group.map(\.field), ["user.name", "source.ip", "user_agent.original"])
    }

    // MARK: Warm-up

    /// `[first event, + warmup)` only learns: nothing fires inside it (not
    /// even at its last millisecond), and what it learned is known after it;
    /// at exactly first + warmup a new term fires.
    func testNothingFiresDuringTheWarmUpAndWhatItLearnedIsKnownAfter() {
        let t0 = at(0)
        let h = EngineHarness(PrebuiltRules(rules(warmup: Self.day)))
        h.feed([
            login(t0, "alice", "10.0.0.1"),
            login(t0 + Self.hour, "alice", "10.0.0.2"),
            login(t0 + 23 * Self.hour, "bob", "10.0.1.1"),
            login(t0 + Self.day - 1, "alice", "10.0.0.9"),           // last warm-up millisecond: learned
            login(t0 + Self.day, "alice", "10.0.0.1"),               // known
            login(t0 + Self.day, "alice", "10.0.0.9"),               // known
            login(t0 + Self.day, "bob", "10.0.1.1"),                 // known
            login(t0 + Self.day, "alice", "198.51.100.4"),           // new, first instant after warm-up
            login(t0 + Self.day + 1, "bob", "198.51.100.5"),         // new
        ])
        h.finish()
        XCTAssertEqual(fired(h), [["alice", "198.51.100.4"], ["bob", "198.51.100.5"]])
        XCTAssertEqual(h.alerts.first?.detectedAt, t0 + Self.day)
    }

    /// Without `warmup`, the warm-up is the history: the rule knows every
    /// term of the last `history` before it fires (the parser's default;
    /// here both given), so a term seen just inside the history is known.
    func testAWarmUpAsLongAsTheHistoryKnowsTheWholeHistory() {
        let t0 = at(0)
        let h = EngineHarness(PrebuiltRules(rules(history: Self.day, warmup: Self.day)))
        h.feed([
            login(t0, "alice", "10.0.0.1"),
            login(t0 + Self.day - 1, "alice", "10.0.0.1"),
            login(t0 + 2 * Self.day - 1, "alice", "10.0.0.1"),       // last seen exactly history ago
            login(t0 + 2 * Self.day - 1, "alice", "10.0.0.2"),
        ])
        h.finish()
        XCTAssertEqual(fired(h), [["alice", "10.0.0.2"]])
    }

    // MARK: Expiry

    /// A term last seen at t is known at t + history and new again at
    /// t + history + 1 ms: through a group that expired as a whole (bob), and
    /// through one term of a group that stayed alive (carol).
    func testExpiryIsExactAtTheHistoryEdge() {
        let history = Self.hour
        let t0 = at(0)
        let h = EngineHarness(PrebuiltRules(rules(history: history, warmup: 2_000)))
        h.feed([
            login(t0, "alice", "10.0.0.1"),
            login(t0, "bob", "10.0.0.1"),
            login(t0, "carol", "10.0.0.1"),
            login(t0 + 1_000, "carol", "10.0.0.2"),                      // in the warm-up; keeps carol's group alive
            login(t0 + history, "alice", "10.0.0.1"),                    // exactly history later: known
            login(t0 + history + 1, "bob", "10.0.0.1"),                  // 1 ms past: new (group expired)
            login(t0 + history + 1, "carol", "10.0.0.1"),                // 1 ms past: new (term expired)
            login(t0 + history + 2, "carol", "10.0.0.2"),                // within history: known
        ])
        h.finish()
        XCTAssertEqual(fired(h), [["bob", "10.0.0.1"], ["carol", "10.0.0.1"]])
        XCTAssertEqual(h.alerts.map(\.detectedAt), [t0 + history + 1, t0 + history + 1])
    }

    /// Groups not seen within the history are freed as time passes: memory
    /// follows the groups active within `history`.
    func testExpiredGroupsAreFreed() {
        let h = EngineHarness(PrebuiltRules(rules(history: Self.hour, warmup: 1)), options: EngineOptions(latenessMs: 0))
        h.feed((0..<100).map { login(at(Double($0)), "user-\($0)", "10.0.0.1") })
        XCTAssertEqual(h.engine.counters.newTermsGroups, 100)
        h.feed([login(at(7_200), "late-comer", "10.0.0.1")])
        XCTAssertEqual(h.engine.counters.newTermsGroups, 1)
        XCTAssertEqual(h.engine.counters.newTermsTerms, 1)
        XCTAssertEqual(h.engine.counters.newTermsEvictedGroups, 0, "expiry is no eviction")
    }

    // MARK: New groups

    /// A group never seen before: during the warm-up its terms are learned;
    /// after it, its first term is new and fires (Elastic's semantics: the
    /// warm-up is the rule's, not each group's).
    func testANewGroupLearnsDuringTheWarmUpAndFiresAfterIt() {
        let t0 = at(0)
        let h = EngineHarness(PrebuiltRules(rules(warmup: Self.day)))
        h.feed([
            login(t0, "alice", "10.0.0.1"),
            login(t0 + Self.hour, "bob", "10.0.0.2"),                // new group in the warm-up: learned
            login(t0 + Self.day + Self.hour, "bob", "10.0.0.2"),     // known
            login(t0 + Self.day + Self.hour, "carol", "10.0.0.3"),   // never seen: new
            login(t0 + Self.day + 2 * Self.hour, "carol", "10.0.0.3"), // known now
        ])
        h.finish()
        XCTAssertEqual(fired(h), [["carol", "10.0.0.3"]])
    }

    /// `new_groups: learn`: a group the history does not know learns for
    /// `warmup` from its own first event before its terms can fire; groups
    /// already known are not held back.
    func testWithNewGroupsLearnANewGroupHasItsOwnWarmUp() {
        let t0 = at(0)
        let h = EngineHarness(PrebuiltRules(rules(warmup: Self.day, newGroups: .learn)))
        let carol = t0 + Self.day + Self.hour
        h.feed([
            login(t0, "alice", "10.0.0.1"),
            login(carol, "carol", "10.0.0.3"),                       // never seen: her warm-up starts
            login(carol + Self.hour, "alice", "10.0.0.2"),           // alice is known: new address fires
            login(carol + Self.day - 1, "carol", "10.0.0.4"),        // carol's warm-up: learned
            login(carol + Self.day, "carol", "10.0.0.3"),            // known
            login(carol + Self.day, "carol", "10.0.0.4"),            // known
            login(carol + Self.day, "carol", "10.0.0.5"),            // new, after her warm-up
        ])
        h.finish()
        XCTAssertEqual(fired(h), [["alice", "10.0.0.2"], ["carol", "10.0.0.5"]])
    }

    // MARK: Memory

    /// A flood of distinct terms for one group keeps at most `max_terms` of
    /// them, forgetting the least recently seen: a forgotten term is new
    /// again, a recent one is still known, and each forgotten term is counted.
    func testAFloodOfTermsForOneGroupStaysWithinMaxTerms() {
        let h = EngineHarness(PrebuiltRules(rules(history: Self.day, warmup: Self.hour, maxTerms: 8)),
                              options: EngineOptions(latenessMs: 0))
        var events = [login(at(0), "alice", "10.0.0.1")]
        // Inside the warm-up, so the flood itself does not alert.
        for i in 0..<10_000 { events.append(login(at(1 + 0.1 * Double(i)), "alice", "172.16.\(i / 256).\(i % 256)")) }
        h.feed(events, chunk: 256)
        XCTAssertEqual(h.engine.counters.newTermsTerms, 8)
        XCTAssertEqual(h.engine.counters.newTermsEvictedTerms, 10_001 - 8)
        h.feed([
            login(at(3_600), "alice", "172.16.39.15"),               // the flood's last term: still known
            login(at(3_601), "alice", "10.0.0.1"),                   // forgotten: new again
        ])
        h.finish()
        XCTAssertEqual(fired(h), [["alice", "10.0.0.1"]])
    }

    /// A flood of distinct groups under `--max-state`: the histories count
    /// toward the bound and lose their least recently seen groups (counted,
    /// per rule), while a group seen throughout keeps what it learned.
    func testAFloodOfGroupsStaysUnderMaxStateWithEvictionsCounted() {
        let cap = 200_000
        let h = EngineHarness(PrebuiltRules(rules(warmup: Self.hour)),
                              options: EngineOptions(latenessMs: 0, maxStateBytes: cap))
        var events: [TestEvent] = []
        for i in 0..<40_000 {
            let t = at(0.05 * Double(i))
            if i % 1_000 == 0 { events.append(login(t, "alice", "10.0.0.1")) }
            events.append(login(t, "spray-\(i)", "10.9.\(i / 256 % 256).\(i % 256)"))
        }
        h.feed(events, chunk: 512)
        let c = h.engine.counters
        let perGroup = NewTermsHistory.bytesPerGroup + NewTermsHistory.bytesPerTerm
        XCTAssertGreaterThan(c.newTermsEvictedGroups, 30_000)
        // Checked every 4,096 matches: at most that many groups past the bound.
        XCTAssertLessThanOrEqual(c.newTermsGroups, cap / perGroup + 4_096)
        XCTAssertLessThanOrEqual(c.stateBytes, cap, "under the bound after each check")
        XCTAssertEqual(c.newTermsGroups + c.newTermsEvictedGroups, 40_001, "every group is remembered or counted")
        XCTAssertEqual(h.engine.newTermsEvictionsByRule.map(\.rule), ["Title of new-source-for-user"])
        XCTAssertEqual(h.engine.newTermsEvictionsByRule.first?.groups, c.newTermsEvictedGroups)
        // After the warm-up (the flood was inside it).
        h.feed([login(at(3_700), "alice", "10.0.0.1"), login(at(3_701), "alice", "10.0.0.2")])
        h.finish()
        XCTAssertEqual(fired(h), [["alice", "10.0.0.2"]], "alice was seen throughout: her address is still known")
    }

    // MARK: Determinism

    /// The same events give byte-identical alerts, however they are chunked
    /// and in whatever order they arrive within the lateness.
    func testTheSameEventsGiveTheSameAlerts() {
        var rng = SplitMix(seed: 12)
        var events: [TestEvent] = []
        for i in 0..<3_000 {
            let t = at(Double(i) * 60)                                  // a minute apart: 50 hours
            let user = "user-\(rng.below(20))"
            let ip = "10.0.\(rng.below(3)).\(rng.below(6))"
            events.append(login(t, user, ip, line: Int64(i + 1)))
        }
        func run(_ arrival: [TestEvent], chunk: Int) -> String {
            let h = EngineHarness(PrebuiltRules(rules(history: 6 * Self.hour, warmup: 2 * Self.hour, maxTerms: 10)),
                                  options: EngineOptions(latenessMs: 120_000))
            h.feed(arrival, chunk: chunk)
            h.finish()
            return h.sink.ndjson
        }
        let inOrder = run(events, chunk: 3)
        // Swapped neighbours arrive a minute out of order, within the 2-minute lateness.
        var shuffled = events
        var k = 0
        while k + 1 < shuffled.count { shuffled.swapAt(k, k + 1); k += 2 + rng.below(3) }
        XCTAssertGreaterThan(inOrder.split(separator: "\n").count, 20)
        XCTAssertLessThan(inOrder.split(separator: "\n").count, 3_000 - 100, "known terms did not fire")
        XCTAssertEqual(run(events, chunk: 100), inOrder)
        XCTAssertEqual(run(shuffled, chunk: 7), inOrder)
    }
}
