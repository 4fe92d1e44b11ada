import Foundation
import XCTest

/// `generate --truth` -> `train` -> `process --model` / `replay --model`, as a
/// user runs them: the model trained on one seed finds the attacks of
/// another, its alerts name their top features, and bad input is one line, exit 2.
final class ModelCLITests: XCTestCase {
    private static let fixtures = Fixtures()

    /// Generated once for the class: a training seed, a model, a held-out seed.
    private final class Fixtures: @unchecked Sendable {
        let dir: TempDir
        private(set) var error: Error?
        var model: String { dir.path("model.json") }
        var trainEvents: String { dir.path("train.ndjson") }
        var trainTruth: String { dir.path("train-truth.ndjson") }
        var testEvents: String { dir.path("test.ndjson") }
        var testTruth: String { dir.path("test-truth.ndjson") }

        init() {
            dir = try! TempDir()
            do {
                try ModelCLITests.run(["generate", "--events", "300000", "--seed", "11", "--span", "9h", "--truth", trainTruth,
                                       "-o", trainEvents, "--quiet"])
                try ModelCLITests.run(["generate", "--events", "150000", "--seed", "2", "--span", "270m", "--truth", testTruth,
                                       "-o", testEvents, "--quiet"])
                try ModelCLITests.run(["train", "--input", trainEvents, "--truth", trainTruth, "-o", model])
            } catch { self.error = error }
        }

        func ready() throws -> Fixtures {
            if let error { throw error }
            return self
        }
    }

