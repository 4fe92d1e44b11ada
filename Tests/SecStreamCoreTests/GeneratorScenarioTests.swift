import XCTest
@testable import SecStreamCore

final class GeneratorScenarioTests: XCTestCase {
    typealias C = ScenarioConstants

    /// The design check: under the window semantics of docs/windows.md, each truth record
    /// raises exactly one alert of its rule for its group inside its window,
    /// and nothing else alerts — no decoy, no background host.
    private func assertExactlyTheTruthAlerts(_ config: GeneratorConfig, file: StaticString = #filePath, line: UInt = #line) throws {
        let (bytes, report) = try generateBytes(config)
        let alerts = ReferenceDetector.alerts(for: bytes)
        var unmatched = alerts
        for r in report.truth {
            let hits = unmatched.enumerated().filter { $0.element.ruleID == r.ruleID && $0.element.sourceIP == r.groupValue }
            XCTAssertEqual(hits.count, 1, "\(r.ndjsonLine)", file: file, line: line)
            if let hit = hits.first {
                XCTAssertTrue((r.windowStartMs...r.windowEndMs).contains(hit.element.timeMs), "\(r.ndjsonLine)", file: file, line: line)
                unmatched.remove(at: hit.offset)
            }
        }
        XCTAssertEqual(unmatched, [], "alerts not in the truth (seed \(config.seed))", file: file, line: line)
    }

    func testTruthAlertsAndNothingElseForSeveralSeeds() throws {
        for seed: UInt64 in [1, 2] {
            var c = smallConfig(seed: seed)
            c.lateFraction = 0.05
            c.malformedFraction = 0.01
            try assertExactlyTheTruthAlerts(c)
        }
    }

    /// At half the baseline density (the pools grow above 200 events/s, so
    /// hosts are never busier than at 200) background still raises nothing.
    func testDenseRunStillOnlyAlertsOnTruth() throws {
        var c = GeneratorConfig()
        c.events = 90_000
        c.spanMs = 15 * 60_000
        c.seed = 99
        try assertExactlyTheTruthAlerts(c)
    }

    /// A two-hour run holds four rounds of every attack and decoy, each round
    /// in its own half hour, each attack from its own address.
    func testLongRunsRepeatTheAttacksInRounds() throws {
        var c = smallConfig(seed: 5)
        c.spanMs = 2 * 3_600_000
        let (_, report) = try generateBytes(c)
        XCTAssertEqual(report.truth.count, 4 * (Scenario.allCases.count + 1))
        XCTAssertEqual(report.decoys.count, 4 * 11)
        let bfsGroups = report.truth.filter { $0.ruleID == C.RuleID.bruteForceSuccess }.map(\.groupValue)
        XCTAssertEqual(Set(report.truth.map(\.groupValue)).count, report.truth.count - bfsGroups.count)
        for scenario in Scenario.allCases {
            let slices = Set(report.truth.filter { $0.scenario == scenario && $0.ruleID == scenario.ruleID }
                .map { ($0.windowStartMs - c.startMs) / AttackPlanner.roundSpanMs })
            XCTAssertEqual(slices, [0, 1, 2, 3], scenario.rawValue)
        }
        try assertExactlyTheTruthAlerts(c)
    }

