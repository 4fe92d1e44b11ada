import Foundation
import XCTest
@testable import SecStreamCore

/// Datasets, layouts, late events, malformed lines and pacing.
final class GeneratorStreamTests: XCTestCase {
    func testDatasetsCarryTheSpecFieldsInBothLayouts() throws {
        let (bytes, _) = try generateBytes(smallConfig())
        let required: [String: [String]] = [
            "auth": ["event.category", "event.outcome", "user.name", "source.ip", "host.name"],
            "network": ["source.ip", "source.port", "destination.ip", "destination.port", "network.transport",
                        "source.bytes", "destination.bytes"],
            "web": ["http.request.method", "url.path", "http.response.status_code", "user_agent.original", "source.ip"],
            "dns": ["dns.question.name", "source.ip"],
        ]
        var seen: [String: Int] = [:]
        var flat = 0, nested = 0, failures = 0, internalSources = 0, externalSources = 0
        for line in splitLines(bytes) {
            let e = try XCTUnwrap(ParsedEvent(line))
            let dataset = try XCTUnwrap(e.string("event.dataset"))
            seen[dataset, default: 0] += 1
            for field in try XCTUnwrap(required[dataset], dataset) {
                XCTAssertNotNil(e[field], "\(dataset) lacks \(field): \(String(decoding: line, as: UTF8.self))")
            }
            if dataset == "auth" {
                XCTAssertEqual(e.string("event.category"), "authentication")
                XCTAssertTrue(["success", "failure"].contains(e.string("event.outcome")))
                if e.string("event.outcome") == "failure" { failures += 1 }
            }
            if e.isFlat { flat += 1 } else { nested += 1 }
            if e.string("source.ip")!.hasPrefix("10.") { internalSources += 1 } else { externalSources += 1 }
        }
        XCTAssertEqual(Set(seen.keys), ["auth", "network", "web", "dns"])
        XCTAssertTrue(seen.values.allSatisfy { $0 > 1000 }, "\(seen)")
        XCTAssertGreaterThan(flat, 1500)
        XCTAssertGreaterThan(nested, 5000)
        XCTAssertGreaterThan(failures, 100, "background has occasional failed logins")
        XCTAssertGreaterThan(internalSources, 2000)
        XCTAssertGreaterThan(externalSources, 2000)
    }

    func testLateEventsAreDisplacedButNeverBeyondMaxLateness() throws {
        var c = smallConfig()
        c.events = 10_000
        c.lateFraction = 0.1
        c.maxLatenessMs = 5000
        let (bytes, report) = try generateBytes(c)
        var maxSeen = Int64.min, displaced = 0, lines = 0
        for line in splitLines(bytes) {
            let t = try XCTUnwrap(ParsedEvent(line)?.timeMs)
            if t < maxSeen {
                displaced += 1
                XCTAssertLessThanOrEqual(maxSeen - t, c.maxLatenessMs)
            }
            maxSeen = max(maxSeen, t)
            lines += 1
        }
        XCTAssertEqual(lines, 10_000)
        XCTAssertEqual(Double(report.lateEvents) / 10_000, 0.1, accuracy: 0.015)
        // At this density nearly every held event is overtaken by a newer one.
        XCTAssertGreaterThan(displaced, report.lateEvents * 9 / 10)
        XCTAssertLessThanOrEqual(displaced, report.lateEvents)

        // Lateness only reorders: the same lines as the in-order run.
        c.lateFraction = 0
        let (inOrder, _) = try generateBytes(c)
        XCTAssertNotEqual(bytes, inOrder)
        XCTAssertEqual(splitLines(bytes).map { String(decoding: $0, as: UTF8.self) }.sorted(),
                       splitLines(inOrder).map { String(decoding: $0, as: UTF8.self) }.sorted())
    }

    /// Classifies a line the way docs/alerts.md defines malformed input.
    private func malformedKind(_ line: ArraySlice<UInt8>) -> MalformedKind? {
        if line.count > 1 << 20 { return .oversized }
        if String(validating: line, as: UTF8.self) == nil || line.contains(0) {
            return line.first == 0 ? .binaryGarbage : .invalidUTF8
        }
        guard let any = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]) else { return .truncated }
        guard let object = any as? [String: Any] else { return .notAnObject }
        guard let time = object["@timestamp"] as? String else { return .missingTimestamp }
        return RFC3339.parseUTC(time) == nil ? .badTimestamp : nil
    }

    func testMalformedLinesOfEveryKindAtTheRequestedFraction() throws {
        var c = smallConfig()
        c.events = 10_000
        c.malformedFraction = 0.05
        let (bytes, report) = try generateBytes(c)
        var kinds: [MalformedKind: Int] = [:]
        var clean: [UInt8] = []
        let lines = splitLines(bytes)
        for line in lines {
            if let kind = malformedKind(line) {
                kinds[kind, default: 0] += 1
            } else {
                clean += line
                clean.append(UInt8(ascii: "\n"))
            }
        }
        XCTAssertEqual(Set(kinds.keys), Set(MalformedKind.allCases), "\(kinds)")
        XCTAssertEqual(kinds[.oversized], 1)
        let malformed = kinds.values.reduce(0, +)
        XCTAssertEqual(malformed, report.malformedLines)
        XCTAssertEqual(Double(malformed) / Double(lines.count), 0.05, accuracy: 0.01)

        // Malformed lines are added between events, never instead of them.
        c.malformedFraction = 0
        let (withoutMalformed, _) = try generateBytes(c)
        XCTAssertEqual(clean, withoutMalformed)
    }

    private final class FakeClock: PacingClock {
        var now: UInt64 = 1_000
        var slept: UInt64 = 0
        var sleeps = 0
        func nowNanos() -> UInt64 { now }
        func sleep(nanos: UInt64) {
            now += nanos
            slept += nanos
            sleeps += 1
        }
    }

    func testRatePacesWithTheInjectedClock() throws {
        var c = GeneratorConfig()
        c.events = 3000
        c.rate = 1000
        c.scenarios = []
        let clock = FakeClock()
        var chunks = 0
        var received = 0
        let report = try Generator(config: c).run(clock: clock) { chunk in
            chunks += 1
            received += chunk.count
            XCTAssertEqual(chunk.last, UInt8(ascii: "\n"), "chunks hold whole lines")
        }
        XCTAssertEqual(report.events, 3000)
        // 3000 lines at 1000/s take 3 s, in waits of 10 ms worth of lines.
        XCTAssertEqual(Double(clock.slept) / 1e9, 3.0, accuracy: 0.02)
        XCTAssertEqual(clock.sleeps, 300)
        XCTAssertGreaterThanOrEqual(chunks, 300, "each wait first hands over what was written")
        XCTAssertGreaterThan(received, 0)
    }

    func testUnpacedRunNeverSleeps() throws {
        var c = smallConfig()
        c.events = 5000
        let clock = FakeClock()
        try Generator(config: c).run(clock: clock) { _ in }
        XCTAssertEqual(clock.sleeps, 0)
    }
}
