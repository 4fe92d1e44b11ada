import Foundation
import TestSupport
import XCTest

/// Baselines through the CLI as a user runs them: `process --archive` keeps
/// the history, `baseline build` learns from it, `process --baseline` fires
/// on an anomaly and keeps learning, and a replay from the archive with the
/// same starting file gives the live run's alert ids.
final class BaselineCLITests: XCTestCase {
    private let loginRule = """
    title: Failed login
    id: 44444444-0000-0000-0000-000000000001
    name: failed_login
    logsource: {category: authentication}
    detection:
      sel:
        event.outcome: failure
      condition: sel
    """

    private let baselineRule = """
    title: Failed logins far above the host's own baseline
    id: 44444444-0000-0000-0000-000000000002
    name: failed_logins_above_baseline
    level: high
    correlation:
        type: event_count
        rules: [failed_login]
        group-by: [host.name]
        timespan: 1h
    secstream:
        window: tumbling
        baseline: {method: zscore, threshold: 4, history: 2d, min_history: 1d, min_samples: 12}
    """

    private func ruleDirectory(_ dir: TempDir, baseline: String? = nil) throws -> String {
        let rules = dir.path("rules")
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try loginRule.write(toFile: rules + "/login.yml", atomically: true, encoding: .utf8)
        try (baseline ?? baselineRule).write(toFile: rules + "/baseline.yml", atomically: true, encoding: .utf8)
        return rules
    }

    /// Hourly failed logins of two hosts from `day` (2026-11-DD) for `hours`
    /// hours: 2 to 4 an hour, and `spike` at the given hour of web-1.
    private func events(day: Int, hours: Int, spike: (hour: Int, count: Int)? = nil) -> String {
        var lines: [(time: String, line: String)] = []
        for h in 0..<hours {
            for host in ["web-1", "db-1"] {
                var n = 2 + (h * 7 + host.count) % 3
                if let spike, host == "web-1", spike.hour == h { n = spike.count }
                for e in 0..<n {
                    let d = day + h / 24, hour = h % 24
                    let time = String(format: "2026-11-%02dT%02d:%02d:%02d.000Z", d, hour, e % 60, e / 60)
                    lines.append((time, #"{"@timestamp":"\#(time)","event":{"category":"authentication","outcome":"failure"},"host":{"name":"\#(host)"},"user":{"name":"u\#(e)"}}"#))
                }
            }
        }
        // In event-time order (stable): no event is late, so the archive holds every one.
        let ordered = lines.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
        return ordered.map(\.element.line).joined(separator: "\n") + "\n"
    }

    private func alerts(_ r: CLI.Result) throws -> [[String: Any]] {
        try r.stdoutLines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
    }

    func testBuildFromTheArchiveThenProcessFiresOnTheAnomalyAndReplayEqualsLive() throws {
        let dir = try TempDir()
        let rules = try ruleDirectory(dir)
        let common = ["--no-default-rules", "--rules", rules]
        // Two days of history, archived by a live run (nothing fires: new hosts).
        let history = dir.path("history.ndjson")
        try events(day: 16, hours: 48).write(toFile: history, atomically: true, encoding: .utf8)
        let archive = dir.path("archive")
        let p = try CLI.run(["process", "--input", history, "--archive", archive] + common)
        XCTAssertEqual(p.code, 0, p.stderr)
        XCTAssertEqual(try alerts(p).count, 0, p.stdoutText)

        // Learn from the archive.
        let base = dir.path("base.bin")
        let b = try CLI.run(["baseline", "build", archive, "--from", "2026-11-16", "--to", "2026-11-18",
                             "--no-default-rules", "--rules", rules, "-o", base])
        XCTAssertEqual(b.code, 0, b.stderr)
        XCTAssertTrue(b.stderr.contains("baseline build:"), b.stderr)
        let built = try Data(contentsOf: URL(fileURLWithPath: base))
        XCTAssertEqual(Array(built.prefix(7)), Array("SSLEARN".utf8))

        // The next day, with a spike of 40 on web-1 at 05:00.
        let live = dir.path("live.ndjson")
        try events(day: 18, hours: 10, spike: (5, 40)).write(toFile: live, atomically: true, encoding: .utf8)
        let without = try CLI.run(["process", "--input", live] + common)
        XCTAssertEqual(try alerts(without).count, 0, "without the baseline the hosts are new: \(without.stdoutText)")

        let liveState = dir.path("live-state.bin"), replayState = dir.path("replay-state.bin")
        try built.write(to: URL(fileURLWithPath: liveState))
        try built.write(to: URL(fileURLWithPath: replayState))
        let liveArchive = dir.path("live-archive")
        let l = try CLI.run(["process", "--input", live, "--archive", liveArchive, "--baseline", liveState] + common)
        XCTAssertEqual(l.code, 0, l.stderr)
        let fired = try alerts(l)
        XCTAssertEqual(fired.count, 1, l.stdoutText)
        XCTAssertEqual(fired.first?["group"] as? [String: String], ["host.name": "web-1"])
        XCTAssertEqual((fired.first?["window"] as? [String: Any])?["start"] as? String, "2026-11-18T05:00:00.000Z")
        XCTAssertEqual(fired.first?["value"] as? Int, 40)
        let score = fired.first?["baseline"] as? [String: Any]
        XCTAssertEqual(score?["method"] as? String, "zscore")
        XCTAssertEqual(score?["samples"] as? Int, 48)
        XCTAssertGreaterThan(score?["score"] as? Double ?? 0, 4)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: liveState)), built, "it kept learning and saved")