    func testEveryScenarioAppearsInTruthWithSaneWindows() throws {
        let c = smallConfig()
        let (bytes, report) = try generateBytes(c)
        XCTAssertEqual(Set(report.truth.map(\.scenario)), Set(Scenario.allCases))
        // brute-force-success also expects its brute-force alert.
        XCTAssertEqual(report.truth.count, Scenario.allCases.count + 1)

        var eventsBySource: [String: [Int64]] = [:]
        for line in splitLines(bytes) {
            let e = try XCTUnwrap(ParsedEvent(line))
            eventsBySource[e.string("source.ip")!, default: []].append(e.timeMs!)
        }
        let spans: [String: Int64] = [
            C.RuleID.bruteForce: C.bruteForceSpanMs, C.RuleID.passwordSpray: C.spraySpanMs, C.RuleID.portScan: C.portScanSpanMs,
            C.RuleID.hostSweep: C.hostSweepSpanMs, C.RuleID.exfiltration: C.exfiltrationSpanMs, C.RuleID.webScan: C.webScanSpanMs,
            C.RuleID.dnsTunnel: C.dnsTunnelSpanMs, C.RuleID.bruteForceSuccess: C.bruteForceSuccessSpanMs,
        ]
        for r in report.truth {
            XCTAssertEqual(r.ruleID == C.RuleID.bruteForce ? [.bruteForce, .bruteForceSuccess].contains(r.scenario) : r.ruleID == r.scenario.ruleID, true)
            XCTAssertEqual(r.groupField, "source.ip")
            XCTAssertLessThanOrEqual(r.windowStartMs, r.windowEndMs)
            XCTAssertGreaterThanOrEqual(r.windowStartMs, c.startMs)
            XCTAssertLessThan(r.windowEndMs, c.startMs + c.resolvedSpanMs())
            XCTAssertLessThan(r.windowEndMs - r.windowStartMs, try XCTUnwrap(spans[r.ruleID]), r.ndjsonLine)
            if r.ruleID == C.RuleID.bruteForce || r.ruleID == C.RuleID.portScan {
                XCTAssertEqual(r.windowStartMs / 60_000, r.windowEndMs / 60_000, "tumbling attack inside one bucket: \(r.ndjsonLine)")
            }
            // The attack address appears only in its episode.
            let times = try XCTUnwrap(eventsBySource[r.groupValue])
            XCTAssertEqual(times.min(), r.windowStartMs)
            XCTAssertTrue(AddressPlan.isAttackAddress(try XCTUnwrap(parseIPv4(r.groupValue))))
            if r.ruleID != C.RuleID.bruteForce || r.scenario == .bruteForce {
                XCTAssertEqual(times.count, r.events, r.ndjsonLine)
                XCTAssertEqual(times.max(), r.windowEndMs)
            }
        }
        XCTAssertTrue(report.truthNDJSON.hasPrefix("{\"scenario\":\""))
        XCTAssertEqual(report.truthNDJSON.split(separator: "\n").count, report.truth.count)
    }

    func testDecoysOfEveryKindArePresent() throws {
        let (_, report) = try generateBytes(smallConfig())
        let kinds = Set(report.decoys.map { "\($0.scenario.rawValue)/\($0.decoy!)" })
        XCTAssertEqual(kinds, [
            "brute-force/below-threshold", "brute-force/straddles-bucket-boundary",
            "password-spray/below-threshold", "password-spray/slower-than-timespan",
            "port-scan/below-threshold", "port-scan/straddles-bucket-boundary",
            "host-sweep/below-threshold", "exfiltration/below-threshold", "web-scan/below-threshold",
            "dns-tunnel/below-threshold", "brute-force-success/precursor-below-threshold",
        ])
        let straddle = try XCTUnwrap(report.decoys.first { $0.scenario == .bruteForce && $0.decoy == "straddles-bucket-boundary" })
        XCTAssertNotEqual(straddle.windowStartMs / 60_000, straddle.windowEndMs / 60_000)
        XCTAssertGreaterThanOrEqual(straddle.events, C.bruteForceFailures, "a sliding minute would fire")
        XCTAssertTrue(report.decoysNDJSON.contains("\"decoy\":\"slower-than-timespan\""))
    }

    func testScenarioSelectionLimitsInjectedAttacks() throws {
        var c = smallConfig()
        c.scenarios = [.portScan]
        let (bytes, report) = try generateBytes(c)
        XCTAssertEqual(report.truth.map(\.scenario), [.portScan])
        XCTAssertEqual(Set(report.decoys.map(\.scenario)), [.portScan])
        c.scenarios = []
        let (plain, none) = try generateBytes(c)
        XCTAssertTrue(none.truth.isEmpty && none.decoys.isEmpty)
        for line in splitLines(plain) {
            let ip = try XCTUnwrap(ParsedEvent(line)?.string("source.ip"))
            XCTAssertFalse(AddressPlan.isAttackAddress(try XCTUnwrap(parseIPv4(ip))), ip)
        }
        XCTAssertNotEqual(bytes, plain)
    }
}

func parseIPv4(_ s: String) -> UInt32? {
    let parts = s.split(separator: ".").compactMap { UInt32($0) }
    guard parts.count == 4, parts.allSatisfy({ $0 < 256 }) else { return nil }
    return parts.reduce(0) { $0 << 8 | $1 }
}
