import Foundation
import XCTest

/// `process` over several bounded inputs (no `--follow`), through the real
/// binary on generated data: the files are merged by event time, each its own
/// watermark input, so files covering the same period lose nothing to
/// lateness, and the alerts are those of one file holding every event in
/// time order, run after run, whatever the compression or the order of the
/// arguments.
final class FileMergeTests: XCTestCase {
    /// Two generated streams over the same period (different seeds).
    private func overlapping(_ dir: TempDir, events: Int = 20000) throws -> (a: String, b: String) {
        let a = dir.path("a.ndjson"), b = dir.path("b.ndjson")
        for (path, seed) in [(a, 1), (b, 2)] {
            let g = try CLI.run(["generate", "--events", String(events), "--seed", String(seed),
                                 "--start", "2026-11-20T00:00:00Z", "--span", "1h", "-o", path])
            XCTAssertEqual(g.code, 0, g.stderr)
        }
        return (a, b)
    }

    /// Every line of `paths` in one file, sorted by event time (stable: ties
    /// keep the order of the arguments): the reference a merge must match.
    private func sortedByTime(_ paths: [String], into out: String) throws {
        var lines: [(time: String, line: Substring)] = []
        for path in paths {
            for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                lines.append((object["@timestamp"] as! String, line))
            }
        }
        // Every generated time is RFC 3339 in UTC with milliseconds: its text sorts as its time.
        let sorted = lines.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
        try (sorted.map { $0.element.line }.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
    }