    @discardableResult
    private static func run(_ arguments: [String], expect: Int32 = 0) throws -> CLI.Result {
        let result = try CLI.run(arguments)
        guard result.code == expect else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey:
                "secstream \(arguments.joined(separator: " ")): exit \(result.code), expected \(expect): \(result.stderr)"])
        }
        return result
    }

    private static func time(_ text: Any?) -> Double {
        let s = text as! String
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s)!.timeIntervalSince1970
    }

    private struct Span { var group: String; var start: Double; var end: Double }

    private func spans(_ truthPath: String) throws -> [Span] {
        try readNDJSON(truthPath).map { r in
            let group = r["group"] as! [String: Any]
            let window = r["window"] as! [String: Any]
            return Span(group: group["source.ip"] as! String, start: Self.time(window["start"]), end: Self.time(window["end"]))
        }
    }

    private func modelAlerts(_ path: String) throws -> [[String: Any]] {
        try readNDJSON(path).filter { (($0["rule"] as! [String: Any])["id"] as! String).hasPrefix("model-") }
    }

    /// An alert is right when its group and window overlap an attack of the
    /// held-out seed's truth; an attack is found when some alert overlaps it.
    func testModelTrainedOnOneSeedFindsTheAttacksOfAnother() throws {
        let f = try Self.fixtures.ready()
        let dir = try TempDir()
        let out = dir.path("alerts.ndjson")
        try Self.run(["process", "--input", f.testEvents, "--model", f.model, "--alerts", out, "--quiet"])
        let alerts = try modelAlerts(out)
        let attacks = try spans(f.testTruth)
        XCTAssertGreaterThan(attacks.count, 50)
        func overlaps(_ a: [String: Any], _ s: Span) -> Bool {
            let window = a["window"] as! [String: Any]
            return (a["group"] as! [String: Any])["source.ip"] as? String == s.group
                && Self.time(window["start"]) <= s.end && Self.time(window["end"]) > s.start
        }
        let right = alerts.filter { a in attacks.contains { overlaps(a, $0) } }.count
        let found = attacks.filter { s in alerts.contains { overlaps($0, s) } }.count
        let precision = Double(right) / Double(max(1, alerts.count))
        let recall = Double(found) / Double(attacks.count)
        XCTAssertGreaterThanOrEqual(precision, 0.75, "precision \(precision) (\(right) of \(alerts.count) alerts)")
        XCTAssertGreaterThanOrEqual(recall, 0.75, "recall \(recall) (\(found) of \(attacks.count) attacks)")

        // Each alert: the model's score at or above the threshold, its top
        // features (names of the spec, contributions positive, largest first).
        let spec = try modelSpec(f.model)
        for a in alerts {
            XCTAssertGreaterThanOrEqual(a["value"] as! Double, 0.5)
            let features = a["features"] as! [[String: Any]]
            XCTAssertFalse(features.isEmpty)
            XCTAssertLessThanOrEqual(features.count, 3)
            let contributions = features.map { $0["contribution"] as! Double }
            XCTAssertEqual(contributions, contributions.sorted(by: >))
            XCTAssertTrue(contributions.allSatisfy { $0 > 0 })
            for feature in features { XCTAssertTrue(spec.contains(feature["name"] as! String)) }
            // Up to five of the window's events, each a line of the input inside the window.
            let samples = a["samples"] as! [[String: Any]]
            XCTAssertTrue((1...5).contains(samples.count), "\(samples)")
            XCTAssertTrue(samples.allSatisfy { ($0["source"] as? String) == f.testEvents && ($0["line"] as? Int ?? 0) > 0 }, "\(samples)")
        }
        // The same input gives the same alerts, byte for byte.
        let again = dir.path("again.ndjson")
        try Self.run(["process", "--input", f.testEvents, "--model", f.model, "--alerts", again, "--quiet", "--threads", "1"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), try Data(contentsOf: URL(fileURLWithPath: again)))
        // A higher threshold alerts on a subset.
        let strict = dir.path("strict.ndjson")
        try Self.run(["process", "--input", f.testEvents, "--model", f.model, "--model-threshold", "0.9", "--alerts", strict, "--quiet"])
        let strictIDs = Set(try modelAlerts(strict).map { $0["alert_id"] as! String })
        XCTAssertLessThan(strictIDs.count, alerts.count)
        XCTAssertTrue(strictIDs.isSubset(of: Set(alerts.map { $0["alert_id"] as! String })))
    }

    private func modelSpec(_ path: String) throws -> Set<String> {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let learner = root["learner"] as! [String: Any]
        let text = (learner["attributes"] as! [String: Any])["secstream_feature_spec"] as! String
        let spec = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        return Set((spec["features"] as! [[String: Any]]).map { $0["name"] as! String })
    }

    /// Training twice gives the same bytes; an analyst's labels file naming
    /// the same spans gives the same model as the truth file.
    func testTrainIsDeterministicAndLabelsEqualTruth() throws {
        let f = try Self.fixtures.ready()
        let dir = try TempDir()
        let again = dir.path("again.json")
        try Self.run(["train", "--input", f.trainEvents, "--truth", f.trainTruth, "-o", again, "--quiet"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: f.model)), try Data(contentsOf: URL(fileURLWithPath: again)))
        let labels = try readNDJSON(f.trainTruth).map { r -> String in
            let group = (r["group"] as! [String: Any])["source.ip"] as! String
            let window = r["window"] as! [String: Any]
            return #"{"group":"\#(group)","start":"\#(window["start"] as! String)","end":"\#(window["end"] as! String)"}"#
        }.joined(separator: "\n") + "\n"
        try labels.write(toFile: dir.path("labels.ndjson"), atomically: true, encoding: .utf8)
        let fromLabels = dir.path("labels.json")
        let result = try Self.run(["train", "--input", f.trainEvents, "--labels", dir.path("labels.ndjson"), "-o", fromLabels])
        XCTAssertTrue(result.stderr.contains("labelled positive"), result.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: f.model)), try Data(contentsOf: URL(fileURLWithPath: fromLabels)))
    }

    /// `process --archive` then `replay --model` on the archive: the same model alerts, id for id.
    func testReplayScoresTheArchiveLikeTheLiveRun() throws {
        let f = try Self.fixtures.ready()
        let dir = try TempDir()
        try Self.run(["process", "--input", f.testEvents, "--model", f.model, "--archive", dir.path("archive"),
                      "--alerts", dir.path("live.ndjson"), "--quiet"])
        try Self.run(["replay", dir.path("archive"), "--model", f.model, "--alerts", dir.path("replay.ndjson"), "--quiet"])
        let live = try modelAlerts(dir.path("live.ndjson")).map { $0["alert_id"] as! String }
        let replay = try modelAlerts(dir.path("replay.ndjson")).map { $0["alert_id"] as! String }
        XCTAssertGreaterThan(live.count, 20)
        XCTAssertEqual(live, replay)
        // A model alone is a run (no rules): the same windows, the same alerts.
        try Self.run(["process", "--input", f.testEvents, "--no-default-rules", "--model", f.model,
                      "--alerts", dir.path("alone.ndjson"), "--quiet"])
        try Self.run(["replay", dir.path("archive"), "--no-default-rules", "--model", f.model,
                      "--alerts", dir.path("replay-alone.ndjson"), "--quiet"])
        XCTAssertEqual(try modelAlerts(dir.path("alone.ndjson")).map { $0["alert_id"] as! String }, live)
        XCTAssertEqual(try modelAlerts(dir.path("replay-alone.ndjson")).map { $0["alert_id"] as! String }, live)
        // train reads the archive too: the same windows as the files gave.
        try Self.run(["train", "--archive", dir.path("archive"), "--truth", f.testTruth, "-o", dir.path("a.json"), "--quiet"])
        try Self.run(["train", "--input", f.testEvents, "--truth", f.testTruth, "-o", dir.path("f.json"), "--quiet"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir.path("a.json"))),
                       try Data(contentsOf: URL(fileURLWithPath: dir.path("f.json"))))
    }

    /// The open model windows count toward `--max-state`: under a small
    /// bound they drop, fewest events first, said in one stderr line; the
    /// busy windows (the attacks) are still scored.
    func testMaxStateBoundsTheOpenWindows() throws {
        let f = try Self.fixtures.ready()
        let dir = try TempDir()
        let base = ["process", "--input", f.testEvents, "--no-default-rules", "--model", f.model]
        let free = try Self.run(base + ["--alerts", dir.path("free.ndjson")])
        XCTAssertFalse(free.stderr.contains("model windows dropped"), free.stderr)
        let bounded = try Self.run(base + ["--max-state", "1MiB", "--alerts", dir.path("bounded.ndjson")])
        let line = try XCTUnwrap(bounded.stderr.split(separator: "\n").first { $0.contains("model windows dropped") }, bounded.stderr)
        XCTAssertTrue(line.hasPrefix("secstream: --max-state 1 MiB reached: "), String(line))
        let all = try modelAlerts(dir.path("free.ndjson")).map { $0["alert_id"] as! String }
        let kept = try modelAlerts(dir.path("bounded.ndjson")).map { $0["alert_id"] as! String }
        XCTAssertGreaterThan(kept.count, all.count / 2, "the attack windows hold many events: most survive")
        XCTAssertTrue(Set(kept).isSubset(of: Set(all)), "a window that survives is scored as without the bound")
    }

    /// `train --rules`: each detection rule's matches per window are a
    /// feature. Here only the rule tells the windows apart (the events differ
    /// in process.name alone, which no standard feature reads), so a model
    /// that alerts on exactly the right windows, naming the rule's feature,
    /// shows the feature is counted in training and in scoring alike; a run
    /// without the rule is refused.
    func testRuleMatchesAreFeatures() throws {
        let dir = try TempDir()
        let rules = dir.path("rules")
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try """
        title: Credential dumper
        id: 55555555-0000-0000-0000-000000000001
        name: credential_dumper
        logsource: {category: authentication}
        detection:
          sel:
            process.name: mimikatz.exe
          condition: sel
        level: high
        """.write(toFile: rules + "/dumper.yml", atomically: true, encoding: .utf8)
        // `ips` addresses, each with 3 logins in each 5-minute window (the
        // ECS pipeline routes the rule's logsource on event.category); the
        // address is "evil" in a window when (address + window) % 3 == 0.
        func events(windows: Int, from start: Int, ips: Int) -> (String, [String]) {
            var lines: [String] = [], evil: [String] = []
            for w in 0..<windows {
                for ip in 0..<ips {
                    let bad = (ip + w) % 3 == 0
                    let t0 = (start + w) * 300
                    if bad {
                        let s = String(format: "2026-11-20T%02d:%02d:00Z", t0 / 3600, t0 / 60 % 60)
                        let e = String(format: "2026-11-20T%02d:%02d:59Z", t0 / 3600, t0 / 60 % 60 + 4)
                        evil.append(#"{"group":"10.9.0.\#(ip)","start":"\#(s)","end":"\#(e)"}"#)
                    }
                    for k in 0..<3 {
                        let t = t0 + 10 * k + ip
                        let time = String(format: "2026-11-20T%02d:%02d:%02d.000Z", t / 3600, t / 60 % 60, t % 60)
                        let name = bad && k == 1 ? "mimikatz.exe" : "svchost.exe"
                        lines.append(#"{"@timestamp":"\#(time)","event":{"category":"authentication"},"source":{"ip":"10.9.0.\#(ip)"},"process":{"name":"\#(name)"}}"#)
                    }
                }
            }
            return (lines.sorted().joined(separator: "\n") + "\n", evil)
        }
        let (train, labels) = events(windows: 12, from: 0, ips: 30)
        try train.write(toFile: dir.path("train.ndjson"), atomically: true, encoding: .utf8)
        try (labels.joined(separator: "\n") + "\n").write(toFile: dir.path("labels.ndjson"), atomically: true, encoding: .utf8)
        let model = dir.path("m.json")
        try Self.run(["train", "--input", dir.path("train.ndjson"), "--labels", dir.path("labels.ndjson"), "--rules", rules,
                      "--lateness", "0", "-o", model, "--quiet"])
        let names = try XCTUnwrap(((try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model))) as? [String: Any])?["learner"]
                                    as? [String: Any])?["feature_names"] as? [String])
        XCTAssertEqual(names.last, "rule_credential_dumper")

        let (test, truth) = events(windows: 6, from: 20, ips: 30)
        try test.write(toFile: dir.path("test.ndjson"), atomically: true, encoding: .utf8)
        let r = try Self.run(["process", "--input", dir.path("test.ndjson"), "--no-default-rules", "--rules", rules, "--model", model,
                              "--lateness", "0", "--alerts", dir.path("alerts.ndjson")])
        let alerts = try modelAlerts(dir.path("alerts.ndjson"))
        let got = Set(alerts.map { a in
            let g = (a["group"] as! [String: Any])["source.ip"] as! String
            return g + "@" + ((a["window"] as! [String: Any])["start"] as! String)
        })
        let want = Set(try truth.map { line -> String in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: String]
            return o["group"]! + "@" + o["start"]!.replacingOccurrences(of: ":00Z", with: ":00.000Z")
        })
        XCTAssertEqual(got, want, r.stderr)
        XCTAssertTrue(alerts.allSatisfy { (($0["features"] as? [[String: Any]])?.first?["name"] as? String) == "rule_credential_dumper" })

        let refused = try CLI.run(["process", "--input", dir.path("test.ndjson"), "--no-default-rules", "--model", model])
        XCTAssertEqual(refused.code, 2, refused.stderr)
        XCTAssertEqual(refused.stderr, "secstream: --model \(model): its feature rule_credential_dumper counts the matches of rule 55555555-0000-0000-0000-000000000001, which this run does not load (give it with --rules)\n")
    }

    /// Every problem is one stderr line naming the file or flag, exit 2.
    func testBadModelsLabelsAndFlagsAreOneLineExitTwo() throws {
        let f = try Self.fixtures.ready()
        let dir = try TempDir()
        func expectUsage(_ arguments: [String], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try CLI.run(arguments)
            XCTAssertEqual(r.code, 2, r.stderr, file: file, line: line)
            XCTAssertTrue(r.stderr.contains(fragment), r.stderr, file: file, line: line)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: file, line: line)
        }
        let corrupt = dir.path("corrupt.json")
        try Data(try Data(contentsOf: URL(fileURLWithPath: f.model)).prefix(500)).write(to: URL(fileURLWithPath: corrupt))
        try expectUsage(["process", "--input", f.testEvents, "--model", corrupt], "\(corrupt): not an XGBoost JSON model")
        // An XGBoost model without secstream's spec (as Python would save one).
        var root = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: f.model))) as! [String: Any]
        var learner = root["learner"] as! [String: Any]
        learner["attributes"] = [String: Any]()
        root["learner"] = learner
        let plain = dir.path("plain.json")
        try JSONSerialization.data(withJSONObject: root).write(to: URL(fileURLWithPath: plain))
        try expectUsage(["replay", dir.path("nowhere"), "--model", plain], "\(plain): no secstream feature spec")
        try expectUsage(["process", "--input", f.testEvents, "--model", f.model, "--model-threshold", "1.5"], "--model-threshold")
        try expectUsage(["process", "--input", f.testEvents, "--model-threshold", "0.7"], "--model-threshold needs --model")
        try expectUsage(["process", "--input", f.testEvents, "--no-default-rules"], "no rules to run")
        try expectUsage(["process", "--input", "kafka://127.0.0.1:9/t", "--model", f.model], "--model")
        let labels = dir.path("labels.ndjson")
        try "{\"group\":\"10.0.0.1\",\"start\":\"2026-11-20T00:00:00Z\",\"end\":\"2026-11-20T00:05:00Z\"}\n{\"group\":\"x\"}\n"
            .write(toFile: labels, atomically: true, encoding: .utf8)
        try expectUsage(["train", "--input", f.testEvents, "--labels", labels, "-o", dir.path("m.json")], "\(labels):2: no RFC 3339 start")
        try expectUsage(["train", "--input", f.testEvents, "-o", dir.path("m.json")], "--truth FILE or --labels FILE")
        try expectUsage(["train", "--input", f.testEvents, "--truth", f.testTruth, "-o", dir.path("m.ubj")], "must end in .json")
        try expectUsage(["train", "--input", f.testEvents, "--truth", f.testTruth, "--group-by", "user.name", "-o", dir.path("m.json")],
                        "no labels for the group-by field user.name (it labels source.ip)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path("m.json")))
    }
}
