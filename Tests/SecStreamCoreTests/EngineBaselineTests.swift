import XCTest
@testable import SecStreamCore

/// Baseline correlations in the engine (docs/windows.md, "Baselines"): the
/// score at the threshold edge, minimum support, idle windows as zeros,
/// seasons, mad against zscore, determinism, the memory bound and the saved
/// state (round trip, corrupt files, changed rules, replay = live).
final class EngineBaselineTests: XCTestCase {
    private static let hour: Int64 = 3_600_000
    private static let day: Int64 = 86_400_000
    private static let week: Int64 = 7 * day
    /// 2026-11-02T00:00:00Z, a Monday (the harness's `base` is Friday 2026-11-20T13:00Z).
    private static let monday: Int64 = base - 18 * day - 13 * hour

    /// A detection "login" (0) feeding tumbling hourly baseline correlations, one per spec.
    private func rules(_ specs: [(String, BaselineSpec)], kind: CorrelationKind = .eventCount,
                       valueField: String? = nil, newTerms: NewTermsSpec? = nil) -> RuleSet {
        let b = RuleBuilder()
        let d = b.detection("login")
        var correlations: [CorrelationRule] = []
        for (id, spec) in specs {
            let input = CorrelationInput(source: .detection(d), groupFields: [FieldRef([b.schema.intern("host.name")])],
                                         valueField: valueField.map { FieldRef([b.schema.intern($0)]) })
            correlations.append(CorrelationRule(meta: b.meta(id), kind: kind, inputs: [input], groupBy: ["host.name"],
                                                timespanMs: Self.hour, window: .tumbling, condition: Threshold(),
                                                valueFieldName: valueField, baseline: spec))
        }
        if let newTerms {
            let fields = ["host.name", "source.ip"]
            let input = CorrelationInput(source: .detection(d), groupFields: fields.map { FieldRef([b.schema.intern($0)]) })
            correlations.append(CorrelationRule(meta: b.meta("new-source"), kind: .eventCount, inputs: [input], groupBy: fields,
                                                timespanMs: Self.hour, window: .sliding, condition: Threshold(gte: 1),
                                                valueFieldName: nil, newTerms: newTerms))
        }
        return RuleSet(schema: b.schema, timeField: b.schema.intern("@timestamp"), detections: b.detections,
                       correlations: correlations)
    }

    private func spec(_ method: BaselineSpec.Method = .zscore, threshold: Double = 4, history: Int64 = 1 * day,
                      season: BaselineSpec.Season = .none, minHistory: Int64 = 0, minSamples: Int = 2) -> BaselineSpec {
        BaselineSpec(method: method, threshold: threshold, historyMs: history, season: season, minHistoryMs: minHistory,
                     minSamples: minSamples)
    }

    /// `counts[i]` events of `host` in the hour starting `start + i` hours (spread over its first minutes).
    private func hourly(_ host: String, _ counts: [Int], from start: Int64 = monday, ip: String = "10.0.0.1") -> [TestEvent] {
        var out: [TestEvent] = []
        for (i, n) in counts.enumerated() {
            for e in 0..<n {
                out.append(TestEvent(start + Int64(i) * Self.hour + Int64(e) * 1000, [0], ["host.name": .s(host), "source.ip": .s(ip)]))
            }
        }
        return out
    }

    /// Events of several hosts merged into event-time order.
    private func merged(_ parts: [[TestEvent]]) -> [TestEvent] {
        parts.flatMap { $0 }.sorted { ($0.time, $0.fields["host.name"].debugDescription) < ($1.time, $1.fields["host.name"].debugDescription) }
    }

    private func run(_ set: RuleSet, _ events: [TestEvent], options: EngineOptions = EngineOptions(latenessMs: 0),
                     chunk: Int = 3, state: LearnedState? = nil) -> EngineHarness {
        let h = EngineHarness(PrebuiltRules(set), options: options)
        if let state { h.engine.load(state) }
        h.feed(events, chunk: chunk)
        h.finish()
        return h
    }

    private func hosts(_ h: EngineHarness) -> [String] { h.alerts.map { $0.group[0].value } }

    // MARK: The threshold edge