        // Replay = live: the same events from the archive, the same starting file.
        let r = try CLI.run(["replay", liveArchive, "--baseline", replayState] + common)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try alerts(r).map { $0["alert_id"] as? String }, fired.map { $0["alert_id"] as? String })
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: replayState)),
                       try Data(contentsOf: URL(fileURLWithPath: liveState)), "both saved the same learned state")
    }

    func testCorruptForeignAndMissingFiles() throws {
        let dir = try TempDir()
        let rules = try ruleDirectory(dir)
        let input = dir.path("in.ndjson")
        try events(day: 16, hours: 3).write(toFile: input, atomically: true, encoding: .utf8)
        let common = ["process", "--input", input, "--no-default-rules", "--rules", rules]
        // Missing: learned from scratch and created.
        let state = dir.path("state.bin")
        let first = try CLI.run(common + ["--baseline", state])
        XCTAssertEqual(first.code, 0, first.stderr)
        let good = try Data(contentsOf: URL(fileURLWithPath: state))
        XCTAssertFalse(FileManager.default.fileExists(atPath: state + ".tmp-\(0)"))

        let truncated = dir.path("truncated.bin")
        try good.prefix(good.count - 5).write(to: URL(fileURLWithPath: truncated))
        let t = try CLI.run(common + ["--baseline", truncated])
        XCTAssertEqual(t.code, 2)
        XCTAssertEqual(t.stderr, "secstream: --baseline \(truncated): checksum mismatch: the file is truncated or corrupt\n")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: truncated)), good.prefix(good.count - 5), "left as it was")

        let foreign = dir.path("foreign.json")
        try "{\"not\": \"ours\"}".write(toFile: foreign, atomically: true, encoding: .utf8)
        let f = try CLI.run(common + ["--baseline", foreign])
        XCTAssertEqual(f.code, 2)
        XCTAssertEqual(f.stderr, "secstream: --baseline \(foreign): not a secstream baseline file (no SSLEARN header)\n")

        let r = try CLI.run(["replay", dir.path("no-archive"), "--baseline", foreign, "--no-default-rules", "--rules", rules])
        XCTAssertNotEqual(r.code, 0)
    }

    /// From Kafka (Tansu, a consumer group) the learned state is saved with
    /// the checkpoints: the run fires the file run's alert and leaves the
    /// file run's state; the group's next run loads it (an empty engine
    /// would save an empty state) and adds nothing; a run without a group
    /// saves at its end like a file run.
    func testKafkaRunsSaveTheLearnedStateWithTheirCheckpoints() throws {
        let dir = try TempDir()
        let rules = try ruleDirectory(dir)
        let common = ["--no-default-rules", "--rules", rules, "--quiet"]
        let history = dir.path("history.ndjson"), live = dir.path("live.ndjson")
        try events(day: 16, hours: 48).write(toFile: history, atomically: true, encoding: .utf8)
        try events(day: 18, hours: 10, spike: (5, 40)).write(toFile: live, atomically: true, encoding: .utf8)
        let start = dir.path("start.bin")
        XCTAssertEqual(try CLI.run(["process", "--input", history, "--baseline", start] + common).code, 0)
        let built = try Data(contentsOf: URL(fileURLWithPath: start))
        let fileState = dir.path("file.bin"), groupState = dir.path("group.bin"), assignState = dir.path("assign.bin")
        for path in [fileState, groupState, assignState] { try built.write(to: URL(fileURLWithPath: path)) }
        let f = try CLI.run(["process", "--input", live, "--baseline", fileState] + common)
        XCTAssertEqual(f.code, 0, f.stderr)
        let fired = try alerts(f).map { $0["alert_id"] as? String }
        XCTAssertEqual(fired.count, 1, f.stdoutText)

        let broker = try TansuBroker()
        let ingest = try CLI.run(["ingest", "--brokers", broker.bootstrap, "--topic", "logins", "--create-topic", "--partitions", "1"],
                                 stdin: try Data(contentsOf: URL(fileURLWithPath: live)))
        XCTAssertEqual(ingest.code, 0, ingest.stderr)
        let alertsFile = dir.path("group.alerts")
        let group = ["process", "--input", "kafka://\(broker.bootstrap)/logins?group=bl", "--from-beginning",
                     "--alerts", alertsFile, "--commit-interval", "300ms", "--session-timeout", "2s", "--baseline", groupState] + common
        let g = try CLI.run(group + ["--until-idle", "2s"])
        XCTAssertEqual(g.code, 0, g.stderr)
        let groupAlerts = try String(contentsOfFile: alertsFile, encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        XCTAssertEqual(groupAlerts.map { $0["alert_id"] as? String }, fired)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: groupState)), try Data(contentsOf: URL(fileURLWithPath: fileState)),
                       "the Kafka run learned what the file run learned")
        let again = try CLI.run(group + ["--until-idle", "1s"])
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: groupState)), try Data(contentsOf: URL(fileURLWithPath: fileState)),
                       "the next run started from the saved state")

        let a = try CLI.run(["process", "--input", "kafka://\(broker.bootstrap)/logins", "--from-beginning", "--baseline", assignState] + common)
        XCTAssertEqual(a.code, 0, a.stderr)
        XCTAssertEqual(try alerts(a).map { $0["alert_id"] as? String }, fired)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: assignState)), try Data(contentsOf: URL(fileURLWithPath: fileState)))
    }

    /// Past --max-state the least recently scored groups are forgotten: one
    /// stderr line per run names the rule, and the metrics count them.
    func testMaxStateForgetsGroupsAndSaysSo() throws {
        let dir = try TempDir()
        let rules = try ruleDirectory(dir)
        var lines: [String] = []
        for hour in 0..<2 {
            for i in 0..<6000 {
                let time = String(format: "2026-11-16T%02d:%02d:%02d.000Z", hour, i / 100 % 60, i % 60)
                lines.append(#"{"@timestamp":"\#(time)","event":{"category":"authentication","outcome":"failure"},"host":{"name":"h\#(i)"}}"#)
            }
        }
        let input = dir.path("many.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let metrics = dir.path("m.prom")
        let r = try CLI.run(["process", "--input", input, "--no-default-rules", "--rules", rules, "--max-state", "1MiB",
                             "--lateness", "0", "--alerts", "/dev/null", "--metrics-file", metrics])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("baseline groups forgotten, least recently scored first (Failed logins far above the host's own baseline: "),
                      r.stderr)
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        XCTAssertTrue(text.contains("secstream_baseline_groups "), text)
        XCTAssertFalse(text.contains("secstream_baseline_forgotten_total 0\n"), text)
    }

    func testABadBaselineBlockNamesFileAndLine() throws {
        let dir = try TempDir()
        let bad = baselineRule.replacingOccurrences(of: "method: zscore", with: "method: median")
        let rules = try ruleDirectory(dir, baseline: bad)
        let input = dir.path("in.ndjson")
        try events(day: 16, hours: 1).write(toFile: input, atomically: true, encoding: .utf8)
        let r = try CLI.run(["process", "--input", input, "--no-default-rules", "--rules", rules])
        XCTAssertEqual(r.code, 3)
        XCTAssertTrue(r.stderr.contains("baseline.yml:12: unknown baseline method 'median' (expected zscore or mad)"), r.stderr)
    }
}
