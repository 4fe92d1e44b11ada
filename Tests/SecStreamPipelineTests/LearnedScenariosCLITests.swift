import Foundation
import TestSupport
import XCTest

/// `generate --profile habits` through the binary: the learned scenarios pass
/// every built-in rule (the reason they exist), `--decoys` is written, and
/// eval/score.py matches alerts to the truth as the README says.
final class LearnedScenariosCLITests: XCTestCase {
    private func readNDJSON(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// Four days of habits with every learned scenario: the built-in rules
    /// raise no alert at all, so none on a slow brute force's account or
    /// address, a new source or an exfiltrating host.
    func testBuiltinRulesRaiseNothingOnTheLearnedScenarios() throws {
        let dir = try TempDir()
        let events = dir.path("e.ndjson"), truth = dir.path("t.ndjson"), decoys = dir.path("d.ndjson"), alerts = dir.path("a.ndjson")
        let g = try CLI.run(["generate", "--profile", "habits", "--duration", "4d", "--seed", "8", "--quiet",
                             "--truth", truth, "--decoys", decoys, "-o", events])
        XCTAssertEqual(g.code, 0, g.stderr)
        let t = try readNDJSON(truth)
        XCTAssertEqual(Set(t.compactMap { $0["scenario"] as? String }), ["slow-brute-force", "new-source-login", "off-hours-exfiltration"])
        let d = try readNDJSON(decoys)
        XCTAssertEqual(Set(d.compactMap { $0["decoy"] as? String }), ["new-user", "monday-peak"])
        let slow = try XCTUnwrap(t.first { $0["scenario"] as? String == "slow-brute-force" })
        XCTAssertGreaterThanOrEqual(slow["events"] as? Int ?? 0, 36)

        let p = try CLI.run(["process", "--input", events, "--alerts", alerts])
        XCTAssertEqual(p.code, 0, p.stderr)
        XCTAssertTrue(p.stderr.contains("345600 events"), p.stderr)
        let raised = try readNDJSON(alerts)
        let entities = Set(t.flatMap { ($0["group"] as? [String: String] ?? [:]).values })
        XCTAssertEqual(raised.filter { !Set(($0["group"] as? [String: String] ?? [:]).values).isDisjoint(with: entities) }.count, 0)
        XCTAssertEqual(raised.count, 0, "habits background and learned scenarios stay below every built-in rule")
    }

    func testLearnedScenarioWithoutHabitsIsAUsageError() throws {
        let r = try CLI.run(["generate", "--scenarios", "slow-brute-force", "--events", "10"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("needs --profile habits"), r.stderr)
        let bad = try CLI.run(["generate", "--profile", "weekly", "--events", "10"])
        XCTAssertEqual(bad.code, 2, bad.stderr)
    }

    /// eval/score.py on a hand-made run: which alert matches which record,
    /// decoy alerts counted as false positives, alerts before --from ignored.
    func testEvalScoringMatchesEntityAndTime() throws {
        try PythonVenv.requireVenv()
        let dir = try TempDir()
        let truth = """
        {"scenario":"new-source-login","group":{"user.name":"alice","source.ip":"100.64.0.9"},"window":{"start":"2026-12-03T10:00:00.000Z","end":"2026-12-03T10:10:00.000Z"},"events":2}
        {"scenario":"slow-brute-force","group":{"user.name":"bob","source.ip":"100.64.0.7"},"window":{"start":"2026-12-04T01:00:00.000Z","end":"2026-12-04T04:00:00.000Z"},"events":60}
        {"scenario":"off-hours-exfiltration","group":{"source.ip":"10.1.0.5"},"window":{"start":"2026-12-05T02:00:00.000Z","end":"2026-12-05T02:40:00.000Z"},"events":9}

        """
        let decoys = """
        {"scenario":"new-source-login","group":{"user.name":"newbie"},"window":{"start":"2026-12-03T09:00:00.000Z","end":"2026-12-20T16:00:00.000Z"},"events":90,"decoy":"new-user"}

        """
        func alert(_ group: String, _ first: String, _ detected: String) -> String {
            #"{"rule":{"id":"r"},"group":\#(group),"window":{"start":"\#(first)","end":"\#(detected)"},"first_seen":"\#(first)","detected_at":"\#(detected)"}"#
        }
        let alerts = [
            // TP: the new source, exactly.
            alert(#"{"user.name":"alice","source.ip":"100.64.0.9"}"#, "2026-12-03T10:00:00.000Z", "2026-12-03T10:00:00.000Z"),
            // FP: alice from another address (a shared field disagrees).
            alert(#"{"user.name":"alice","source.ip":"10.1.0.1"}"#, "2026-12-03T10:05:00.000Z", "2026-12-03T10:05:00.000Z"),
            // TP: bob by user only, within the hour of slack after the episode.
            alert(#"{"user.name":"bob"}"#, "2026-12-04T04:00:00.000Z", "2026-12-04T04:59:59.000Z"),
            // FP: the exfiltrating host, but a day later.
            alert(#"{"source.ip":"10.1.0.5"}"#, "2026-12-06T02:00:00.000Z", "2026-12-06T02:05:00.000Z"),
            // FP on a decoy: the new hire.
            alert(#"{"user.name":"newbie","source.ip":"10.1.9.9"}"#, "2026-12-03T09:00:00.000Z", "2026-12-03T09:00:00.000Z"),
            // Before --from: not counted.
            alert(#"{"source.ip":"10.1.0.5"}"#, "2026-11-20T02:00:00.000Z", "2026-11-20T02:05:00.000Z"),
        ].joined(separator: "\n") + "\n"
        try truth.write(toFile: dir.path("t"), atomically: true, encoding: .utf8)
        try decoys.write(toFile: dir.path("d"), atomically: true, encoding: .utf8)
        try alerts.write(toFile: dir.path("a"), atomically: true, encoding: .utf8)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: PythonVenv.python)
        p.arguments = [TestPaths.packageRoot + "/eval/score.py", "--run", "\(dir.path("t")),\(dir.path("d")),2026-12-01T00:00:00Z",
                       "--out", dir.path("table.md"), "m=\(dir.path("a"))"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertEqual(try String(contentsOfFile: dir.path("table.md"), encoding: .utf8), text)
        let rows = Dictionary(uniqueKeysWithValues: text.split(separator: "\n").compactMap { line -> (String, [String])? in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            return cells.count == 10 && cells[0] == "m" ? (cells[1], Array(cells[2...])) : nil
        })
        // records, found, alerts, TP, FP (on decoys), precision, recall, F1
        XCTAssertEqual(rows["all"], ["3", "2", "5", "2", "3 (1)", "0.40", "0.67", "0.50"], text)
        XCTAssertEqual(rows["new-source-login"], ["1", "1", "2", "1", "1 (1)", "0.50", "1.00", "0.67"], text)
        XCTAssertEqual(rows["slow-brute-force"], ["1", "1", "1", "1", "0 (0)", "1.00", "1.00", "1.00"], text)
        XCTAssertEqual(rows["off-hours-exfiltration"], ["1", "0", "0", "0", "0 (0)", "-", "0.00", "0.00"], text)
    }
}