    /// An alert without its samples (they name the files and lines read): id,
    /// rule, group, window, value; sorted, since alerts of different groups may
    /// close in another order when the watermark moves differently.
    private func alertKeys(_ path: String) throws -> [String] {
        try readNDJSON(path).map { a in
            let window = a["window"] as! [String: Any], rule = a["rule"] as! [String: Any]
            let group = (a["group"] as! [String: Any]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return "\(a["alert_id"]!) \(rule["id"]!) \(group) \(window["start"]!)-\(window["end"]!) \(a["value"]!)"
        }.sorted()
    }

    private func summaryCounts(_ stderr: String) -> String? {
        guard let r = stderr.range(of: #"\d+ events, \d+ malformed, \d+ late"#, options: .regularExpression) else { return nil }
        return String(stderr[r])
    }

    /// The defect this merge fixes: read one after the other as one input,
    /// nearly half of the second file's events were older than the first
    /// file's latest time minus the lateness, and dead-lettered as late.
    func testOverlappingFilesLoseNothingAndAlertAsOneFileInTimeOrder() throws {
        let dir = try TempDir()
        let (a, b) = try overlapping(dir)
        let merged = try CLI.run(["process", "--input", a, "--input", b, "--alerts", dir.path("merged.alerts"),
                                  "--dead-letter", dir.path("merged.dl")])
        XCTAssertEqual(merged.code, 0, merged.stderr)
        XCTAssertEqual(summaryCounts(merged.stderr), "40000 events, 0 malformed, 0 late", merged.stderr)
        XCTAssertEqual(try readNDJSON(dir.path("merged.dl")).count, 0)

        try sortedByTime([a, b], into: dir.path("sorted.ndjson"))
        let sorted = try CLI.run(["process", "--input", dir.path("sorted.ndjson"), "--alerts", dir.path("sorted.alerts")])
        XCTAssertEqual(sorted.code, 0, sorted.stderr)
        let expected = try alertKeys(dir.path("sorted.alerts"))
        XCTAssertGreaterThan(expected.count, 10)
        XCTAssertEqual(try alertKeys(dir.path("merged.alerts")), expected)

        // The files followed together (each its own input too) give the same alerts, byte for byte.
        let followed = try CLI.run(["process", "--input", a, "--input", b, "--until-idle", "1s", "--alerts", dir.path("followed.alerts")])
        XCTAssertEqual(followed.code, 0, followed.stderr)
        XCTAssertEqual(try String(contentsOfFile: dir.path("followed.alerts"), encoding: .utf8),
                       try String(contentsOfFile: dir.path("merged.alerts"), encoding: .utf8))
    }

    /// The merge order depends on the files alone, not on how the threads ran:
    /// the same alerts and dead letters, byte for byte, run after run and
    /// with any number of workers; and the order of the arguments changes
    /// nothing but which file wins a tie.
    func testMergedRunsAreDeterministic() throws {
        let dir = try TempDir()
        let (a, b) = try overlapping(dir)
        // Malformed and out-of-order lines too: their dead letters must come in the same order.
        let c = dir.path("c.ndjson")
        let g = try CLI.run(["generate", "--events", "10000", "--seed", "3", "--start", "2026-11-20T00:20:00Z", "--span", "20m",
                             "--late-fraction", "0.01", "--malformed-fraction", "0.002", "-o", c])
        XCTAssertEqual(g.code, 0, g.stderr)
        var outputs: Set<String> = []
        for (k, threads) in ["1", "2", "4", "2", "3"].enumerated() {
            let r = try CLI.run(["process", "--threads", threads, "--input", a, "--input", b, "--input", c,
                                 "--alerts", dir.path("\(k).alerts"), "--dead-letter", dir.path("\(k).dl")])
            XCTAssertEqual(r.code, 0, r.stderr)
            outputs.insert(try String(contentsOfFile: dir.path("\(k).alerts"), encoding: .utf8) + "\n--\n"
                           + (try String(contentsOfFile: dir.path("\(k).dl"), encoding: .utf8)))
        }
        XCTAssertEqual(outputs.count, 1, "byte-identical alerts and dead letters")
        XCTAssertTrue(outputs.first!.contains(#""reason":"malformed""#))
        let swapped = try CLI.run(["process", "--input", c, "--input", b, "--input", a, "--alerts", dir.path("swapped.alerts")])
        XCTAssertEqual(swapped.code, 0, swapped.stderr)
        XCTAssertEqual(try alertKeys(dir.path("swapped.alerts")), try alertKeys(dir.path("0.alerts")))
    }

    /// A gzip file merged with a plain one, stdin merged with a file, and an
    /// empty file among them: the alerts of the two plain files.
    func testCompressedStdinAndEmptyInputsMergeLikePlainFiles() throws {
        let dir = try TempDir()
        let (a, b) = try overlapping(dir)
        let plain = try CLI.run(["process", "--input", a, "--input", b, "--alerts", dir.path("plain.alerts")])
        XCTAssertEqual(plain.code, 0, plain.stderr)
        let expected = try alertKeys(dir.path("plain.alerts"))
        XCTAssertGreaterThan(expected.count, 10)

        let gz = dir.path("a.ndjson.gz"), lz4 = dir.path("b.ndjson.lz4")
        for (path, seed) in [(gz, 1), (lz4, 2)] {
            let g = try CLI.run(["generate", "--events", "20000", "--seed", String(seed),
                                 "--start", "2026-11-20T00:00:00Z", "--span", "1h", "-o", path])
            XCTAssertEqual(g.code, 0, g.stderr)
        }
        let empty = dir.path("empty.ndjson")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: nil))
        let cases: [(name: String, arguments: [String], stdin: Data?)] = [
            ("gzip + plain", ["--input", gz, "--input", b], nil),
            ("plain + lz4", ["--input", a, "--input", lz4], nil),
            ("stdin + file", ["--input", "-", "--input", b], try Data(contentsOf: URL(fileURLWithPath: a))),
            ("file + stdin", ["--input", b, "--input", "-"], try Data(contentsOf: URL(fileURLWithPath: a))),
            ("an empty file first and last", ["--input", empty, "--input", a, "--input", b, "--input", empty], nil),
        ]
        for (k, c) in cases.enumerated() {
            let r = try CLI.run(["process"] + c.arguments + ["--alerts", dir.path("\(k).alerts")], stdin: c.stdin)
            XCTAssertEqual(r.code, 0, "\(c.name): \(r.stderr)")
            XCTAssertEqual(summaryCounts(r.stderr), "40000 events, 0 malformed, 0 late", "\(c.name): \(r.stderr)")
            XCTAssertEqual(try alertKeys(dir.path("\(k).alerts")), expected, c.name)
        }
    }

    /// A malformed line in the second file is dead-lettered naming that file
    /// and line, and the run goes on with both files.
    func testAMalformedLineInTheSecondFileIsDeadLetteredWithItsFileAndLine() throws {
        let dir = try TempDir()
        let (a, b) = try overlapping(dir)
        let clean = try CLI.run(["process", "--input", a, "--input", b, "--alerts", dir.path("clean.alerts")])
        XCTAssertEqual(clean.code, 0, clean.stderr)
        var lines = try String(contentsOfFile: b, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        lines.insert(#"{"@timestamp":"2026-11-20T00:30:00Z","event":"#, at: 11_999)  // becomes line 12000
        let broken = dir.path("broken.ndjson")
        try lines.joined(separator: "\n").write(toFile: broken, atomically: true, encoding: .utf8)

        let r = try CLI.run(["process", "--input", a, "--input", broken, "--alerts", dir.path("broken.alerts"),
                             "--dead-letter", dir.path("broken.dl")])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("40001 lines"), r.stderr)
        XCTAssertEqual(summaryCounts(r.stderr), "40000 events, 1 malformed, 0 late", r.stderr)
        let dead = try readNDJSON(dir.path("broken.dl"))
        XCTAssertEqual(dead.count, 1)
        XCTAssertEqual(dead.first?["reason"] as? String, "malformed")
        XCTAssertEqual(dead.first?["source"] as? String, broken)
        XCTAssertEqual(dead.first?["line"] as? Int, 12000)
        XCTAssertEqual(try alertKeys(dir.path("broken.alerts")), try alertKeys(dir.path("clean.alerts")))
    }

    /// Day-by-day files given in any order are read in time order, each
    /// opened when the merge reaches its first event: nothing is late, and
    /// the alerts are those of the days joined in order into one file.
    func testDayFilesInAnyOrderAreReadInTimeOrder() throws {
        let dir = try TempDir()
        var days: [String] = []
        var joined = Data()
        for day in 1...8 {
            let path = dir.path("day-\(day).ndjson")
            let g = try CLI.run(["generate", "--events", "3000", "--seed", String(40 + day), "--late-fraction", "0.01",
                                 "--start", String(format: "2026-11-%02dT00:00:00Z", day), "-o", path])
            XCTAssertEqual(g.code, 0, g.stderr)
            days.append(path)
            joined.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        try joined.write(to: URL(fileURLWithPath: dir.path("all.ndjson")))
        let one = try CLI.run(["process", "--input", dir.path("all.ndjson"), "--alerts", dir.path("one.alerts")])
        XCTAssertEqual(one.code, 0, one.stderr)
        let expected = try alertKeys(dir.path("one.alerts"))
        XCTAssertGreaterThan(expected.count, 5)

        let shuffled = [days[5], days[2], days[7], days[0], days[4], days[1], days[6], days[3]]
        let r = try CLI.run(["process"] + shuffled.flatMap { ["--input", $0] } + ["--alerts", dir.path("merged.alerts")])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(summaryCounts(r.stderr), summaryCounts(one.stderr), r.stderr)
        XCTAssertTrue(r.stderr.contains("24000 events, 0 malformed, 0 late"), r.stderr)
        XCTAssertEqual(try alertKeys(dir.path("merged.alerts")), expected)
    }

    /// `train` over the merged files counts every event in its window: the
    /// events the future gate holds at each input's start (and admits) are
    /// counted when admitted, so the windows and the model are those of the
    /// one time-sorted file (they were left out: 8 events an input).
    func testTrainOverMergedFilesCountsTheEventsTheGateHeld() throws {
        let dir = try TempDir()
        var truths = ""
        for (name, seed) in [("a", 1), ("b", 2)] {
            let g = try CLI.run(["generate", "--events", "20000", "--seed", String(seed), "--start", "2026-11-20T00:00:00Z",
                                 "--span", "1h", "--truth", dir.path("\(name).truth"), "-o", dir.path("\(name).ndjson")])
            XCTAssertEqual(g.code, 0, g.stderr)
            truths += try String(contentsOfFile: dir.path("\(name).truth"), encoding: .utf8)
        }
        try truths.write(toFile: dir.path("truth.ndjson"), atomically: true, encoding: .utf8)
        try sortedByTime([dir.path("a.ndjson"), dir.path("b.ndjson")], into: dir.path("sorted.ndjson"))
        let merged = try CLI.run(["train", "--input", dir.path("a.ndjson"), "--input", dir.path("b.ndjson"),
                                  "--truth", dir.path("truth.ndjson"), "-o", dir.path("merged.json")])
        XCTAssertEqual(merged.code, 0, merged.stderr)
        let sorted = try CLI.run(["train", "--input", dir.path("sorted.ndjson"), "--truth", dir.path("truth.ndjson"),
                                  "-o", dir.path("sorted.json")])
        XCTAssertEqual(sorted.code, 0, sorted.stderr)
        func windows(_ stderr: String) -> String? {
            stderr.range(of: #"\d+ windows"#, options: .regularExpression).map { String(stderr[$0]) }
        }
        XCTAssertNotNil(windows(sorted.stderr), sorted.stderr)
        XCTAssertEqual(windows(merged.stderr), windows(sorted.stderr), merged.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir.path("merged.json"))),
                       try Data(contentsOf: URL(fileURLWithPath: dir.path("sorted.json"))))
    }
}
