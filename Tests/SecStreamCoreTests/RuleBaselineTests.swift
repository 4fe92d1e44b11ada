import XCTest
@testable import SecStreamCore

/// `secstream: {baseline: ...}` as the rule loader reads it: the resolved
/// spec, its defaults, and every mistake named by file and line.
final class RuleBaselineTests: XCTestCase {
    private let login = """
    title: Failed login
    id: 55555555-0000-0000-0000-000000000001
    name: failed_login
    detection:
      sel:
        event.outcome: failure
      condition: sel
    ---

    """

    /// A baseline correlation (line 9 is `title:`, 15 `condition:` or `secstream:`, 17 `baseline:`).
    private func correlation(type: String = "event_count", timespan: String = "1h", condition: String? = nil,
                             groupBy: String = "[host.name]", window: String = "tumbling", baseline: String) -> String {
        login + """
        title: Failures far above the host's baseline
        correlation:
          type: \(type)
          rules: [failed_login]
          group-by: \(groupBy)
          timespan: \(timespan)
        \(condition.map { "  condition: \($0)\n" } ?? "")secstream:
          window: \(window)
          baseline: \(baseline)

        """
    }

    private func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        RuleTestSupport.loadError([("bl.yml", text)], file: file, line: line).map { "\($0)" }
    }

    func testDefaultsAndOptions() throws {
        let set = try RuleTestSupport.load([("bl.yml", correlation(baseline: "{history: 14d}"))])
        let c = try XCTUnwrap(set.correlations.first)
        XCTAssertEqual(c.baseline, BaselineSpec(method: .zscore, threshold: 4, historyMs: 14 * 86_400_000, season: .none,
                                                minHistoryMs: 7 * 86_400_000, minSamples: 7, minSpread: 1))
        XCTAssertEqual(c.condition, Threshold(), "the score replaces the condition")
        let full = "{method: mad, threshold: 3.5, history: 28d, season: hour-of-week, min_history: 14d, min_samples: 3, min_spread: 0.5, min_spread_ratio: 0.25}"
        let s2 = try RuleTestSupport.load([("bl.yml", correlation(baseline: full))]).correlations[0].baseline
        XCTAssertEqual(s2, BaselineSpec(method: .mad, threshold: 3.5, historyMs: 28 * 86_400_000, season: .hourOfWeek,
                                        minHistoryMs: 14 * 86_400_000, minSamples: 3, minSpread: 0.5, minSpreadRatio: 0.25))
        // hour-of-week over 14d of 1h windows: 2 per bucket, so min_samples defaults to 2.
        let s3 = try RuleTestSupport.load([("bl.yml", correlation(baseline: "{history: 14d, season: hour-of-week}"))])
        XCTAssertEqual(s3.correlations[0].baseline?.minSamples, 2)
        let sum = try RuleTestSupport.load([("bl.yml", correlation(type: "value_sum", condition: "{field: bytes}",
                                                                   baseline: "{history: 7d}"))])
        XCTAssertEqual(sum.correlations[0].valueFieldName, "bytes")
    }

    func testMistakesNameTheRuleFileAndLine() {
        func bl(_ body: String) -> String { correlation(baseline: body) }
        XCTAssertEqual(error(bl("{history: 14d, horizon: 2d}")),
                       "bl.yml:17: unknown baseline option 'horizon' (expected method, threshold, history, season, min_history, min_samples, min_spread or min_spread_ratio)")
        XCTAssertEqual(error(bl("{history: 14d, method: median}")), "bl.yml:17: unknown baseline method 'median' (expected zscore or mad)")
        XCTAssertEqual(error(bl("{history: 14d, season: day}")),
                       "bl.yml:17: unknown baseline season 'day' (expected none, hour-of-day or hour-of-week)")
        XCTAssertEqual(error(bl("{method: mad}")), "bl.yml:17: baseline needs 'history'")
        XCTAssertEqual(error(bl("{history: 2 weeks}")),
                       "bl.yml:17: bad duration '2 weeks' in baseline 'history' (expected a number and s, m, h or d, e.g. 14d)")
        XCTAssertEqual(error(bl("{history: 14d, threshold: 0}")), "bl.yml:17: baseline 'threshold' needs a number above 0")
        XCTAssertEqual(error(bl("{history: 14d, min_spread: -1}")), "bl.yml:17: baseline 'min_spread' needs a number above 0")
        XCTAssertEqual(error(bl("{history: 14d, min_spread_ratio: -0.5}")),
                       "bl.yml:17: baseline 'min_spread_ratio' needs a number of at least 0 (a fraction of the center, e.g. 0.5)")
        XCTAssertEqual(error(bl("{history: 90m}")), "bl.yml:17: baseline 'history' must be a whole number of timespans (3600000 ms)")
        XCTAssertEqual(error(bl("{history: 10d, season: hour-of-week}")),
                       "bl.yml:17: baseline 'history' must be a whole number of weeks with season hour-of-week")
        XCTAssertEqual(error(bl("{history: 7d, min_history: 8d}")), "bl.yml:17: baseline 'min_history' is longer than its 'history'")
        XCTAssertEqual(error(bl("{history: 14d, season: hour-of-week, min_samples: 3}")),
                       "bl.yml:17: 'min_samples' needs a whole number from 2 to 2 (the windows of one season bucket within 'history')")
        XCTAssertEqual(error(bl("{history: 7d, season: hour-of-week}")),
                       "bl.yml:17: baseline 'history' holds 1 window(s) per season bucket; a spread needs at least 2")
        XCTAssertEqual(error(correlation(timespan: "1m", baseline: "{history: 60d}")),
                       "bl.yml:17: baseline 'history' holds 86400 windows; at most 65536 (4 bytes each per group): use a longer timespan or a shorter history")
        XCTAssertEqual(error(correlation(timespan: "2h", baseline: "{history: 14d, season: hour-of-day}")),
                       "bl.yml:17: a seasonal baseline needs a timespan that divides 1h (each window in one hour bucket)")
        XCTAssertEqual(error(bl("[14d]")), "bl.yml:17: 'baseline' must be a map")
    }

    func testPlacement() {
        let spec = "{history: 14d}"
        XCTAssertEqual(error(correlation(type: "value_avg", condition: "{field: bytes}", baseline: spec)),
                       "bl.yml:18: baseline applies only to event_count, value_count and value_sum correlations (not value_avg)")
        XCTAssertEqual(error(correlation(window: "sliding", baseline: spec)),
                       "bl.yml:17: baseline scores closed windows: it needs 'window: tumbling' (not sliding)")
        XCTAssertEqual(error(correlation(groupBy: "[]", baseline: spec)),
                       "bl.yml:17: baseline needs 'group-by': each group is scored against its own history")
        XCTAssertEqual(error(correlation(condition: "{gte: 10}", baseline: spec)),
                       "bl.yml:15: a baseline correlation fires on its score: its condition takes no gt, gte, lt, lte, eq or neq")
        XCTAssertEqual(error(correlation(baseline: spec + "\n  new_terms: {fields: [source.ip], history: 30d}")),
                       "bl.yml:18: a correlation has either new_terms or baseline, not both")
        XCTAssertEqual(error(String(login.dropLast(5)) + "\nsecstream:\n  baseline: {history: 14d}\n"),
                       "bl.yml:9: baseline applies only to event_count, value_count and value_sum correlations (not a detection rule)")
    }
}
