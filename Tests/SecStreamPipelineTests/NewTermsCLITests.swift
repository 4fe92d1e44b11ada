import Foundation
import XCTest

/// A new_terms rule through `secstream process` as a user runs it: a rule
/// directory, an NDJSON file, the alerts that name the new term.
final class NewTermsCLITests: XCTestCase {
    private let loginRule = """
    title: Successful login
    id: 33333333-0000-0000-0000-000000000001
    name: successful_login
    logsource: {category: authentication}
    detection:
      sel:
        event.outcome: success
      condition: sel
    """

    private let newSourceRule = """
    title: Login from a source address never seen for this user
    id: 33333333-0000-0000-0000-000000000002
    name: new_source_for_user
    level: medium
    correlation:
        type: event_count
        rules: [successful_login]
        group-by: [user.name]
        timespan: 1h
        condition: {gte: 1}
    secstream: {new_terms: {fields: [source.ip], history: 30d, warmup: 1d}}
    """

    private func login(_ time: String, _ user: String, _ ip: String) -> String {
        #"{"@timestamp":"\#(time)","event":{"category":"authentication","outcome":"success"},"user":{"name":"\#(user)"},"source":{"ip":"\#(ip)"}}"#
    }

    private func ruleDirectory(_ dir: TempDir, newSource: String) throws -> String {
        let rules = dir.path("rules")
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try loginRule.write(toFile: rules + "/login.yml", atomically: true, encoding: .utf8)
        try newSource.write(toFile: rules + "/new-source.yml", atomically: true, encoding: .utf8)
        return rules
    }

