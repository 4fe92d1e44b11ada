import XCTest
@testable import SecStreamCore

final class GeneratorDeterminismTests: XCTestCase {
    func testSameSeedGivesSameBytes() throws {
        var c = smallConfig(seed: 42)
        c.lateFraction = 0.05
        c.malformedFraction = 0.02
        let (a, ra) = try generateBytes(c)
        let (b, rb) = try generateBytes(c)
        XCTAssertGreaterThan(a.count, 1_000_000)
        XCTAssertEqual(a, b)
        XCTAssertEqual(ra.truthNDJSON, rb.truthNDJSON)
    }

    func testDifferentSeedGivesDifferentBytesAndTruth() throws {
        let (a, ra) = try generateBytes(smallConfig(seed: 1))
        let (b, rb) = try generateBytes(smallConfig(seed: 2))
        XCTAssertNotEqual(a, b)
        XCTAssertNotEqual(ra.truthNDJSON, rb.truthNDJSON)
    }

    func testStartTimeDefaultsToFixedInstant() throws {
        var c = smallConfig()
        c.events = 10
        c.scenarios = []
        let (bytes, _) = try generateBytes(c)
        let first = try XCTUnwrap(ParsedEvent(splitLines(bytes)[0]))
        XCTAssertEqual(first.string("@timestamp"), "2026-11-20T00:00:00.000Z")
    }

    func testEventCountAndSpanAreHonoured() throws {
        let c = smallConfig()
        let (bytes, report) = try generateBytes(c)
        let lines = splitLines(bytes)
        XCTAssertEqual(lines.count, c.events)
        XCTAssertEqual(report.events, c.events)
        let span = c.resolvedSpanMs()
        for line in lines {
            let e = try XCTUnwrap(ParsedEvent(line), String(decoding: line, as: UTF8.self))
            let t = try XCTUnwrap(e.timeMs)
            XCTAssertTrue(t >= c.startMs && t < c.startMs + span)
        }
    }

    func testDurationWithRateSetsCountAndSpan() {
        var c = GeneratorConfig()
        c.durationMs = 3_600_000
        c.rate = 50
        XCTAssertEqual(c.resolvedEvents(), 180_000)
        XCTAssertEqual(c.resolvedSpanMs(), 3_600_000)
    }

    func testInvalidConfigurationIsRejectedWithTheFlagName() {
        var c = smallConfig()
        c.spanMs = 60_000
        XCTAssertThrowsError(try Generator(config: c)) { error in
            XCTAssertTrue("\(error)".contains("--span"), "\(error)")
        }
        c.spanMs = nil
        c.lateFraction = 2
        XCTAssertThrowsError(try Generator(config: c)) { error in
            XCTAssertTrue("\(error)".contains("--late-fraction"), "\(error)")
        }
    }

    func testScenarioListParsing() throws {
        XCTAssertEqual(try Scenario.parseList("brute-force, port-scan"), [.bruteForce, .portScan])
        XCTAssertEqual(try Scenario.parseList("all"), Scenario.allCases)
        XCTAssertEqual(try Scenario.parseList("none"), [])
        XCTAssertThrowsError(try Scenario.parseList("brute-force,nope"))
    }

    func testRFC3339RoundTrip() {
        XCTAssertEqual(RFC3339.string(GeneratorConfig.defaultStartMs), "2026-11-20T00:00:00.000Z")
        XCTAssertEqual(RFC3339.string(951_782_400_123), "2000-02-29T00:00:00.123Z")
        for ms: Int64 in [0, 86_399_999, 1_795_132_800_000, 4_102_444_800_000, 1_709_164_800_500] {
            XCTAssertEqual(RFC3339.parseUTC(RFC3339.string(ms)), ms)
        }
        XCTAssertNil(RFC3339.parseUTC("2026-13-01T00:00:00Z"))
    }
}
