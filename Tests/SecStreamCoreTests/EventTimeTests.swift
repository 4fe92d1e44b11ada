import Foundation
import XCTest
@testable import SecStreamCore

final class EventTimeTests: XCTestCase {
    func ms(_ s: String, kind: ValueKind = .string) -> Int64? {
        Array(s.utf8).withUnsafeBytes { EventTime.parse($0, kind: kind) }
    }

    /// Reference values from Foundation's ISO 8601 formatter.
    func reference(_ s: String) -> Int64 {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return Int64((f.date(from: s)!.timeIntervalSince1970 * 1000).rounded())
    }

    func testRFC3339Basics() {
        XCTAssertEqual(ms("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(ms("2026-11-20T13:00:00Z"), reference("2026-11-20T13:00:00Z"))
        XCTAssertEqual(ms("2026-11-20T13:00:00Z"), 1_795_179_600_000)
        XCTAssertEqual(ms("2026-11-20 13:00:00Z"), 1_795_179_600_000)
        XCTAssertEqual(ms("2026-11-20t13:00:00z"), 1_795_179_600_000)
        XCTAssertEqual(ms("2026-11-20T13:00:00"), 1_795_179_600_000, "no offset reads as UTC")
        XCTAssertEqual(ms("1969-12-31T23:59:59.999Z"), -1)
    }

    func testOffsets() {
        XCTAssertEqual(ms("2026-11-20T14:00:00+01:00"), 1_795_179_600_000)
        XCTAssertEqual(ms("2026-11-20T08:00:00-05:00"), 1_795_179_600_000)
        XCTAssertEqual(ms("2026-11-21T00:30:00+11:30"), 1_795_179_600_000)
        XCTAssertEqual(ms("2026-11-20T14:00:00+0100"), 1_795_179_600_000)
        XCTAssertEqual(ms("2026-11-20T14:00:00+01"), 1_795_179_600_000)
        XCTAssertEqual(ms("2026-11-20T13:00:00+00:00"), 1_795_179_600_000)
        XCTAssertEqual(ms("2026-11-20T13:00:00-00:00"), 1_795_179_600_000)
        for s in ["2025-01-01T00:00:00+05:45", "2024-02-29T23:59:59-08:00", "2000-03-01T00:00:00+14:00"] {
            XCTAssertEqual(ms(s), reference(s), s)
        }
    }

    func testFractionalSecondsAreTruncatedToMilliseconds() {
        XCTAssertEqual(ms("2026-11-20T13:00:00.1Z"), 1_795_179_600_100)
        XCTAssertEqual(ms("2026-11-20T13:00:00.12Z"), 1_795_179_600_120)
        XCTAssertEqual(ms("2026-11-20T13:00:00.123Z"), 1_795_179_600_123)
        XCTAssertEqual(ms("2026-11-20T13:00:00.123999999Z"), 1_795_179_600_123)
        XCTAssertEqual(ms("2026-11-20T13:00:00.999999+01:00"), 1_795_176_000_999)
    }

    func testLeapYearsAndMonthLengths() {
        XCTAssertEqual(ms("2024-02-29T00:00:00Z"), reference("2024-02-29T00:00:00Z"))
        XCTAssertEqual(ms("2000-02-29T12:00:00Z"), reference("2000-02-29T12:00:00Z"))
        XCTAssertNil(ms("2023-02-29T00:00:00Z"))
        XCTAssertNil(ms("1900-02-29T00:00:00Z"))
        XCTAssertNil(ms("2026-04-31T00:00:00Z"))
        XCTAssertEqual(ms("2026-12-31T23:59:59Z"), reference("2026-12-31T23:59:59Z"))
        // Every day start over several years matches the reference.
        var day = reference("1999-12-25T00:00:00Z")
        for _ in 0..<(366 * 6) {
            let text = EventTime.format(day)
            XCTAssertEqual(ms(text), day, text)
            day += 86_400_000
        }
    }

    func testCachedDatePrefixDoesNotLeakAcrossDates() {
        var parser = EventTimeParser()
        func p(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBytes { parser.parse($0, kind: .string) } }
        XCTAssertEqual(p("2026-11-20T13:00:00Z"), 1_795_179_600_000)
        XCTAssertEqual(p("2026-11-20T13:00:01Z"), 1_795_179_601_000)
        XCTAssertEqual(p("2026-11-21T13:00:00Z"), 1_795_179_600_000 + 86_400_000)
        XCTAssertNil(p("2026-11-21T25:00:00Z"))
        XCTAssertEqual(p("2026-11-20T13:00:00Z"), 1_795_179_600_000)
    }

    /// The parser's minute cache (a time whose first 16 bytes are the last
    /// canonical time's reads only `:SS.fffZ`) against a parser without
    /// state, over runs of times in one minute with single bytes changed
    /// (seconds, fraction, zone, length), in order and shuffled.
    func testCachedMinuteIsTheUncachedParse() {
        var rng = SystemRandomNumberGenerator()
        let replacements: [UInt8] = Array("0123456789:.-+TZtz /".utf8) + [0x00, 0x2f, 0x3b, 0x40, 0x80, 0xff]
        var texts: [[UInt8]] = []
        for _ in 0..<400 {
            let minute = String(format: "%04d-%02d-%02dT%02d:%02d", Int.random(in: 1969...2030, using: &rng), Int.random(in: 1...12, using: &rng),
                                Int.random(in: 1...28, using: &rng), Int.random(in: 0...23, using: &rng), Int.random(in: 0...59, using: &rng))
            for _ in 0..<12 {
                var bytes = Array((minute + String(format: ":%02d.%03dZ", Int.random(in: 0...61, using: &rng),
                                                   Int.random(in: 0...999, using: &rng))).utf8)
                switch Int.random(in: 0..<6, using: &rng) {
                case 0: bytes[Int.random(in: 16..<24, using: &rng)] = replacements.randomElement(using: &rng)!
                case 1: bytes.removeLast()
                case 2: bytes.insert(UInt8(ascii: "7"), at: 23)
                case 3: bytes.replaceSubrange(19..<24, with: Array("+0100".utf8))
                default: break
                }
                texts.append(bytes)
            }
        }
        var cached = EventTimeParser()
        var fast = 0
        for order in [texts, texts.shuffled(using: &rng)] {
            for bytes in order {
                let want = bytes.withUnsafeBytes { EventTime.parse($0, kind: .string) }
                let got = bytes.withUnsafeBytes { cached.parse($0, kind: .string) }
                XCTAssertEqual(got, want, String(decoding: bytes, as: UTF8.self))
                if want != nil && bytes.count == 24 && bytes[23] == UInt8(ascii: "Z") { fast += 1 }
            }
        }
        XCTAssertGreaterThan(fast, 2_500)
    }

    func testEpochMilliseconds() {
        XCTAssertEqual(ms("1795179600000", kind: .number), 1_795_179_600_000)
        XCTAssertEqual(ms("1795179600000.9", kind: .number), 1_795_179_600_000)
        XCTAssertEqual(ms("1.7951796001e12", kind: .number), 1_795_179_600_100)
        XCTAssertEqual(ms("-1.5", kind: .number), -2)
        XCTAssertEqual(ms("1795179600000", kind: .string), 1_795_179_600_000)
        XCTAssertEqual(ms(#"2026-11-20T13:00:00\u002e5Z"#, kind: .escapedString), 1_795_179_600_500)
    }

    func testGarbageIsNil() {
        for s in ["", "garbage", "2026-11-20", "2026-11-20T13:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
                  "2026-11-00T00:00:00Z", "2026-11-20T24:00:00Z", "2026-11-20T13:60:00Z", "2026-11-20T13:00:61Z",
                  "2026-11-20T13:00:00.Z", "2026-11-20T13:00:00ZZ", "2026-11-20T13:00:00+1:00", "2026-11-20T13:00:00+24:00",
                  "2026-11-20T13:00:00+01:60", "2026-11-20X13:00:00Z", "2026/11/20T13:00:00Z", "２026-11-20T13:00:00Z",
                  "2026-11-20T13:00:00 Z", "12abc"] {
            XCTAssertNil(ms(s), s)
        }
        XCTAssertNil(ms("true", kind: .trueValue))
        XCTAssertNil(ms("null", kind: .null))
        XCTAssertNil(ms("1e400", kind: .number))
    }

    func testFormatAndAppend() {
        XCTAssertEqual(EventTime.format(1_795_179_600_000), "2026-11-20T13:00:00.000Z")
        XCTAssertEqual(EventTime.format(1_795_179_600_007), "2026-11-20T13:00:00.007Z")
        XCTAssertEqual(EventTime.format(0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(EventTime.format(-1), "1969-12-31T23:59:59.999Z")
        var out = Array("t=".utf8)
        EventTime.append(951_782_400_123, to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "t=2000-02-29T00:00:00.123Z")
        for t: Int64 in [1, 999, 86_399_999, 1_700_000_000_001, 4_102_444_799_999, -86_400_001] {
            XCTAssertEqual(ms(EventTime.format(t)), t)
        }
    }

    func testDurations() {
        XCTAssertEqual(Durations.parseMs("500ms"), 500)
        XCTAssertEqual(Durations.parseMs("30s"), 30_000)
        XCTAssertEqual(Durations.parseMs("5m"), 300_000)
        XCTAssertEqual(Durations.parseMs("1h"), 3_600_000)
        XCTAssertEqual(Durations.parseMs("2d"), 172_800_000)
        XCTAssertEqual(Durations.parseMs("1w"), 604_800_000)
        XCTAssertEqual(Durations.parseMs(" 10s "), 10_000)
        XCTAssertEqual(Durations.parseMs("0"), 0, "zero needs no unit")
        XCTAssertEqual(Durations.parseMs("0ms"), 0)
        for bad in ["", "5", "00", "m", "5x", "-5m", "1.5h", "5 m", "99999999999999999w", "5M"] {
            XCTAssertNil(Durations.parseMs(bad), bad)
        }
        XCTAssertEqual(Durations.format(300_000), "5m")
        XCTAssertEqual(Durations.format(1500), "1500ms")
        XCTAssertEqual(Durations.format(172_800_000), "2d")
    }

    func testCLITimes() {
        XCTAssertEqual(EventTime.parseCLITime("2026-11-20"), 1_795_132_800_000)
        XCTAssertEqual(EventTime.parseCLITime("2026-11-20T13:00:00Z"), 1_795_179_600_000)
        XCTAssertEqual(EventTime.parseCLITime("1795179600000"), 1_795_179_600_000)
        XCTAssertNil(EventTime.parseCLITime("2026-02-30"))
        XCTAssertNil(EventTime.parseCLITime("yesterday"))
    }
}

/// The word-at-a-time reader of `THH:MM:SS.fffZ` gives the general parser's
/// result on every text of that length: valid times, each byte replaced by
/// every other byte class in turn (digits out of range, separators moved,
/// letters, non-ASCII), and random bytes.
final class CanonicalTimeOfDayTests: XCTestCase {
    func testCanonicalFormIsTheGeneralParser() {
        var rng = SystemRandomNumberGenerator()
        let replacements: [UInt8] = Array("0123456789:.-+TZtz /\u{7f}".utf8) + [0x00, 0x2f, 0x3a, 0x3b, 0x40, 0x80, 0xff, 0xb0, 0xf9]
        var checked = 0, valid = 0
        func check(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { b in
                let p = b.baseAddress!
                let general = EventTime.generalTimeOfDay(p, 24)
                let fast = EventTime.canonicalTimeOfDay(p)
                // The fast path may decline (nil) only what it does not read; what it reads, it reads right.
                if let fast { XCTAssertEqual(fast, general, String(decoding: bytes, as: UTF8.self)) }
                if general != nil && bytes[10] == 0x54 && bytes[19] == 0x2e && bytes[23] == 0x5a {
                    XCTAssertEqual(fast, general, String(decoding: bytes, as: UTF8.self))
                }
                XCTAssertEqual(EventTime.parseTimeOfDay(p, 24), general)
                checked += 1
                if general != nil { valid += 1 }
            }
        }
        for _ in 0..<3_000 {
            let text = String(format: "2026-11-20T%02d:%02d:%02d.%03dZ", Int.random(in: 0...25, using: &rng),
                              Int.random(in: 0...61, using: &rng), Int.random(in: 0...61, using: &rng),
                              Int.random(in: 0...999, using: &rng))
            let bytes = Array(text.utf8)
            check(bytes)
            for k in 10..<24 {
                var changed = bytes
                changed[k] = replacements.randomElement(using: &rng)!
                check(changed)
            }
            check(bytes.prefix(10) + (0..<14).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        XCTAssertGreaterThan(valid, 8_000)
        XCTAssertGreaterThan(checked - valid, 10_000)
    }
}
