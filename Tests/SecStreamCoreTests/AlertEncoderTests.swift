import Foundation
import XCTest
@testable import SecStreamCore

/// The alert NDJSON shape, its escaping, times and deterministic ids.
final class AlertEncoderTests: XCTestCase {
    func testExactLineWithFixedKeyOrderEscapingAndSamples() {
        let alert = Alert(id: AlertID(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210), ruleID: "r-1",
                          title: "Brute \"force\"\\ on\tssh\u{1}", level: "high", tags: ["attack.t1110", "é"],
                          group: [Alert.GroupValue(field: "source.ip", value: "10.0.0.1"),
                                  Alert.GroupValue(field: "user.name", value: "a\nb")],
                          windowStart: base, windowEnd: base + 59_999, value: 5, firstSeen: base,
                          lastSeen: base + 1, detectedAt: base + 59_999,
                          samples: [.file(name: "auth.ndjson", line: 17),
                                    .partition(topic: "auth", partition: 3, offset: 42)])
        let line = String(decoding: AlertEncoder.line(alert), as: UTF8.self)
        XCTAssertEqual(line, """
        {"alert_id":"0123456789abcdeffedcba9876543210","rule":{"id":"r-1","title":"Brute \\"force\\"\\\\ on\\tssh\\u0001",\
        "level":"high","tags":["attack.t1110","é"]},"group":{"source.ip":"10.0.0.1","user.name":"a\\nb"},\
        "window":{"start":"2026-11-20T13:00:00.000Z","end":"2026-11-20T13:00:59.999Z"},"value":5,\
        "first_seen":"2026-11-20T13:00:00.000Z","last_seen":"2026-11-20T13:00:00.001Z",\
        "detected_at":"2026-11-20T13:00:59.999Z","samples":[{"source":"auth.ndjson","line":17},\
        {"topic":"auth","partition":3,"offset":42}]}

        """)
        // And it is JSON that Foundation can read back.
        let object = try? JSONSerialization.jsonObject(with: Data(AlertEncoder.line(alert))) as? [String: Any]
        XCTAssertEqual((object?["rule"] as? [String: Any])?["title"] as? String, "Brute \"force\"\\ on\tssh\u{1}")
    }

    func testNumbersIntegralAsIntegersOthersShortest() {
        var out: [UInt8] = []
        for v in [5.0, 0.5, 1001.25, -3.0, Double.nan] {
            JSONWriter.number(v, into: &out)
            out.append(UInt8(ascii: " "))
        }
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "5 0.5 1001.25 -3 null ")
    }

    func testRFC3339UTCWithMilliseconds() {
        XCTAssertEqual(EventTime.format(0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(EventTime.format(base + 7), "2026-11-20T13:00:00.007Z")
        XCTAssertEqual(EventTime.format(951_782_400_000), "2000-02-29T00:00:00.000Z")
        XCTAssertEqual(EventTime.format(-1), "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(EventTime.format(253_402_300_799_999), "9999-12-31T23:59:59.999Z")
    }

    func testAlertIDDependsOnRuleGroupAndWindowStartOnly() {
        func id(_ rule: String, _ key: [UInt8], _ start: Int64) -> AlertID {
            key.withUnsafeBytes { AlertID.make(ruleID: rule, groupKey: $0, windowStart: start, eventHash: nil) }
        }
        let k = [UInt8]([1, 0, 0, 0, 0x61])
        XCTAssertEqual(id("r", k, 5), id("r", k, 5))
        XCTAssertNotEqual(id("r", k, 5), id("r", k, 6))
        XCTAssertNotEqual(id("r", k, 5), id("s", k, 5))
        XCTAssertNotEqual(id("r", k, 5), id("r", [1, 0, 0, 0, 0x62], 5))
        // Pinned: alert ids must not change between builds or runs.
        XCTAssertEqual(id("brute-force", k, base).description, "\(pinnedBruteForceID)")
    }

    func testSameEventsGiveByteIdenticalAlertsAcrossRuns() {
        func run() -> String {
            let b = RuleBuilder()
            let d = b.detection("failed-login")
            b.correlation("brute-force", .eventCount, [.detection(d)], groupBy: ["source.ip", "user.name"],
                          spanMs: 60_000, condition: Threshold(gte: 2))
            let h = EngineHarness(b)
            h.feed((0..<20).map { TestEvent(at(Double($0)), [0], ["source.ip": .s("10.0.0.\($0 % 3)"), "user.name": "root"]) })
            h.finish()
            return h.sink.ndjson
        }
        let first = run()
        XCTAssertEqual(first.split(separator: "\n").count, 9)
        XCTAssertEqual(first, run())
    }

    func testExtractorUnescapesGroupValuesSoEscapedAndPlainAreOneGroup() {
        let b = RuleBuilder()
        let d = b.detection("failed-login")
        b.correlation("brute-force", .eventCount, [.detection(d)], groupBy: ["user.name"], spanMs: 60_000,
                      condition: Threshold(gte: 3))
        let h = EngineHarness(b)
        h.feed([TestEvent(at(0), [d], ["user.name": "jos\\u00e9"]),
                TestEvent(at(1), [d], ["user.name": "josé"]),
                TestEvent(at(2), [d], ["user.name": "jos\\u00E9"])])
        h.finish()
        XCTAssertEqual(h.alerts.map { $0.group[0].value }, ["josé"])
    }

    func testJSONUnescapeHandlesEveryEscapeAndSurrogatePairs() {
        let input = Array(#"a\"b\\c\/d\n\t\r\b\f\u0041\ud83d\ude00\u00e9\x"#.utf8)
        var out: [UInt8] = []
        input.withUnsafeBytes { JSONValueBytes.appendUnescaped($0, to: &out) }
        // An invalid escape (the scanner never lets one through) is kept as written.
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "a\"b\\c/d\n\t\r\u{8}\u{c}A😀é\\x")
    }
}

/// `StableHash128` of ("brute-force", key "a", 2026-11-20T13:00:00Z), computed once and pinned.
private let pinnedBruteForceID = "bb3a11a50d5bdf6fa867874b6b63c4e6"
