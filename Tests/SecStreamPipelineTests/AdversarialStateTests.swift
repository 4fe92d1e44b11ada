import Foundation
import XCTest

/// A cardinality flood (`--max-state`): an attacker sprays failed logins for
/// 150,000 distinct user names inside the rules' windows while one real victim
/// collects enough failures to alert. Under a small bound the run stays
/// bounded, says which rules lost windows, and still raises the victim's
/// alerts (the spray's one-event windows go first). The expectation comes from
/// the events the test wrote: the victim's failures and the rules' thresholds.
final class AdversarialStateTests: XCTestCase {
    private static let rules = """
    title: Failed login
    id: 6a0d8c3e-5f1b-4c1e-9a52-0f3f1a2b3c4d
    logsource: {category: authentication}
    detection:
      sel: {event.outcome: failure}
      condition: sel
    ---
    title: Many failed logins for one user (sliding)
    id: 7b1e9d4f-6a2c-4d2f-8b63-1a4a2b3c4d5e
    correlation:
      type: event_count
      rules: [6a0d8c3e-5f1b-4c1e-9a52-0f3f1a2b3c4d]
      group-by: [user.name]
      timespan: 1h
      condition: {gte: 5}
    ---
    title: Many failed logins for one user (tumbling)
    id: 8c2fae50-7b3d-4e30-9c74-2b5b3c4d5e6f
    correlation:
      type: event_count
      rules: [6a0d8c3e-5f1b-4c1e-9a52-0f3f1a2b3c4d]
      group-by: [user.name]
      timespan: 1h
      window: tumbling
      condition: {gte: 5}
    """

    private func writeFlood(to path: String) throws {
        // 150,000 events 20 ms apart (50 minutes, inside one tumbling hour):
        // the victim's 6 failures 20 s apart in the middle of the spray, every
        // other event a new user. (A victim whose failures trickle in slower than
        // the spray fills the bound can lose its window: that is what the
        // stderr line about dropped windows warns of.)
        let start = 1_763_596_800_000  // 2025-11-20T00:00:00Z
        var text = ""
        text.reserveCapacity(150_000 * 150)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for i in 0..<150_000 {
            let t = f.string(from: Date(timeIntervalSince1970: Double(start + i * 20) / 1000))
            let user = i >= 70_000 && i < 76_000 && i % 1_000 == 11 ? "victim" : "spray-\(i)"
            text += #"{"@timestamp":"\#(t)","event":{"category":"authentication","outcome":"failure"},"user":{"name":"\#(user)"}}"# + "\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func testCardinalityFloodStaysBoundedAndKeepsTheVictimsAlerts() throws {
        let dir = try TempDir()
        let rules = dir.path("rules.yml"), events = dir.path("events.ndjson")
        try Self.rules.write(toFile: rules, atomically: true, encoding: .utf8)
        try writeFlood(to: events)

        let bounded = try CLI.run(["process", "--no-default-rules", "--rules", rules, "--input", events, "--max-state", "4MiB"])
        XCTAssertEqual(bounded.code, 0, bounded.stderr)
        let titles = bounded.stdoutLines.compactMap { line -> String? in
            let a = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let group = (a?["group"] as? [String: Any])?["user.name"] as? String
            XCTAssertEqual(group, "victim", line)
            return (a?["rule"] as? [String: Any])?["title"] as? String
        }
        XCTAssertEqual(Set(titles), ["Many failed logins for one user (sliding)", "Many failed logins for one user (tumbling)"],
                       "the victim's six failures raise both rules' alerts: \(bounded.stdoutText)")
        XCTAssertEqual(titles.count, 2)
        // The summary counts the dropped windows; one line names the rules that lost them.
        let summary = bounded.stderr.split(separator: "\n").first { $0.contains(" lines (") } ?? ""
        let dropped = summary.range(of: #"(\d+) windows dropped under --max-state"#, options: .regularExpression)
            .map { Int(summary[$0].split(separator: " ")[0]) ?? 0 } ?? 0
        XCTAssertGreaterThan(dropped, 100_000, "most of the spray's 2 x 150,000 windows were dropped: \(bounded.stderr)")
        XCTAssertTrue(bounded.stderr.contains("Many failed logins for one user (sliding): "), bounded.stderr)
        XCTAssertTrue(bounded.stderr.contains("Many failed logins for one user (tumbling): "), bounded.stderr)

        // Unbounded, the same alerts and nothing dropped.
        let free = try CLI.run(["process", "--no-default-rules", "--rules", rules, "--input", events, "--max-state", "0"])
        XCTAssertEqual(free.code, 0, free.stderr)
        XCTAssertEqual(free.stdoutLines.count, 2, free.stdoutText)
        XCTAssertFalse(free.stderr.contains("dropped"), free.stderr)
    }

    func testMaxStateIsValidated() throws {
        let r = try CLI.run(["process", "--no-default-rules", "--input", "/dev/null", "--max-state", "lots"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("'--max-state <size>': not a size (e.g. 65536, 64KiB"), r.stderr)
        XCTAssertTrue(r.stderr.contains("'lots'"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
    }
}
