import XCTest
@testable import SecStreamCore

/// `--profile habits`: the learned scenarios are in the truth with the
/// entity and interval of their events, the new source was never the
/// user's, the decoys are generated, and a seed gives the same bytes.
final class GeneratorHabitsTests: XCTestCase {
    /// Two weeks at 0.25 events/s: 50 users, four episodes of each learned
    /// scenario, two new hires, two Mondays of two peak hosts.
    private func habitsConfig(seed: UInt64 = 3) -> GeneratorConfig {
        var c = GeneratorConfig()
        c.profile = .habits
        c.learnedScenarios = LearnedScenario.allCases
        c.scenarios = []
        c.durationMs = 14 * WorkWeek.dayMs
        c.events = 302_400
        c.startMs = GeneratorConfig.defaultStartMs // a Friday
        c.seed = seed
        return c
    }

    /// The auth and network events, parsed (the rest is not needed).
    private func parsed(_ bytes: [UInt8]) -> [ParsedEvent] {
        let auth = Array(#""auth""#.utf8), net = Array(#""network""#.utf8)
        return splitLines(bytes).compactMap { line -> ParsedEvent? in
            let head = line.prefix(80)
            guard contains(head, auth) || contains(head, net) else { return nil }
            return ParsedEvent(line)
        }
    }

    private func contains(_ hay: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard hay.count >= needle.count else { return false }
        var i = hay.startIndex
        while i <= hay.endIndex - needle.count {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    private func value(_ r: LearnedTruthRecord, _ field: String) -> String? { r.group.first { $0.name == field }?.value }

    func testLearnedScenariosAreInTheTruthWithTheirEntityAndInterval() throws {
        let c = habitsConfig()
        let (bytes, report) = try generateBytes(c)
        let events = parsed(bytes)
        let counts = Dictionary(grouping: report.learnedTruth, by: \.scenario).mapValues(\.count)
        XCTAssertEqual(counts, [.slowBruteForce: 4, .newSourceLogin: 4, .offHoursExfiltration: 4])
        XCTAssertTrue(report.truth.isEmpty, "no threshold scenario by default over habits")
        let population = HabitPopulation(plan: AddressPlan(densityScale: 1), eventsPerSecond: 0.25)

        for r in report.learnedTruth {
            XCTAssertLessThanOrEqual(r.windowStartMs, r.windowEndMs)
            XCTAssertTrue(r.windowStartMs >= c.startMs && r.windowEndMs < c.startMs + c.durationMs!, r.ndjsonLine)
            switch r.scenario {
            case .slowBruteForce, .newSourceLogin:
                let user = try XCTUnwrap(value(r, "user.name")), ip = try XCTUnwrap(value(r, "source.ip"))
                let episode = events.filter { $0.string("user.name") == user && $0.string("source.ip") == ip }
                XCTAssertEqual(episode.count, r.events, r.ndjsonLine)
                XCTAssertEqual(episode.compactMap(\.timeMs).min(), r.windowStartMs)
                XCTAssertEqual(episode.compactMap(\.timeMs).max(), r.windowEndMs)
                let outcome = r.scenario == .slowBruteForce ? "failure" : "success"
                XCTAssertTrue(episode.allSatisfy { $0.string("event.outcome") == outcome }, r.ndjsonLine)
                if r.scenario == .slowBruteForce {
                    // Far above the account's own failures, never 20 a minute.
                    XCTAssertGreaterThanOrEqual(r.events, 36)
                    let own = events.filter { $0.string("user.name") == user && $0.string("source.ip") != ip && $0.string("event.outcome") == "failure" }
                    XCTAssertLessThan(own.count * 4, r.events, "the account's own failures over two weeks: \(own.count)")
                    let minutes = Dictionary(grouping: episode.compactMap(\.timeMs), by: { $0 / 60_000 }).mapValues(\.count)
                    XCTAssertLessThanOrEqual(minutes.values.max() ?? 0, 1)
                } else {
                    // Never this user's address, before or after.
                    let same = events.filter { $0.string("user.name") == user && $0.string("source.ip") == ip }
                    XCTAssertEqual(same.count, r.events)
                    let others = events.filter { $0.string("user.name") != user && $0.string("source.ip") == ip }
                    XCTAssertEqual(others.count, 0, "the attacker address is used by nothing else")
                    let known = Set(events.filter { $0.string("user.name") == user && ($0.timeMs ?? 0) < r.windowStartMs }.compactMap { $0.string("source.ip") })
                    XCTAssertFalse(known.isEmpty, "the user has a history")
                    XCTAssertFalse(known.contains(ip))
                    let hour = WorkWeek.hour(r.windowStartMs)
                    XCTAssertTrue((9...16).contains(hour), r.ndjsonLine)
                }
            case .offHoursExfiltration:
                let ip = try XCTUnwrap(value(r, "source.ip"))
                let flows = events.filter { $0.string("source.ip") == ip && $0.string("event.dataset") == "network" }
                let episode = flows.filter { ($0.timeMs ?? 0) >= r.windowStartMs && ($0.timeMs ?? 0) <= r.windowEndMs }
                let sent = episode.compactMap { $0.int("source.bytes") }.reduce(0, +)
                XCTAssertTrue((1...3).contains(WorkWeek.hour(r.windowStartMs)), r.ndjsonLine)
                XCTAssertLessThan(sent, ScenarioConstants.exfiltrationBytes, "below the exfiltration rule")
                // About ten times the host's usual office hour.
                let u = try XCTUnwrap((0..<population.users).first { ipString(population.workstation($0)) == ip })
                let ratio = Double(sent) / Double(population.hourlyBytes(u))
                XCTAssertTrue((8.5...11.5).contains(ratio), "\(ratio) \(r.ndjsonLine)")
                // An office hour of that host really is about hourlyBytes.
                let office = flows.filter { WorkWeek.activity($0.timeMs!) == 1 }.compactMap { $0.int("source.bytes") }.reduce(0, +)
                let officeHours = Double(2 * 5 * 8) // two weeks of 09:00–16:59 weekdays
                XCTAssertTrue((0.5...1.6).contains(Double(office) / officeHours / Double(population.hourlyBytes(u))), ip)
            }
        }
    }

    func testDecoysAreGenerated() throws {
        let c = habitsConfig()
        let (bytes, report) = try generateBytes(c)
        let events = parsed(bytes)
        let newUsers = report.learnedDecoys.filter { $0.decoy == LearnedDecoy.newUser }
        let peaks = report.learnedDecoys.filter { $0.decoy == LearnedDecoy.mondayPeak }
        XCTAssertEqual(newUsers.count, 2)
        XCTAssertEqual(peaks.count, 4, "two Mondays, two hosts")
        XCTAssertTrue(report.decoysNDJSON.contains(#""decoy":"new-user""#))
        for r in newUsers {
            XCTAssertEqual(r.scenario, .newSourceLogin)
            let user = try XCTUnwrap(value(r, "user.name"))
            let logins = events.filter { $0.string("user.name") == user }
            XCTAssertEqual(logins.count, r.events)
            XCTAssertEqual(logins.compactMap(\.timeMs).min(), r.windowStartMs, "no history before")
            XCTAssertLessThanOrEqual(Set(logins.compactMap { $0.string("source.ip") }).count, 2)
        }
        for r in peaks {
            XCTAssertEqual(r.scenario, .offHoursExfiltration)
            XCTAssertEqual(WorkWeek.weekday(r.windowStartMs), 0)
            XCTAssertEqual(WorkWeek.hour(r.windowStartMs), 8)
        }
        XCTAssertEqual(Set(peaks.compactMap { value($0, "source.ip") }).count, 2, "the same hosts every Monday")
    }

    func testSameSeedSameBytesOtherSeedSameOrganisation() throws {
        let (a, ra) = try generateBytes(habitsConfig(seed: 4))
        let (b, rb) = try generateBytes(habitsConfig(seed: 4))
        XCTAssertEqual(a, b)
        XCTAssertEqual(ra.truthNDJSON, rb.truthNDJSON)
        XCTAssertEqual(ra.decoysNDJSON, rb.decoysNDJSON)
        let (c, rc) = try generateBytes(habitsConfig(seed: 5))
        XCTAssertNotEqual(a, c)
        XCTAssertNotEqual(ra.truthNDJSON, rc.truthNDJSON)
        // The Monday hosts are the organisation's, not the seed's.
        let hosts = { (r: GenerationReport) in Set(r.learnedDecoys.filter { $0.decoy == LearnedDecoy.mondayPeak }.flatMap(\.group).map(\.value)) }
        XCTAssertEqual(hosts(ra), hosts(rc))
    }

    func testLearnedScenariosNeedTheHabitsProfile() {
        var c = habitsConfig()
        c.profile = .uniform
        XCTAssertThrowsError(try Generator(config: c)) { XCTAssertTrue("\($0)".contains("needs --profile habits"), "\($0)") }
        c = habitsConfig()
        c.durationMs = 3_600_000
        c.events = 1000
        XCTAssertThrowsError(try Generator(config: c)) { XCTAssertTrue("\($0)".contains("at least 1d"), "\($0)") }
        XCTAssertEqual(try ScenarioSelection.parse("slow-brute-force, port-scan"),
                       ScenarioSelection(threshold: [.portScan], learned: [.slowBruteForce]))
        XCTAssertEqual(ScenarioSelection(all: true).resolved(for: .uniform).learned, [])
        XCTAssertEqual(ScenarioSelection(all: true).resolved(for: .habits).learned, LearnedScenario.allCases)
    }
}