    /// History 10, 12, 10, ... (mean 11, stddev 1): 15 scores exactly 4 and
    /// fires; 14 scores 3 and does not. The alert carries the score.
    func testExactlyAtTheThresholdFiresAndJustBelowDoesNot() throws {
        let history = [10, 12, 10, 12, 10, 12, 10, 12, 10, 12]
        let h = run(rules([("spike", spec())]), merged([hourly("at", history + [15]), hourly("below", history + [14])]))
        XCTAssertEqual(hosts(h), ["at"])
        let a = try XCTUnwrap(h.alerts.first)
        XCTAssertEqual(a.baseline, BaselineScore(method: .zscore, score: 4, center: 11, spread: 1, samples: 10))
        XCTAssertEqual(a.value, 15)
        XCTAssertEqual(a.windowStart, Self.monday + 10 * Self.hour)
        XCTAssertEqual(a.windowEnd, Self.monday + 11 * Self.hour)
        XCTAssertEqual(a.detectedAt, a.windowEnd, "scored when the window closes")
        XCTAssertTrue(String(decoding: AlertEncoder.line(a), as: UTF8.self).hasSuffix(
            "\"baseline\":{\"method\":\"zscore\",\"score\":4,\"center\":11,\"spread\":1,\"samples\":10}}\n"))
    }

    /// A value_sum just below (14.999) does not fire; a flat history uses the
    /// spread floor (min_spread 1) instead of dividing by zero.
    func testAValueSumJustBelowAndAFlatHistory() {
        let set = rules([("bytes", spec())], kind: .valueSum, valueField: "bytes")
        func sums(_ host: String, _ values: [Double]) -> [TestEvent] {
            values.enumerated().map { i, v in
                TestEvent(Self.monday + Int64(i) * Self.hour, [0], ["host.name": .s(host), "bytes": .n(v)])
            }
        }
        let alternating: [Double] = [10, 12, 10, 12, 10, 12]
        let h = run(set, merged([sums("below", alternating + [14.999]), sums("at", alternating + [15]),
                                 sums("flat", [7, 7, 7, 7, 11]), sums("flat-below", [7, 7, 7, 7, 10.99])]))
        XCTAssertEqual(hosts(h).sorted(), ["at", "flat"])
        XCTAssertEqual(h.alerts.first { $0.group[0].value == "flat" }?.baseline?.spread, 1, "the floor")
    }

    /// min_spread_ratio: the spread is at least that fraction of the center,
    /// so a busy group's noise scales with its level, while a quiet group
    /// (center 0) keeps the absolute floor.
    func testARelativeSpreadFloor() {
        var s = spec()
        s.minSpreadRatio = 0.5
        let set = rules([("bytes", s)], kind: .valueSum, valueField: "bytes")
        func sums(_ host: String, _ values: [Double]) -> [TestEvent] {
            values.enumerated().map { i, v in
                TestEvent(Self.monday + Int64(i) * Self.hour, [0], ["host.name": .s(host), "bytes": .n(v)])
            }
        }
        let busy: [Double] = [100, 120, 100, 120, 100, 120]      // mean 110, stddev 10, floor 55
        let h = run(set, merged([sums("below", busy + [329.99]), sums("at", busy + [330]),
                                 sums("quiet", [0.5, 0, 0.5, 0, 0.5, 0, 4.25])]))
        XCTAssertEqual(hosts(h).sorted(), ["at", "quiet"])
        XCTAssertEqual(h.alerts.first { $0.group[0].value == "at" }?.baseline?.spread, 55, "0.5 × center 110")
        XCTAssertEqual(h.alerts.first { $0.group[0].value == "quiet" }?.baseline?.spread, 1, "the absolute floor")
    }

    /// value_count: the window's value is its number of distinct users;
    /// repeats of one user do not raise it.
    func testAValueCountScoresDistinctValues() throws {
        let set = rules([("users", spec())], kind: .valueCount, valueField: "user.name")
        var events: [TestEvent] = []
        for hour in 0..<9 {
            let users = hour == 8 ? 9 : 2 + hour % 2         // 2, 3, 2, 3, ... then 9 distinct
            for u in 0..<users {
                for repeatIndex in 0..<3 {
                    events.append(TestEvent(Self.monday + Int64(hour) * Self.hour + Int64(u * 10 + repeatIndex) * 1000, [0],
                                            ["host.name": "vpn", "user.name": .s("u\(u)")]))
                }
            }
        }
        let h = run(set, events)
        XCTAssertEqual(h.alerts.count, 1)
        let a = try XCTUnwrap(h.alerts.first)
        XCTAssertEqual(a.value, 9)
        XCTAssertEqual(a.baseline?.center, 2.5)
        XCTAssertEqual(a.baseline?.score ?? 0, 6.5, accuracy: 1e-12, "(9 − 2.5) / max(0.5, min_spread 1)")
    }