    /// Day one only learns; on day two a known address stays quiet, a new
    /// address for alice fires, and so does carol, never seen before (the
    /// warm-up is the rule's). Two runs give the same bytes.
    func testNewTermsFireAfterTheWarmUpNamingTheTerm() throws {
        let dir = try TempDir()
        let rules = try ruleDirectory(dir, newSource: newSourceRule)
        let input = dir.path("logins.ndjson")
        try ([
            login("2026-11-20T08:00:00.000Z", "alice", "10.0.0.1"),
            login("2026-11-20T09:00:00.000Z", "bob", "10.0.0.2"),
            login("2026-11-20T20:00:00.000Z", "alice", "10.0.0.7"),
            login("2026-11-21T08:00:00.000Z", "alice", "10.0.0.1"),
            login("2026-11-21T08:30:00.000Z", "bob", "10.0.0.2"),
            login("2026-11-21T09:00:00.000Z", "alice", "203.0.113.9"),
            login("2026-11-21T09:10:00.000Z", "alice", "203.0.113.9"),
            login("2026-11-21T10:00:00.000Z", "carol", "10.0.0.3"),
        ].joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let arguments = ["process", "--no-default-rules", "--rules", rules, "--input", input]
        let r = try CLI.run(arguments)
        XCTAssertEqual(r.code, 0, r.stderr)
        let alerts = try r.stdoutLines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        XCTAssertEqual(alerts.count, 2, r.stdoutText)
        XCTAssertEqual(alerts.map { $0["group"] as? [String: String] ?? [:] },
                       [["user.name": "alice", "source.ip": "203.0.113.9"], ["user.name": "carol", "source.ip": "10.0.0.3"]])
        XCTAssertEqual(alerts.map { ($0["rule"] as? [String: Any])?["id"] as? String },
                       ["33333333-0000-0000-0000-000000000002", "33333333-0000-0000-0000-000000000002"])
        XCTAssertEqual(alerts.first?["detected_at"] as? String, "2026-11-21T09:00:00.000Z")
        let sample = (alerts.first?["samples"] as? [[String: Any]])?.first
        XCTAssertEqual(sample?["source"] as? String, input)
        XCTAssertEqual(sample?["line"] as? Int, 6, "the event with the new address")
        XCTAssertTrue(r.stderr.contains("2 alerts"), r.stderr)
        let again = try CLI.run(arguments)
        XCTAssertEqual(again.stdout, r.stdout, "the same input gives the same alerts")

        // Replay = live: the archive of the run, replayed, gives the same alert ids;
        // and a live run that stops after day one and continues with --baseline
        // gives them too (the history and the warm-up start travel in the file).
        let archive = dir.path("archive")
        XCTAssertEqual(try CLI.run(arguments + ["--archive", archive, "--quiet"]).code, 0)
        let replay = try CLI.run(["replay", archive, "--no-default-rules", "--rules", rules])
        XCTAssertEqual(replay.code, 0, replay.stderr)
        func ids(_ result: CLI.Result) throws -> [String?] {
            try result.stdoutLines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
                .map { $0["alert_id"] as? String }
        }
        XCTAssertEqual(try ids(replay), alerts.map { $0["alert_id"] as? String }, "samples name the archive; the alerts are the same")
        let dayOne = dir.path("day1.ndjson"), dayTwo = dir.path("day2.ndjson")
        let all = try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n")
        try (all.prefix(3).joined(separator: "\n") + "\n").write(toFile: dayOne, atomically: true, encoding: .utf8)
        try (all.dropFirst(3).joined(separator: "\n") + "\n").write(toFile: dayTwo, atomically: true, encoding: .utf8)
        let state = dir.path("terms.bin")
        let first = try CLI.run(["process", "--no-default-rules", "--rules", rules, "--input", dayOne, "--baseline", state])
        XCTAssertEqual(first.stdout.count, 0, first.stdoutText)
        let second = try CLI.run(["process", "--no-default-rules", "--rules", rules, "--input", dayTwo, "--baseline", state])
        XCTAssertEqual(second.code, 0, second.stderr)
        XCTAssertEqual(try ids(second), alerts.map { $0["alert_id"] as? String })

        // What the history holds: alice 3 addresses, bob 1, carol 1.
        let metrics = dir.path("m.prom")
        XCTAssertEqual(try CLI.run(arguments + ["--metrics-file", metrics]).code, 0)
        let lines = try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines.contains("secstream_new_terms_groups 3"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("secstream_new_terms_terms 5"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains(#"secstream_new_terms_forgotten_total{bound="max_terms"} 0"#), lines.joined(separator: "\n"))
    }

    /// Past `max_terms` a user's least recently seen address is forgotten:
    /// it fires again when it comes back, and the summary counts it.
    func testMaxTermsForgetsTheLeastRecentlySeenTermAndSaysSo() throws {
        let dir = try TempDir()
        let capped = newSourceRule.replacingOccurrences(of: "warmup: 1d", with: "warmup: 1d, max_terms: 2")
        let rules = try ruleDirectory(dir, newSource: capped)
        let input = dir.path("logins.ndjson")
        try ([
            login("2026-11-20T08:00:00.000Z", "alice", "10.0.0.1"),
            login("2026-11-20T09:00:00.000Z", "alice", "10.0.0.2"),
            login("2026-11-20T10:00:00.000Z", "alice", "10.0.0.3"),   // 10.0.0.1 forgotten
            login("2026-11-21T09:00:00.000Z", "alice", "10.0.0.3"),   // known
            login("2026-11-21T10:00:00.000Z", "alice", "10.0.0.1"),   // forgotten: new
        ].joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        // Five events a day apart: too few to vouch for the jump the future gate watches for.
        let r = try CLI.run(["process", "--no-default-rules", "--rules", rules, "--input", input, "--max-future-skew", "0"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdoutLines.count, 1, r.stdoutText)
        XCTAssertTrue(r.stdoutLines.first?.contains(#""group":{"user.name":"alice","source.ip":"10.0.0.1"}"#) ?? false, r.stdoutText)
        XCTAssertTrue(r.stderr.contains("; 2 new terms forgotten past max_terms"), r.stderr)
    }

    /// A mistake in the new_terms block stops the run before any input is
    /// read (exit 3), naming the file and line.
    func testABadNewTermsBlockIsExitThreeNamingFileAndLine() throws {
        let dir = try TempDir()
        let bad = newSourceRule.replacingOccurrences(of: "history: 30d", with: "history: 30d, horizon: 1d")
        let rules = try ruleDirectory(dir, newSource: bad)
        let r = try CLI.run(["process", "--no-default-rules", "--rules", rules, "--input", dir.path("none.ndjson")])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("new-source.yml:11: unknown new_terms option 'horizon'"), r.stderr)
    }
}
