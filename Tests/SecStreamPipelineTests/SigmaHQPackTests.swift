import Foundation
import TestSupport
import XCTest

/// The whole SigmaHQ rule snapshot (`<shared>/testdata/sigmahq`, read in
/// place) over `generate` output with the default `ecs` pipeline, as a new
/// user first runs it: the run ends, almost nothing is skipped as unsupported
/// Sigma, and every alert of a SigmaHQ rule comes from an injected attack or
/// decoy (their addresses are reserved: `AddressPlan.isAttackAddress`), never
/// from a rule run on events outside its logsource.
final class SigmaHQPackTests: XCTestCase {
    private static let builtinPrefix = "5b0c6f7e-"

    func testTheSigmaHQPackOverGeneratedEventsAlertsOnlyOnAttacks() throws {
        let dir = try TempDir()
        let events = dir.path("events.ndjson")
        let gen = try CLI.run(["generate", "--events", "60000", "--seed", "11", "-o", events])
        XCTAssertEqual(gen.code, 0, gen.stderr)
        let rules = TestPaths.sharedDirectory + "/testdata/sigmahq"
        XCTAssertTrue(FileManager.default.fileExists(atPath: rules + "/rules"), "SigmaHQ snapshot missing at \(rules)")
        let r = try CLI.run(["process", "--input", events, "--rules", rules, "--pipeline", "ecs"])
        XCTAssertEqual(r.code, 0, r.stderr)

        // One line per skipped rule, each naming file:line and why; placeholders need the user's values.
        let skips = r.stderr.split(separator: "\n").filter { $0.hasPrefix("secstream: skipped rule ") }
        let unsupported = skips.filter { !$0.contains("placeholder '%") }
        XCTAssertLessThanOrEqual(unsupported.count, 20, unsupported.joined(separator: "\n"))
        for line in skips {
            XCTAssertNotNil(line.range(of: #"\.yml:\d+: "#, options: .regularExpression), String(line))
        }
        XCTAssertTrue(r.stderr.contains("for logsources no loaded pipeline recognises ("), r.stderr)

        var sigmaHQAlerts = 0
        let lines = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        for line in r.stdoutLines {
            let alert = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let rule = alert["rule"] as! [String: Any]
            guard !(rule["id"] as! String).hasPrefix(Self.builtinPrefix) else { continue }
            sigmaHQAlerts += 1
            for sample in alert["samples"] as! [[String: Any]] {
                let event = try JSONSerialization.jsonObject(with: Data(lines[(sample["line"] as! Int) - 1].utf8)) as! [String: Any]
                let ip = (event["source"] as? [String: Any])?["ip"] as? String ?? event["source.ip"] as? String ?? ""
                XCTAssertTrue(Self.isAttackAddress(ip), "\(rule["title"]!) alerted on a background event: \(event)")
            }
        }
        XCTAssertGreaterThan(sigmaHQAlerts, 0, "the web scan's scanner user agents are what SigmaHQ's recon rules look for")
    }

    /// 10.250.0.0/16 (compromised hosts) and the three documentation /24s (external attackers).
    private static func isAttackAddress(_ ip: String) -> Bool {
        ip.hasPrefix("10.250.") || ip.hasPrefix("203.0.113.") || ip.hasPrefix("198.51.100.") || ip.hasPrefix("192.0.2.")
    }
}