    // MARK: Minimum support

    func testMinimumSamplesAndMinimumHistoryEdges() {
        // min_samples 5: four windows of history are not enough, five are.
        let samples = rules([("s", spec(minSamples: 5))])
        let h1 = run(samples, merged([hourly("four", [10, 11, 10, 11, 100]), hourly("five", [10, 11, 10, 11, 10, 100])]))
        XCTAssertEqual(hosts(h1), ["five"])
        XCTAssertEqual(h1.alerts.first?.baseline?.samples, 5)
        // min_history 5h: a spike 4h after the group's first window is too early, 5h after is not.
        let span = rules([("m", spec(minHistory: 5 * Self.hour))])
        let h2 = run(span, merged([hourly("early", [10, 11, 10, 11, 100]), hourly("late", [10, 11, 10, 11, 10, 100])]))
        XCTAssertEqual(hosts(h2), ["late"])
        // A new group never fires, however loud its first windows.
        let h3 = run(rules([("n", spec())]), merged([hourly("old", [1, 1, 1, 1, 1]),
                                                    hourly("new", [500], from: Self.monday + 4 * Self.hour)]))
        XCTAssertEqual(hosts(h3), [])
    }

    // MARK: Idle windows

    /// A host with 3 events at 00:00 and 10:00 and none between: its nine
    /// quiet hours are zeros, so 6 at 11:00 is far above its mean (6/11), not
    /// the 3 its two busy hours alone would say (which would not fire).
    func testIdleWindowsCountAsZeros() throws {
        var counts = [Int](repeating: 0, count: 12)
        counts[0] = 3; counts[10] = 3; counts[11] = 6
        let h = run(rules([("z", spec())]), hourly("quiet", counts))
        XCTAssertEqual(hosts(h), ["quiet"])
        let b = try XCTUnwrap(h.alerts.first?.baseline)
        XCTAssertEqual(b.samples, 11)
        XCTAssertEqual(b.center, 6.0 / 11, accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(b.score, 4)
        XCTAssertEqual(h.engine.counters.baselineGroups, 1)
    }

    /// A group with no window within `history` is forgotten: it holds only
    /// zeros, and its next window starts a new history (and cannot fire).
    func testAGroupQuietForLongerThanTheHistoryIsForgotten() {
        let set = rules([("z", spec(history: 12 * Self.hour))])
        var counts = [Int](repeating: 0, count: 30)
        for i in 0..<6 { counts[i] = 2 }
        counts[29] = 40
        let h = run(set, merged([hourly("gone", counts), hourly("other", [1], from: Self.monday + 20 * Self.hour)]))
        XCTAssertEqual(hosts(h), [], "after 23 quiet hours the group is new again")
        XCTAssertEqual(h.engine.counters.baselineGroups, 2, "'gone' again (a new history from 05:00 on day 2) and 'other'")
    }

    // MARK: Seasons

    /// One event an hour for five weeks and a peak of 50 every Monday 09:00:
    /// with hour-of-week the Monday peaks never fire (each is its bucket's
    /// normal), while the same peak on a Tuesday does; without a season the
    /// Monday peak fires.
    func testAWeeklyPeakIsNormalForItsHourOfTheWeek() {
        let weeks = 5
        var counts = [Int](repeating: 1, count: weeks * 168)
        for w in 0..<weeks { counts[w * 168 + 9] = 50 }
        counts[4 * 168 + 24 + 9] = 50    // the last week's Tuesday 09:00
        let seasonal = spec(history: 4 * Self.week, season: .hourOfWeek, minHistory: 21 * Self.day, minSamples: 3)
        let plain = spec(history: 4 * Self.week, minHistory: 21 * Self.day, minSamples: 3)
        let h = run(rules([("weekly", seasonal), ("flat", plain)]), hourly("web", counts))
        let fired = h.alerts.map { "\($0.ruleID) \(($0.windowStart - Self.monday) / Self.hour)" }
        XCTAssertEqual(fired, ["flat 513", "flat 681", "weekly 705", "flat 705"],
                       "Monday 09:00 of weeks 3 and 4 (hours 513, 681) fire only without the season; Tuesday 09:00 (705) fires with both")
        let tuesday = h.alerts.first { $0.ruleID == "weekly" }?.baseline
        XCTAssertEqual(tuesday?.samples, 4, "its bucket holds the four earlier Tuesdays 09:00")
        XCTAssertEqual(tuesday?.center, 1)
    }

    /// Hour-of-day with 15-minute windows: a window is compared with the
    /// windows of the same hour on earlier days (and earlier in the hour).
    func testHourOfDayBucketsHoldEveryWindowOfTheHour() {
        let b = BaselineHistory(spec: spec(history: 2 * Self.day, season: .hourOfDay, minSamples: 2), timespanMs: 15 * 60_000)
        var key: [UInt8] = [1, 0, 0, 0, 0x61]
        var last: BaselineScore?
        key.withUnsafeBytes { k in
            for i in 0..<(2 * 96) { _ = b.observe(key: k, windowStart: Self.monday + Int64(i) * 15 * 60_000, value: Double(i % 96 / 4)) }
            // Day 3, 05:00: the bucket holds 05:00-05:45 of days 1 and 2, all valued 5.
            last = b.observe(key: k, windowStart: Self.monday + 2 * Self.day + 5 * Self.hour, value: 5)
        }
        XCTAssertEqual(last?.samples, 8)
        XCTAssertEqual(last?.center, 5)
    }

    // MARK: mad against zscore

    /// Two earlier incidents (200) in a history of 9-11: zscore's mean and
    /// stddev absorb them and a new 40 scores 0.19; the median and MAD do not,
    /// and mad scores it 20.
    func testMadIgnoresOutliersZscoreAbsorbs() throws {
        var counts: [Int] = []
        for i in 0..<18 { counts.append([9, 10, 11][i % 3]) }
        counts.insert(200, at: 5); counts.insert(200, at: 14)
        counts.append(40)
        let h = run(rules([("z", spec(.zscore)), ("m", spec(.mad))]), hourly("db", counts))
        let last = h.alerts.filter { $0.windowStart == Self.monday + 20 * Self.hour }
        XCTAssertEqual(last.map(\.ruleID), ["m"], "the incidents themselves fired when they happened; now only mad does")
        XCTAssertEqual(h.alerts.filter { $0.ruleID == "z" }.count, 1, "zscore fired on the first incident only")
        let b = try XCTUnwrap(last.first?.baseline)
        XCTAssertEqual(b.center, 10)
        XCTAssertEqual(b.spread, 1.4826, accuracy: 1e-12)
        XCTAssertEqual(b.score, 30 / 1.4826, accuracy: 1e-9)
    }

    // MARK: Determinism and memory

    func testSameEventsSameAlertsWhateverTheChunking() {
        var counts = [Int](repeating: 2, count: 60)
        counts[30] = 30; counts[50] = 25
        let events = merged([hourly("a", counts), hourly("b", counts.reversed())])
        let set = rules([("z", spec()), ("m", spec(.mad))])
        let one = run(set, events, chunk: 1).sink.ndjson
        XCTAssertFalse(one.isEmpty)
        XCTAssertEqual(one, run(set, events, chunk: 7).sink.ndjson)
        XCTAssertEqual(one, run(set, events, options: EngineOptions(latenessMs: 30_000), chunk: 5).sink.ndjson)
    }

    /// 14d of 1h windows: 32 bytes of record, 1344 of ring (336 windows), 24 of hash-table slot.
    func testMemoryPerGroupAndEvictionUnderMaxState() {
        let b = BaselineHistory(spec: spec(history: 14 * Self.day), timespanMs: Self.hour)
        XCTAssertEqual(b.bytesPerGroup, 1400)
        // 20000 hosts with one window each need ~28 MB at 1400 bytes; 4 MiB keeps under 3000.
        let set = rules([("z", spec(history: 14 * Self.day))])
        let events = (0..<20_000).map { TestEvent(Self.monday + Int64($0), [0], ["host.name": .s("h\($0)")]) }
            + (0..<20_000).map { TestEvent(Self.monday + Self.hour + Int64($0), [0], ["host.name": .s("h\($0)")]) }
        let h = run(set, events, options: EngineOptions(latenessMs: 0, maxStateBytes: 4 << 20))
        let c = h.engine.counters
        XCTAssertGreaterThan(c.baselineEvictedGroups, 0)
        // The bound is checked every 4096 matches or window closings.
        XCTAssertLessThanOrEqual(c.baselineGroups * 1400, (4 << 20) + 4096 * 1400)
        XCTAssertEqual(h.engine.baselineEvictionsByRule.map(\.rule), ["Title of z"])
    }

    // MARK: Saved state

    /// Learning hours 0-9 in one engine, saving, loading into a fresh one and
    /// processing hours 10-19 gives the alerts (ids included) of one engine over all 20.
    func testSavedStateContinuesAsIfNeverStopped() throws {
        var counts = [Int](repeating: 3, count: 20)
        counts[4] = 9; counts[12] = 20; counts[17] = 15
        let nt = NewTermsSpec(fields: ["source.ip"], historyMs: Self.day, warmupMs: 2 * Self.hour, groupFieldCount: 1)
        let set = rules([("z", spec(minHistory: 8 * Self.hour)), ("m", spec(.mad, threshold: 3, minHistory: 8 * Self.hour))],
                        newTerms: nt)
        var events = hourly("a", counts)
        events.append(TestEvent(Self.monday + 15 * Self.hour + 500_000, [0], ["host.name": "a", "source.ip": "203.0.113.7"]))
        events.sort { $0.time < $1.time }
        let whole = run(set, events)
        let cut = Self.monday + 10 * Self.hour
        let first = run(set, events.filter { $0.time < cut })
        let bytes = first.engine.learnedState().encoded()
        let state = try LearnedState(decoding: bytes)
        XCTAssertEqual(state, first.engine.learnedState())
        let second = run(set, events.filter { $0.time >= cut }, state: state)
        XCTAssertGreaterThanOrEqual(second.alerts.filter { $0.ruleID != "new-source" }.count, 2, "hours 12 and 17")
        XCTAssertEqual((first.alerts + second.alerts).map(\.id), whole.alerts.map(\.id))
        XCTAssertTrue(whole.alerts.contains { $0.ruleID == "new-source" }, "the new address after the warm-up")
        XCTAssertTrue(second.alerts.contains { $0.ruleID == "new-source" }, "the warm-up is not restarted")
        XCTAssertEqual(second.engine.learnedState().encoded(), whole.engine.learnedState().encoded())
        // Without the state the second half is a new group: nothing fires.
        XCTAssertEqual(run(set, events.filter { $0.time >= cut }).alerts.filter { $0.ruleID != "new-source" }.count, 0)
    }

    func testCorruptTruncatedAndForeignFilesAreRefused() {
        let set = rules([("z", spec())])
        let h = run(set, hourly("a", [1, 2, 3, 4]))
        let good = h.engine.learnedState().encoded()
        func reason(_ bytes: [UInt8]) -> String? {
            do { _ = try LearnedState(decoding: bytes); return nil } catch { return "\(error)" }
        }
        XCTAssertNil(reason(good))
        XCTAssertEqual(reason(Array("{\"json\": true}".utf8)), "not a secstream baseline file (no SSLEARN header)")
        XCTAssertEqual(reason([]), "not a secstream baseline file (no SSLEARN header)")
        XCTAssertEqual(reason(Array(good.prefix(12))), "truncated (12 bytes)")
        XCTAssertEqual(reason(Array(good.dropLast(3))), "checksum mismatch: the file is truncated or corrupt")
        var flipped = good; flipped[good.count / 2] ^= 0x40
        XCTAssertEqual(reason(flipped), "checksum mismatch: the file is truncated or corrupt")
        var v2 = good; v2[8] = 2
        XCTAssertEqual(reason(v2), "version 2 is not supported (this secstream reads version 1)")
        for n in 0..<good.count { XCTAssertNotNil(reason(Array(good.prefix(n))), "a prefix of \(n) bytes") }
    }

    /// A rule whose correlation changed (its history) does not load what the
    /// old one learned; a tuned threshold does; unknown rules are reported.
    func testAChangedRuleStartsEmpty() {
        let state = run(rules([("z", spec())]), hourly("a", [1, 2, 3, 4])).engine.learnedState()
        let longer = EngineHarness(PrebuiltRules(rules([("z", spec(history: 2 * Self.day))])), options: EngineOptions())
        XCTAssertEqual(longer.engine.load(state), .init(loaded: [], changed: ["z"], unknown: []))
        XCTAssertEqual(longer.engine.counters.baselineGroups, 0)
        let tuned = EngineHarness(PrebuiltRules(rules([("z", spec(threshold: 6))])), options: EngineOptions())
        XCTAssertEqual(tuned.engine.load(state), .init(loaded: ["z"], changed: [], unknown: []))
        XCTAssertEqual(tuned.engine.counters.baselineGroups, 1)
        let other = EngineHarness(PrebuiltRules(rules([("y", spec())])), options: EngineOptions())
        XCTAssertEqual(other.engine.load(state), .init(loaded: [], changed: [], unknown: ["z"]))
    }
}
