import Foundation
import XCTest
import Yams
@testable import SecStreamCore

/// The built-in pack in `rules/` against the generator's constants, and the
/// embedded copy against the files.
final class RulePackTests: XCTestCase {
    typealias C = ScenarioConstants

    private static let rulesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("rules")

    private func ruleFiles() throws -> [(name: String, text: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.rulesDirectory.path)
            .filter { $0.hasSuffix(".yml") }.sorted()
        return try names.map { name in
            (name, try String(contentsOf: Self.rulesDirectory.appendingPathComponent(name), encoding: .utf8))
        }
    }

    /// Every rule document, keyed by `id`.
    private func rulesByID() throws -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        for file in try ruleFiles() {
            for doc in try Yams.load_all(yaml: file.text) {
                let rule = try XCTUnwrap(doc as? [String: Any], file.name)
                let id = try XCTUnwrap(rule["id"] as? String, "\(file.name): no id")
                XCTAssertNil(result[id], "duplicate id \(id) in \(file.name)")
                result[id] = rule
            }
        }
        return result
    }

    func testEmbeddedRulesEqualTheFilesOnDisk() throws {
        let disk = try ruleFiles()
        XCTAssertFalse(disk.isEmpty)
        XCTAssertEqual(BuiltinRules.files.map(\.name), disk.map(\.name), "run scripts/embed-rules.sh")
        for (embedded, file) in zip(BuiltinRules.files, disk) {
            XCTAssertEqual(embedded.text, file.text, "\(file.name) differs from its embedded copy: run scripts/embed-rules.sh")
        }
    }

    /// (type, referenced rules, timespan, window, condition field, threshold)
    private struct Expected {
        var type: String
        var rules: [String]
        var timespan: String
        var tumbling: Bool
        var field: String?
        var gte: Int64?
    }

    private func timespanText(_ ms: Int64) -> String { ms % 60_000 == 0 ? "\(ms / 60_000)m" : "\(ms / 1000)s" }

    func testCorrelationThresholdsMatchScenarioConstants() throws {
        let rules = try rulesByID()
        let expected: [String: Expected] = [
            C.RuleID.bruteForce: Expected(type: "event_count", rules: ["auth_failed_login"], timespan: timespanText(C.bruteForceSpanMs),
                                          tumbling: true, field: nil, gte: Int64(C.bruteForceFailures)),
            C.RuleID.bruteForcePrecursor: Expected(type: "event_count", rules: ["auth_failed_login"], timespan: timespanText(C.bruteForceSpanMs),
                                                   tumbling: true, field: nil, gte: Int64(C.bruteForceFailures)),
            C.RuleID.passwordSpray: Expected(type: "value_count", rules: ["auth_failed_login"], timespan: timespanText(C.spraySpanMs),
                                             tumbling: false, field: "user.name", gte: Int64(C.sprayDistinctUsers)),
            C.RuleID.portScan: Expected(type: "value_count", rules: ["net_tcp_connection"], timespan: timespanText(C.portScanSpanMs),
                                        tumbling: true, field: "destination.port", gte: Int64(C.portScanDistinctPorts)),
            C.RuleID.hostSweep: Expected(type: "value_count", rules: ["net_internal_connection"], timespan: timespanText(C.hostSweepSpanMs),
                                         tumbling: false, field: "destination.ip", gte: Int64(C.hostSweepDistinctHosts)),
            C.RuleID.exfiltration: Expected(type: "value_sum", rules: ["net_outbound_transfer"], timespan: timespanText(C.exfiltrationSpanMs),
                                            tumbling: false, field: "source.bytes", gte: C.exfiltrationBytes),
            C.RuleID.webScan: Expected(type: "value_count", rules: ["web_client_error"], timespan: timespanText(C.webScanSpanMs),
                                       tumbling: false, field: "url.path", gte: Int64(C.webScanDistinctPaths)),
            C.RuleID.dnsTunnel: Expected(type: "value_count", rules: ["dns_long_label_query"], timespan: timespanText(C.dnsTunnelSpanMs),
                                         tumbling: false, field: "dns.question.name", gte: Int64(C.dnsTunnelDistinctNames)),
            C.RuleID.bruteForceSuccess: Expected(type: "temporal_ordered", rules: ["brute_force_precursor", "auth_successful_login"],
                                                 timespan: timespanText(C.bruteForceSuccessSpanMs), tumbling: false, field: nil, gte: nil),
        ]
        for (id, want) in expected {
            let rule = try XCTUnwrap(rules[id], "no rule with id \(id)")
            let title = rule["title"] as? String ?? id
            let corr = try XCTUnwrap(rule["correlation"] as? [String: Any], "\(title): not a correlation")
            XCTAssertEqual(corr["type"] as? String, want.type, title)
            XCTAssertEqual(corr["rules"] as? [String], want.rules, title)
            XCTAssertEqual(corr["group-by"] as? [String], ["source.ip"], title)
            XCTAssertEqual(corr["timespan"] as? String, want.timespan, title)
            let window = (rule["secstream"] as? [String: Any])?["window"] as? String
            XCTAssertEqual(window, want.tumbling ? "tumbling" : nil, title)
            let condition = corr["condition"] as? [String: Any]
            XCTAssertEqual(condition?["field"] as? String, want.field, title)
            XCTAssertEqual((condition?["gte"] as? Int).map(Int64.init), want.gte, title)
            if want.gte != nil {
                XCTAssertEqual(condition?.count, want.field == nil ? 1 : 2, "\(title): only gte (and field) expected")
            }
        }
    }

    func testEveryScenarioHasItsCorrelationAndReferencesResolve() throws {
        let rules = try rulesByID()
        let names = Set(rules.values.compactMap { $0["name"] as? String })
        for scenario in Scenario.allCases {
            let rule = try XCTUnwrap(rules[scenario.ruleID], "\(scenario.rawValue): rule \(scenario.ruleID) missing")
            XCTAssertNotNil(rule["correlation"], scenario.rawValue)
        }
        for (id, rule) in rules {
            XCTAssertNotNil(rule["title"] as? String, id)
            XCTAssertNotNil(rule["name"] as? String, id)
            XCTAssertTrue(["informational", "low", "medium", "high", "critical"].contains(rule["level"] as? String ?? ""), id)
            let tags = try XCTUnwrap(rule["tags"] as? [String], id)
            XCTAssertTrue(tags.contains { $0.range(of: #"^attack\.t\d{4}(\.\d{3})?$"#, options: .regularExpression) != nil },
                          "\(id): needs an ATT&CK technique tag")
            if let corr = rule["correlation"] as? [String: Any] {
                for ref in corr["rules"] as? [String] ?? [] {
                    XCTAssertTrue(names.contains(ref), "\(id) references unknown rule \(ref)")
                }
                // No correlation sets `generate`: it would make every event of
                // the referenced detection rules an alert.
                XCTAssertNil(corr["generate"], id)
            } else {
                XCTAssertNotNil((rule["detection"] as? [String: Any])?["condition"], "\(id): detection without condition")
            }
        }
    }

    /// The regex of the dns-tunnel detection and the constant the generator
    /// uses for background names agree, and no background name comes close.
    func testDNSTunnelLabelLengthMatchesDetectionAndBackgroundStaysShort() throws {
        let rule = try XCTUnwrap(try rulesByID()["5b0c6f7e-2d41-4c1a-9a53-6f1e0b7d2b07"])
        let selection = try XCTUnwrap((rule["detection"] as? [String: Any])?["selection"] as? [String: Any])
        let pattern = try XCTUnwrap(selection["dns.question.name|re"] as? String)
        XCTAssertEqual(pattern, "^[a-z0-9]{\(C.dnsTunnelMinLabel),}\\.")
        let regex = try NSRegularExpression(pattern: pattern)
        // The test oracle's hand-written version agrees with the regex.
        let samples = [String(repeating: "a1", count: 20) + ".t.example.com", String(repeating: "f", count: 31) + ".x.org",
                       String(repeating: "F", count: 40) + ".x.org", String(repeating: "b", count: 40), "www.example.com"]
        for s in samples {
            let matches = regex.numberOfMatches(in: s, range: NSRange(s.startIndex..., in: s)) > 0
            XCTAssertEqual(ReferenceDetector.hasLongFirstLabel(s), matches, s)
        }
        for name in Vocabulary.dnsNames {
            let s = "\(name)"
            XCTAssertEqual(regex.numberOfMatches(in: s, range: NSRange(s.startIndex..., in: s)), 0, s)
            XCTAssertLessThan(s.split(separator: ".")[0].count, C.dnsTunnelMinLabel / 2, s)
        }
    }
}
